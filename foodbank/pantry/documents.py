"""Typed documents of a pantry day, built from the database and formatted by templates/documents/:

- the day's picking list: every lot to take for all the day's parcels (registered households and the
  walk-in buffer), one walk through the shelves; the same document type and template as a reservation's
  picking list (`stock.documents`);
- the packing lists: a page per registered household (its code, never its name), and a page for the
  walk-in parcels.

Both exist once the day's stock is allocated; before that they answer 409, saying to allocate first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.messages import N_, Label, Message
from foodbank.models import (
    Allergen,
    Category,
    Household,
    Item,
    PantryEvent,
    PantryEventStatus,
    PantryRegistration,
    Unit,
)
from foodbank.pantry import queries
from foodbank.pantry.errors import EventStatusConflict
from foodbank.stock.documents import (
    PURPOSE_LABELS,
    UNIT_LABELS,
    ZONE_NAMES,
    PickingListDocument,
    PickLine,
    crop_year_label,
    zone_sections,
)

ALLOCATED = (PantryEventStatus.allocated, PantryEventStatus.in_progress, PantryEventStatus.closed)
"""The day's parcels exist: the lists can be printed."""
REGISTRATION_LABELS = {"checked_in": "受取済み Checked in", "no_show": "欠席 No-show"}


DOCUMENTS = {"picking list": N_("picking list"), "packing lists": N_("packing lists")}


def require_allocation(event: PantryEvent, document: str) -> None:
    """409 before the allocation (nothing is reserved yet), saying what to do first."""
    if event.status in ALLOCATED:
        return
    if event.status is PantryEventStatus.cancelled:
        hint = Message("The day was cancelled.")
    elif event.status is PantryEventStatus.planned:
        hint = Message(
            "Open registrations, then allocate the stock first (POST /api/pantry-events/%(id)s/allocate).", id=event.id
        )
    else:
        hint = Message("Allocate the stock first (POST /api/pantry-events/%(id)s/allocate).", id=event.id)
    raise EventStatusConflict(
        Message(
            "Pantry day %(id)s is %(status)s: its %(document)s exists once the stock is allocated. %(hint)s",
            id=event.id,
            status=Label("pantry", event.status),
            document=Message(DOCUMENTS[document]),
            hint=hint,
        ),
        event_id=event.id,
        current_status=event.status.value,
        action="print",
        allowed_from=[status.value for status in ALLOCATED],
    )


async def _units(session: AsyncSession, item_ids: Iterable[int]) -> dict[int, Unit]:
    rows = await session.execute(select(Item.id, Item.unit).where(Item.id.in_(set(item_ids))))
    return {item_id: unit for item_id, unit in rows.all()}


# --- the day's picking list -------------------------------------------------------------------------


async def picking_list(session: AsyncSession, event_id: int) -> PickingListDocument:
    """Every lot of the day's parcels that are not released, the units of all parcels together, in the
    order to walk the shelves (as `queries.picking_list` reads them)."""
    event = await queries.event(session, event_id)
    require_allocation(event, "picking list")
    day = await queries.picking_list(session, event_id)
    units = await _units(session, (row["item_id"] for row in day["rows"]))
    return PickingListDocument(
        number=f"パントリー No. {event.id}",
        purpose=PURPOSE_LABELS["pantry_event"],
        reference=event.venue.name,
        distribution_date=event.event_date,
        sections=zone_sections(
            (
                row["zone"],
                PickLine(
                    location=row["location_code"],
                    item=row["item_name"],
                    lot_id=row["lot_id"],
                    lot_code=row["lot_code"],
                    expiry=crop_year_label(row["crop_year"]) if row["crop_year"] is not None else row["expiry"],
                    quantity=row["quantity"],
                    unit=UNIT_LABELS[units[row["item_id"]]],
                ),
            )
            for row in day["rows"]
        ),
        parcels=day["parcels"],
    )


# --- packing lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackedItem:
    item: str
    zone: str
    quantity: int
    unit: str


@dataclass(frozen=True)
class HouseholdParcel:
    household_code: str
    slot: str
    people: int
    template: str | None
    status: str | None
    """受取済み or 欠席 once the day has told; nothing while the household is still expected."""
    notes: tuple[str, ...]
    """What must stay out of the parcel, for the packer: 小麦なし, ハラール ..."""
    items: tuple[PackedItem, ...]

    @property
    def units(self) -> int:
        return sum(item.quantity for item in self.items)


