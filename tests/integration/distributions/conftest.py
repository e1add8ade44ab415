"""Hand-out fixtures: the stock tests' warehouse, plus households, partner programmes and referrals
written directly with the models (the households and referrals areas have their own tests)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select

from foodbank.distributions import queries as distribution_queries
from foodbank.lib.db import Database
from foodbank.models import (
    AuditEvent,
    ConsentThrough,
    Household,
    Municipality,
    PartnerKind,
    PartnerProgramme,
    Referral,
    ReferralRequest,
    ReferralStatus,
    Role,
    WhoConsulted,
)
from foodbank.stock import ledger
from tests.conftest import Actor, Actors
from tests.integration.stock.conftest import TODAY, Warehouse, wh

__all__ = ["TODAY", "Community", "Warehouse", "community", "wh"]

_codes = itertools.count(1)


@dataclass
class Community:
    database: Database
    wh: Warehouse
    consultant: Actor
    admin: Actor
    reporter: Actor

    async def household(
        self, *, allergens: list[str] | None = None, adults: int = 2, children: int = 1, **kw: Any
    ) -> int:
        async with self.database.transaction() as s:
            household = Household(
                code=f"H-2026-{next(_codes):04d}",
                municipality=Municipality.togane,
                adults=adults,
                children=children,
                allergens=allergens or [],
                **kw,
            )
            s.add(household)
            await s.flush()
            return household.id

    async def code(self, household_id: int) -> str:
        async with self.database.transaction() as s:
            household = await s.get(Household, household_id)
            assert household is not None
            return household.code

    async def partner(self, name: str = "ちいき食堂ほのん") -> int:
        async with self.database.transaction() as s:
            programme = PartnerProgramme(name=name, kind=PartnerKind.cafeteria)
            s.add(programme)
            await s.flush()
            return programme.id

    async def referral(
        self,
        household_id: int,
        *,
        status: ReferralStatus = ReferralStatus.accepted,
        valid_from: date = TODAY - timedelta(days=7),
        valid_until: date = TODAY + timedelta(days=60),
        allowed: int = 2,
        used: int = 0,
        request: ReferralRequest = ReferralRequest.food,
    ) -> int:
        assert self.consultant.agency_id is not None
        async with self.database.transaction() as s:
            referral = Referral(
                agency_id=self.consultant.agency_id,
                consultant_id=self.consultant.id,
                household_id=household_id,
                referred_on=valid_from,
                who_consulted=WhoConsulted.agency,
                reasons=["income"],
                request=request,
                consent_given=False,
                consent_through=ConsentThrough.agency,
                valid_from=valid_from,
                valid_until=valid_until,
                handouts_allowed=allowed,
                handouts_used=used,
                status=status,
            )
            s.add(referral)
            await s.flush()
            return referral.id

    async def referral_state(self, referral_id: int) -> tuple[int, ReferralStatus]:
        async with self.database.transaction() as s:
            referral = await s.get(Referral, referral_id)
            assert referral is not None
            return referral.handouts_used, referral.status

    async def hand_out(self, client: AsyncClient, actor: Actor | None = None, **body: Any) -> Response:
        body.setdefault("channel", "pickup")
        body.setdefault("distributed_on", TODAY.isoformat())
        if isinstance(body["distributed_on"], date):
            body["distributed_on"] = body["distributed_on"].isoformat()
        return await client.post("/api/distributions", json=body, headers=(actor or self.wh.warehouse).headers)

    async def audit(self, action: str) -> list[AuditEvent]:
        async with self.database.transaction() as s:
            return list((await s.scalars(select(AuditEvent).where(AuditEvent.action == action))).all())

    async def verify_ledger(self) -> None:
        async with self.database.transaction() as s:
            assert await ledger.verify(s) == []
            assert await ledger.verify_days(s) == []
            assert await distribution_queries.total_differences(s) == []


@pytest.fixture
async def community(database: Database, actors: Actors, wh: Warehouse) -> Community:
    return Community(
        database,
        wh,
        await actors.make(Role.consultant),
        await actors.make(Role.admin),
        await actors.make(Role.reporter),
    )
