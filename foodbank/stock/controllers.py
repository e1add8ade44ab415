"""Stock API: receipts, lots (history, holds, disposal, counts, transfers, returns), summaries,
reservations and picking."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.response import Stream
from marshmallow import Schema, fields, validate
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.config import Settings
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.db import Database
from foodbank.lib.errors import WrittenMessages
from foodbank.lib.idempotency import Reread
from foodbank.lib.messages import Message
from foodbank.lib.pdf import pdf_document
from foodbank.lib.validation import RECORDED_DAY, Dump, Load, query
from foodbank.models import Lot, LotStatusChange, Reservation, Role, StockMovement, Zone
from foodbank.stock import csvio, documents, ledger, queries, services
from foodbank.stock.errors import LotNotFound, ReservationNotFound
from foodbank.stock.schemas import (
    AdjustmentIn,
    ConfirmPickIn,
    DisposalIn,
    DisposeExpiredIn,
    HoldIn,
    HoldOut,
    LotFilter,
    LotOut,
    LotStatusChangeOut,
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


async def reservation_now(session: AsyncSession, _caller: Principal, reservation_id: int) -> services.ReservationResult:
    """A reservation and its picking list as it is now: GET /api/reservations/{id}, and what a retried
    reservation answers (its note may be about a household, so the first answer is not stored)."""
    found = await queries.reservation(session, reservation_id)
    if found is None:
        raise ReservationNotFound(Message("There is no reservation with id %(id)s.", id=reservation_id))
    return services.ReservationResult(found, [])


RESERVATION_REPLAY = Reread(reservation_now, kept=("shortages",))


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
    available = fields.Integer(
        metadata={
            "description": "Units that could be reserved today: none of lots on hold, recalled or past their date."
        }
    )
    kg = fields.Decimal(as_string=True)
    lots = fields.Integer()


class AsOfFilter(Schema):
    as_of = fields.Date(metadata={"description": "Default today (Japan time)."})


class StockAsOfFilter(Schema):
    date = fields.Date(required=True, validate=RECORDED_DAY)


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


class ImportQuery(Schema):
    kind = fields.Enum(
        csvio.ImportKind,
        by_value=True,
        required=True,
        metadata={"description": "opening_balance (rows become lots) or stock_count (rows are counted lots)."},
    )
    warehouse_id = fields.Integer(metadata={"description": "Look location codes and lots up in this warehouse."})
    date = fields.Date(
        validate=RECORDED_DAY,
        metadata={"description": "Received date of an opening balance, day of a stock count (default today)."},
    )


class ImportOut(Schema):
    kind = fields.Enum(csvio.ImportKind, by_value=True)
    encoding = fields.String(metadata={"description": "How the file was read: utf-8-sig, utf-8 or cp932."})
    rows = fields.Integer()
    receipt_id = fields.Integer(allow_none=True)
    lots_created = fields.Integer()
    lots_adjusted = fields.Integer()
    units_delta = fields.Integer(metadata={"description": "Net change of units on hand."})
    warnings = fields.List(
        WrittenMessages(),
        metadata={"description": "Accepted, but worth a look: row, column, message, message_id, params."},
    )
    ignored_columns = fields.List(fields.String())


class LedgerExportFilter(Schema):
    since = fields.Date(metadata={"description": "Only movements from this day (Japan time)."})


def csv_download(chunks: AsyncIterator[bytes], name: str) -> Stream:
    return Stream(
        chunks,
        media_type="text/csv",  # Litestar adds "; charset=utf-8" to text types
        headers={"Content-Disposition": f'attachment; filename="{name}-{today().isoformat()}.csv"'},
    )


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
        self, db_session: AsyncSession, principal: Principal, data: services.ReceiveCommand, settings: Settings
    ) -> services.ReceiptResult:
        return await services.receive(db_session, data, actor_id=principal.id, settings=settings.stock, today=today())

    @get(
        "/stock",
        opt=allow(*WAREHOUSE, Role.reporter),
        return_dto=Dump[SummaryOut],
        dependencies={"filters": Provide(query(SummaryFilter))},
        summary="On hand, reserved and available by item, category, zone or location",
    )
    async def summary(self, db_session: AsyncSession, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.summary(db_session, as_of=today(), **filters)

    @get(
        "/stock/as-of",
        opt=allow(*WAREHOUSE, Role.reporter),
        return_dto=Dump[StockAsOfOut],
        dependencies={"filters": Provide(query(StockAsOfFilter))},
        summary="Stock per item at the end of a past day",
    )
    async def as_of(self, report_session: AsyncSession, filters: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.stock_as_of(report_session, filters["date"])  # the read replica's, if any

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
            raise LotNotFound(Message("There is no lot with id %(id)s.", id=lot_id))
        return found

    @get(
        "/lots/{lot_id:int}/history",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[MovementOut],
        summary="Every movement of a lot, oldest first",
    )
    async def history(self, db_session: AsyncSession, lot_id: int) -> Sequence[StockMovement]:
        if await queries.lot(db_session, lot_id) is None:
            raise LotNotFound(Message("There is no lot with id %(id)s.", id=lot_id))
        return await queries.history(db_session, lot_id)

    @get(
        "/lots/{lot_id:int}/holds",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[LotStatusChangeOut],
        summary="A lot's holds, recalls and releases, oldest first, with their reasons",
    )
    async def holds(self, db_session: AsyncSession, lot_id: int) -> Sequence[LotStatusChange]:
        if await queries.lot(db_session, lot_id) is None:
            raise LotNotFound(Message("There is no lot with id %(id)s.", id=lot_id))
        return await queries.status_changes(db_session, lot_id)

    @post(
        "/holds",
        opt=allow(*WAREHOUSE),
        dto=Load[HoldIn],
        return_dto=Dump[HoldOut],
        summary="Put lots on hold or recall them: a lot, or all lots of an item (by date or lot code)",
    )
    async def hold(self, db_session: AsyncSession, principal: Principal, data: services.HoldRequest) -> dict[str, Any]:
        ids = await services.hold(db_session, actor_id=principal.id, request=data)
        return {"status": data.status, "lot_ids": ids}

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
    async def dispose(
        self, db_session: AsyncSession, principal: Principal, lot_id: int, data: services.Disposal
    ) -> Lot:
        return await services.dispose(db_session, actor_id=principal.id, lot_id=lot_id, disposal=data)

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
        opt=allow(*WAREHOUSE, idempotent=RESERVATION_REPLAY),
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
    async def reservation(
        self, db_session: AsyncSession, principal: Principal, reservation_id: int
    ) -> services.ReservationResult:
        return await reservation_now(db_session, principal, reservation_id)

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

    @post(
        "/stock/imports",
        opt=allow(*WAREHOUSE, idempotent=True),
        return_dto=Dump[ImportOut],
        dependencies={"params": Provide(query(ImportQuery))},
        summary="Import a CSV file (the raw text/csv body): opening balance or stock count, all rows or none",
        description=(
            "UTF-8 (with or without BOM) or Shift_JIS/CP932; a header row in English or Japanese. "
            "opening_balance: barcode/JANコード or item_id/品目ID, quantity/数量, location/棚 (location code), "
            "expiry/賞味期限/期限, crop_year/産年, lot_code/ロット. stock_count: lot_id/ロットID, counted/実数. "
            "Errors (422) list {row, column, message}, the header being row 1."
        ),
    )
    async def import_csv(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: Principal,
        params: dict[str, Any],
        settings: Settings,
    ) -> csvio.ImportResult:
        return await csvio.import_csv(
            db_session,
            await request.body(),
            kind=params["kind"],
            actor_id=principal.id,
            settings=settings.stock,
            warehouse_id=params.get("warehouse_id"),
            on_date=params.get("date"),
        )

    @get(
        "/stock/export.csv",
        opt=allow(*WAREHOUSE, Role.reporter),
        media_type="text/csv",
        summary="Current stock as CSV (UTF-8 with BOM): one row per lot with units on hand",
    )
    async def export_stock(self, report_database: Database) -> Stream:
        async def chunks() -> AsyncIterator[bytes]:
            # Its own transaction (the request's is closed before streaming), on the read replica if any.
            async with report_database.snapshot() as session:
                async for chunk in csvio.export_stock(session, on=today()):
                    yield chunk

        return csv_download(chunks(), "stock")

    @get(
        "/stock/ledger.csv",
        opt=allow(*WAREHOUSE, Role.reporter),
        media_type="text/csv",
        dependencies={"filters": Provide(query(LedgerExportFilter))},
        summary="Every stock movement as CSV (UTF-8 with BOM), oldest first",
    )
    async def export_ledger(self, report_database: Database, filters: dict[str, Any]) -> Stream:
        async def chunks() -> AsyncIterator[bytes]:
            async with report_database.snapshot() as session:
                async for chunk in csvio.export_ledger(session, since=filters.get("since")):
                    yield chunk

        return csv_download(chunks(), "ledger")

    @get(
        "/reservations/{reservation_id:int}/picking-list.pdf",
        opt=allow(*WAREHOUSE),
        media_type="application/pdf",
        summary="The picking list as a PDF (A4, by zone and location, tick boxes, picked quantity, picker)",
    )
    async def picking_list_pdf(
        self, db_session: AsyncSession, reservation_id: int, settings: Settings
    ) -> Response[bytes]:
        found = await queries.reservation(db_session, reservation_id)
        if found is None:
            raise ReservationNotFound(Message("There is no reservation with id %(id)s.", id=reservation_id))
        return await pdf_document(
            "picking_list.html",
            documents.picking_list(found),
            f"picking-list-{reservation_id}.pdf",
            organisation=settings.http.organisation_name,
        )

    @get(
        "/receipts/{receipt_id:int}/donor-receipt.pdf",
        opt=allow(*WAREHOUSE),
        media_type="application/pdf",
        summary="The donor receipt (寄贈受領書) of a donation: lines, total units and kg, a thank-you, a stamp line",
    )
    async def donor_receipt_pdf(self, db_session: AsyncSession, receipt_id: int, settings: Settings) -> Response[bytes]:
        return await pdf_document(
            "donor_receipt.html",
            await documents.load_donor_receipt(db_session, receipt_id),
            f"donor-receipt-{receipt_id}.pdf",
            organisation=settings.http.organisation_name,
        )
