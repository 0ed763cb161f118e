"""The rejected rows of an import's preview, given back as a file to fix and upload again.

The file has the upload's own header row and the rejected rows as they were typed (the same
columns, so the fixed file is a valid upload), plus one column at the end with the reasons.
Rows are read again from the upload the preview keeps; once the preview is decided (imported
or cancelled) the upload is gone and so is this file. Only whoever uploaded the file gets it:
it holds what they typed, ID numbers included, so the download is recorded as an export.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any, BinaryIO, cast

from django.utils.translation import gettext as _

from fangkong.core.spreadsheets import SheetSpec, locate_header, open_spreadsheet, write_xlsx


def reasons_by_row(errors: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """Each rejected row's reasons in one cell: ``column: reason``, one after another."""
    reasons: dict[int, list[str]] = defaultdict(list)
    for error in errors:
        row = error.get("row")
        if not isinstance(row, int) or row < 1:
            continue
        column, message = str(error.get("column") or ""), str(error.get("message") or "")
        text = f"{column}：{message}" if column else message
        if text not in reasons[row]:
            reasons[row].append(text)
    return {row: "；".join(texts) for row, texts in reasons.items()}


def rejected_rows_xlsx(
    upload: IO[bytes],
    errors: Iterable[Mapping[str, Any]],
    aliases: Mapping[str, Sequence[str]],
) -> tuple[bytes, int]:
    """The workbook of rejected rows (the header as the file had it, a reason column last)
    and how many rows it holds. ``aliases`` are the import's header names, to find the
    header row below any title rows as the import itself did."""
    reasons = reasons_by_row(errors)
    with open_spreadsheet(cast(BinaryIO, upload)) as sheet:
        match = locate_header(iter(sheet.rows()), aliases)
        if match is None:
            return b"", 0
        header = list(match.row.values)
        width = len(header)
        rows = [
            [*row.values[:width], *[""] * (width - len(row.values)), reasons[row.number]]
            for row in match.rest
            if row.number in reasons
        ]
    out = io.BytesIO()
    write_xlsx(
        out,
        [
            SheetSpec(
                title=_("Rejected rows"),
                header=[*header, _("Reason")],
                rows=rows,
                # Every cell as text: an ID number stays 18 digits, not 1.1E+17.
                text_columns=range(width),
                widths=[*[14] * width, 48],
            )
        ],
    )
    return out.getvalue(), len(rows)
