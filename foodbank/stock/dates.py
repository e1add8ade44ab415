"""Dates as printed on labels: a full date, or year and month only (then the last day of that month);
and which dates are plausible at receipt (refused, asked about, warned about)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from foodbank.models import DatePrecision
from foodbank.picking.fefo import DateKind

_PATTERN = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?\s*月?\s*$")


@dataclass(frozen=True)
class LabelDate:
    value: date
    precision: DatePrecision

    def __str__(self) -> str:
        return self.value.strftime("%Y-%m") if self.precision is DatePrecision.month else self.value.isoformat()


def parse_label_date(text: str) -> LabelDate:
    """`2027-03-15`, `2027/3/15`, `2027.03.15`, `2027年3月15日` (day) or `2027-03`, `2027年3月` (month).

    Raises ValueError with a message fit for a volunteer.
    """
    match = _PATTERN.match(text)
    if not match:
        raise ValueError("Write the date as YYYY-MM-DD, or YYYY-MM when the label shows only year and month.")
    year, month, day = int(match[1]), int(match[2]), match[3]
    if not 1 <= month <= 12:
        raise ValueError(f"There is no month {month}.")
    if day is None:
        return LabelDate(date(year, month, calendar.monthrange(year, month)[1]), DatePrecision.month)
    try:
        return LabelDate(date(year, month, int(day)), DatePrecision.day)
    except ValueError:
        raise ValueError(f"{year}-{month:02d} has no day {int(day)}.") from None


def format_label_date(value: date | None, precision: DatePrecision | None) -> str | None:
    if value is None or precision is None:
        return None
    return str(LabelDate(value, precision))


# --- plausible dates at receipt ----------------------------------------------------------------------
#
# One set of rules for the receiving service (the authority), the receive page as it is typed (its
# small JSON check asks the same functions) and the CSV import. Pure: today and the received day are
# parameters. A note is a msgid with its parameters, so that pages translate it and the API shows it
# in English (`str(note)`).


class Level(StrEnum):
    """What a date at receipt calls for."""

    warn = "warn"
    """Accepted, but worth a look (little time left)."""
    ask = "ask"
    """Unusual enough to be a typo: asked once ("is this right?"), accepted once confirmed."""
    refuse = "refuse"
    """Never accepted."""


@dataclass(frozen=True)
class DateNote:
    level: Level
    message: str
    """A msgid, formatted with `params` (`%(date)s`)."""
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % self.params


RECEIVED_DAYS_BACK_TO_ASK = 7
"""A received date further back than this is asked about: goods are entered the day they come in, or
after a weekend; older ones are last year's paper records or a typo (2020 for 2026)."""
USE_BY_DAYS_AHEAD_TO_ASK = 30
"""Use-by dates (消費期限) are for food that keeps about five days: one a month away is most likely a
best-before, or a typo."""
BEST_BEFORE_YEARS_AHEAD_TO_ASK = 5
"""Canned and dried food keeps up to about three years, emergency stockpiles five: further is asked about
(the schema refuses beyond ten years)."""
CROP_YEARS_BACK_TO_ASK = 2


def received_date_note(received: date, *, today: date) -> DateNote | None:
    """A received date in the future is refused; one more than a few days back is asked about."""
    if received > today:
        return DateNote(Level.refuse, "%(date)s is in the future; give the day the goods arrived.", {"date": received})
    days_back = (today - received).days
    if days_back > RECEIVED_DAYS_BACK_TO_ASK:
        return DateNote(
            Level.ask,
            "Received on %(date)s, %(days)s days ago: is this date right?",
            {"date": received, "days": days_back},
        )
    return None


def expiry_note(
    kind: DateKind,
    expiry: LabelDate,
    *,
    received: date,
    min_days_at_receipt: int,
    short_dates: str = "warn",
    past_best_before: str = "refuse",
) -> DateNote | None:
    """A label date at receipt, for an item whose label carries `kind` (best-before or use-by).

    - use-by passed: refused, always (a safety date: the food must not be accepted);
    - best-before passed: refused for a donation (`past_best_before="refuse"`): such stock can never be
      handed out (every channel asks for days left), so it is set aside for disposal instead of being
      received; an opening balance of stock already on the shelf (`"warn"`) takes it with a warning, to
      be disposed of from the expired list;
    - best-before closer than the category's minimum at receipt: `short_dates` (warn or refuse);
    - a use-by a month or more away, or a best-before more than five years away: asked about.
    """
    days_left = (expiry.value - received).days
    if kind is DateKind.use_by:
        if days_left < 0:
            return DateNote(
                Level.refuse, "The use-by date %(date)s has passed: this food must not be accepted.", {"date": expiry}
            )
        if days_left > USE_BY_DAYS_AHEAD_TO_ASK:
            return DateNote(
                Level.ask,
                "A use-by date (消費期限) %(days)s days ahead is unusual: is it a best-before date, and is "
                "%(date)s right?",
                {"date": expiry, "days": days_left},
            )
        return None
    if kind is not DateKind.best_before:
        return None
    if days_left < 0:
        if past_best_before == "refuse":
            return DateNote(
                Level.refuse,
                "Best-before %(date)s has passed: it can no longer be handed out. Do not receive it; set it "
                "aside for disposal.",
                {"date": expiry},
            )
        return DateNote(Level.warn, "Best-before %(date)s has already passed.", {"date": expiry})
    if days_left < min_days_at_receipt:
        return DateNote(
            Level.refuse if short_dates == "refuse" else Level.warn,
            "Best-before %(date)s leaves %(days)s days; the category asks for at least %(minimum)s at receipt.",
            {"date": expiry, "days": days_left, "minimum": min_days_at_receipt},
        )
    if expiry.value > _years_after(received, BEST_BEFORE_YEARS_AHEAD_TO_ASK):
        return DateNote(
            Level.ask,
            "Best-before %(date)s is more than %(years)s years away: is this date right?",
            {"date": expiry, "years": BEST_BEFORE_YEARS_AHEAD_TO_ASK},
        )
    return None


def crop_year_note(crop_year: int, *, received: date) -> DateNote | None:
    """Rice of a crop year after the received year, or of several years before, is asked about."""
    if crop_year > received.year or crop_year < received.year - CROP_YEARS_BACK_TO_ASK:
        return DateNote(
            Level.ask,
            "Crop year %(year)s, received in %(received)s: is this right?",
            {"year": crop_year, "received": received.year},
        )
    return None


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
