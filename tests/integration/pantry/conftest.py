"""Pantry-day fixtures: the distributions tests' community (warehouse, households, referrals) plus a
venue, and helpers that drive a pantry day through the API.

Until `foodbank/app.py` lists the pantry controllers, the `app` fixture adds them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response
from litestar import Litestar
from sqlalchemy import func, select

import foodbank.app as composition
from foodbank.config import Settings
from foodbank.lib.db import Database
from foodbank.models import Lot, Reservation, ReservationStatus
from foodbank.pantry.controllers import PantryEventController, PantryVenueController, ParcelTemplateController
from tests.conftest import Actor
from tests.dates import month
from tests.integration.distributions.conftest import TODAY, Community, community, wh

__all__ = ["EVENT_DAY", "TODAY", "Community", "Pantry", "community", "pantry", "wh"]

PANTRY_CONTROLLERS = [PantryVenueController, ParcelTemplateController, PantryEventController]
EVENT_DAY = TODAY + timedelta(days=10)


@pytest.fixture
def app(settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch) -> Litestar:
    missing = [c for c in PANTRY_CONTROLLERS if c not in composition.API_CONTROLLERS]
    monkeypatch.setattr(composition, "API_CONTROLLERS", [*composition.API_CONTROLLERS, *missing])
    return composition.create_app(settings, database)


@dataclass
class Pantry:
    c: Community
    client: AsyncClient
    venue: int

    @property
    def coordinator(self) -> Actor:
        return self.c.wh.coordinator

    @property
    def warehouse(self) -> Actor:
        return self.c.wh.warehouse

    async def category(self, code: str) -> int:
        response = await self.client.get("/api/categories", headers=self.coordinator.headers)
        return next(int(c["id"]) for c in response.json() if c["code"] == code)

    async def item(
        self, name: str, category: str, *, kg: str = "0.5", date_kind: str = "best_before", **extra: Any
    ) -> int:
        body = {
            "name_ja": name,
            "category_id": await self.category(category),
            "unit": "piece",
            "unit_weight_kg": kg,
            "zone": "ambient",
            "date_kind": date_kind,
            **extra,
        }
        response = await self.client.post("/api/items", json=body, headers=self.coordinator.headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def template(
        self, name: str, lines: list[dict[str, int]], *, people: tuple[int, int] = (1, 20), **extra: Any
    ) -> int:
        body = {"name": name, "min_people": people[0], "max_people": people[1], "lines": lines, **extra}
        response = await self.client.post("/api/parcel-templates", json=body, headers=self.coordinator.headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def event(
        self,
        templates: list[int],
        *,
        slots: list[tuple[str, str, int]] | None = None,
        on: date = EVENT_DAY,
        walk_in_people: int = 0,
        walk_in_size: int = 3,
        open_it: bool = True,
    ) -> dict[str, Any]:
        body = {
            "venue_id": self.venue,
            "event_date": on.isoformat(),
            "slots": [
                {"start_time": start, "end_time": end, "capacity": capacity}
                for start, end, capacity in (slots or [("10:00", "11:00", 20)])
            ],
            "expected_walk_in_people": walk_in_people,
            "walk_in_household_size": walk_in_size,
            "template_ids": templates,
        }
        response = await self.client.post("/api/pantry-events", json=body, headers=self.coordinator.headers)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        if open_it:
            created = await self.act(created["id"], "open")
        return created

    async def act(self, event_id: int, action: str, actor: Actor | None = None, **body: Any) -> dict[str, Any]:
        response = await self.post(event_id, action, actor, **body)
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    async def post(self, event_id: int, action: str, actor: Actor | None = None, **body: Any) -> Response:
        # The tests' days are EVENT_DAY, ten days ahead: starting or closing one today is confirmed
        # (test_planning.py shows the refusal without it).
        params = {"confirm": "true"} if action in ("start", "close") else None
        return await self.client.post(
            f"/api/pantry-events/{event_id}/{action}",
            json=body,
            params=params,
            headers=(actor or self.coordinator).headers,
        )

    async def get(self, event_id: int, what: str = "", actor: Actor | None = None, **params: Any) -> Any:
        path = f"/api/pantry-events/{event_id}" + (f"/{what}" if what else "")
        response = await self.client.get(path, params=params, headers=(actor or self.coordinator).headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def book(
        self, event: dict[str, Any], household: int, *, slot: int = 0, actor: Actor | None = None, **extra: Any
    ) -> Response:
        body = {"household_id": household, "slot_id": event["slots"][slot]["id"], **extra}
        return await self.post(event["id"], "registrations", actor, **body)

    async def booked(self, event: dict[str, Any], household: int, **extra: Any) -> int:
        response = await self.book(event, household, **extra)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def registration(self, event_id: int, registration_id: int, action: str, **body: Any) -> Response:
        return await self.post(
            event_id, f"registrations/{registration_id}/{action}", body.pop("actor", self.warehouse), **body
        )

    async def hold(self, lot_id: int, status: str) -> None:
        body = {"lot_id": lot_id, "status": status, "reason": "外箱の破損を確認中"}
        response = await self.client.post("/api/holds", json=body, headers=self.warehouse.headers)
        assert response.status_code == 201, response.text

    async def short_of_bread(self) -> dict[str, Any]:
        """A day whose parcel is two loaves (wheat), booked by a household without allergens and then
        by one that avoids wheat: 6 loaves to use, 3 on hold, 2 recalled; other staples are 8 cans of
        mackerel and 10 donated packs whose label could not be read. Returns the ids."""
        wh = self.c.wh
        ids = {
            "bread": await self.item("食パン", "staples", allergens=["wheat"]),
            "unreadable": await self.item("寄贈品（表示不明）", "staples", allergens_known=False),
        }
        await wh.lot(self.client, ids["bread"], 6, month(3))
        for units, status in ((3, "on_hold"), (2, "recalled")):
            await self.hold(await wh.lot(self.client, ids["bread"], units, month(4)), status)
        await wh.lot(self.client, ids["unreadable"], 10, month(3))
        await wh.lot(self.client, wh.canned, 8, month(3))
        template = await self.template("パンのセット", [{"item_id": ids["bread"], "quantity": 2}])
        event = await self.event([template])
        ids["event"] = event["id"]
        ids["plain"] = await self.booked(event, await self.c.household())
        ids["no_wheat"] = await self.booked(event, await self.c.household(allergens=["wheat"]))
        return ids

    async def lot_state(self, lot_id: int) -> tuple[int, int]:
        async with self.c.database.transaction() as s:
            lot = await s.get(Lot, lot_id)
            assert lot is not None
            return lot.on_hand, lot.reserved

    async def reserved_everywhere(self) -> int:
        async with self.c.database.transaction() as s:
            return int(await s.scalar(select(func.coalesce(func.sum(Lot.reserved), 0))) or 0)

    async def open_reservation_units(self) -> int:
        async with self.c.database.transaction() as s:
            reservations = (
                await s.scalars(select(Reservation).where(Reservation.status == ReservationStatus.open))
            ).all()
            return sum(line.quantity for r in reservations for line in r.lines)


@pytest.fixture
async def pantry(client: AsyncClient, community: Community) -> Pantry:
    response = await client.post(
        "/api/pantry-venues",
        json={"name": "東金市中央公民館", "address": "東金市東岩崎1-1", "municipality": "togane"},
        headers=community.wh.coordinator.headers,
    )
    assert response.status_code == 201, response.text
    return Pantry(community, client, int(response.json()["id"]))