@dataclass(frozen=True)
class WalkInParcels:
    template: str | None
    parcels: int
    household_size: int
    per_parcel: tuple[tuple[str, int], ...]
    """The template's lines (an item, or any item of a category) and units, for one parcel."""
    items: tuple[PackedItem, ...]
    """What the walk-in buffer holds for all its parcels."""

    @property
    def units(self) -> int:
        return sum(item.quantity for item in self.items)


@dataclass(frozen=True)
class PackingListsDocument:
    event_id: int
    event_date: date
    venue: str
    households: tuple[HouseholdParcel, ...]
    walk_ins: WalkInParcels | None


def diet_notes(household: Household, allergen_names: Mapping[str, str]) -> tuple[str, ...]:
    """The household's allergens and dietary needs in the words a packer checks a label with."""
    notes = [f"{allergen_names.get(code, code)}なし" for code in household.allergens]
    if household.halal:
        notes.append("ハラール（豚肉・ゼラチンなし）")
    elif household.no_pork:
        notes.append(f"{allergen_names.get('pork', '豚肉')}なし")
    if household.vegetarian:
        notes.append("ベジタリアン（肉・魚介なし）")
    if household.ready_to_eat_only:
        notes.append("調理不要の食品のみ（調理設備なし）")
    return tuple(dict.fromkeys(notes))


def _packed(items: Iterable[Mapping[str, Any]], units: Mapping[int, Unit]) -> tuple[PackedItem, ...]:
    return tuple(
        PackedItem(item["item_name"], ZONE_NAMES[item["zone"]], item["quantity"], UNIT_LABELS[units[item["item_id"]]])
        for item in items
    )


async def _names(session: AsyncSession, model: type[Item | Category], ids: Iterable[int | None]) -> dict[int, str]:
    rows = await session.execute(select(model.id, model.name_ja).where(model.id.in_([i for i in ids if i is not None])))
    return {row_id: name for row_id, name in rows}


def _slot_text(start: time, slots: Mapping[time, time]) -> str:
    end = slots.get(start)
    return f"{start:%H:%M}–{end:%H:%M}" if end else f"{start:%H:%M}"


async def _per_parcel(session: AsyncSession, template_id: int | None) -> tuple[tuple[str, int], ...]:
    template = await queries.template(session, template_id) if template_id is not None else None
    if template is None:
        return ()
    items = await _names(session, Item, [ln.item_id for ln in template.lines])
    categories = await _names(session, Category, [ln.category_id for ln in template.lines])
    return tuple(
        (items[ln.item_id] if ln.item_id is not None else f"{categories[ln.category_id or 0]}（どれでも）", ln.quantity)
        for ln in template.lines
    )


async def packing_lists(session: AsyncSession, event_id: int) -> PackingListsDocument:
    """A page per registration that is not cancelled (slot order, then code), then the walk-in parcels,
    from `queries.packing_lists`; the households' allergens and needs are read again for the notes."""
    event = await queries.event(session, event_id)
    require_allocation(event, "packing lists")
    lists = await queries.packing_lists(session, event_id)
    units = await _units(session, (item["item_id"] for entry in lists for item in entry["items"]))
    households = {
        registration_id: household
        for registration_id, household in await session.execute(
            select(PantryRegistration.id, Household)
            .join(Household, Household.id == PantryRegistration.household_id)
            .where(PantryRegistration.event_id == event_id)
        )
    }
    allergen_names = {code: name for code, name in await session.execute(select(Allergen.code, Allergen.name_ja))}
    slots = {slot.start_time: slot.end_time for slot in event.slots}
    walk_ins = None
    parcels = []
    for entry in lists:
        if entry["walk_in_buffer"]:
            walk_ins = WalkInParcels(
                template=entry["template_name"],
                parcels=entry["parcels"],
                household_size=event.walk_in_household_size,
                per_parcel=await _per_parcel(session, entry["template_id"]),
                items=_packed(entry["items"], units),
            )
            continue
        parcels.append(
            HouseholdParcel(
                household_code=entry["household_code"],
                slot=_slot_text(entry["slot_start_time"], slots),
                people=entry["people"],
                template=entry["template_name"],
                status=REGISTRATION_LABELS.get(entry["status"]),
                notes=diet_notes(households[entry["registration_id"]], allergen_names),
                items=_packed(entry["items"], units),
            )
        )
    return PackingListsDocument(
        event_id=event.id,
        event_date=event.event_date,
        venue=event.venue.name,
        households=tuple(parcels),
        walk_ins=walk_ins,
    )
