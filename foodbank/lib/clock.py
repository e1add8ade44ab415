"""The one place that reads the wall clock. Algorithms take dates as parameters instead."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Our users' calendar: a hand-out on the evening of 31 March belongs to that fiscal year, not the next.
LOCAL_TZ = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(LOCAL_TZ).date()
