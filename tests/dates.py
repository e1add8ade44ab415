"""The suite's day, and dates relative to it: the tests pass on whatever day they run.

TODAY is Japan's date when the run starts (or FOODBANK_TEST_TODAY, to try the suite on another day:
the last day of a fiscal year, a leap day). tests/conftest.py holds `foodbank.lib.clock.today()` at
TODAY for the whole run, so a run that crosses midnight in Japan still has one today. Nothing here
writes a calendar date into a test: expiries, validity and event days are so many days or months from
TODAY, and what is past stays past.
"""

from __future__ import annotations

import calendar
import os
from datetime import date, timedelta

from foodbank.lib.clock import today


def _suite_day() -> date:
    chosen = os.environ.get("FOODBANK_TEST_TODAY")
    return date.fromisoformat(chosen) if chosen else today()


TODAY = _suite_day()


def day(n: int) -> date:
    """The date `n` days from TODAY (negative: before it)."""
    return TODAY + timedelta(days=n)


def days(n: int) -> str:
    """`day(n)` as the ISO text a form or JSON body carries."""
    return day(n).isoformat()


def month_start(n: int) -> date:
    """The first day of the month `n` months from TODAY's month."""
    index = TODAY.year * 12 + TODAY.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month(n: int) -> str:
    """A year-month expiry ("2027-08") `n` months from TODAY's month: it means that month's last day."""
    return month_start(n).strftime("%Y-%m")


def month_end(n: int) -> date:
    """The last day of the month `n` months from TODAY's month: what `month(n)` means as an expiry date."""
    start = month_start(n)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])
