"""The wall clock: today is Japan's date, and the test suite can hold it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from foodbank.lib import clock
from tests.dates import TODAY, day, month, month_end, month_start


def test_the_suite_runs_on_one_held_day() -> None:
    assert clock.today() == TODAY


def test_holding_today_nests_and_gives_the_day_back() -> None:
    with clock.holding_today(date(2027, 3, 31)):
        assert clock.today() == date(2027, 3, 31)
        with clock.holding_today(date(2028, 2, 29)):
            assert clock.today() == date(2028, 2, 29)
        assert clock.today() == date(2027, 3, 31)
    assert clock.today() == TODAY


def test_japan_is_a_day_ahead_of_utc_in_the_evening() -> None:
    # 15:30 UTC on 27 November is 00:30 on the 28th in Japan: the business day a volunteer means.
    evening = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    assert evening.astimezone(clock.LOCAL_TZ).date() == date(2026, 11, 28)


def test_relative_dates_cross_year_ends_and_month_lengths() -> None:
    assert day(1) > TODAY > day(-1)
    assert month_start(0) == TODAY.replace(day=1)
    assert month(12) == f"{TODAY.year + 1}-{TODAY.month:02d}"
    for n in range(-14, 30):
        end = month_end(n)
        assert end.strftime("%Y-%m") == month(n) == month_start(n).strftime("%Y-%m")
        assert (end + (day(1) - TODAY)).day == 1, "the day after a month's end starts the next month"
