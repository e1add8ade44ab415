"""Named reads of distributions: one hand-out with its lines, a list, the recall trace of a product,
where a donor's donations went, and the hand-outs whose stored units and kg differ from their lines.
Households appear by their pseudonymous code only.

Lots split by a transfer keep their origin in `Lot.parent_lot_id`; `lot_family` follows that chain
both ways, so a trace or a donor's figures include the units moved to another shelf.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from foodbank.models import (
    DatePrecision,
    DisposalReason,
    Distribution,
    DistributionLine,
    Donor,
    HandOutChannel,
    Household,
    Item,
    Lot,
    MovementKind,
    PartnerProgramme,
    Receipt,
    StockMovement,
)
from foodbank.stock.dates import LabelDate, format_label_date

KG = Decimal("0.001")


def _kg(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(KG)


# --- distributions ---------------------------------------------------------------------------------


_Headers = Select[Distribution, str | None, str | None]


def _headers() -> _Headers:
    return (
        select(
            Distribution,
            Household.code.label("household_code"),
            PartnerProgramme.name.label("partner_programme"),
        )
        .outerjoin(Household, Household.id == Distribution.household_id)
        .outerjoin(PartnerProgramme, PartnerProgramme.id == Distribution.partner_programme_id)
    )


async def _with_lines(session: AsyncSession, stmt: _Headers) -> list[dict[str, Any]]:
    rows = (await session.execute(stmt)).all()
    ids = [row.Distribution.id for row in rows]
    lines: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        line_rows = await session.execute(
            select(
                DistributionLine,
                Item.name_ja,
                Item.unit,
                Lot.expiry_date,
                Lot.date_precision,
                Lot.crop_year,
                Lot.lot_code,
            )
            .join(Lot, Lot.id == DistributionLine.lot_id)
            .join(Item, Item.id == DistributionLine.item_id)
            .where(DistributionLine.distribution_id.in_(ids))
            .order_by(DistributionLine.id)
        )
        for line, item_name, unit, expiry_date, precision, crop_year, lot_code in line_rows.all():
            lines[line.distribution_id].append(
                {
                    "line_id": line.id,
                    "lot_id": line.lot_id,
                    "item_id": line.item_id,
                    "item_name": item_name,
                    "unit": unit,
                    "expiry": format_label_date(expiry_date, precision),
                    "crop_year": crop_year,
                    "lot_code": lot_code,
                    "quantity": line.quantity,
                    "returned": line.returned,
                }
            )
    return [
        {
            "id": d.id,
            "household_id": d.household_id,
            "household_code": row.household_code,
            "partner_programme_id": d.partner_programme_id,
            "partner_programme": row.partner_programme,
            "channel": d.channel,
            "distributed_on": d.distributed_on,
            "referral_id": d.referral_id,
            "reservation_id": d.reservation_id,
            "handed_over_by_id": d.handed_over_by_id,
            "people": d.people,
            "frequency_overridden": d.frequency_override is not None,
            "frequency_override": d.frequency_override,
            "created_at": d.created_at,
            "units": sum(line["quantity"] - line["returned"] for line in lines[d.id]),
            "lines": lines[d.id],
        }
        for row in rows
        for d in [row.Distribution]
    ]


async def distribution(session: AsyncSession, distribution_id: int) -> dict[str, Any] | None:
    """One hand-out with its lines (item, lot, the date as printed, quantity and what came back)."""
    found = await _with_lines(session, _headers().where(Distribution.id == distribution_id))
    return found[0] if found else None


async def distributions(
    session: AsyncSession,
    *,
    household_id: int | None = None,
    household_code: str | None = None,
    partner_programme_id: int | None = None,
    on: date | None = None,
    since: date | None = None,
    until: date | None = None,
    channel: HandOutChannel | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Hand-outs, newest first, filtered by recipient and day."""
    stmt = _headers().order_by(Distribution.distributed_on.desc(), Distribution.id.desc()).limit(limit)
    if household_id is not None:
        stmt = stmt.where(Distribution.household_id == household_id)
    if household_code is not None:
        stmt = stmt.where(Household.code == household_code)
    if partner_programme_id is not None:
        stmt = stmt.where(Distribution.partner_programme_id == partner_programme_id)
    if on is not None:
        stmt = stmt.where(Distribution.distributed_on == on)
    if since is not None:
        stmt = stmt.where(Distribution.distributed_on >= since)
    if until is not None:
        stmt = stmt.where(Distribution.distributed_on <= until)
    if channel is not None:
        stmt = stmt.where(Distribution.channel == channel)
    return await _with_lines(session, stmt)


