"""Pure rules of pantry days that depend on the calendar (today is a parameter).

What is odd about a day's date for what is being done with it: planning a day in the past or more than
FAR_AHEAD ahead, starting a day on another day than its own, closing a day before it took place. Each is
possible (last month's day typed in from paper, a day moved at the last minute), but far more often a
typo or the wrong day's page: the services refuse it unless confirmed, and the pages say it before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

FAR_AHEAD = timedelta(days=90)
"""Pantry days are planned weeks, at most a couple of months, ahead (ours come every two months)."""


class Oddity(StrEnum):
    past = "past"
    far_ahead = "far_ahead"
    not_today = "not_today"
    before_the_day = "before_the_day"


@dataclass(frozen=True)
class DateCheck:
    """What is odd (nothing: an empty tuple), and how far the day is from today (negative: past)."""

    oddities: tuple[Oddity, ...]
    event_date: date
    today: date

    @property
    def days_from_today(self) -> int:
        return (self.event_date - self.today).days

    def __bool__(self) -> bool:
        return bool(self.oddities)


def check_planned_date(event_date: date, today: date) -> DateCheck:
    found = []
    if event_date < today:
        found.append(Oddity.past)
    elif event_date > today + FAR_AHEAD:
        found.append(Oddity.far_ahead)
    return DateCheck(tuple(found), event_date, today)


def check_start(event_date: date, today: date) -> DateCheck:
    return DateCheck((Oddity.not_today,) if event_date != today else (), event_date, today)


def check_close(event_date: date, today: date) -> DateCheck:
    return DateCheck((Oddity.before_the_day,) if today < event_date else (), event_date, today)
