"""Errors of the stock area; each carries its status and the data a client needs to act on it."""

from __future__ import annotations

from typing import Any

from foodbank.lib.errors import Conflict, NotFound
from foodbank.lib.messages import Message


class InsufficientStock(Conflict):
    slug = "insufficient-stock"
    title = "Not enough usable stock"

    def __init__(self, detail: Message, *, shortages: list[dict[str, Any]]) -> None:
        super().__init__(detail, shortages=shortages)


class LotNotFound(NotFound):
    slug = "lot-not-found"
    title = "No such lot"


class ReceiptNotFound(NotFound):
    slug = "receipt-not-found"
    title = "No such receipt"


class ReservationNotFound(NotFound):
    slug = "reservation-not-found"
    title = "No such reservation"


class ReservationClosed(Conflict):
    slug = "reservation-closed"
    title = "The reservation is already picked or released"


class LotUnavailable(Conflict):
    slug = "lot-unavailable"
    title = "The lot cannot be used for this"
