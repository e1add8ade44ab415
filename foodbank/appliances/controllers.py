"""Appliance bank API: units from intake to delivery or disposal, their history, the waiting list and
the figures.

Coordinators and admins do everything; warehouse volunteers register units, record checks and see the
units and the waiting list (households by code); consultants see the waiting-list entries of their own
agency's referrals; reporters see counts and yearly figures.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.appliances import documents, queries, services
from foodbank.appliances.errors import ApplianceNotFound
from foodbank.appliances.schemas import (
    ApplianceCategoryOut,
    ApplianceCountsOut,
    ApplianceDeliveriesByYearOut,
    ApplianceDeliveryIn,
    ApplianceDisposalIn,
    ApplianceFilter,
    ApplianceFiscalYearFilter,
    ApplianceHistoryOut,
    ApplianceIn,
    ApplianceInspectionIn,
    ApplianceOut,
    ApplianceReleaseIn,
    ApplianceReservationIn,
    ApplianceWaitingEntryOut,
    ApplianceWaitingListFilter,
)
from foodbank.config import Settings
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.messages import Message
from foodbank.lib.pdf import pdf_document
from foodbank.lib.validation import Dump, Load, query
from foodbank.models import Role

MANAGERS = (Role.admin, Role.coordinator)
STAFF = (*MANAGERS, Role.warehouse)


async def shown(db_session: AsyncSession, unit_id: int) -> dict[str, Any]:
    found = await queries.unit(db_session, unit_id)
    if found is None:
        raise ApplianceNotFound(Message("There is no appliance with id %(id)s.", id=unit_id))
    return found


class ApplianceController(Controller):
    path = "/api"
    tags = ["appliances"]

    @get(
        "/appliance-categories",
        opt=allow(*STAFF, Role.consultant, Role.reporter),
        return_dto=Dump[ApplianceCategoryOut],
        summary="Appliance categories: recycling-law ones marked, and the oldest accepted",
    )
    async def categories(self, db_session: AsyncSession, settings: Settings) -> list[dict[str, Any]]:
        return await queries.categories(db_session, settings.appliances)

    @post(
        "/appliances",
        opt=allow(*STAFF, idempotent=True),
        dto=Load[ApplianceIn],
        return_dto=Dump[ApplianceOut],
        summary="Register a donated unit (refused if too old or, per setting, without the PSE mark)",
    )
    async def register(
        self, db_session: AsyncSession, principal: Principal, data: services.Intake, settings: Settings
    ) -> dict[str, Any]:
        unit = await services.register(
            db_session, actor_id=principal.id, intake=data, settings=settings.appliances, today=today()
        )
        return await shown(db_session, unit.id)

    @get(
        "/appliances",
        opt=allow(*STAFF),
        return_dto=Dump[ApplianceOut],
        dependencies={"filters": Provide(query(ApplianceFilter))},
        summary="Units by status and category, oldest received first",
    )
    async def units(self, db_session: AsyncSession, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.units(db_session, **filters)

    @get(
        "/appliances/counts",
        opt=allow(*STAFF, Role.reporter),
        return_dto=Dump[ApplianceCountsOut],
        summary="How many units, by category and status",
    )
    async def counts(self, db_session: AsyncSession) -> dict[str, Any]:
        return await queries.counts(db_session)

    @get(
        "/appliances/waiting-list",
        opt=allow(*STAFF, Role.consultant),
        return_dto=Dump[ApplianceWaitingEntryOut],
        dependencies={"filters": Provide(query(ApplianceWaitingListFilter))},
        summary="Referrals waiting for an appliance, by category and urgency, with the units available",
    )
    async def waiting_list(
        self, db_session: AsyncSession, principal: Principal, filters: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return await services.waiting_list(db_session, actor=principal, today=today(), **filters)

    @get(
        "/appliances/deliveries-by-fiscal-year",
        opt=allow(*MANAGERS, Role.reporter),
        return_dto=Dump[ApplianceDeliveriesByYearOut],
        dependencies={"filters": Provide(query(ApplianceFiscalYearFilter))},
        summary="Deliveries per fiscal year (令和N年度 / FYyyyy), households counted once (実)",
    )
    async def deliveries_by_fiscal_year(
        self, db_session: AsyncSession, filters: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return await queries.deliveries_by_fiscal_year(db_session, **filters)

    @get(
        "/appliances/{unit_id:int}",
        opt=allow(*STAFF),
        return_dto=Dump[ApplianceOut],
        summary="One unit, its next steps, reservation, delivery or disposal",
    )
    async def unit(self, db_session: AsyncSession, unit_id: int) -> dict[str, Any]:
        return await shown(db_session, unit_id)

    @get(
        "/appliances/{unit_id:int}/history",
        opt=allow(*STAFF),
        return_dto=Dump[ApplianceHistoryOut],
        summary="Everything that happened to a unit: status changes, checks, reservations",
    )
    async def history(self, db_session: AsyncSession, unit_id: int) -> dict[str, Any]:
        found = await queries.history(db_session, unit_id)
        if found is None:
            raise ApplianceNotFound(Message("There is no appliance with id %(id)s.", id=unit_id))
        return found

    @get(
        "/appliances/{unit_id:int}/hand-over.pdf",
        opt=allow(*STAFF),
        media_type="application/pdf",
        summary="The hand-over sheet (家電お渡し確認書) of a reserved or delivered unit; the household by code",
    )
    async def hand_over_sheet(self, db_session: AsyncSession, unit_id: int, settings: Settings) -> Response[bytes]:
        return await pdf_document(
            "appliance_hand_over.html",
            await documents.load_hand_over_sheet(db_session, unit_id),
            f"appliance-hand-over-{unit_id}.pdf",
            organisation=settings.http.organisation_name,
        )

    @post(
        "/appliances/{unit_id:int}/inspections",
        opt=allow(*STAFF, idempotent=True),
        dto=Load[ApplianceInspectionIn],
        return_dto=Dump[ApplianceOut],
        summary="Record checks: all passed makes the unit available, a fail sends it to disposal",
    )
    async def inspect(
        self, db_session: AsyncSession, principal: Principal, unit_id: int, data: services.Inspection
    ) -> dict[str, Any]:
        await services.inspect(
            db_session,
            actor_id=principal.id,
            unit_id=unit_id,
            inspected_on=data.inspected_on or today(),
            checks=data.checks,
            today=today(),
        )
        return await shown(db_session, unit_id)

    @post(
        "/appliances/{unit_id:int}/reservations",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[ApplianceReservationIn],
        return_dto=Dump[ApplianceOut],
        summary="Reserve an available unit for a household, optionally through a referral",
    )
    async def reserve(
        self, db_session: AsyncSession, principal: Principal, unit_id: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        await services.reserve(db_session, actor=principal, unit_id=unit_id, today=today(), **data)
        return await shown(db_session, unit_id)

    @post(
        "/appliances/{unit_id:int}/release",
        opt=allow(*MANAGERS),
        dto=Load[ApplianceReleaseIn],
        return_dto=Dump[ApplianceOut],
        status_code=200,
        summary="Release a reservation: the unit is available again",
    )
    async def release(
        self, db_session: AsyncSession, principal: Principal, unit_id: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        await services.release(db_session, actor_id=principal.id, unit_id=unit_id, note=data["note"])
        return await shown(db_session, unit_id)

    @post(
        "/appliances/{unit_id:int}/delivery",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[ApplianceDeliveryIn],
        return_dto=Dump[ApplianceOut],
        summary="Record the hand-over of a reserved unit (counts on its referral)",
    )
    async def deliver(
        self, db_session: AsyncSession, principal: Principal, unit_id: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        await services.deliver(
            db_session,
            actor_id=principal.id,
            unit_id=unit_id,
            delivered_on=data["delivered_on"] or today(),
            delivered_by_id=data["delivered_by_id"],
            receipt_number=data["receipt_number"],
            receipt_signed=data["receipt_signed"],
            installed=data["installed"],
            note=data["note"],
            today=today(),
        )
        return await shown(db_session, unit_id)

    @post(
        "/appliances/{unit_id:int}/disposal",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[ApplianceDisposalIn],
        return_dto=Dump[ApplianceOut],
        summary="Dispose of a unit (recycling-law categories need the recycling ticket number)",
    )
    async def dispose(
        self, db_session: AsyncSession, principal: Principal, unit_id: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        await services.dispose(
            db_session,
            actor_id=principal.id,
            unit_id=unit_id,
            disposed_on=data["disposed_on"] or today(),
            reason=data["reason"],
            recycling_ticket_number=data["recycling_ticket_number"],
            note=data["note"],
            today=today(),
        )
        return await shown(db_session, unit_id)
