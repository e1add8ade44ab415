"""Named reads of referrals: a consultant sees their own agency's only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.access import Principal
from foodbank.lib.messages import Message
from foodbank.models import Referral, ReferralStatus, Role
from foodbank.referrals.errors import ReferralNotFound


def visible(stmt: Select[Any], principal: Principal) -> Select[Any]:
    if principal.has(Role.admin, Role.coordinator):
        return stmt
    if principal.has(Role.consultant) and principal.agency_id is not None:
        return stmt.where(Referral.agency_id == principal.agency_id)
    return stmt.where(false())


async def get_visible(
    session: AsyncSession, principal: Principal, referral_id: int, *, for_update: bool = False
) -> Referral:
    stmt = visible(select(Referral).where(Referral.id == referral_id), principal)
    if for_update:
        stmt = stmt.with_for_update(of=Referral)
    referral: Referral | None = await session.scalar(stmt)
    if referral is None:
        raise ReferralNotFound(Message("There is no referral with id %(id)s.", id=referral_id))
    return referral


async def list_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    status: ReferralStatus | None = None,
    household_id: int | None = None,
    limit: int = 100,
) -> Sequence[Referral]:
    stmt = select(Referral).order_by(Referral.referred_on.desc(), Referral.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(Referral.status == status)
    if household_id is not None:
        stmt = stmt.where(Referral.household_id == household_id)
    return (await session.scalars(visible(stmt, principal))).all()
