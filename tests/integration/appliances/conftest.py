"""Appliance-bank fixtures: the distributions tests' community (warehouse locations, a donor, households,
people in every role) and a `Bank` that drives units through the API.

Until `foodbank/app.py` lists the appliance controller, the `app` fixture adds it here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response
from litestar import Litestar

import foodbank.app as composition
from foodbank.appliances.controllers import ApplianceController
from foodbank.config import ApplianceSettings, Settings
from foodbank.lib.clock import today
from foodbank.lib.db import Database
from foodbank.models import (
    ConsentThrough,
    Referral,
    ReferralRequest,
    ReferralStatus,
    Role,
    Urgency,
    WhoConsulted,
)
from tests.conftest import Actor, Actors
from tests.integration.distributions.conftest import Community, community, wh

__all__ = ["ALL_PASS", "Bank", "Community", "app_with", "bank", "community", "other_consultant", "wh"]

APPLIANCE_CONTROLLERS = [ApplianceController]

ALL_PASS = [
    {"check": "visual", "result": "pass"},
    {"check": "power_on", "result": "pass"},
    {"check": "insulation", "result": "pass"},
    {"check": "cleaning", "result": "pass"},
    {"check": "recall_check", "result": "pass", "note": "型番をリコール情報と照合済み"},
]


def with_appliance_controllers(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = [c for c in APPLIANCE_CONTROLLERS if c not in composition.API_CONTROLLERS]
    monkeypatch.setattr(composition, "API_CONTROLLERS", [*composition.API_CONTROLLERS, *missing])


@pytest.fixture
def app(settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch) -> Litestar:
    with_appliance_controllers(monkeypatch)
    return composition.create_app(settings, database)


def app_with(settings: Settings, database: Database, **appliances: Any) -> Litestar:
    """An app whose appliance settings differ (the `app` fixture must have run: it adds the controller)."""
    changed = replace(settings, appliances=replace(ApplianceSettings(), **appliances))
    return composition.create_app(changed, database)


@dataclass
class Bank:
    c: Community
    client: AsyncClient
    today: date

    @property
    def coordinator(self) -> Actor:
        return self.c.wh.coordinator

    @property
    def warehouse(self) -> Actor:
        return self.c.wh.warehouse

    def body(self, category: str = "microwave", **extra: Any) -> dict[str, Any]:
        return {
            "category": category,
            "maker": "パナソニック",
            "model": "NE-FL100",
            "serial_number": "SN-0001",
            "manufacture_year": self.today.year - 2,
            "size": "22L",
            "pse_mark": "pse",
            "donor_id": self.c.wh.donor,
            "received_date": self.today.isoformat(),
            "location_id": self.c.wh.ambient,
            "condition_grade": "B",
            **extra,
        }

    async def register(
        self,
        category: str = "microwave",
        *,
        actor: Actor | None = None,
        client: AsyncClient | None = None,
        **extra: Any,
    ) -> Response:
        return await (client or self.client).post(
            "/api/appliances", json=self.body(category, **extra), headers=(actor or self.warehouse).headers
        )

    async def unit(self, category: str = "microwave", **extra: Any) -> int:
        response = await self.register(category, **extra)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def post(self, unit: int, step: str, actor: Actor | None = None, **body: Any) -> Response:
        for key, value in body.items():
            if isinstance(value, date):
                body[key] = value.isoformat()
        return await self.client.post(
            f"/api/appliances/{unit}/{step}", json=body, headers=(actor or self.coordinator).headers
        )

    async def inspect(self, unit: int, checks: list[dict[str, Any]] | None = None, **body: Any) -> Response:
        return await self.post(unit, "inspections", self.warehouse, checks=checks or ALL_PASS, **body)

    async def reserve(self, unit: int, actor: Actor | None = None, **body: Any) -> Response:
        body.setdefault("planned_delivery_date", self.today + timedelta(days=7))
        if "household_id" not in body and "referral_id" not in body:
            body["household_id"] = await self.c.household()
        return await self.post(unit, "reservations", actor, **body)

    async def release(self, unit: int, **body: Any) -> Response:
        body.setdefault("note", "世帯の都合で延期")
        return await self.post(unit, "release", **body)

    async def deliver(self, unit: int, **body: Any) -> Response:
        body.setdefault("receipt_number", "R-0001")
        return await self.post(unit, "delivery", **body)

    async def dispose(self, unit: int, **body: Any) -> Response:
        body.setdefault("reason", "damaged")
        return await self.post(unit, "disposal", **body)

    async def get(self, unit: int, what: str = "", actor: Actor | None = None) -> Any:
        path = f"/api/appliances/{unit}" + (f"/{what}" if what else "")
        response = await self.client.get(path, headers=(actor or self.coordinator).headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def status(self, unit: int) -> str:
        return str((await self.get(unit))["status"])

    async def in_status(self, status: str, category: str = "microwave") -> int:
        """A unit brought to `status` through the API."""
        unit = await self.unit(category)
        steps: dict[str, list[tuple[str, dict[str, Any]]]] = {
            "received": [],
            "inspected": [("inspect", {"checks": ALL_PASS[:2]})],
            "available": [("inspect", {})],
            "reserved": [("inspect", {}), ("reserve", {})],
            "delivered": [("inspect", {}), ("reserve", {}), ("deliver", {})],
            "to_dispose": [("inspect", {"checks": [{"check": "insulation", "result": "fail"}]})],
            "disposed": [("dispose", {"recycling_ticket_number": "1234567890123"})],
        }
        for step, body in steps[status]:
            response = await getattr(self, step)(unit, **body)
            assert response.status_code in (200, 201), response.text
        assert await self.status(unit) == status
        return unit

    async def referral(
        self,
        household_id: int,
        *,
        category: str | None = "refrigerator",
        request: ReferralRequest = ReferralRequest.appliance,
        status: ReferralStatus = ReferralStatus.accepted,
        urgency: Urgency = Urgency.normal,
        referred_on: date | None = None,
        valid_until: date | None = None,
        allowed: int = 1,
        used: int = 0,
        consultant: Actor | None = None,
    ) -> int:
        consultant = consultant or self.c.consultant
        assert consultant.agency_id is not None
        referred_on = referred_on or self.today - timedelta(days=3)
        async with self.c.database.transaction() as s:
            referral = Referral(
                agency_id=consultant.agency_id,
                consultant_id=consultant.id,
                household_id=household_id,
                referred_on=referred_on,
                who_consulted=WhoConsulted.agency,
                reasons=["moving_in"],
                request=request,
                appliance_category=category,
                urgency=urgency,
                consent_given=False,
                consent_through=ConsentThrough.agency,
                valid_from=referred_on,
                valid_until=valid_until or self.today + timedelta(days=90),
                handouts_allowed=allowed,
                handouts_used=used,
                status=status,
            )
            s.add(referral)
            await s.flush()
            return referral.id


@pytest.fixture
async def bank(client: AsyncClient, community: Community) -> Bank:
    return Bank(community, client, today())


@pytest.fixture
async def other_consultant(actors: Actors) -> Actor:
    return await actors.make(Role.consultant, agency="社会福祉協議会")
