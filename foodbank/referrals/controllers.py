"""Referrals API: consultants refer and follow their own agency's referrals; coordinators decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.idempotency import Reread
from foodbank.lib.validation import Dump, Load, query
from foodbank.models import Referral, Role
from foodbank.referrals import services
from foodbank.referrals.schemas import Decision, DecisionIn, NewReferral, ReferralFilter, ReferralIn, ReferralOut

READERS = (Role.admin, Role.coordinator, Role.consultant)


async def referral_now(session: AsyncSession, principal: Principal, referral_id: int) -> Referral:
    """What a retried referral answers: the referral as it is now, read (and audited) as GET reads it.
    Its reasons, note and consent are personal, so the first answer is not stored."""
    return await services.read(session, actor=principal, referral_id=referral_id)


class ReferralController(Controller):
    path = "/api/referrals"
    tags = ["referrals"]

    @get(
        "/",
        opt=allow(*READERS),
        return_dto=Dump[ReferralOut],
        dependencies={"filters": Provide(query(ReferralFilter))},
        summary="Referrals (a consultant sees their own agency's)",
    )
    async def list_referrals(
        self, db_session: AsyncSession, principal: Principal, filters: dict[str, Any]
    ) -> Sequence[Referral]:
        return await services.list_for(db_session, actor=principal, **filters)

    @post(
        "/",
        opt=allow(*READERS, idempotent=Reread(referral_now)),
        dto=Load[ReferralIn],
        return_dto=Dump[ReferralOut],
        summary="Refer a household, with its consent recorded",
    )
    async def submit(self, db_session: AsyncSession, principal: Principal, data: NewReferral) -> Referral:
        return await services.submit(db_session, actor=principal, command=data)

    @get(
        "/{referral_id:int}",
        opt=allow(*READERS),
        return_dto=Dump[ReferralOut],
        summary="A referral and what became of it",
    )
    async def referral(self, db_session: AsyncSession, principal: Principal, referral_id: int) -> Referral:
        return await services.read(db_session, actor=principal, referral_id=referral_id)

    @post(
        "/{referral_id:int}/decision",
        opt=allow(Role.admin, Role.coordinator),
        dto=Load[DecisionIn],
        return_dto=Dump[ReferralOut],
        summary="Accept or decline a submitted referral",
    )
    async def decide(
        self, db_session: AsyncSession, principal: Principal, referral_id: int, data: Decision
    ) -> Referral:
        return await services.decide(db_session, actor=principal, referral_id=referral_id, decision=data, today=today())

    @post(
        "/{referral_id:int}/withdraw",
        opt=allow(*READERS),
        return_dto=Dump[ReferralOut],
        summary="Withdraw a referral that is still open",
    )
    async def withdraw(self, db_session: AsyncSession, principal: Principal, referral_id: int) -> Referral:
        return await services.withdraw(db_session, actor=principal, referral_id=referral_id)
