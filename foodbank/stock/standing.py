"""How a lot stands on a day, in the words a volunteer reads: usable, on hold, recalled, past its date,
and how many of its units could still be reserved. Pure: the day is a parameter.

A lot on hold or recalled, or past its best-before or use-by date, has nothing to reserve, whatever is
on the shelf (the ledger's `on_hand - reserved` is still what can be disposed of or counted)."""

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


def standing(lot: LotLike, on: date) -> Standing:
    expired = lot.item.date_kind in DATED and lot.expiry_date is not None and lot.expiry_date < on
    usable = lot.status is LotStatus.active and not expired
    return Standing(lot.status, expired, lot.on_hand - lot.reserved if usable else 0)
