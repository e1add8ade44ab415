"""Names that a spreadsheet would run as formulas, and checks that an export shows them as text.

A CSV or XLSX cell whose text starts with = + - @ (or a tab, CR or line feed, or whitespace before
one of those) is what OWASP calls CSV injection: Excel, LibreOffice and Google Sheets run it.
"""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

FORMULAS = (
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(A1)",
    " =1+2",
    "\t=1+3",
    "\r=1+4",
    "\n-5",
    "＝1+6",
)
"""Each becomes the name of something a user types in (agency, donor, item, category, venue...)."""

STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def live(text: str) -> bool:
    """Would a spreadsheet take this text for a formula?"""
    return text[:1] in ("\t", "\r", "\n") or text.lstrip().startswith(STARTS)


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def assert_inert_csv(data: bytes, names: tuple[str, ...] = FORMULAS) -> None:
    """No cell is live (numbers such as -3 are numbers), and every name is there, as text."""
    cells = csv_cells(data)
    formulas = [cell for cell in cells if live(cell) and not NUMBER.fullmatch(cell)]
    assert not formulas, formulas
    for name in names:
        assert "'" + name in cells, f"{name!r} is not in the export"


def assert_inert_xlsx(data: bytes, names: tuple[str, ...] = FORMULAS) -> None:
    """No cell is a formula or text that starts like one, and every name is there, as text."""
    book = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    assert not formulas, formulas
    texts = [c.value for c in cells if isinstance(c.value, str)]
    started = [text for text in texts if live(text)]
    assert not started, started
    for name in names:
        # XML reads a CR back as a line feed (end-of-line normalisation), so a CR comes back as \n.
        assert "'" + name.replace("\r", "\n") in texts, f"{name!r} is not in the workbook"
