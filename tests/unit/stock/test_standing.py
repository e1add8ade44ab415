"""What a lot has to reserve on a day: one rule (`stock.standing`) for the pages, the API's lots, the stock
summary and the stock CSV."""

from __future__ import annotations

from datetime import date

import pytest

from foodbank.picking.fefo import DateKind, LotStatus
from foodbank.stock.standing import free_units, past_its_date

ON = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("status", "kind", "expiry", "free"),
    [
        (LotStatus.active, DateKind.best_before, date(2027, 6, 30), 6),
        (LotStatus.active, DateKind.best_before, ON, 6),  # the last day is still usable
        (LotStatus.active, DateKind.best_before, date(2026, 12, 2), 0),
        (LotStatus.active, DateKind.use_by, date(2026, 12, 2), 0),
        (LotStatus.active, DateKind.crop_year, None, 6),
        (LotStatus.active, DateKind.none, None, 6),
        (LotStatus.on_hold, DateKind.best_before, date(2027, 6, 30), 0),
        (LotStatus.recalled, DateKind.none, None, 0),
    ],
)
def test_free_units(status: LotStatus, kind: DateKind, expiry: date | None, free: int) -> None:
    assert free_units(status, kind, expiry, 10, 4, ON) == free
    assert past_its_date(kind, expiry, ON) is (expiry is not None and expiry < ON)
