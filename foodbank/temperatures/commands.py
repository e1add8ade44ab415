"""Typed commands of the temperature records, as the schemas' `post_load` gives them to the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class NewReading:
    """A reading of one location's minimum/maximum thermometer (`ReadingIn`, a logger file's row)."""

    location_id: int
    min_celsius: Decimal
    max_celsius: Decimal
    read_at: datetime | None = None
    """None: now."""
    note: str | None = None


@dataclass(frozen=True)
class Review:
    """What a coordinator decided about an out-of-range reading (`ReviewIn`)."""

    decision: str


@dataclass(frozen=True)
class LimitChange:
    """A zone's new limit and daily rule (`LimitIn`)."""

    max_celsius: Decimal
    daily_reading_required: bool
