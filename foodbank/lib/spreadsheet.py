"""Cells for the CSV files and workbooks we write: text a spreadsheet shows, never a formula it runs.

Names in exports come from people and from donors' labels (agencies, items, categories, venues, lot
codes, reasons). Excel, LibreOffice and Google Sheets run a CSV cell that starts with = + - @, also
after leading whitespace or a tab, CR or line feed (OWASP: CSV injection), and openpyxl stores text
that starts with = as a formula. Every CSV and XLSX writer passes its values through `cell` (or text
through `text_cell`); numbers, dates and empty cells stay what they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
"""Full-width forms too: Japanese input methods type them, and a spreadsheet may fold them to ASCII."""

CONTROL_STARTS = ("\t", "\r", "\n")

T = TypeVar("T")


def text_cell(text: str) -> str:
    """`text` with a leading apostrophe when a spreadsheet would take it for a formula: the
    apostrophe is the spreadsheets' own sign for "this is text" and shows what was typed."""
    if text.startswith(CONTROL_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


def cell(value: T) -> T | str:
    """A value for a CSV row or a worksheet: text made safe by `text_cell`, anything else as it is."""
    return text_cell(value) if isinstance(value, str) else value


def csv_file(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as a CSV file that Excel opens as Japanese text: UTF-8 with a BOM, CRLF line ends, every
    value through `cell`, None as an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([["" if value is None else cell(value) for value in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
