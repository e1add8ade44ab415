"""Distributions API: hand goods over, list and show hand-outs, take goods back, trace a product for a
recall, and show where a donor's donations went."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue.errors import DonorNotFound
from foodbank.config import Settings
from foodbank.distributions import documents, queries, services
from foodbank.distributions.errors import DistributionNotFound
from foodbank.distributions.schemas import (
    DistributionFilter,
    DistributionIn,
    DistributionOut,
    DonorImpactOut,
    GoodsReturnIn,
    PartnerProgrammeIn,
    PartnerProgrammeOut,
    TraceFilter,
    TraceOut,
)
from foodbank.lib.access import Principal, allow
from foodbank.lib.idempotency import Reread
from foodbank.lib.messages import Message
from foodbank.lib.pdf import pdf_document
from foodbank.lib.validation import Dump, Load, query
from foodbank.models import PartnerProgramme, Role

HANDING_OUT = (Role.admin, Role.coordinator, Role.warehouse)
MANAGERS = (Role.admin, Role.coordinator)


def for_role(principal: Principal, distribution: dict[str, Any]) -> dict[str, Any]:
    """The override's reason may describe a household's situation: volunteers see only that there was one."""
    if principal.has(*MANAGERS) or distribution["frequency_override"] is None:
        return distribution
    return {**distribution, "frequency_override": None}


async def shown(db_session: AsyncSession, principal: Principal, distribution_id: int) -> dict[str, Any]:
    found = await queries.distribution(db_session, distribution_id)
    if found is None:
        raise DistributionNotFound(Message("There is no distribution with id %(id)s.", id=distribution_id))
    return for_role(principal, found)


DISTRIBUTION_REPLAY = Reread(shown)
"""A retried hand-out or return answers the distribution as it is now: a frequency override's reason
is about the household, so the first answer is not stored."""


class DistributionController(Controller):
    path = "/api"
    tags = ["distributions"]

    @post(
        "/distributions",
        opt=allow(*HANDING_OUT, idempotent=DISTRIBUTION_REPLAY),
        dto=Load[DistributionIn],
        return_dto=Dump[DistributionOut],
        summary="Hand goods over to a household or a partner programme (from a reservation or named lots)",
    )
    async def hand_out(
        self, db_session: AsyncSession, principal: Principal, data: services.HandOut, settings: Settings
    ) -> dict[str, Any]:
        created = await services.hand_out(
            db_session,
            actor=principal,
            command=data,
            settings=settings.stock,
            min_days_between_handouts=settings.households.min_days_between_handouts,
        )
        return await shown(db_session, principal, created.id)

    @get(
        "/distributions",
        opt=allow(*HANDING_OUT),
        return_dto=Dump[DistributionOut],
        dependencies={"filters": Provide(query(DistributionFilter))},
        summary="Hand-outs, newest first; households by code",
    )
    async def distributions(
        self, db_session: AsyncSession, principal: Principal, filters: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [for_role(principal, d) for d in await queries.distributions(db_session, **filters)]

    @get(
        "/distributions/{distribution_id:int}",
        opt=allow(*HANDING_OUT),
        return_dto=Dump[DistributionOut],
        summary="One hand-out with its lines",
    )
    async def distribution(
        self, db_session: AsyncSession, principal: Principal, distribution_id: int
    ) -> dict[str, Any]:
        return await shown(db_session, principal, distribution_id)

    @post(
        "/distributions/{distribution_id:int}/returns",
        opt=allow(*HANDING_OUT, idempotent=DISTRIBUTION_REPLAY),
        dto=Load[GoodsReturnIn],
        return_dto=Dump[DistributionOut],
        summary="Goods come back onto their lots: how a mistaken hand-out is corrected",
    )
    async def return_goods(
        self, db_session: AsyncSession, principal: Principal, distribution_id: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        await services.return_goods(
            db_session, actor_id=principal.id, distribution_id=distribution_id, lines=data["lines"]
        )
        return await shown(db_session, principal, distribution_id)

    @get(
        "/trace",
        opt=allow(*MANAGERS),
        return_dto=Dump[TraceOut],
        dependencies={"filters": Provide(query(TraceFilter))},
        summary="Recall trace: the lots of a product and every household and programme that received them",
    )
    async def trace(self, db_session: AsyncSession, principal: Principal, filters: dict[str, Any]) -> dict[str, Any]:
        return await services.trace(db_session, actor_id=principal.id, **filters)

    @get(
        "/donors/{donor_id:int}/impact",
        opt=allow(*MANAGERS, Role.reporter),
        return_dto=Dump[DonorImpactOut],
        summary="Where a donor's donations went, in aggregate",
    )
    async def donor_impact(self, db_session: AsyncSession, donor_id: int) -> dict[str, Any]:
        impact = await queries.donor_impact(db_session, donor_id)
        if impact is None:
            raise DonorNotFound(Message("There is no donor with id %(id)s.", id=donor_id))
        return impact

    @get(
        "/distributions/{distribution_id:int}/receipt.pdf",
        opt=allow(*HANDING_OUT),
        media_type="application/pdf",
        summary="The hand-over receipt (受領書) to print and sign; households by code only",
    )
    async def hand_over_receipt(
        self, db_session: AsyncSession, principal: Principal, distribution_id: int, settings: Settings
    ) -> Response[bytes]:
        shown_distribution = await shown(db_session, principal, distribution_id)
        return await pdf_document(
            "hand_over_receipt.html",
            documents.hand_over_receipt(shown_distribution),
            f"receipt-{distribution_id}.pdf",
            organisation=settings.http.organisation_name,
        )


class PartnerProgrammeController(Controller):
    path = "/api/partner-programmes"
    tags = ["distributions"]

    @get(
        "/",
        opt=allow(*HANDING_OUT, Role.reporter),
        return_dto=Dump[PartnerProgrammeOut],
        summary="Partner programmes that receive stock in bulk (cafeterias, drop-in sites)",
    )
    async def list_programmes(self, db_session: AsyncSession) -> Sequence[PartnerProgramme]:
        return await queries.partner_programmes(db_session)

    @post(
        "/",
        opt=allow(*MANAGERS, idempotent=True),
        dto=Load[PartnerProgrammeIn],
        return_dto=Dump[PartnerProgrammeOut],
        summary="Register a partner programme",
    )
    async def create_programme(
        self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]
    ) -> PartnerProgramme:
        return await services.create_partner_programme(db_session, actor_id=principal.id, **data)
