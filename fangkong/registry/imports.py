"""The resident import: a community's register, as workers keep it, into the registry.

Two halves. Reading (here) opens the file through ``fangkong.core.spreadsheets``, finds the
header row (registers often carry a title row above it), maps the columns by their many
names, and checks every row on its own: name, ID number (check digit, birth date, and the
numbers Excel mangles), phone, labels in Chinese. Writing (``fangkong.registry.bulk``)
resolves buildings and households, matches people already registered, and writes in bulk
inside one transaction, checking the importer's area there.

``preview`` runs both halves without writing; ``run_import`` writes. Both return an
``ImportResult`` whose errors carry the row number as Excel shows it, the column as the file
names it, and a reason; ID numbers and phones in errors are masked.

The header names, aliases and Chinese labels are data (what registers say), in
``fangkong.registry.import_columns``, with the reading of one cell.
"""

from __future__ import annotations

import collections
import concurrent.futures
import functools
import itertools
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.child_processes import start_worker
from fangkong.core.imports.places import floor_of, parse_room, parse_unit
from fangkong.core.imports.rows import RowError, RowProblem
from fangkong.core.personal_data import (
    id_number_index,
    mask_id_number,
    phone_index,
)
from fangkong.core.spreadsheets import (
    HeaderMatch,
    SheetRow,
    SpreadsheetError,
    locate_header,
    open_spreadsheet,
)
from fangkong.core.validators import (
    TEXT_MAX_LENGTH,
    clean_name,
    clean_text,
    id_birth_date_and_sex,
)
from fangkong.registry.bulk import ImportOutcome, ResidentRow, SystemActor, do_import_residents
from fangkong.registry.import_columns import (  # noqa: F401 - the import's names, kept here
    EXAMPLE_NAME,
    FLOAT_RE,
    HEADERS,
    MAX_REPORTED_ERRORS,
    RELATION_LABELS,
    RELATION_NAMES,
    REQUIRED_FIELDS,
    RESIDENCY_LABELS,
    RESIDENCY_NAMES,
    SEX_LABELS,
    SEX_NAMES,
    TAG_LABELS,
    TAG_NAMES,
    TAG_SEPARATORS,
    TEMPLATE_FIELDS,
    TEMPLATE_GUIDE,
    TEMPLATE_GUIDE_HEADER,
    TEMPLATE_HEADERS,
    parse_id_number,
    parse_phone,
    parse_relation,
    parse_residency,
    parse_sex,
    parse_tags,
)

if TYPE_CHECKING:
    from fangkong.accounts.models import User

# --- Results --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """Counts of rows and the rejected rows, as the preview, the page and the command show."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    households_created: int = 0
    rows: int = 0
    written: bool = False
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON for job results and ``--json``: masked values only, errors capped."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "households_created": self.households_created,
            "rows": self.rows,
            "written": self.written,
            "dry_run": self.dry_run,
            "errors": [e.as_dict() for e in self.errors[:MAX_REPORTED_ERRORS]],
            "errors_omitted": max(len(self.errors) - MAX_REPORTED_ERRORS, 0),
            "unknown_headers": self.unknown_headers,
        }


# --- Reading the file -----------------------------------------------------------------------


@dataclass
class ParsedRegister:
    """The file read and checked row by row: good rows, errors, and the column names."""

    rows: list[ResidentRow]
    errors: list[RowError]
    rejected_rows: set[int]
    columns: dict[str, str]
    unknown_headers: list[str]
    total: int


def _missing_columns(match: HeaderMatch | None) -> SpreadsheetError:
    have = match.mapping if match else {}
    missing = [HEADERS[f][0] for f in REQUIRED_FIELDS if f not in have]
    return SpreadsheetError(
        "missing_columns",
        _(
            "The file has no column for: %(columns)s. Use the template, or name the columns as "
            "it does."
        )
        % {"columns": ", ".join(missing)},
    )


#: Data rows from which the rows are checked by worker processes, and rows per task.
PARALLEL_FROM = 10_000
CHUNK_ROWS = 2_000
MAX_WORKERS = 4


def parse_register(
    rows: Iterable[SheetRow],
    *,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
    prepare: bool = False,
    workers: int = 1,
) -> ParsedRegister:
    """Check every row of a register on its own (no database); see ``RegisterReader``."""
    return RegisterReader(
        rows, progress=progress, progress_every=progress_every, prepare=prepare, workers=workers
    ).read_all()


