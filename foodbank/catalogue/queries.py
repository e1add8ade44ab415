"""Named reads of the catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import barcodes
from foodbank.models import Allergen, AllergenDesignation, Category, Donor, Item, Location, Warehouse


async def allergens_on(session: AsyncSession, on_date: date) -> list[dict[str, object]]:
    """The allergen lists in force on a date: code, names, mandatory or recommended, since when."""
    stmt = (
        select(Allergen, AllergenDesignation)
        .join(AllergenDesignation, AllergenDesignation.allergen_code == Allergen.code)
        .where(
            AllergenDesignation.effective_from <= on_date,
            or_(AllergenDesignation.effective_until.is_(None), AllergenDesignation.effective_until > on_date),
        )
        .order_by(AllergenDesignation.kind, Allergen.code)
    )
    return [
        {"code": a.code, "name_ja": a.name_ja, "name_en": a.name_en, "kind": d.kind, "effective_from": d.effective_from}
        for a, d in (await session.execute(stmt)).all()
    ]


async def allergen_names(session: AsyncSession, *, lang: str, on: date) -> dict[str, str]:
    """Allergen codes -> names in the language `lang` (`en`, else Japanese), of the lists in force on `on`."""
    return {
        str(a["code"]): str(a["name_en"] if lang == "en" and a["name_en"] else a["name_ja"])
        for a in await allergens_on(session, on)
    }


async def allergen_codes(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(Allergen.code))).all())


async def categories(session: AsyncSession) -> Sequence[Category]:
    return (await session.scalars(select(Category).order_by(Category.code))).all()


async def items(
    session: AsyncSession, *, search: str | None = None, category_id: int | None = None, limit: int = 100
) -> Sequence[Item]:
    stmt = select(Item).where(Item.is_active).order_by(Item.name_ja).limit(limit)
    if search:
        pattern = f"%{search}%"
        by_barcode = Item.barcode == barcodes.normalise(search)
        stmt = stmt.where(or_(Item.name_ja.ilike(pattern), Item.name_en.ilike(pattern), by_barcode))
    if category_id is not None:
        stmt = stmt.where(Item.category_id == category_id)
    return (await session.scalars(stmt)).all()


async def items_by_ids_or_barcodes(session: AsyncSession, ids: set[int], barcodes: set[str]) -> Sequence[Item]:
    """Items named by id or by barcode (the lines of a receipt), active or not."""
    stmt = select(Item).where(or_(Item.id.in_(sorted(ids)), Item.barcode.in_(sorted(barcodes))))
    return (await session.scalars(stmt)).all()


async def item_by_barcode(session: AsyncSession, barcode: str) -> Item | None:
    item: Item | None = await session.scalar(select(Item).where(Item.barcode == barcode))
    return item


async def donors(session: AsyncSession, *, search: str | None = None, limit: int = 100) -> Sequence[Donor]:
    stmt = select(Donor).order_by(Donor.id).limit(limit)
    if search:
        stmt = stmt.where(Donor.name.ilike(f"%{search}%"))
    return (await session.scalars(stmt)).all()


async def donor(session: AsyncSession, donor_id: int) -> Donor | None:
    return await session.get(Donor, donor_id)


async def warehouses(session: AsyncSession) -> Sequence[Warehouse]:
    return (await session.scalars(select(Warehouse).order_by(Warehouse.name))).all()


async def locations(session: AsyncSession, *, warehouse_id: int | None = None) -> Sequence[Location]:
    stmt = select(Location).where(Location.is_active).order_by(Location.warehouse_id, Location.code)
    if warehouse_id is not None:
        stmt = stmt.where(Location.warehouse_id == warehouse_id)
    return (await session.scalars(stmt)).all()
