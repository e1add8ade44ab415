"""Stocktake API: open a count, list and read counts, find the lots a scan means, add count lines (blind),
review, give reasons, approve (into the ledger) or abandon; count sheets and results as PDF and CSV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.config import Settings
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.messages import Message
from foodbank.lib.pdf import pdf_document
from foodbank.lib.validation import Dump, Load, query
from foodbank.models import Lot, StocktakeCount
from foodbank.models.stocktake import Stocktake
from foodbank.stock.controllers import MANAGERS, WAREHOUSE
from foodbank.stocktakes import documents, queries, services
from foodbank.stocktakes.errors import StocktakeNotFound
from foodbank.stocktakes.schemas import (
    ApprovalOut,
    CountLotOut,
    CountOut,
    CountsIn,
    LookupQuery,
    ReasonsIn,
    ReviewOut,
    StocktakeFilter,
    StocktakeIn,
    StocktakeOut,
)


async def found_stocktake(session: AsyncSession, stocktake_id: int) -> Stocktake:
    found = await queries.stocktake(session, stocktake_id)
    if found is None:
        raise StocktakeNotFound(Message("There is no stocktake with id %(id)s.", id=stocktake_id))
    return found


class StocktakeController(Controller):
    path = "/api/stocktakes"
    tags = ["stocktakes"]

    @post(
        "/",
        opt=allow(*WAREHOUSE, idempotent=True),
        dto=Load[StocktakeIn],
        return_dto=Dump[StocktakeOut],
        summary="Open a count of a warehouse, a zone or some locations: the snapshot is taken now",
    )
    async def open_count(
        self, db_session: AsyncSession, principal: Principal, data: services.OpenStocktake
    ) -> Stocktake:
        return await services.open_stocktake(db_session, data, actor_id=principal.id)

    @get(
        "/",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[StocktakeOut],
        dependencies={"filters": Provide(query(StocktakeFilter))},
        summary="Counts, newest first",
    )
    async def listed(self, db_session: AsyncSession, filters: dict[str, Any]) -> Sequence[Stocktake]:
        return await queries.stocktakes(db_session, **filters)

    @get("/{stocktake_id:int}", opt=allow(*WAREHOUSE), return_dto=Dump[StocktakeOut], summary="One count")
    async def one(self, db_session: AsyncSession, stocktake_id: int) -> Stocktake:
        return await found_stocktake(db_session, stocktake_id)

    @get(
        "/{stocktake_id:int}/lots",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[CountLotOut],
        dependencies={"params": Provide(query(LookupQuery))},
        summary="The lots of the count that a scanned lot label or item barcode means (no quantities: blind)",
    )
    async def lookup(self, db_session: AsyncSession, stocktake_id: int, params: dict[str, Any]) -> Sequence[Lot]:
        return await queries.scanned_lots(db_session, await found_stocktake(db_session, stocktake_id), params["code"])

    @post(
        "/{stocktake_id:int}/counts",
        opt=allow(*WAREHOUSE, idempotent=True),
        dto=Load[CountsIn],
        return_dto=Dump[CountOut],
        summary="Add count lines: units of a lot counted at a location (a recount is one more line)",
    )
    async def add_counts(
        self, db_session: AsyncSession, principal: Principal, stocktake_id: int, data: tuple[services.CountLine, ...]
    ) -> list[StocktakeCount]:
        counts = await services.add_counts(db_session, stocktake_id, data, actor_id=principal.id)
        for count in counts:
            await db_session.refresh(count, ["location"])
        return counts

    @get(
        "/{stocktake_id:int}/counts",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[CountOut],
        summary="Every count line, oldest first (recounts included)",
    )
    async def counts(self, db_session: AsyncSession, stocktake_id: int) -> Sequence[StocktakeCount]:
        await found_stocktake(db_session, stocktake_id)
        return await queries.counts(db_session, stocktake_id)

    @get(
        "/{stocktake_id:int}/review",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[ReviewOut],
        summary="Expected, counted and difference per lot, in units and kg, with reasons",
    )
    async def review(self, db_session: AsyncSession, stocktake_id: int, settings: Settings) -> services.Review:
        return await services.review(db_session, stocktake_id, settings=settings.stock)

    @post(
        "/{stocktake_id:int}/review",
        opt=allow(*WAREHOUSE),
        dto=Load[ReasonsIn],
        return_dto=Dump[ReviewOut],
        status_code=200,
        summary="Give (or clear) the reason codes of differences; answers the review",
    )
    async def reasons(
        self,
        db_session: AsyncSession,
        principal: Principal,
        stocktake_id: int,
        data: tuple[services.ReasonLine, ...],
        settings: Settings,
    ) -> services.Review:
        await services.set_reasons(db_session, stocktake_id, data, actor_id=principal.id, settings=settings.stock)
        return await services.review(db_session, stocktake_id, settings=settings.stock)

    @post(
        "/{stocktake_id:int}/approve",
        opt=allow(*WAREHOUSE, idempotent=True),
        return_dto=Dump[ApprovalOut],
        status_code=200,
        summary="Book every difference as an adjustment with its reason (beyond the tolerances: coordinators)",
    )
    async def approve(
        self, db_session: AsyncSession, principal: Principal, stocktake_id: int, settings: Settings
    ) -> services.Approval:
        return await services.approve(
            db_session,
            stocktake_id,
            actor_id=principal.id,
            may_approve_large=principal.has(*MANAGERS),
            settings=settings.stock,
        )

    @post(
        "/{stocktake_id:int}/abandon",
        opt=allow(*WAREHOUSE),
        return_dto=Dump[StocktakeOut],
        status_code=200,
        summary="Close the count without effect (its lines are kept)",
    )
    async def abandon(self, db_session: AsyncSession, principal: Principal, stocktake_id: int) -> Stocktake:
        return await services.abandon(db_session, stocktake_id, actor_id=principal.id)

    @get(
        "/{stocktake_id:int}/count-sheet.pdf",
        opt=allow(*WAREHOUSE),
        media_type="application/pdf",
        summary="The count sheet for counting on paper: lots by location, a blank for the units found (blind)",
    )
    async def count_sheet_pdf(self, db_session: AsyncSession, stocktake_id: int, settings: Settings) -> Response[bytes]:
        stocktake = await found_stocktake(db_session, stocktake_id)
        return await pdf_document(
            "stocktake_count_sheet.html",
            documents.count_sheet(stocktake, await queries.lots_on_shelves(db_session, stocktake)),
            f"stocktake-{stocktake_id}-count-sheet.pdf",
            organisation=settings.http.organisation_name,
        )

    @get(
        "/{stocktake_id:int}/result.pdf",
        opt=allow(*WAREHOUSE),
        media_type="application/pdf",
        summary="The result: expected, counted, difference in units and kg, reason, per lot",
    )
    async def result_pdf(self, db_session: AsyncSession, stocktake_id: int, settings: Settings) -> Response[bytes]:
        review = await services.review(db_session, stocktake_id, settings=settings.stock)
        return await pdf_document(
            "stocktake_result.html",
            documents.result(review.stocktake, review.lines),
            f"stocktake-{stocktake_id}-result.pdf",
            organisation=settings.http.organisation_name,
        )

    @get(
        "/{stocktake_id:int}/result.csv",
        opt=allow(*WAREHOUSE),
        media_type="text/csv",
        summary="The result as CSV (UTF-8 with BOM), one row per lot",
    )
    async def result_csv(self, db_session: AsyncSession, stocktake_id: int, settings: Settings) -> Response[bytes]:
        review = await services.review(db_session, stocktake_id, settings=settings.stock)
        name = f"stocktake-{stocktake_id}-{today().isoformat()}.csv"
        return Response(
            documents.result_csv(documents.result(review.stocktake, review.lines)),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
