"""Temperature records API: zone limits, readings (typed or a data logger's CSV), alerts, the review of
an out-of-range reading, holding its location's lots, and the record of a period as a PDF."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.config import Settings
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today, utcnow
from foodbank.lib.errors import NotFound
from foodbank.lib.messages import Message
from foodbank.lib.pdf import pdf_document
from foodbank.lib.validation import Dump, Load, query
from foodbank.models import Role, TemperatureLimit, TemperatureReading, Zone
from foodbank.stock.controllers import MANAGERS, WAREHOUSE
from foodbank.temperatures import documents, queries, services
from foodbank.temperatures.commands import LimitChange, NewReading, Review
from foodbank.temperatures.schemas import (
    AlertsOut,
    LimitIn,
    LimitOut,
    ReadingFilter,
    ReadingIn,
    ReadingOut,
    TemperatureHoldOut,
    TemperatureImportOut,
    TemperaturePeriod,
    TemperatureReviewIn,
)


async def alerts(session: AsyncSession) -> dict[str, Any]:
    """What the coordinator's home and GET /api/temperature-alerts show."""
    on = today()
    return {
        "out_of_range": await queries.unreviewed(session),
        "missing": await queries.missing_days(session, since=on - timedelta(days=queries.MISSING_DAYS_BACK), until=on),
    }


class TemperatureController(Controller):
    path = "/api"
    tags = ["temperatures"]

    @get("/temperature-limits", opt=allow(*WAREHOUSE), return_dto=Dump[LimitOut], summary="Each zone's limit")
    async def limits(self, db_session: AsyncSession) -> list[TemperatureLimit]:
        return list((await queries.limits(db_session)).values())

    @put(
        "/temperature-limits/{zone:str}",
        opt=allow(*MANAGERS),
        dto=Load[LimitIn],
        return_dto=Dump[LimitOut],
        summary="Change a zone's limit and whether its locations need a reading every day",
        description="Readings already recorded keep the limit they were judged by.",
    )
    async def set_limit(
        self, db_session: AsyncSession, principal: Principal, zone: str, data: LimitChange
    ) -> TemperatureLimit:
        try:
            chosen = Zone(zone)
        except ValueError:
            raise NotFound(Message("There is no zone %(zone)s: ambient, chilled or frozen.", zone=zone[:20])) from None
        return await services.set_limit(db_session, actor_id=principal.id, zone=chosen, change=data, now=utcnow())

    @get(
        "/temperature-readings",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[ReadingOut],
        dependencies={"filters": Provide(query(ReadingFilter))},
        summary="Readings of a period (days in Japan; default the last 7 days), oldest first",
    )
    async def readings(self, db_session: AsyncSession, filters: dict[str, Any]) -> Sequence[TemperatureReading]:
        until = filters.get("until") or today()
        since = filters.get("since") or until - timedelta(days=7)
        return await queries.readings(db_session, since=since, until=until, location_id=filters.get("location_id"))

    @post(
        "/temperature-readings",
        opt=allow(*WAREHOUSE, idempotent=True),
        dto=Load[ReadingIn],
        return_dto=Dump[ReadingOut],
        summary="Record a minimum/maximum thermometer reading; it is judged against its zone's limit",
    )
    async def record(self, db_session: AsyncSession, principal: Principal, data: NewReading) -> TemperatureReading:
        return await services.record_reading(db_session, actor_id=principal.id, reading=data, now=utcnow())

    @post(
        "/temperature-readings/imports",
        opt=allow(*WAREHOUSE, idempotent=True),
        return_dto=Dump[TemperatureImportOut],
        summary="Import a data logger's CSV (the raw text/csv body): all rows or none",
        description=(
            "UTF-8 with or without BOM (or Shift_JIS/CP932); a header row naming location/棚 (the location code), "
            "timestamp/日時 (YYYY-MM-DD HH:MM in Japan time, or ISO 8601 with an offset), and min/最低 and max/最高, "
            "or a single temperature/温度. Errors (422) list {row, column, message}, the header being row 1."
        ),
    )
    async def import_readings(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, principal: Principal
    ) -> dict[str, Any]:
        written = await services.import_logger_csv(
            db_session, actor_id=principal.id, data=await request.body(), now=utcnow()
        )
        return {"imported": len(written), "out_of_range": sum(r.out_of_range for r in written), "readings": written}

    @get(
        "/temperature-alerts",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[AlertsOut],
        summary="Out-of-range readings without a review, and missing daily readings (today and the 7 days before)",
    )
    async def alerts(self, db_session: AsyncSession) -> dict[str, Any]:
        return await alerts(db_session)

    @post(
        "/temperature-readings/{reading_id:int}/review",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[TemperatureReviewIn],
        return_dto=Dump[ReadingOut],
        summary="Record the review of an out-of-range reading: who, when, what was decided (once)",
    )
    async def review(
        self, db_session: AsyncSession, principal: Principal, reading_id: int, data: Review
    ) -> TemperatureReading:
        return await services.review(
            db_session, actor_id=principal.id, reading_id=reading_id, review=data, now=utcnow()
        )

    @post(
        "/temperature-readings/{reading_id:int}/hold",
        opt=allow(*MANAGERS, idempotent=True),
        return_dto=Dump[TemperatureHoldOut],
        summary="Put every lot with stock in the reading's location on hold, the reading as the reason",
        description="Such a hold is released (POST /api/lots/{id}/release-hold) only once the reading has a review.",
    )
    async def hold(self, db_session: AsyncSession, principal: Principal, reading_id: int) -> dict[str, Any]:
        ids = await services.hold_location(db_session, actor_id=principal.id, reading_id=reading_id)
        return {"reading_id": reading_id, "lot_ids": ids}

    @get(
        "/temperature-record.pdf",
        opt=allow(*MANAGERS, Role.reporter),
        media_type="application/pdf",
        dependencies={"period": Provide(query(TemperaturePeriod))},
        summary="The temperature record (温度管理記録) of a period: readings, excursions, missing days, holds",
    )
    async def record_pdf(self, db_session: AsyncSession, period: dict[str, Any], settings: Settings) -> Response[bytes]:
        since, until = period["since"], period["until"]
        return await pdf_document(
            "temperature_record.html",
            await documents.temperature_record(db_session, since=since, until=until),
            f"temperature-record-{since}-{until}.pdf",
            organisation=settings.http.organisation_name,
        )
