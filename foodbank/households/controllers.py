"""Households API. Identity is only at /api/households/{id}/identity, for the roles that may read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, get, patch, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.config import Settings
from foodbank.households import queries, services
from foodbank.households.schemas import (
    AllocationIn,
    HouseholdChanges,
    HouseholdCreatedOut,
    HouseholdDetailOut,
    HouseholdFilter,
    HouseholdFoundOut,
    HouseholdIn,
    HouseholdOut,
    HouseholdSearchIn,
    HouseholdUpdate,
    IdentityOut,
    NewHousehold,
)
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.idempotency import Reread
from foodbank.lib.validation import Dump, Load, query
from foodbank.models import Household, HouseholdIdentity, Role
from foodbank.stock import services as stock
from foodbank.stock.controllers import RESERVATION_REPLAY
from foodbank.stock.schemas import ReservationOut

REGISTRARS = (Role.admin, Role.coordinator, Role.consultant)


class HouseholdController(Controller):
    path = "/api/households"
    tags = ["households"]

    @get(
        "/",
        opt=allow(*REGISTRARS, Role.warehouse),
        return_dto=Dump[HouseholdOut],
        dependencies={"filters": Provide(query(HouseholdFilter))},
        summary="Households by code (a consultant sees their agency's only)",
    )
    async def list_households(
        self, db_session: AsyncSession, principal: Principal, filters: dict[str, Any]
    ) -> Sequence[Household]:
        return await queries.list_visible(db_session, principal, **filters)

    @post(
        "/search",
        opt=allow(*REGISTRARS, Role.warehouse),
        dto=Load[HouseholdSearchIn],
        return_dto=Dump[HouseholdFoundOut],
        status_code=200,
        summary="Find households by code, or by name, kana or phone for those who may read identity (audited)",
        description="The term is sent in the body so that it reaches no URL or log; the audit log records the "
        "search (who, how many found, which were shown by name), never the term. Volunteers search by code only.",
    )
    async def search(self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]) -> list[queries.Found]:
        return await services.search(db_session, actor=principal, term=data["q"], limit=data["limit"])

    @post(
        "/",
        # A retry answers the household as it is now (notes are personal), with the first warnings.
        opt=allow(*REGISTRARS, idempotent=Reread(queries.get_visible, kept=("warnings",))),
        dto=Load[HouseholdIn],
        return_dto=Dump[HouseholdCreatedOut],
        summary="Register a household; its identity is stored apart",
    )
    async def register(self, db_session: AsyncSession, principal: Principal, data: NewHousehold) -> Any:
        return await services.register(db_session, actor=principal, today=today(), command=data)

    @get(
        "/{household_id:int}",
        opt=allow(*REGISTRARS),
        return_dto=Dump[HouseholdDetailOut],
        summary="One household with its notes (volunteers use the list, which has no notes)",
    )
    async def household(self, db_session: AsyncSession, principal: Principal, household_id: int) -> Household:
        return await queries.get_visible(db_session, principal, household_id)

    @patch(
        "/{household_id:int}",
        opt=allow(*REGISTRARS),
        dto=Load[HouseholdUpdate],
        return_dto=Dump[HouseholdDetailOut],
        summary="Change members, allergens, dietary needs or notes",
    )
    async def update(
        self, db_session: AsyncSession, principal: Principal, household_id: int, data: HouseholdChanges
    ) -> Household:
        return await services.update_household(db_session, actor=principal, household_id=household_id, changes=data)

    @get(
        "/{household_id:int}/identity",
        opt=allow(*REGISTRARS),
        return_dto=Dump[IdentityOut],
        summary="Name, phone and address: coordinators, admins, and the referring agency; every read is logged",
    )
    async def identity(self, db_session: AsyncSession, principal: Principal, household_id: int) -> HouseholdIdentity:
        return await services.read_identity(db_session, actor=principal, household_id=household_id)

    @post(
        "/{household_id:int}/allocations",
        opt=allow(Role.admin, Role.coordinator, idempotent=RESERVATION_REPLAY),
        dto=Load[AllocationIn],
        return_dto=Dump[ReservationOut],
        summary="Reserve stock for a household (its allergens and dietary needs left out); returns the picking list",
    )
    async def allocate(
        self,
        db_session: AsyncSession,
        principal: Principal,
        household_id: int,
        data: dict[str, Any],
        settings: Settings,
    ) -> stock.ReservationResult:
        household = await queries.get_visible(db_session, principal, household_id)
        return await services.allocate(
            db_session,
            principal,
            household,
            distribution_date=data["distribution_date"],
            items=stock.group_requests(data["lines"]) if "lines" in data else None,
            allow_partial=data["allow_partial"],
            note=data["note"],
            settings=settings.stock,
        )