# --- traceability ----------------------------------------------------------------------------------


def lot_family(seed: Select[Any], name: str = "lot_family") -> CTE:
    """The lots `seed` selects (one column of lot ids), the lots split from them by transfers and the
    lots they were split from, followed through `parent_lot_id` in both directions."""
    family = seed.cte(name, recursive=True)
    known = aliased(Lot)
    relative = aliased(Lot)
    return family.union(
        select(relative.id)
        .select_from(family)
        .join(known, known.id == family.c.id)
        .join(relative, or_(relative.parent_lot_id == known.id, relative.id == known.parent_lot_id))
    )


def _expiry_matches(expiry: LabelDate) -> ColumnElement[bool]:
    """A day matches that day; a month (a recall notice saying 2027年2月) matches every date in it."""
    if expiry.precision is DatePrecision.month:
        first = expiry.value.replace(day=1)
        last = expiry.value.replace(day=calendar.monthrange(expiry.value.year, expiry.value.month)[1])
        return Lot.expiry_date.between(first, last)
    return Lot.expiry_date == expiry.value


async def trace(
    session: AsyncSession,
    *,
    item_id: int | None = None,
    lot_id: int | None = None,
    expiry: LabelDate | None = None,
    lot_code: str | None = None,
) -> dict[str, Any]:
    """The lots of a product (an item, narrowed by date or lot code; or one lot), what is left of them,
    and every distribution line that issued from them, with the household codes and partner programmes
    that still hold units (lines returned in full are listed but reach nobody)."""
    seed = select(Lot.id)
    if lot_id is not None:
        seed = seed.where(Lot.id == lot_id)
    if item_id is not None:
        seed = seed.where(Lot.item_id == item_id)
    if expiry is not None:
        seed = seed.where(_expiry_matches(expiry))
    if lot_code is not None:
        seed = seed.where(Lot.lot_code == lot_code)
    family = lot_family(seed)
    lots: Sequence[Lot] = (
        await session.scalars(select(Lot).where(Lot.id.in_(select(family.c.id))).order_by(Lot.id))
    ).all()
    line_rows = await session.execute(
        select(
            DistributionLine.id.label("line_id"),
            DistributionLine.distribution_id,
            DistributionLine.lot_id,
            DistributionLine.item_id,
            Item.name_ja.label("item_name"),
            DistributionLine.quantity,
            DistributionLine.returned,
            Distribution.distributed_on,
            Distribution.channel,
            Household.code.label("household_code"),
            PartnerProgramme.name.label("partner_programme"),
        )
        .join(Distribution, Distribution.id == DistributionLine.distribution_id)
        .join(Item, Item.id == DistributionLine.item_id)
        .outerjoin(Household, Household.id == Distribution.household_id)
        .outerjoin(PartnerProgramme, PartnerProgramme.id == Distribution.partner_programme_id)
        .where(DistributionLine.lot_id.in_(select(family.c.id)))
        .order_by(Distribution.distributed_on, DistributionLine.id)
    )
    lines = [dict(row) for row in line_rows.mappings().all()]
    holding = [line for line in lines if line["quantity"] > line["returned"]]
    return {
        "lots": lots,
        "lines": lines,
        "household_codes": sorted({line["household_code"] for line in holding if line["household_code"]}),
        "partner_programmes": sorted({line["partner_programme"] for line in holding if line["partner_programme"]}),
    }


# --- donor impact ----------------------------------------------------------------------------------


