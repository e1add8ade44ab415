"""Stock API: receipts, lots (history, holds, disposal, counts, transfers, returns), summaries,
reservations and picking."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from marshmallow import Schema, fields, validate
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.config import Settings
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.validation import Dump, Load, query
from foodbank.models import Lot, Reservation, Role, StockMovement, Zone
from foodbank.picking.fefo import LotStatus
from foodbank.stock import ledger, queries, services
from foodbank.stock.errors import LotNotFound, ReservationNotFound
from foodbank.stock.schemas import (
    AdjustmentIn,
    ConfirmPickIn,
    DisposalIn,
    DisposeExpiredIn,
    HoldIn,
    HoldOut,
    LotOut,
    MovementOut,
    ReceiptIn,
    ReceiptOut,
    ReservationIn,
    ReservationOut,
    ReturnIn,
    TransferIn,
)

WAREHOUSE = (Role.admin, Role.coordinator, Role.warehouse)
MANAGERS = (Role.admin, Role.coordinator)


class SummaryFilter(Schema):
    group_by = fields.String(load_default="item", validate=validate.OneOf(queries.GROUPINGS))
    item_id = fields.Integer()
    category_id = fields.Integer()
    zone = fields.Enum(Zone, by_value=True)
    location_id = fields.Integer()


class SummaryOut(Schema):
    key = fields.String()
    label = fields.String()
    on_hand = fields.Integer()
    reserved = fields.Integer()
    available = fields.Integer()
    kg = fields.Decimal(as_string=True)
    lots = fields.Integer()


class LotFilter(Schema):
    item_id = fields.Integer()
    category_id = fields.Integer()
    zone = fields.Enum(Zone, by_value=True)
    location_id = fields.Integer()
    status = fields.Enum(LotStatus, by_value=True)
    expiring_within_days = fields.Integer(validate=validate.Range(min=0, max=3650))
    as_of = fields.Date(metadata={"description": "Reference date for expiring_within_days (default today)."})
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class AsOfFilter(Schema):
    as_of = fields.Date(metadata={"description": "Default today (Japan time)."})


class StockAsOfFilter(Schema):
    date = fields.Date(required=True)


class StockAsOfOut(Schema):
    item_id = fields.Integer()
    item_name = fields.String()
    on_hand = fields.Integer()
    kg = fields.Decimal(as_string=True)


class DisposedOut(Schema):
    lot_id = fields.Integer()
    quantity = fields.Integer()


class DifferenceOut(Schema):
    lot_id = fields.Integer()
    stored_on_hand = fields.Integer()
    ledger_on_hand = fields.Integer()
    stored_reserved = fields.Integer()
    ledger_reserved = fields.Integer()


class StockController(Controller):
    path = "/api"
    tags = ["stock"]

    @post(
        "/receipts",
        opt=allow(*WAREHOUSE, idempotent=True),
        dto=Load[ReceiptIn],
        return_dto=Dump[ReceiptOut],
        summary="Receive donated stock: every line becomes a lot (all lines or none)",
    )
    async def receive(
        self, db_session: AsyncSession, principal: Principal, data: dict[str, Any], settings: Settings
    ) -> services.ReceiptResult:
        return await services.receive(
            db_session,
            actor_id=principal.id,
            kind=data["kind"],
            donor_id=data["donor_id"],
            received_date=data["received_date"] or today(),
            notes=data["notes"],
            lines=data["lines"],
            settings=settings.stock,
        )

    @get(
        "/stock",
        opt=allow(*WAREHOUSE, Role.reporter),
        return_dto=Dump[SummaryOut],
        dependencies={"filters": Provide(query(SummaryFilter))},
        summary="On hand, reserved and available by item, category, zone or location",
    )
    async def summary(self, db_session: AsyncSession, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.summary(db_session, **filters)

    @get(
        "/stock/as-of",
        opt=allow(*WAREHOUSE, Role.reporter),
        return_dto=Dump[StockAsOfOut],
        dependencies={"filters": Provide(query(StockAsOfFilter))},
        summary="Stock per item at the end of a past day",
    )
    async def as_of(self, db_session: AsyncSession, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.stock_as_of(db_session, filters["date"])

    @get(
        "/stock/verify",
        opt=allow(*MANAGERS),
        return_dto=Dump[DifferenceOut],
        summary="Rebuild every balance from the ledger; lists differences (expected: none)",
    )
    async def verify(self, db_session: AsyncSession) -> Sequence[ledger.Difference]:
        return await ledger.verify(db_session)

    @get(
        "/lots",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[LotOut],
        dependencies={"filters": Provide(query(LotFilter))},
        summary="Lots in FEFO order, with filters",
    )
    async def lots(self, db_session: AsyncSession, filters: dict[str, Any]) -> Sequence[Lot]:
        return await queries.lots(db_session, **filters)

    @get(
        "/lots/expired",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[LotOut],
        dependencies={"filters": Provide(query(AsOfFilter))},
        summary="Lots past their date, awaiting disposal",
    )
    async def expired(self, db_session: AsyncSession, filters: dict[str, Any]) -> Sequence[Lot]:
        return await queries.expired(db_session, as_of=filters.get("as_of") or today())

    @post(
        "/lots/dispose-expired",
        opt=allow(*WAREHOUSE),
        dto=Load[DisposeExpiredIn],
        return_dto=Dump[DisposedOut],
        summary="Dispose of the free stock of every lot past its date",
    )
    async def dispose_expired(
        self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]
    ) -> list[dict[str, int]]:
        return await services.dispose_expired(db_session, actor_id=principal.id, as_of=data["as_of"] or today())

    @get("/lots/{lot_id:int}", opt=allow(*WAREHOUSE), return_dto=Dump[LotOut], summary="One lot")
    async def lot(self, db_session: AsyncSession, lot_id: int) -> Lot:
        found = await queries.lot(db_session, lot_id)
        if found is None:
            raise LotNotFound(f"There is no lot with id {lot_id}.")
        return found

    @get(
        "/lots/{lot_id:int}/history",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[MovementOut],
        summary="Every movement of a lot, oldest first",
    )
    async def history(self, db_session: AsyncSession, lot_id: int) -> Sequence[StockMovement]:
        if await queries.lot(db_session, lot_id) is None:
            raise LotNotFound(f"There is no lot with id {lot_id}.")
        return await queries.history(db_session, lot_id)

    @post(
        "/holds",
        opt=allow(*WAREHOUSE),
        dto=Load[HoldIn],
        return_dto=Dump[HoldOut],
        summary="Put lots on hold or recall them: a lot, or all lots of an item (by date or lot code)",
    )
    async def hold(self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
        ids = await services.hold(db_session, actor_id=principal.id, **data)
        return {"status": data["status"], "lot_ids": ids}

    @post(
        "/lots/{lot_id:int}/release-hold",
        opt=allow(*MANAGERS),
        return_dto=Dump[LotOut],
        summary="Release a hold (recalls are not released)",
    )
    async def release_hold(self, db_session: AsyncSession, principal: Principal, lot_id: int) -> Lot:
        return await services.release_hold(db_session, actor_id=principal.id, lot_id=lot_id)

    @post(
        "/lots/{lot_id:int}/disposals",
        opt=allow(*WAREHOUSE, idempotent=True),
        dto=Load[DisposalIn],
        return_dto=Dump[LotOut],
        summary="Dispose of units: expired, damaged or recalled",
    )
    async def dispose(self, db_session: AsyncSession, principal: Principal, lot_id: int, data: dict[str, Any]) -> Lot:
        return await services.dispose(db_session, actor_id=principal.id, lot_id=lot_id, **data)

    @post(
        "/lots/{lot_id:int}/adjustments",
        opt=allow(*WAREHOUSE, idempotent=True),
        dto=Load[AdjustmentIn],
        return_dto=Dump[LotOut],
        summary="Book a stock count: the difference, with a reason",
    )
    async def adjust(self, db_session: AsyncSession, principal: Principal, lot_id: int, data: dict[str, Any]) -> Lot:
        return await services.adjust(db_session, actor_id=principal.id, lot_id=lot_id, **data)

    @post(
        "/lots/{lot_id:int}/transfers",
        opt=allow(*WAREHOUSE, idempotent=True),
        dto=Load[TransferIn],
        return_dto=Dump[LotOut],
        summary="Move units to another location (returns the new lot there)",
    )
    async def transfer(self, db_session: AsyncSession, principal: Principal, lot_id: int, data: dict[str, Any]) -> Lot:
        return await services.transfer(db_session, actor_id=principal.id, lot_id=lot_id, **data)

    @post(
        "/lots/{lot_id:int}/returns",
        opt=allow(*WAREHOUSE, idempotent=True),
        dto=Load[ReturnIn],
        return_dto=Dump[LotOut],
        summary="Units come back to a lot",
    )
    async def return_stock(
        self, db_session: AsyncSession, principal: Principal, lot_id: int, data: dict[str, Any]
    ) -> Lot:
        return await services.return_stock(db_session, actor_id=principal.id, lot_id=lot_id, **data)

    @post(
        "/reservations",
        opt=allow(*WAREHOUSE, idempotent=True),
        dto=Load[ReservationIn],
        return_dto=Dump[ReservationOut],
        summary="Reserve stock FEFO for a household, pantry day or partner; returns the picking list",
    )
    async def reserve(
        self, db_session: AsyncSession, principal: Principal, data: dict[str, Any], settings: Settings
    ) -> services.ReservationResult:
        return await services.reserve(
            db_session,
            actor_id=principal.id,
            purpose=data["purpose"],
            purpose_ref=data["purpose_ref"],
            channel=data["channel"],
            distribution_date=data["distribution_date"],
            requests=services.group_requests(data["lines"]),
            avoid_allergens=frozenset(data["avoid_allergens"]),
            allow_partial=data["allow_partial"],
            note=data["note"],
            settings=settings.stock,
        )

    @get(
        "/reservations/{reservation_id:int}",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[ReservationOut],
        summary="A reservation and its picking list",
    )
    async def reservation(self, db_session: AsyncSession, reservation_id: int) -> services.ReservationResult:
        found = await queries.reservation(db_session, reservation_id)
        if found is None:
            raise ReservationNotFound(f"There is no reservation with id {reservation_id}.")
        return services.ReservationResult(found, [])

    @post(
        "/reservations/{reservation_id:int}/release",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[ReservationOut],
        summary="Give the reserved stock back",
    )
    async def release(
        self, db_session: AsyncSession, principal: Principal, reservation_id: int
    ) -> services.ReservationResult:
        found: Reservation = await services.release(db_session, actor_id=principal.id, reservation_id=reservation_id)
        return services.ReservationResult(found, [])

    @post(
        "/reservations/{reservation_id:int}/pick",
        opt=allow(*WAREHOUSE),
        dto=Load[ConfirmPickIn],
        return_dto=Dump[ReservationOut],
        summary="Confirm what was picked; issues it and releases the rest",
    )
    async def confirm_pick(
        self, db_session: AsyncSession, principal: Principal, reservation_id: int, data: dict[str, Any]
    ) -> services.ReservationResult:
        found = await services.confirm_pick(
            db_session,
            actor_id=principal.id,
            reservation_id=reservation_id,
            picked={line["line_id"]: line["picked_quantity"] for line in data["lines"]},
        )
        return services.ReservationResult(found, [])