class RegisterReader:
    """Checks a register's rows on their own (no database), yielding the good ones.

    The header is located when the reader is made (a file without the required columns is
    refused then). ``rows()`` streams the valid rows in file order, so that writing can
    begin while later rows are still being checked; ``errors``, ``rejected`` and ``total``
    grow as it goes. With ``prepare``, valid rows also carry what creating the person needs
    and costs most: the pinyin and the protected ID number and phone. With ``workers`` > 1
    rows are checked by that many processes, chunk by chunk.
    """

    def __init__(
        self,
        rows: Iterable[SheetRow],
        *,
        progress: Callable[[int], None] | None = None,
        progress_every: int = 1000,
        prepare: bool = False,
        workers: int = 1,
    ) -> None:
        match = locate_header(iter(rows), HEADERS)
        if match is None or any(f not in match.mapping for f in REQUIRED_FIELDS):
            raise _missing_columns(match)
        self.reader = _RowReader(match.mapping, {f: match.column_name(f) for f in HEADERS})
        self.columns = self.reader.columns
        self.unknown_headers = match.unknown
        self.errors: list[RowError] = []
        self.rejected: set[int] = set()
        self.total = 0
        self._match = match
        self._progress, self._every = progress, progress_every
        self._prepare, self._workers = prepare, workers

    def rows(self) -> Iterator[ResidentRow]:
        data = (r for r in self._match.rest if not r.is_blank())
        results = (
            _read_parallel(self.reader, data, self._prepare, self._workers)
            if self._workers > 1
            else (self.reader.read(r, self._prepare) for r in data)
        )
        first_of_id: dict[str, int] = {}
        for row, row_errors, id_number, number in results:
            if row is None and not row_errors:
                continue  # the template's example row
            self.total += 1
            if self._progress is not None and self.total % self._every == 0:
                self._progress(self.total)
            if id_number:
                # In file order: the first row with an ID number keeps it, even if it is
                # rejected for another reason.
                first = first_of_id.setdefault(id_number, number)
                if first != number:
                    row_errors = [
                        *row_errors,
                        RowError(
                            number,
                            self.columns["id_number"],
                            _(
                                "This ID number appears again (first at row %(first)s); only the "
                                "first row is imported."
                            )
                            % {"first": first},
                            "duplicate_id",
                            mask_id_number(id_number),
                        ),
                    ]
            if row_errors:
                self.errors.extend(row_errors)
                self.rejected.add(number)
            elif row is not None:  # always: a row without errors was read (or skipped above)
                # Registers repeat 1号楼 and 502 thousands of times: one string each, not a
                # copy per row (what comes back from a worker process is a copy).
                row.building_ref, row.room = sys.intern(row.building_ref), sys.intern(row.room)
                yield row
        if self._progress is not None:
            self._progress(self.total)

    def read_all(self) -> ParsedRegister:
        rows = list(self.rows())
        return ParsedRegister(
            rows, self.errors, self.rejected, self.columns, self.unknown_headers, self.total
        )


_Result = tuple[ResidentRow | None, list[RowError], str, int]


def _read_chunk(
    index: dict[str, int],
    columns: dict[str, str],
    language: str,
    prepare: bool,
    chunk: list[SheetRow],
) -> list[_Result]:
    """What a worker process does with a chunk of rows (in the importer's language)."""
    with translation.override(language):
        reader = _RowReader(index, columns)
        return [reader.read(row, prepare) for row in chunk]