async def donor_impact(session: AsyncSession, donor_id: int) -> dict[str, Any] | None:
    """Where a donor's donations went, in aggregate: received, handed out by channel, households reached
    (a count), partner programmes reached (organisations, by name), disposed by reason, still in stock.
    Lots moved to another location are followed. None when there is no such donor."""
    donor = await session.get(Donor, donor_id)
    if donor is None:
        return None
    family = lot_family(select(Lot.id).join(Receipt, Receipt.id == Lot.receipt_id).where(Receipt.donor_id == donor_id))
    in_family = StockMovement.lot_id.in_(select(family.c.id))
    weight = Item.unit_weight_kg

    received = (
        await session.execute(
            select(func.sum(StockMovement.on_hand_delta), func.sum(StockMovement.on_hand_delta * weight))
            .join(Lot, Lot.id == StockMovement.lot_id)
            .join(Item, Item.id == Lot.item_id)
            .where(in_family, StockMovement.kind == MovementKind.receipt)
        )
    ).one()

    net = DistributionLine.quantity - DistributionLine.returned
    lines_of_family = (
        select()
        .select_from(DistributionLine)
        .join(Distribution, Distribution.id == DistributionLine.distribution_id)
        .join(Item, Item.id == DistributionLine.item_id)
        .where(DistributionLine.lot_id.in_(select(family.c.id)), net > 0)
    )
    by_channel = (
        await session.execute(
            lines_of_family.add_columns(
                Distribution.channel, func.sum(net), func.sum(net * weight), func.count(Distribution.id.distinct())
            )
            .group_by(Distribution.channel)
            .order_by(Distribution.channel)
        )
    ).all()
    households = await session.scalar(lines_of_family.add_columns(func.count(Distribution.household_id.distinct())))
    partners = (
        await session.execute(
            lines_of_family.add_columns(PartnerProgramme.name, func.sum(net))
            .join(PartnerProgramme, PartnerProgramme.id == Distribution.partner_programme_id)
            .group_by(PartnerProgramme.name)
            .order_by(PartnerProgramme.name)
        )
    ).all()
    disposed = (
        await session.execute(
            select(
                StockMovement.reason,
                -func.sum(StockMovement.on_hand_delta),
                -func.sum(StockMovement.on_hand_delta * weight),
            )
            .join(Lot, Lot.id == StockMovement.lot_id)
            .join(Item, Item.id == Lot.item_id)
            .where(in_family, StockMovement.kind == MovementKind.disposal)
            .group_by(StockMovement.reason)
            .order_by(StockMovement.reason)
        )
    ).all()
    in_stock = (
        await session.execute(
            select(func.sum(Lot.on_hand), func.sum(Lot.on_hand * weight))
            .join(Item, Item.id == Lot.item_id)
            .where(Lot.id.in_(select(family.c.id)))
        )
    ).one()

    handed_out = [
        {"channel": channel, "units": int(units), "kg": _kg(kg), "distributions": int(count)}
        for channel, units, kg, count in by_channel
    ]
    return {
        "donor_id": donor.id,
        "donor_kind": donor.kind,
        "received_units": int(received[0] or 0),
        "received_kg": _kg(received[1]),
        "handed_out": handed_out,
        "handed_out_units": sum(h["units"] for h in handed_out),
        "handed_out_kg": _kg(sum((h["kg"] for h in handed_out), Decimal(0))),
        "households_reached": int(households or 0),
        "partner_programmes": [{"name": name, "units": int(units)} for name, units in partners],
        "disposed": [
            {"reason": DisposalReason(str(reason)), "units": int(units), "kg": _kg(kg)}
            for reason, units, kg in disposed
        ],
        "in_stock_units": int(in_stock[0] or 0),
        "in_stock_kg": _kg(in_stock[1]),
    }


async def partner_programmes(session: AsyncSession) -> Sequence[PartnerProgramme]:
    return (await session.scalars(select(PartnerProgramme).order_by(PartnerProgramme.name))).all()


# What each hand-out's stored `units` and `kg` should be: its lines, net of returns.
LINE_TOTALS = """
SELECT l.distribution_id, sum(l.quantity - l.returned) AS units,
       sum((l.quantity - l.returned) * i.unit_weight_kg) AS kg
FROM distribution_line l JOIN item i ON i.id = l.item_id
GROUP BY l.distribution_id
"""


async def total_differences(session: AsyncSession) -> list[tuple[int, int, int, Decimal, Decimal]]:
    """Hand-outs whose stored units or kg are not their lines' (id, stored units, lines' units, stored
    kg, lines' kg), which should never happen: `services.hand_out` and `return_goods` keep them."""
    sql = f"""
        SELECT d.id, d.units, coalesce(t.units, 0), d.kg, coalesce(t.kg, 0)
        FROM distribution d LEFT JOIN ({LINE_TOTALS}) t ON t.distribution_id = d.id
        WHERE (d.units, d.kg) IS DISTINCT FROM (coalesce(t.units, 0), coalesce(t.kg, 0))
        ORDER BY d.id"""  # noqa: S608 - composed of this module's constant
    return [
        (int(a), int(b), int(c), Decimal(e), Decimal(f)) for a, b, c, e, f in (await session.execute(text(sql))).all()
    ]
