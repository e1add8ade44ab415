"""Catalogue API: allergens, categories, items, donors, warehouses and locations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, get, patch, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries, services
from foodbank.catalogue.barcodes import is_valid, normalise
from foodbank.catalogue.errors import DonorNotFound, ItemNotFound
from foodbank.catalogue.schemas import (
    AllergenFilter,
    AllergenOut,
    CategoryIn,
    CategoryOut,
    CategoryPolicyIn,
    DonorFilter,
    DonorIn,
    DonorOut,
    ItemFilter,
    ItemIn,
    ItemOut,
    LocationIn,
    LocationOut,
    WarehouseIn,
    WarehouseOut,
)
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.errors import InvalidInput
from foodbank.lib.idempotency import Reread
from foodbank.lib.validation import Dump, Load, query
from foodbank.models import Category, Donor, Item, Location, Role, Warehouse

STAFF = (Role.admin, Role.coordinator, Role.warehouse)
MANAGERS = (Role.admin, Role.coordinator)
ITEM_CREATORS = (*MANAGERS, Role.warehouse)
"""Who may register an item: the API route and the receive page (an unknown barcode) declare the same."""


async def donor_now(session: AsyncSession, _caller: Principal, donor_id: int) -> Donor:
    """What a retried donor registration answers: the donor as it is now (a person's name and contact
    are personal, so the first answer is not stored)."""
    donor = await session.get(Donor, donor_id)
    if donor is None:
        raise DonorNotFound(f"There is no donor with id {donor_id}.")
    return donor


class CatalogueController(Controller):
    path = "/api"
    tags = ["catalogue"]

    @get(
        "/allergens",
        opt=allow(*STAFF, Role.consultant),
        return_dto=Dump[AllergenOut],
        dependencies={"filters": Provide(query(AllergenFilter))},
        summary="Allergen lists in force on a date",
    )
    async def allergens(self, db_session: AsyncSession, filters: dict[str, Any]) -> list[dict[str, object]]:
        return await queries.allergens_on(db_session, filters.get("on") or today())

    @get("/categories", opt=allow(*STAFF, Role.reporter), return_dto=Dump[CategoryOut], summary="Categories")
    async def categories(self, db_session: AsyncSession) -> Sequence[Category]:
        return await queries.categories(db_session)

    @post(
        "/categories",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[CategoryIn],
        return_dto=Dump[CategoryOut],
        summary="Create a category with its date policy",
    )
    async def create_category(self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]) -> Category:
        return await services.create_category(db_session, actor_id=principal.id, **data)

    @patch(
        "/categories/{category_id:int}",
        opt=allow(*MANAGERS),
        dto=Load[CategoryPolicyIn],
        return_dto=Dump[CategoryOut],
        summary="Change a category's minimum days of best-before",
    )
    async def update_category(
        self, db_session: AsyncSession, principal: Principal, category_id: int, data: dict[str, Any]
    ) -> Category:
        return await services.update_category_policy(
            db_session, actor_id=principal.id, category_id=category_id, min_days=data
        )

    @get(
        "/items",
        opt=allow(*STAFF),
        return_dto=Dump[ItemOut],
        dependencies={"filters": Provide(query(ItemFilter))},
        summary="Search items by name or barcode",
    )
    async def items(self, db_session: AsyncSession, filters: dict[str, Any]) -> Sequence[Item]:
        return await queries.items(
            db_session,
            search=filters.get("q"),
            category_id=filters.get("category_id"),
            limit=filters["limit"],
        )

    @get(
        "/items/by-barcode/{code:str}",
        opt=allow(*STAFF),
        return_dto=Dump[ItemOut],
        summary="Look up a barcode",
    )
    async def item_by_barcode(self, db_session: AsyncSession, code: str) -> Item:
        barcode = normalise(code)
        if not is_valid(barcode):
            raise InvalidInput(
                f"{code} is not a valid JAN/EAN barcode.",
                errors=[{"field": "code", "message": "8 or 13 digits with a correct check digit"}],
            )
        item = await queries.item_by_barcode(db_session, barcode)
        if item is None:
            raise ItemNotFound(f"No item has the barcode {barcode}. Register it first.")
        return item

    @post(
        "/items",
        opt=allow(*ITEM_CREATORS, idempotent=True),
        dto=Load[ItemIn],
        return_dto=Dump[ItemOut],
        summary="Register an item",
    )
    async def create_item(self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]) -> Item:
        return await services.create_item(db_session, actor_id=principal.id, **data)

    @get(
        "/donors",
        opt=allow(*STAFF),
        return_dto=Dump[DonorOut],
        dependencies={"filters": Provide(query(DonorFilter))},
        summary="Donors",
    )
    async def donors(self, db_session: AsyncSession, filters: dict[str, Any]) -> Sequence[Donor]:
        return await queries.donors(db_session, search=filters.get("q"), limit=filters["limit"])

    @post(
        "/donors",
        opt=allow(*STAFF, idempotent=Reread(donor_now)),
        dto=Load[DonorIn],
        return_dto=Dump[DonorOut],
        summary="Register a donor",
    )
    async def create_donor(self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]) -> Donor:
        return await services.create_donor(db_session, actor_id=principal.id, **data)

    @get("/warehouses", opt=allow(*STAFF), return_dto=Dump[WarehouseOut], summary="Warehouses")
    async def warehouses(self, db_session: AsyncSession) -> Sequence[Warehouse]:
        return await queries.warehouses(db_session)

    @post(
        "/warehouses",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[WarehouseIn],
        return_dto=Dump[WarehouseOut],
        summary="Register a warehouse",
    )
    async def create_warehouse(self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]) -> Warehouse:
        return await services.create_warehouse(db_session, actor_id=principal.id, **data)

    @get("/locations", opt=allow(*STAFF), return_dto=Dump[LocationOut], summary="Locations (shelves, bins)")
    async def locations(self, db_session: AsyncSession) -> Sequence[Location]:
        return await queries.locations(db_session)

    @post(
        "/locations",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[LocationIn],
        return_dto=Dump[LocationOut],
        summary="Add a location in a temperature zone",
    )
    async def create_location(self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]) -> Location:
        return await services.create_location(db_session, actor_id=principal.id, **data)
