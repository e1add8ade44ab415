"""The stock ledger: the only code that changes a lot's balance.

`post` writes one movement and applies its deltas to the lot in the same transaction; the caller must
hold the lot's row lock (`lock_lots`). `verify` rebuilds every balance from the movements and
reports the lots whose stored balance differs, which should never happen.

The ledger's per-day sums (`StockDay`, table `stock_day`) are kept by a trigger in the database
(migration 0011), not here: `post` and bulk inserts of movements alike are summed at the end of their
statement. `verify_days` rebuilds those sums from the movements in a scratch query and reports every
row that differs; `rebuild_days` rewrites the table from the ledger (`foodbank stock verify --repair`).

`post_many` is `post` for many movements at once without ORM objects (a pantry day's reservations):
one INSERT of the movements and one UPDATE of the lots, whatever their number; `open_lots` creates a
receipt's lots already holding what was received, with their `receipt` movements (an INSERT each).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
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


# The movements summed per stock_day key, dated as the annual summary dates them (`reports.rules`): the
# same statement as the trigger's in migration 0011, over the whole ledger.
DAY_SUMS = """
SELECT CASE
           WHEN m.kind = 'receipt' THEN r.received_date
           WHEN m.kind IN ('issue', 'return') AND d.id IS NOT NULL THEN d.distributed_on
           ELSE (m.occurred_at AT TIME ZONE 'Asia/Tokyo')::date
       END AS day,
       l.item_id, m.kind,
       CASE m.kind WHEN 'receipt' THEN r.kind WHEN 'disposal' THEN m.reason ELSE '' END AS detail,
       i.category_id, sum(m.on_hand_delta) AS units, sum(m.on_hand_delta * i.unit_weight_kg) AS kg
FROM stock_movement m
JOIN lot l ON l.id = m.lot_id
JOIN receipt r ON r.id = l.receipt_id
JOIN item i ON i.id = l.item_id
LEFT JOIN distribution d ON d.id = m.distribution_id
WHERE m.on_hand_delta <> 0
GROUP BY 1, 2, 3, 4, 5
"""


@dataclass(frozen=True)
class DayDifference:
    """One `stock_day` row that is not what the ledger sums to (None: the row is missing on that side)."""

    day: date
    item_id: int
    kind: str
    detail: str
    stored_units: int | None
    ledger_units: int | None
    stored_kg: Decimal | None
    ledger_kg: Decimal | None
    stored_category_id: int | None
    ledger_category_id: int | None


async def verify_days(session: AsyncSession) -> Sequence[DayDifference]:
    """Every `stock_day` row that differs from the sums of the ledger, or is missing on either side."""
    sql = f"""
        SELECT coalesce(s.day, x.day) AS day, coalesce(s.item_id, x.item_id) AS item_id,
               coalesce(s.kind, x.kind) AS kind, coalesce(s.detail, x.detail) AS detail,
               s.units, x.units, s.kg, x.kg, s.category_id, x.category_id
        FROM stock_day s FULL JOIN ({DAY_SUMS}) x
          ON (x.day, x.item_id, x.kind, x.detail) = (s.day, s.item_id, s.kind, s.detail)
        WHERE (s.units, s.kg, s.category_id) IS DISTINCT FROM (x.units, x.kg, x.category_id)
        ORDER BY 1, 2, 3, 4"""  # noqa: S608 - composed of this module's constant
    return [DayDifference(*row) for row in (await session.execute(text(sql))).all()]


async def rebuild_days(session: AsyncSession) -> int:
    """Rewrite `stock_day` from the ledger; new movements wait until the transaction ends. Rows written."""
    await session.execute(text("LOCK TABLE stock_movement IN SHARE MODE"))
    await session.execute(text("DELETE FROM stock_day"))
    written = await session.execute(
        text(f"INSERT INTO stock_day (day, item_id, kind, detail, category_id, units, kg) {DAY_SUMS}")
    )
    return int(written.rowcount)  # type: ignore[attr-defined]
