"""The stock ledger: the only code that changes a lot's balance.

`post` writes one movement and applies its deltas to the lot in the same transaction; the caller must
hold the lot's row lock (`lock_lots`). `verify` rebuilds every balance from the movements and
reports the lots whose stored balance differs, which should never happen.

`post_many` is `post` for many movements at once without ORM objects (a pantry day's reservations):
one INSERT of the movements and one UPDATE of the lots, whatever their number; `open_lots` creates a
receipt's lots already holding what was received, with their `receipt` movements (an INSERT each).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from foodbank.lib.db import insert_rows
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


@dataclass(frozen=True, slots=True)
class Posting:
    """One movement for `post_many`: what `post` takes, without the lot object."""

    lot_id: int
    kind: MovementKind
    on_hand_delta: int = 0
    reserved_delta: int = 0
    reason: str | None = None
    reservation_id: int | None = None
    counterpart_lot_id: int | None = None
    distribution_id: int | None = None


_APPLY = text(
    "UPDATE lot SET on_hand = lot.on_hand + d.on_hand, reserved = lot.reserved + d.reserved "
    "FROM unnest(CAST(:ids AS BIGINT[]), CAST(:on_hand AS INTEGER[]), CAST(:reserved AS INTEGER[])) "
    "AS d(id, on_hand, reserved) WHERE lot.id = d.id RETURNING lot.id, lot.on_hand, lot.reserved"
)


async def post_many(session: AsyncSession, postings: Sequence[Posting], *, actor_id: int | None) -> None:
    """Write these movements (one INSERT) and apply their deltas to their lots (one UPDATE, summed per
    lot), as `post` does one by one; the caller must hold the lots' row locks. Lots of this session's
    identity map get their new balances, so ORM reads in the same transaction agree with the ledger."""
    if not postings:
        return
    await session.flush()  # ORM changes of these lots first, so that both paths add up
    await insert_rows(
        session,
        StockMovement.__table__,  # type: ignore[arg-type]
        {
            "lot_id": [p.lot_id for p in postings],
            "kind": [p.kind for p in postings],
            "on_hand_delta": [p.on_hand_delta for p in postings],
            "reserved_delta": [p.reserved_delta for p in postings],
            "reason": [p.reason for p in postings],
            "reservation_id": [p.reservation_id for p in postings],
            "counterpart_lot_id": [p.counterpart_lot_id for p in postings],
            "distribution_id": [p.distribution_id for p in postings],
            "actor_id": [actor_id] * len(postings),
        },
    )
    deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for p in postings:
        deltas[p.lot_id][0] += p.on_hand_delta
        deltas[p.lot_id][1] += p.reserved_delta
    ids = sorted(deltas)
    applied = await session.execute(
        _APPLY,
        {"ids": ids, "on_hand": [deltas[i][0] for i in ids], "reserved": [deltas[i][1] for i in ids]},
    )
    identity_map = session.sync_session.identity_map
    for lot_id, on_hand, reserved in applied:
        lot = identity_map.get(identity_key(Lot, lot_id))
        if lot is not None:
            set_committed_value(lot, "on_hand", on_hand)
            set_committed_value(lot, "reserved", reserved)


async def open_lots(session: AsyncSession, lots: Mapping[str, Sequence[Any]], *, actor_id: int | None) -> list[int]:
    """Create received lots (`lots`: `insert_rows`' columns, with `quantity_received`) holding what was
    received, each with its `receipt` movement: one INSERT per table. Their ids, in the order given."""
    count = len(lots["quantity_received"])
    rows = await insert_rows(
        session,
        Lot.__table__,  # type: ignore[arg-type]
        {**lots, "on_hand": lots["quantity_received"], "reserved": [0] * count},
        returning=("id", "receipt_id", "receipt_line_no"),
    )
    by_line = {(receipt_id, line_no): lot_id for lot_id, receipt_id, line_no in rows}
    ids = [by_line[key] for key in zip(lots["receipt_id"], lots["receipt_line_no"], strict=True)]
    await insert_rows(
        session,
        StockMovement.__table__,  # type: ignore[arg-type]
        {
            "lot_id": ids,
            "kind": [MovementKind.receipt] * count,
            "on_hand_delta": list(lots["quantity_received"]),
            "reserved_delta": [0] * count,
            "actor_id": [actor_id] * count,
        },
    )
    return ids


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
