"""CSV that is safe to open in a spreadsheet: the one writer of every report CSV the project produces.

Report cells hold text from tickets and readers. Excel, LibreOffice and Google Sheets run a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (a tab or carriage return in front does not stop them) as a
formula — ``=HYPERLINK(…)`` in a comment would become a live link in a manager's sheet; so do some when
spaces or tabs come first (`` =1+1``), which they skip. Such text cells
get a leading ``'``, which spreadsheets show as plain text. Numbers are left alone, so ``-3.5`` stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_SIGNS = ("=", "+", "-", "@")


def spreadsheet_cell(value: object) -> object:
    """A CSV cell: ``None`` → empty; text a spreadsheet would evaluate → prefixed with ``'``; else as is."""
    if value is None:
        return ""
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value.lstrip().startswith(_FORMULA_SIGNS)):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A header row and the rows as CSV text, every cell through :func:`spreadsheet_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_cell(h) for h in header])
    for row in rows:
        writer.writerow([spreadsheet_cell(v) for v in row])
    return out.getvalue()