def _read_parallel(
    reader: _RowReader, rows: Iterator[SheetRow], prepare: bool, workers: int
) -> Iterator[_Result]:
    """Rows checked by worker processes, yielded in file order, a few chunks in flight.

    Workers are forked when this process runs a single thread (``db_worker``, the command):
    they start with its settings, keys and dictionaries loaded, touch no database, and end
    with ``os._exit`` (multiprocessing's way), so the connections they inherited are never
    used nor closed by them. A process with other threads (a threaded server, a test runner)
    cannot fork safely; its workers are spawned and set Django up first. Either way they
    exit when this process dies, even by ``kill -9`` (``core.child_processes``): they would
    otherwise wait on the pool's pipe for good.
    """
    forked = _single_threaded()
    context = multiprocessing.get_context("fork" if forked else "spawn")
    task = functools.partial(
        _read_chunk,
        reader.index,
        reader.columns,
        translation.get_language() or settings.LANGUAGE_CODE,
        prepare,
    )
    with concurrent.futures.ProcessPoolExecutor(
        # A spawned worker sets Django up from the environment before it unpickles a task
        # (django.setup itself: importing this module first would need the apps loaded).
        workers,
        mp_context=context,
        initializer=start_worker,
        initargs=(os.getpid(), not forked),
    ) as pool:
        pending: collections.deque[concurrent.futures.Future[list[_Result]]] = collections.deque()
        chunks = iter(lambda: list(itertools.islice(rows, CHUNK_ROWS)), [])
        for chunk in chunks:
            pending.append(pool.submit(task, chunk))
            if len(pending) >= workers * 2:  # bounded: the file is not read ahead whole
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _single_threaded() -> bool:
    """Whether this process runs one OS thread (threads not started by ``threading`` too,
    as Python itself counts them before warning that fork() may deadlock)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


def workers_for(rows: int) -> int:
    """Worker processes for a file of ``rows`` data rows: one below PARALLEL_FROM."""
    if rows < PARALLEL_FROM:
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


class _RowReader:
    """Reads one row at a time: cells to checked values, or the reasons it cannot be used."""

    def __init__(self, index: dict[str, int], columns: dict[str, str]) -> None:
        self.index = index
        self.columns = columns
        self.optional = [
            (name, parser)
            for name, parser in (
                ("sex", parse_sex),
                ("relation", parse_relation),
                ("residency", parse_residency),
                ("tags", parse_tags),
            )
            if name in index
        ]

    def cell(self, values: list[str], name: str) -> str:
        position = self.index.get(name)
        if position is None or position >= len(values):
            return ""
        return values[position].strip()

    @staticmethod
    def _read_name(row: ResidentRow, name: str, problem: Callable[[str, RowProblem], None]) -> None:
        if not name:
            problem("name", RowProblem("name_missing", _("The name is missing.")))
        elif len(name) > 100:
            problem("name", RowProblem("name_long", _("The name is longer than 100 characters.")))
        else:
            try:
                row.name = clean_name(name)  # NFC; no invisible or control characters
            except ValidationError as exc:
                problem("name", RowProblem("name_invalid", exc.messages[0]))

    def _read_place(
        self, row: ResidentRow, values: list[str], problem: Callable[[str, RowProblem], None]
    ) -> None:
        """The building, the room (its floor) and the unit, which the room may name too."""
        if not row.building_ref:
            problem("building", RowProblem("building_missing", _("The building is missing.")))
        room_unit = None
        try:
            room_unit, row.room = parse_room(self.cell(values, "room"))
            row.floor = floor_of(row.room)
        except RowProblem as exc:
            problem("room", exc)
        try:
            row.unit = parse_unit(self.cell(values, "unit"))
            if row.unit is not None and room_unit is not None and row.unit != room_unit:
                raise RowProblem(
                    "unit_conflict",
                    _("The unit column says %(unit)s but the room says unit %(room_unit)s.")
                    % {"unit": row.unit, "room_unit": room_unit},
                )
            row.unit = row.unit or room_unit
        except RowProblem as exc:
            problem("unit", exc)

    def read(self, sheet_row: SheetRow, prepare: bool = False) -> _Result:
        """(row or None, errors, the normalised ID number or "", row number)."""
        values, number = sheet_row.values, sheet_row.number
        errors: list[RowError] = []

        def problem(name: str, exc: RowProblem) -> None:
            errors.append(RowError(number, self.columns[name], exc.message, exc.code, exc.value))

        name = self.cell(values, "name")
        if name == EXAMPLE_NAME:
            return None, [], "", number
        row = ResidentRow(
            row=number, name=name, building_ref=self.cell(values, "building"), room=""
        )
        self._read_name(row, name, problem)
        self._read_place(row, values, problem)
        position = self.index.get("id_number")
        try:
            row.id_number = parse_id_number(
                self.cell(values, "id_number"),
                position is not None and position in sheet_row.numeric,
            )
            if row.id_number:
                row.birth_date, row.id_sex = id_birth_date_and_sex(row.id_number)
        except RowProblem as exc:
            problem("id_number", exc)
        try:
            row.phone = parse_phone(self.cell(values, "phone"))
        except RowProblem as exc:
            problem("phone", exc)
        for field_name, parser in self.optional:
            try:
                setattr(row, field_name, parser(self.cell(values, field_name)))
            except RowProblem as exc:
                problem(field_name, exc)
        if "notes" in self.index:
            try:
                row.notes = (
                    clean_text(
                        self.cell(values, "notes"), multiline=True, max_length=TEXT_MAX_LENGTH
                    )
                    or None
                )
            except ValidationError as exc:
                problem("notes", RowProblem("notes_invalid", exc.messages[0]))
        if errors:
            return None, errors, row.id_number, number
        if prepare:
            row.prepare()  # sets the blind indexes too: no need to compute them twice
        else:
            row.id_index = id_number_index(row.id_number) if row.id_number else ""
            row.phone_index = phone_index(row.phone) if row.phone else ""
        return row, errors, row.id_number, number


# --- Preview and import ---------------------------------------------------------------------


class ImportConflict(Exception):
    """The registry changed under the import (a concurrent import); nothing was written."""


def _result(reader: RegisterReader, outcome: ImportOutcome, *, dry_run: bool) -> ImportResult:
    errors = sorted(reader.errors + outcome.errors, key=lambda e: e.row)
    return ImportResult(
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        rejected=len(reader.rejected | {e.row for e in outcome.errors}),
        households_created=outcome.households_created,
        rows=reader.total,
        written=outcome.written,
        dry_run=dry_run,
        errors=errors,
        unknown_headers=reader.unknown_headers,
    )


def _import(
    file: Any,
    community: Area,
    user: User | None,
    *,
    dry_run: bool,
    all_or_nothing: bool = False,
    actor: User | SystemActor | None = None,
    progress: Callable[[int], None] | None = None,
    on_open: Callable[[int], None] | None = None,
) -> ImportResult:
    """Check the file's rows and write them as they come: one pass, the file open until the
    last row is written. Checking runs in worker processes for large files, so checking
    later rows and writing earlier ones overlap."""
    with open_spreadsheet(file) as sheet:
        total = max(sheet.row_count - 1, 1)  # data rows, about: the header excluded
        if on_open is not None:
            on_open(total)
        reader = RegisterReader(sheet.rows(), prepare=not dry_run, workers=workers_for(total))
        outcome = do_import_residents(
            reader.rows(),
            community=community,
            by=user,
            actor=actor,
            columns=reader.columns,
            all_or_nothing=all_or_nothing,
            dry_run=dry_run,
            known_errors=lambda: len(reader.rejected),
            progress=progress,
        )
    return _result(reader, outcome, dry_run=dry_run)


def preview(
    file: str | Path | BinaryIO | IO[bytes],
    community: Area,
    user: User | None,
    *,
    progress: Callable[[int], None] | None = None,
    on_open: Callable[[int], None] | None = None,
) -> ImportResult:
    """What importing ``file`` would do: counts and every rejected row, nothing written.

    ``on_open`` hears the number of rows once the file is open; ``progress`` the number of
    good rows handled so far.
    """
    return _import(file, community, user, dry_run=True, progress=progress, on_open=on_open)


def run_import(
    file: str | Path | BinaryIO | IO[bytes],
    community: Area,
    user: User | None,
    all_or_nothing: bool = False,
    *,
    actor: User | SystemActor | None = None,
    progress: Callable[[int], None] | None = None,
    on_open: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import the valid rows of ``file`` (none when ``all_or_nothing`` and any row is bad).

    One transaction; the importer's rights and area are checked inside it. Raises
    ``SpreadsheetError`` when the file is refused as a whole.
    """
    try:
        return _import(
            file,
            community,
            user,
            dry_run=False,
            all_or_nothing=all_or_nothing,
            actor=actor,
            progress=progress,
            on_open=on_open,
        )
    except IntegrityError as exc:
        raise ImportConflict(
            _(
                "The registry changed while the file was being imported (another import?). "
                "Nothing was written; import the file again."
            )
        ) from exc
