"""Superiors' own forms: an .xlsx with placeholders, filled from a submitted daily report.

An officer takes the spreadsheet their superior sends every day, types placeholders into
its cells and uploads it as a template; every report of the area then fills it. A
placeholder is ``{{name}}``, alone in a cell or inside text (``截至{{date}}``):

* a figure key of the daily report (``{{quarantine.home}}``: ``reports.daily.DAILY_KEYS``);
* ``{{notes.key_events}}``, ``{{notes.problems}}``, ``{{notes.requests}}`` (the report's free
  fields; ``notes.events`` is ``notes.key_events``);
* ``{{date}}`` (the report's day: a date cell when alone in the cell, else ``2026-12-08``)
  or ``{{date:%Y年%m月%d日}}`` (any ``strftime`` format);
* ``{{area.name}}``, ``{{street.name}}``, ``{{district.name}}``, ``{{revision}}``,
  ``{{submitted_by}}``, ``{{submitted_at}}``;
* in a street summary only: a row holding ``{{each community}}`` is repeated once per
  community of the street (rows inserted below it, styles kept); in that row figure keys
  and notes are the community's, ``{{community.name}}`` and ``{{community.state}}`` (submitted,
  corrected, not submitted) name it, and a cell holding the marker alone gets the row's
  number (序号). ``{{total.<key>}}`` anywhere is the sum over the communities' rows.

A template is checked whole when uploaded (``parse_template``): a broken or foreign file,
an unknown placeholder, a placeholder inside a formula, a second ``{{each community}}`` or
one in a community's template is refused with the reason, and nothing is stored. Filling
(``fill_template``) writes numbers as numbers and every text neutralised
(``core.spreadsheets.neutralise``): a note typed as ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.spreadsheets import SpreadsheetError, neutralise, open_spreadsheet
from fangkong.daily.choices import NOTE_FIELDS, TemplateLevel

#: An uploaded template is a form, not a data file: 1 MB is plenty (and bounds the row in
#: the database).
MAX_TEMPLATE_BYTES = 1024 * 1024
#: A template is refused past this many placeholders (a form has dozens).
MAX_PLACEHOLDERS = 2000
MAX_DATE_FORMAT = 40

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
EACH = "each community"
NOTE_ALIASES = {"events": "key_events"}
AREA_NAMES = ("area.name", "street.name", "district.name")
REPORT_FIELDS = ("revision", "submitted_by", "submitted_at")


@dataclass(frozen=True)
class Found:
    """One placeholder of a template: where it is and what it names."""

    sheet: str
    cell: str
    token: str

    def as_json(self) -> dict[str, str]:
        return {"sheet": self.sheet, "cell": self.cell, "token": self.token}


def _daily_keys() -> tuple[str, ...]:
    from fangkong.reports.daily import DAILY_KEYS

    return DAILY_KEYS


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def known(tag: str, *, street: bool, in_row: bool) -> bool:
    """Whether ``tag`` names something a report of this level fills."""
    keys = _daily_keys()
    if tag in keys or tag in AREA_NAMES or tag in REPORT_FIELDS or tag == "date":
        return True
    if tag.startswith("date:"):
        return 0 < len(tag) - 5 <= MAX_DATE_FORMAT
    if tag.startswith("notes."):
        name = tag[6:]
        return NOTE_ALIASES.get(name, name) in NOTE_FIELDS
    if tag.startswith("total."):
        return street and tag[6:] in keys
    if tag in ("community.name", "community.state"):
        return street and in_row
    return False


def _open_workbook(data: bytes) -> Any:
    """The workbook, vetted by core's reader first (zip bombs, entity tricks, sizes)."""
    import openpyxl

    if len(data) > MAX_TEMPLATE_BYTES:
        raise _refuse(
            _("The template is larger than %(n)s KB; a form needs far less.")
            % {"n": MAX_TEMPLATE_BYTES // 1024}
        )
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse(_("This file is not an .xlsx workbook: save it in Excel or WPS as .xlsx."))
    try:
        open_spreadsheet(io.BytesIO(data)).close()
    except SpreadsheetError as exc:
        raise _refuse(str(exc.message)) from None
    try:
        return openpyxl.load_workbook(io.BytesIO(data), rich_text=False)
    except Exception:
        raise _refuse(_("The workbook is damaged and cannot be read.")) from None


def _cells(workbook: Any) -> Any:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "{{" in cell.value:
                    yield sheet, cell


def parse_template(data: bytes, level: str) -> list[Found]:
    """Every placeholder of the .xlsx ``data``, checked for a template of ``level``; raises a
    ``ValidationError`` (on ``file``) saying what is wrong."""
    workbook = _open_workbook(data)
    street = level == TemplateLevel.STREET
    found: list[Found] = []
    each_rows: list[tuple[str, int]] = []
    # The each-community rows first: whether a placeholder is in one decides if it is known.
    for sheet, cell in _cells(workbook):
        if EACH in [t.strip() for t in PLACEHOLDER.findall(cell.value)]:
            if not street:
                raise _refuse(
                    _(
                        "{{each community}} (cell %(cell)s) belongs in a street's summary, not in "
                        "a community's report."
                    )
                    % {"cell": f"{sheet.title}!{cell.coordinate}"}
                )
            if (sheet.title, cell.row) not in each_rows:
                each_rows.append((sheet.title, cell.row))
    if len(each_rows) > 1:
        raise _refuse(_("A template has one row marked {{each community}}, not several."))
    for sheet, cell in _cells(workbook):
        text: str = cell.value
        where = f"{sheet.title}!{cell.coordinate}"
        if text.startswith("="):
            raise _refuse(
                _("Cell %(cell)s is a formula: placeholders go in plain cells.") % {"cell": where}
            )
        in_row = (sheet.title, cell.row) in each_rows
        for tag in PLACEHOLDER.findall(text):
            if tag != EACH and not known(tag, street=street, in_row=in_row):
                raise _refuse(
                    _("Cell %(cell)s: {{%(name)s}} is not a placeholder this template can fill.")
                    % {"cell": where, "name": tag[:60]}
                )
            found.append(Found(sheet.title, cell.coordinate, tag))
            if len(found) > MAX_PLACEHOLDERS:
                raise _refuse(
                    _("The template has more than %(n)s placeholders.") % {"n": MAX_PLACEHOLDERS}
                )
    if not found:
        raise _refuse(
            _("The template has no placeholder such as {{date}}: nothing would be filled.")
        )
    return found


# --- Filling ----------------------------------------------------------------------------------


@dataclass
class Source:
    """What fills a template: one report's figures and notes, and, for a street's summary,
    one entry per community (its name, state, figures and notes; figures None when it has
    not reported)."""

    day: dt.date
    figures: dict[str, int]
    notes: dict[str, str]
    names: dict[str, str]
    report: dict[str, Any]
    communities: Sequence[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        sums = dict.fromkeys(_daily_keys(), 0)
        for entry in self.communities:
            for key, value in (entry.get("figures") or {}).items():
                if key in sums:
                    sums[key] += int(value)
        return sums


def _value(tag: str, source: Source, row: dict[str, Any] | None, totals: dict[str, int]) -> Any:
    """What ``tag`` is for this report (and this community's row)."""
    figures = source.figures if row is None else (row.get("figures") or {})
    notes = source.notes if row is None else (row.get("notes") or {})
    if tag == "date":
        return source.day
    if tag.startswith("date:"):
        return source.day.strftime(tag[5:])
    if tag.startswith("notes."):
        name = tag[6:]
        return notes.get(NOTE_ALIASES.get(name, name), "")
    if tag.startswith("total."):
        return totals.get(tag[6:], 0)
    if tag == "community.name":
        return row.get("name", "") if row is not None else ""
    if tag == "community.state":
        return row.get("state", "") if row is not None else ""
    if tag in source.names:
        return source.names[tag]
    if tag in source.report:
        return source.report[tag]
    if row is not None and row.get("figures") is None:
        return None  # a community that has not reported: an empty cell, not a 0
    return int(figures.get(tag, 0))


def _render(text: str, source: Source, row: dict[str, Any] | None, totals: dict[str, int]) -> Any:
    tokens = PLACEHOLDER.findall(text)
    whole = PLACEHOLDER.fullmatch(text.strip())
    if whole is not None and whole.group(1) != EACH:
        value = _value(whole.group(1), source, row, totals)
        return neutralise(value) if isinstance(value, str) else value
    if not tokens:
        return text

    def one(match: re.Match[str]) -> str:
        tag = match.group(1)
        if tag == EACH:
            return ""
        value = _value(tag, source, row, totals)
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    result = PLACEHOLDER.sub(one, text)
    if row is not None and EACH in tokens and not result.strip():
        return row.get("number", "")
    return neutralise(result)


def _copy_row(sheet: Any, source_row: int, target_row: int) -> None:
    for cell in sheet[source_row]:
        target = sheet.cell(row=target_row, column=cell.column)
        target.value = cell.value
        if cell.has_style:
            target._style = copy.copy(cell._style)
    height = sheet.row_dimensions[source_row].height
    if height is not None:
        sheet.row_dimensions[target_row].height = height


def _insert_rows(sheet: Any, at: int, count: int) -> None:
    """``count`` rows inserted after row ``at``: the rows below move down with their heights
    and merged ranges (openpyxl moves the cells only)."""
    if count <= 0:
        return
    heights = {
        r: sheet.row_dimensions[r].height
        for r in range(at + 1, sheet.max_row + 1)
        if sheet.row_dimensions[r].height is not None
    }
    merged = [m for m in sheet.merged_cells.ranges if m.min_row > at]
    for m in merged:
        sheet.merged_cells.remove(m)
    sheet.insert_rows(at + 1, count)
    for r in heights:
        sheet.row_dimensions[r].height = None
    for r, height in heights.items():
        sheet.row_dimensions[r + count].height = height
    for m in merged:
        m.shift(0, count)
        sheet.merged_cells.add(m)


def fill_template(data: bytes, source: Source) -> bytes:
    """The template ``data`` filled from ``source``, as .xlsx bytes."""
    workbook = _open_workbook(data)
    totals = source.totals() if source.communities else dict(source.figures)
    for sheet in workbook.worksheets:
        each_row = next(
            (
                cell.row
                for row in sheet.iter_rows()
                for cell in row
                if isinstance(cell.value, str) and EACH in PLACEHOLDER.findall(cell.value)
            ),
            None,
        )
        if each_row is not None:
            entries = list(source.communities)
            _insert_rows(sheet, each_row, len(entries) - 1)
            for offset in range(1, len(entries)):
                _copy_row(sheet, each_row, each_row + offset)
            if not entries:  # no community: the row is emptied
                for cell in sheet[each_row]:
                    if isinstance(cell.value, str) and "{{" in cell.value:
                        cell.value = None
            for offset, entry in enumerate(entries):
                for cell in sheet[each_row + offset]:
                    if isinstance(cell.value, str) and "{{" in cell.value:
                        cell.value = _render(
                            cell.value, source, {**entry, "number": offset + 1}, totals
                        )
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "{{" in cell.value:
                    cell.value = _render(cell.value, source, None, totals)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def local_time(value: dt.datetime | None, zone: Any) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M")
