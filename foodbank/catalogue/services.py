"""Use cases of the catalogue. They audit what they create and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit.services import record
from foodbank.catalogue import barcodes, queries
from foodbank.catalogue.errors import CategoryNotFound, DuplicateBarcode, DuplicateCode
from foodbank.lib.db import add_unique
from foodbank.lib.errors import InvalidInput
from foodbank.lib.messages import Message
from foodbank.models import Category, Donor, DonorKind, Item, ItemAllergen, Location, Unit, Warehouse, Zone
from foodbank.picking.fefo import DateKind


async def create_category(
    session: AsyncSession,
    *,
    actor_id: int | None,
    code: str,
    name_ja: str,
    name_en: str,
    min_days_at_receipt: int = 30,
    min_days_individual: int = 14,
    min_days_pantry: int = 7,
    min_days_partner: int = 3,
) -> Category:
    category = Category(
        code=code,
        name_ja=name_ja,
        name_en=name_en,
        min_days_at_receipt=min_days_at_receipt,
        min_days_individual=min_days_individual,
        min_days_pantry=min_days_pantry,
        min_days_partner=min_days_partner,
    )
    await add_unique(
        session,
        category,
        {"uq_category_code": DuplicateCode(Message("A category with code %(code)s exists.", code=repr(code)))},
    )
    await record(session, actor_id=actor_id, action="category.create", entity="category", entity_id=category.id)
    return category


async def update_category_policy(
    session: AsyncSession, *, actor_id: int | None, category_id: int, min_days: dict[str, int]
) -> Category:
    category = await session.get(Category, category_id, with_for_update=True)
    if category is None:
        raise CategoryNotFound(Message("There is no category with id %(id)s.", id=category_id))
    for name, days in min_days.items():
        setattr(category, name, days)
    await record(
        session,
        actor_id=actor_id,
        action="category.update_policy",
        entity="category",
        entity_id=category_id,
        details=min_days,
    )
    return category


async def create_item(
    session: AsyncSession,
    *,
    actor_id: int | None,
    name_ja: str,
    name_en: str | None,
    category_id: int,
    unit: Unit,
    unit_weight_kg: Decimal,
    barcode: str | None,
    zone: Zone,
    date_kind: DateKind,
    allergens: Sequence[str],
    allergens_known: bool,
    ready_to_eat: bool = False,
) -> Item:
    if await session.get(Category, category_id) is None:
        raise InvalidInput(
            Message("There is no category with id %(id)s.", id=category_id),
            errors=[{"field": "category_id", "message": Message("unknown category")}],
        )
    unknown = sorted(set(allergens) - await queries.allergen_codes(session))
    if unknown:
        raise InvalidInput(
            Message("Unknown allergen codes: %(codes)s.", codes=unknown),
            errors=[
                {"field": "allergens", "message": Message("unknown code %(code)s", code=repr(code))} for code in unknown
            ],
        )
    if barcode is not None and not barcodes.is_valid(barcode):
        raise InvalidInput(
            Message("%(barcode)s is not a valid JAN/EAN barcode.", barcode=barcode),
            errors=[{"field": "barcode", "message": Message("8 or 13 digits with a correct check digit.")}],
        )
    if not allergens_known and allergens:
        raise InvalidInput(
            Message("An item whose allergens are unknown cannot list allergens."),
            errors=[{"field": "allergens", "message": Message("must be empty when allergens_known is false")}],
        )
    item = Item(
        name_ja=name_ja,
        name_en=name_en,
        category_id=category_id,
        unit=unit,
        unit_weight_kg=unit_weight_kg,
        barcode=barcode,
        zone=zone,
        date_kind=date_kind,
        allergens_known=allergens_known,
        ready_to_eat=ready_to_eat,
        allergen_rows=[ItemAllergen(allergen_code=code) for code in sorted(set(allergens))],
    )
    await add_unique(
        session,
        item,
        {
            "uq_item_barcode": DuplicateBarcode(
                Message("Another item already has the barcode %(barcode)s.", barcode=barcode)
            )
        },
    )
    await record(session, actor_id=actor_id, action="item.create", entity="item", entity_id=item.id)
    return item


async def create_donor(
    session: AsyncSession,
    *,
    actor_id: int | None,
    kind: DonorKind,
    name: str | None,
    contact: str | None,
    is_anonymous: bool,
) -> Donor:
    if is_anonymous and kind is not DonorKind.individual:
        raise InvalidInput(
            Message("Only individuals can stay anonymous."),
            errors=[{"field": "is_anonymous", "message": Message("only for kind 'individual'")}],
        )
    if not is_anonymous and not name:
        raise InvalidInput(
            Message("A donor needs a name unless it is an anonymous individual."),
            errors=[{"field": "name", "message": Message("required unless anonymous")}],
        )
    donor = Donor(
        kind=kind,
        name=None if is_anonymous else name,
        contact=None if is_anonymous else contact,
        is_anonymous=is_anonymous,
    )
    session.add(donor)
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="donor.create",
        entity="donor",
        entity_id=donor.id,
        details={"kind": kind.value},
    )
    return donor


async def create_warehouse(session: AsyncSession, *, actor_id: int | None, name: str, address: str | None) -> Warehouse:
    warehouse = Warehouse(name=name, address=address)
    await add_unique(
        session,
        warehouse,
        {"uq_warehouse_name": DuplicateCode(Message("A warehouse named %(name)s exists.", name=repr(name)))},
    )
    await record(session, actor_id=actor_id, action="warehouse.create", entity="warehouse", entity_id=warehouse.id)
    return warehouse


async def create_location(
    session: AsyncSession, *, actor_id: int | None, warehouse_id: int, code: str, zone: Zone
) -> Location:
    if await session.get(Warehouse, warehouse_id) is None:
        raise InvalidInput(
            Message("There is no warehouse with id %(id)s.", id=warehouse_id),
            errors=[{"field": "warehouse_id", "message": Message("unknown warehouse")}],
        )
    location = Location(warehouse_id=warehouse_id, code=code, zone=zone)
    await add_unique(
        session,
        location,
        {
            "uq_location_warehouse_id_code": DuplicateCode(
                Message("The warehouse already has a location %(code)s.", code=repr(code))
            )
        },
    )
    await record(session, actor_id=actor_id, action="location.create", entity="location", entity_id=location.id)
    return location
