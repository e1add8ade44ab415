"""The one place that reads the wall clock. Algorithms take dates as parameters instead."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Our users' calendar: a hand-out on the evening of 31 March belongs to that fiscal year, not the next.
LOCAL_TZ = ZoneInfo("Asia/Tokyo")

_held_today: date | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today in Japan: the business day of what is recorded now (UTC is still on yesterday until 09:00 here)."""
    return _held_today if _held_today is not None else datetime.now(LOCAL_TZ).date()


@contextmanager
def holding_today(day: date) -> Iterator[None]:
    """Keep `today()` at `day` until the block ends.

    The test suite holds the day it started on, so a run that crosses midnight in Japan does not see
    two different todays (a test's expected dates computed before midnight, the service's after).
    """
    global _held_today
    previous, _held_today = _held_today, day
    try:
        yield
    finally:
        _held_today = previous
