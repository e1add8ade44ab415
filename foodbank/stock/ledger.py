"""The stock ledger: the only code that changes a lot's balance.

`post` writes one movement and applies its deltas to the lot in the same transaction; the caller must
hold the lot's row lock (`lock_lots`). `verify` rebuilds every balance from the movements and
reports the lots whose stored balance differs, which should never happen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.models import Lot, MovementKind, StockMovement


async def lock_lots(session: AsyncSession, lot_ids: Iterable[int]) -> dict[int, Lot]:
    """Lock lots FOR UPDATE in ascending id order, so concurrent writers cannot deadlock each other."""
    ids = sorted(set(lot_ids))
    if not ids:
        return {}
    stmt = select(Lot).where(Lot.id.in_(ids)).order_by(Lot.id).with_for_update(of=Lot)
    lots = (await session.scalars(stmt.execution_options(populate_existing=True))).all()
    return {lot.id: lot for lot in lots}


def post(
    session: AsyncSession,
    lot: Lot,
    kind: MovementKind,
    *,
    on_hand_delta: int = 0,
    reserved_delta: int = 0,
    actor_id: int | None,
    reason: str | None = None,
    reservation_id: int | None = None,
    counterpart_lot_id: int | None = None,
    distribution_id: int | None = None,
) -> StockMovement:
    lot.on_hand += on_hand_delta
    lot.reserved += reserved_delta
    movement = StockMovement(
        lot_id=lot.id,
        kind=kind,
        on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta,
        actor_id=actor_id,
        reason=reason,
        reservation_id=reservation_id,
        counterpart_lot_id=counterpart_lot_id,
        distribution_id=distribution_id,
    )
    session.add(movement)
    return movement


@dataclass(frozen=True)
class Difference:
    lot_id: int
    stored_on_hand: int
    ledger_on_hand: int
    stored_reserved: int
    ledger_reserved: int


async def verify(session: AsyncSession) -> Sequence[Difference]:
    sums = (
        select(
            StockMovement.lot_id,
            func.sum(StockMovement.on_hand_delta).label("on_hand"),
            func.sum(StockMovement.reserved_delta).label("reserved"),
        )
        .group_by(StockMovement.lot_id)
        .subquery()
    )
    stmt = (
        select(
            Lot.id,
            Lot.on_hand,
            func.coalesce(sums.c.on_hand, 0),
            Lot.reserved,
            func.coalesce(sums.c.reserved, 0),
        )
        .outerjoin(sums, sums.c.lot_id == Lot.id)
        .where((Lot.on_hand != func.coalesce(sums.c.on_hand, 0)) | (Lot.reserved != func.coalesce(sums.c.reserved, 0)))
        .order_by(Lot.id)
    )
    return [Difference(*row) for row in (await session.execute(stmt)).all()]
