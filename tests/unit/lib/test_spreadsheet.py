"""Cells that spreadsheets show as text: what gets an apostrophe and what stays as it is."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from foodbank.lib.spreadsheet import cell, text_cell
from tests.formulas import FORMULAS, live


def test_text_that_would_run_gets_an_apostrophe() -> None:
    for text in FORMULAS:
        assert text_cell(text) == "'" + text
        assert not live(text_cell(text))


def test_everything_else_stays_as_it_is() -> None:
    for value in ("さば缶", "A-01", "H-2026-0001", "2027-03", "", "'=already text", "1+1", "e-mail"):
        assert text_cell(value) == value
    for number in (-3, Decimal("-1.500"), 0, None, date(2027, 3, 31)):
        assert cell(number) == number
