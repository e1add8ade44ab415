"""A small warehouse: categories, items in each zone, locations, a donor, and the people who use them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import services as catalogue
from foodbank.lib.db import Database
from foodbank.models import DonorKind, Role, Unit, Zone
from foodbank.picking.fefo import DateKind
from tests.conftest import Actor, Actors
from tests.dates import TODAY, days

__all__ = ["TODAY", "Warehouse", "days", "named_item", "wh"]


async def named_item(session: AsyncSession, name: str, code: str) -> int:
    """An item of 1 kg with best-before dates, in a category of its own, both called `name`."""
    category = await catalogue.create_category(session, actor_id=None, code=code, name_ja=name, name_en=name)
    item = await catalogue.create_item(
        session,
        actor_id=None,
        name_ja=name,
        name_en=None,
        category_id=category.id,
        unit=Unit.piece,
        unit_weight_kg=Decimal(1),
        barcode=None,
        zone=Zone.ambient,
        date_kind=DateKind.best_before,
        allergens=[],
        allergens_known=True,
    )
    return item.id


@dataclass
class Warehouse:
    rice: int
    canned: int
    milk: int
    noodles: int
    ambient: int
    ambient_b: int
    chilled: int
    donor: int
    warehouse: Actor
    coordinator: Actor

    async def receive(
        self, client: AsyncClient, lines: list[dict[str, Any]], *, received_date: date = TODAY, **extra: Any
    ) -> Any:
        body = {"donor_id": self.donor, "received_date": received_date.isoformat(), "lines": lines, **extra}
        return await client.post("/api/receipts", json=body, headers=self.warehouse.headers)

    async def lot(self, client: AsyncClient, item: int, quantity: int, expiry: str | None, **extra: Any) -> int:
        line = {"item_id": item, "quantity": quantity, "location_id": self.ambient, **extra}
        if expiry is not None:
            line["expiry"] = expiry
        response = await self.receive(client, [line])
        assert response.status_code == 201, response.text
        return int(response.json()["lots"][0]["id"])


@pytest.fixture
async def wh(database: Database, actors: Actors) -> Warehouse:
    async with database.transaction() as s:
        staples = await catalogue.create_category(
            s,
            actor_id=None,
            code="staples",
            name_ja="主食",
            name_en="Staples",
            min_days_at_receipt=30,
            min_days_individual=14,
            min_days_pantry=7,
            min_days_partner=3,
        )
        dairy = await catalogue.create_category(
            s,
            actor_id=None,
            code="dairy",
            name_ja="乳製品",
            name_en="Dairy",
            min_days_at_receipt=2,
            min_days_individual=1,
            min_days_pantry=1,
            min_days_partner=0,
        )

        async def item(name: str, category: int, zone: Zone, kind: DateKind, allergens: list[str], **kw: Any) -> int:
            created = await catalogue.create_item(
                s,
                actor_id=None,
                name_ja=name,
                name_en=None,
                category_id=category,
                unit=kw.get("unit", Unit.piece),
                unit_weight_kg=Decimal(kw.get("kg", "0.5")),
                barcode=kw.get("barcode"),
                zone=zone,
                date_kind=kind,
                allergens=allergens,
                allergens_known=kw.get("known", True),
            )
            return created.id

        rice = await item("米 5kg", staples.id, Zone.ambient, DateKind.crop_year, [], unit=Unit.bag, kg="5")
        canned = await item(
            "さば缶", staples.id, Zone.ambient, DateKind.best_before, ["mackerel"], barcode="4901234567894"
        )
        milk = await item("牛乳", dairy.id, Zone.chilled, DateKind.use_by, ["milk"], kg="1")
        noodles = await item("カップ麺", staples.id, Zone.ambient, DateKind.best_before, ["wheat", "soybean"])
        depot = await catalogue.create_warehouse(s, actor_id=None, name="山武倉庫", address=None)
        ambient = await catalogue.create_location(
            s, actor_id=None, warehouse_id=depot.id, code="A-01", zone=Zone.ambient
        )
        ambient_b = await catalogue.create_location(
            s, actor_id=None, warehouse_id=depot.id, code="A-02", zone=Zone.ambient
        )
        chilled = await catalogue.create_location(
            s, actor_id=None, warehouse_id=depot.id, code="C-01", zone=Zone.chilled
        )
        donor = await catalogue.create_donor(
            s, actor_id=None, kind=DonorKind.company, name="株式会社さんぶ食品", contact=None, is_anonymous=False
        )
    return Warehouse(
        rice,
        canned,
        milk,
        noodles,
        ambient.id,
        ambient_b.id,
        chilled.id,
        donor.id,
        await actors.make(Role.warehouse),
        await actors.make(Role.coordinator),
    )
