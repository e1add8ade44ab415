"""Dates as printed on labels: a full date, or year and month only (then the last day of that month)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from foodbank.lib.messages import Message
from foodbank.models import DatePrecision

_PATTERN = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?\s*月?\s*$")


class LabelDateError(ValueError):
    """A date that is not a label date; `str()` of it is its Message (translated at the edge)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class LabelDate:
    value: date
    precision: DatePrecision

    def __str__(self) -> str:
        return self.value.strftime("%Y-%m") if self.precision is DatePrecision.month else self.value.isoformat()


def parse_label_date(text: str) -> LabelDate:
    """`2027-03-15`, `2027/3/15`, `2027.03.15`, `2027年3月15日` (day) or `2027-03`, `2027年3月` (month).

    Raises LabelDateError (a ValueError) with a message fit for a volunteer.
    """
    match = _PATTERN.match(text)
    if not match:
        raise LabelDateError(
            Message("Write the date as YYYY-MM-DD, or YYYY-MM when the label shows only year and month.")
        )
    year, month, day = int(match[1]), int(match[2]), match[3]
    if not 1 <= month <= 12:
        raise LabelDateError(Message("There is no month %(month)s.", month=month))
    if day is None:
        return LabelDate(date(year, month, calendar.monthrange(year, month)[1]), DatePrecision.month)
    try:
        return LabelDate(date(year, month, int(day)), DatePrecision.day)
    except ValueError:
        raise LabelDateError(
            Message("%(month)s has no day %(day)s.", month=f"{year}-{month:02d}", day=int(day))
        ) from None


def format_label_date(value: date | None, precision: DatePrecision | None) -> str | None:
    if value is None or precision is None:
        return None
    return str(LabelDate(value, precision))
