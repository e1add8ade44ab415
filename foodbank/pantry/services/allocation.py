"""Allocating the day's stock: a reservation per registration and one for the walk-in buffer (FEFO),
all or nothing, with shortages said per item and why."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit.services import record
from foodbank.config import StockSettings
from foodbank.lib.clock import utcnow
from foodbank.lib.db import insert_rows
from foodbank.lib.messages import Message
from foodbank.models import (
    Category,
    Channel,
    Household,
    Item,
    Lot,
    MovementKind,
    PantryEvent,
    PantryEventStatus,
    RegistrationStatus,
    Reservation,
    ReservationLine,
    ReservationPurpose,
    ReservationStatus,
)
from foodbank.pantry.errors import NoTemplate
from foodbank.pantry.services.rows import (
    _event,
    _lock_pool,
    _locked_registrations,
    _locked_reservations,
    _release_reservations,
    _templates,
)
from foodbank.pantry.services.status import TRANSITIONS, _require
from foodbank.picking import fefo, parcels
from foodbank.picking.fefo import LotStatus
from foodbank.stock import ledger
from foodbank.stock import services as stock
from foodbank.stock.errors import InsufficientStock


@dataclass
class Allocated:
    event: PantryEvent
    registrations: int
    kept_picked: int
    without_parcel: list[int]
    walk_in_parcels: int
    reservations_created: int
    reservations_released: int
    units_reserved: int
    shortages: list[dict[str, Any]]

    @property
    def event_id(self) -> int:
        return self.event.id

    @property
    def status(self) -> PantryEventStatus:
        return self.event.status

    @property
    def complete(self) -> bool:
        return not self.shortages


async def allocate(
    session: AsyncSession, *, actor_id: int | None, event_id: int, allow_partial: bool, settings: StockSettings
) -> Allocated:
    """Reserve the day's parcels, in one transaction: every open reservation of the event is released
    and the parcels are reserved again from one locked pool of lots.

    - Each booked household gets the template of its size (`parcels.choose_template`), without its
      avoided allergens (`Household.avoided_allergens`), as one reservation.
    - The walk-in buffer is `ceil(expected walk-in people / typical walk-in household size)` parcels of
      the ordinary template for the typical size, as one reservation, filled after every household.
    - Households are served in slot order, then in order of registration, so that when stock runs
      short it is the last to book who miss out, and walk-ins after them.
    - Every lot must be usable on the event date with the pantry channel's minimum days.
    - A parcel already picked (through the stock API) is kept as it is.

    Shortages are reported by item (or by category for category lines), with substitutes: other items
    of the category that still have stock usable on the day. With `allow_partial` false, a shortage
    refuses the allocation (409) and nothing changes.
    """
    event = await _event(session, event_id, lock="update")
    _require(event, "allocate")
    templates = await _templates(session, event.template_ids)
    if not templates:
        raise NoTemplate(
            Message(
                "Pantry day %(id)s has no parcel templates: choose them (template_ids) before allocating.", id=event_id
            ),
            sizes=[],
            registration_ids=[],
        )
    registrations = await _locked_registrations(session, event.id)
    booked = [r for r in registrations if r.status is RegistrationStatus.booked]
    households = {
        h.id: h
        for h in (
            await session.scalars(select(Household).where(Household.id.in_({r.household_id for r in booked})))
        ).all()
    }
    slot_start = {slot.id: slot.start_time for slot in event.slots}
    booked.sort(key=lambda r: (slot_start[r.slot_id], r.id))
    choice = {
        r.id: parcels.choose_template(templates, r.people, households[r.household_id].ready_to_eat_only) for r in booked
    }
    walk_in_count = parcels.walk_in_parcels(event.expected_walk_in_people, event.walk_in_household_size)
    walk_in_template = (
        parcels.choose_template(templates, event.walk_in_household_size, False) if walk_in_count else None
    )
    template_of = {r_id: template for r_id, template in choice.items() if template is not None}
    unfitted = sorted({r.people for r in booked if r.id not in template_of})
    if walk_in_count and walk_in_template is None:
        unfitted = sorted({*unfitted, event.walk_in_household_size})
    if unfitted:
        raise NoTemplate(
            Message(
                "No parcel template of pantry day %(id)s fits households of %(sizes)s people. Add a template for "
                "those sizes, then allocate again.",
                id=event_id,
                sizes=unfitted,
            ),
            sizes=unfitted,
            registration_ids=[r.id for r in booked if r.id not in template_of],
        )

    previous = await _locked_reservations(session, registrations, event.walk_in_reservation_id)
    picked = {r.id for r in previous if r.status is ReservationStatus.picked}
    to_fill = [r for r in booked if r.reservation_id not in picked]
    keep_buffer = event.walk_in_reservation_id in picked
    demands = [template_of[r.id].demand(households[r.household_id].avoided_allergens()) for r in to_fill]
    if walk_in_template is not None and not keep_buffer:
        demands.append(walk_in_template.demand().times(walk_in_count))
    wanted_items = {i for d in demands for i in d.items}
    wanted_categories = {c for d in demands for c in d.categories}
    if wanted_categories:
        wanted_items |= set(
            (await session.scalars(select(Item.id).where(Item.category_id.in_(wanted_categories)))).all()
        )
    still_open = [r for r in previous if r.status is ReservationStatus.open]
    pool, _ = await _lock_pool(session, wanted_items, (line.lot_id for r in still_open for line in r.lines))
    released = len(still_open)
    await _release_reservations(session, actor_id, still_open)
    await session.flush()
    # The pool was read before the release: what it gave back is free again.
    freed: dict[int, int] = defaultdict(int)
    for reservation in still_open:
        for line in reservation.lines:
            freed[line.lot_id] += line.quantity

    policy = await stock.policy_for(session, Channel.pantry, settings)
    candidates = [
        replace(lot, available=lot.available + freed[lot.lot_id]) if lot.lot_id in freed else lot
        for lot in pool
        if lot.item_id in wanted_items
    ]
    results = parcels.allocate_parcels(candidates, demands, event.event_date, policy)
    shortages = await _shortages(session, demands, results, candidates, event.event_date, policy)
    if shortages and not allow_partial:
        missing = [
            Message("%(name)s (missing %(missing)s)", name=s["item_name"] or s["category_name"], missing=s["missing"])
            for s in shortages
        ]
        raise InsufficientStock(
            Message(
                "Not enough usable stock for pantry day %(id)s: %(missing)s. Nothing was changed.",
                id=event_id,
                missing=missing,
            ),
            shortages=shortages,
        )

    refs = [f"pantry:{event.id}:{households[r.household_id].code}" for r in to_fill]
    buffer_ref = f"pantry:{event.id}:walk-in"
    to_reserve = list(zip(refs, results[: len(to_fill)], strict=True))
    if not keep_buffer and walk_in_template is not None:
        to_reserve.append((buffer_ref, results[-1]))
    reserved = await _reserve(session, actor_id, event, to_reserve)
    created = [reserved[ref] for ref, _ in to_reserve if ref in reserved]
    without_parcel: list[int] = []
    for registration, ref in zip(to_fill, refs, strict=True):
        registration.reservation_id = reserved.get(ref)
        registration.template_id = template_of[registration.id].id
        if registration.reservation_id is None:
            without_parcel.append(registration.id)
    if not keep_buffer:
        event.walk_in_parcels = walk_in_count
        event.walk_in_template_id = walk_in_template.id if walk_in_template else None
        event.walk_in_reservation_id = reserved.get(buffer_ref) if walk_in_template is not None else None
    event.status = TRANSITIONS["allocate"][1]
    event.allocated_at = utcnow()
    await session.flush()
    units = sum(result.units for result in results)
    await record(
        session,
        actor_id=actor_id,
        action="pantry_event.allocate",
        entity="pantry_event",
        entity_id=event_id,
        details={
            "registrations": len(to_fill),
            "kept_picked": len(booked) - len(to_fill),
            "walk_in_parcels": event.walk_in_parcels,
            "reservations_created": created,
            "reservations_released": released,
            "units": units,
            "short_lines": len(shortages),
        },
    )
    return Allocated(
        event=event,
        registrations=len(to_fill) - len(without_parcel),
        kept_picked=len(booked) - len(to_fill),
        without_parcel=without_parcel,
        walk_in_parcels=event.walk_in_parcels,
        reservations_created=len(created),
        reservations_released=released,
        units_reserved=units,
        shortages=shortages,
    )


async def _reserve(
    session: AsyncSession,
    actor_id: int | None,
    event: PantryEvent,
    parcels_to_reserve: Sequence[tuple[str, parcels.ParcelResult]],
) -> dict[str, int]:
    """A reservation per parcel (or the buffer) that got anything, its lines (one per lot) and their
    ledger rows: one statement for each table, whatever the number of parcels. Purpose ref -> the id of
    its reservation (refs are distinct: a household code each, and the buffer's)."""
    quantities: list[tuple[str, dict[int, tuple[int, int]]]] = []
    for ref, result in parcels_to_reserve:
        by_lot: dict[int, tuple[int, int]] = {}
        for allocation in result.allocations:
            _, quantity = by_lot.get(allocation.lot_id, (allocation.item_id, 0))
            by_lot[allocation.lot_id] = (allocation.item_id, quantity + allocation.quantity)
        if by_lot:
            quantities.append((ref, by_lot))
    if not quantities:
        return {}
    rows = await insert_rows(
        session,
        Reservation.__table__,  # type: ignore[arg-type]
        {
            "purpose": [ReservationPurpose.pantry_event] * len(quantities),
            "purpose_ref": [ref for ref, _ in quantities],
            "channel": [Channel.pantry] * len(quantities),
            "distribution_date": [event.event_date] * len(quantities),
            "created_by_id": [actor_id] * len(quantities),
        },
        returning=("id", "purpose_ref"),
    )
    ids: dict[str, int] = {row[1]: row[0] for row in rows}
    lines = [
        (ids[ref], lot_id, item_id, quantity)
        for ref, by_lot in quantities
        for lot_id, (item_id, quantity) in sorted(by_lot.items())
    ]
    await insert_rows(
        session,
        ReservationLine.__table__,  # type: ignore[arg-type]
        {
            "reservation_id": [line[0] for line in lines],
            "lot_id": [line[1] for line in lines],
            "item_id": [line[2] for line in lines],
            "quantity": [line[3] for line in lines],
        },
    )
    await ledger.post_many(
        session,
        [
            ledger.Posting(lot_id, MovementKind.reservation, reserved_delta=quantity, reservation_id=reservation_id)
            for reservation_id, lot_id, _, quantity in lines
        ],
        actor_id=actor_id,
    )
    return ids


async def _shortages(
    session: AsyncSession,
    demands: Sequence[parcels.ParcelDemand],
    results: Sequence[parcels.ParcelResult],
    candidates: Sequence[fefo.CandidateLot],
    on_date: date,
    policy: fefo.Policy,
) -> list[dict[str, Any]]:
    """Shortages added up over the parcels: by item, or by category for category lines, with the free
    units left on the shelves that could not be used (`unusable`, by reason: on hold, recalled, use-by
    passed, best-before too close...; `allergen` when a household short of it avoids something the lots
    hold, which `avoided` names). An item short gets substitutes: the other items of its category with
    units free once the parcels are reserved and usable on the day by every household short of it."""
    by_item: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_category: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    # What the households short of a line avoid, all together: what is offered must suit each of them.
    avoid: dict[tuple[str, int], frozenset[str]] = defaultdict(frozenset)
    for demand, result in zip(demands, results, strict=True):
        lines: list[tuple[tuple[str, int], list[int], int, int]] = [
            *((("item", s.item_id), by_item[s.item_id], s.requested, s.allocated) for s in result.item_shortages),
            *(
                (("category", c.category_id), by_category[c.category_id], c.requested, c.allocated)
                for c in result.category_shortages
            ),
        ]
        for key, totals, requested, allocated in lines:
            totals[0], totals[1], totals[2] = totals[0] + requested, totals[1] + allocated, totals[2] + 1
            avoid[key] |= demand.avoid
    if not by_item and not by_category:
        return []
    taken: dict[int, int] = defaultdict(int)
    for result in results:
        for allocation in result.allocations:
            taken[allocation.lot_id] += allocation.quantity
    left = [replace(lot, available=lot.available - taken[lot.lot_id]) for lot in candidates]
    items = {item.id: item for item in (await session.scalars(select(Item).where(Item.id.in_(by_item)))).all()}
    category_ids = set(by_category) | {item.category_id for item in items.values()}
    categories = {c.id: c for c in (await session.scalars(select(Category).where(Category.id.in_(category_ids)))).all()}
    in_categories, names = await _free_lots_of(session, {item.category_id for item in items.values()}, taken)

    def explained(key: tuple[str, int], lots: Iterable[fefo.CandidateLot]) -> dict[str, Any]:
        why = fefo.unusable(lots, on_date, policy, avoid[key])
        return {"unusable": dict(why.units), "avoided": sorted(why.avoided)}

    shortages: list[dict[str, Any]] = []
    for item_id, (requested, allocated, short_parcels) in sorted(by_item.items()):
        item = items[item_id]
        usable = fefo.usable_units(in_categories.get(item.category_id, []), on_date, policy, avoid["item", item_id])
        substitutes = [
            {"item_id": other_id, "item_name": names[other_id], "available": units}
            for other_id, units in sorted(usable.items(), key=lambda pair: (-pair[1], names[pair[0]]))
            if other_id != item_id
        ]
        shortages.append(
            {
                "item_id": item_id,
                "item_name": item.name_ja,
                "category_id": item.category_id,
                "category_name": categories[item.category_id].name_ja,
                "requested": requested,
                "allocated": allocated,
                "missing": requested - allocated,
                "parcels": short_parcels,
                **explained(("item", item_id), (lot for lot in left if lot.item_id == item_id)),
                "substitutes": substitutes,
            }
        )
    for category_id, (requested, allocated, short_parcels) in sorted(by_category.items()):
        shortages.append(
            {
                "item_id": None,
                "item_name": None,
                "category_id": category_id,
                "category_name": categories[category_id].name_ja,
                "requested": requested,
                "allocated": allocated,
                "missing": requested - allocated,
                "parcels": short_parcels,
                **explained(("category", category_id), (lot for lot in left if lot.category_id == category_id)),
                "substitutes": [],
            }
        )
    return shortages


async def _free_lots_of(
    session: AsyncSession, category_ids: set[int], taken: Mapping[int, int]
) -> tuple[dict[int, list[fefo.CandidateLot]], dict[int, str]]:
    """Per category, its active lots with units free once `taken` (lot id -> units) is reserved, as the
    allocator sees them; and the names of their items."""
    if not category_ids:
        return {}, {}
    in_categories = Lot.item_id.in_(select(Item.id).where(Item.category_id.in_(category_ids)))
    lots, profiles = await stock.candidate_lots(
        session, and_(in_categories, Lot.status == LotStatus.active, Lot.on_hand > Lot.reserved), lock=False
    )
    by_category: dict[int, list[fefo.CandidateLot]] = defaultdict(list)
    for lot in lots:
        by_category[lot.category_id].append(replace(lot, available=lot.available - taken.get(lot.lot_id, 0)))
    return by_category, {lot.item_id: profiles[lot.item_id].name_ja for lot in lots}
