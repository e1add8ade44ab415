"""How a lot stands on a day, in the words a volunteer reads: usable, on hold, recalled, past its date,
and how many of its units could still be reserved. Pure: the day is a parameter.

A lot on hold or recalled, or past its best-before or use-by date, has nothing to reserve, whatever is
on the shelf (the ledger's `on_hand - reserved` is still what can be disposed of or counted). This is the
`available` of the API's lots, of the stock summary and of the stock CSV too (`free_units`; the summary
says it in SQL, `stock.queries.reservable_on`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from foodbank.picking.fefo import DateKind, LotStatus

DATED = (DateKind.best_before, DateKind.use_by)


class _ItemLike(Protocol):
    @property
    def date_kind(self) -> DateKind: ...


class LotLike(Protocol):
    @property
    def status(self) -> LotStatus: ...
    @property
    def expiry_date(self) -> date | None: ...
    @property
    def on_hand(self) -> int: ...
    @property
    def reserved(self) -> int: ...
    @property
    def item(self) -> _ItemLike: ...


@dataclass(frozen=True)
class Standing:
    status: LotStatus
    expired: bool
    """Past its best-before or use-by date on the day asked about."""
    free: int
    """Units that could be reserved: 0 when on hold, recalled or expired."""

    @property
    def usable(self) -> bool:
        return self.status is LotStatus.active and not self.expired


def past_its_date(date_kind: DateKind, expiry_date: date | None, on: date) -> bool:
    """Past its best-before or use-by date on `on` (a crop year or no date never is)."""
    return date_kind in DATED and expiry_date is not None and expiry_date < on


def free_units(
    status: LotStatus, date_kind: DateKind, expiry_date: date | None, on_hand: int, reserved: int, on: date
) -> int:
    """Units that could be reserved on `on`: on hand minus reserved, 0 when on hold, recalled or expired."""
    usable = status is LotStatus.active and not past_its_date(date_kind, expiry_date, on)
    return on_hand - reserved if usable else 0


def standing(lot: LotLike, on: date) -> Standing:
    expired = past_its_date(lot.item.date_kind, lot.expiry_date, on)
    free = free_units(lot.status, lot.item.date_kind, lot.expiry_date, lot.on_hand, lot.reserved, on)
    return Standing(lot.status, expired, free)
