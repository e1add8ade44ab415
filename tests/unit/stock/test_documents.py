"""How stock documents print dates and weights."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from foodbank.models import DatePrecision
from foodbank.stock.documents import date_label, japanese_date, kg_text


def test_dates_print_as_the_label_does_and_rice_by_crop_year() -> None:
    assert date_label(date(2027, 8, 31), DatePrecision.month, None) == "2027-08"
    assert date_label(date(2027, 3, 15), DatePrecision.day, None) == "2027-03-15"
    assert date_label(None, None, 2026) == "2026年産"
    assert date_label(None, None, None) is None
    assert japanese_date(date(2026, 4, 1)) == "2026年4月1日"


def test_weights_drop_trailing_zeros() -> None:
    assert [kg_text(Decimal(v)) for v in ("12.000", "0.500", "1.25", "0")] == ["12", "0.5", "1.25", "0"]
