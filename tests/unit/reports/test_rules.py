from datetime import date

import pytest

from foodbank.reports import rules


@pytest.mark.parametrize(
    ("day", "start_month", "year"),
    [
        (date(2023, 3, 31), 4, 2022),
        (date(2023, 4, 1), 4, 2023),
        (date(2023, 1, 1), 1, 2023),
        (date(2023, 9, 30), 10, 2022),
    ],
)
def test_fiscal_year_of(day: date, start_month: int, year: int) -> None:
    assert rules.fiscal_year_of(day, start_month) == year


def test_fiscal_year_bounds_and_labels() -> None:
    assert rules.fiscal_year_bounds(2022) == (date(2022, 4, 1), date(2023, 3, 31))
    assert rules.fiscal_year_bounds(2023, 1) == (date(2023, 1, 1), date(2023, 12, 31))
    assert rules.fiscal_year_bounds(2023, 10) == (date(2023, 10, 1), date(2024, 9, 30))
    assert [rules.japanese_year_label(y) for y in (2022, 2019, 2018, 1989, 1988)] == [
        "令和4年度",
        "令和元年度",
        "平成30年度",
        "平成元年度",
        "1988年度",
    ]
    assert rules.english_year_label(2022) == "FY2022"


def test_fiscal_months_start_at_the_start_month() -> None:
    assert rules.fiscal_months(2022)[0] == date(2022, 4, 1)
    assert rules.fiscal_months(2022)[-1] == date(2023, 3, 1)
    assert rules.fiscal_months(2023, 1) == [date(2023, m, 1) for m in range(1, 13)]
    assert rules.fiscal_months(2023, 10)[2:4] == [date(2023, 12, 1), date(2024, 1, 1)]
