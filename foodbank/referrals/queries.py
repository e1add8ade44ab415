"""Named reads of referrals: a consultant sees their own agency's only; what became of referrals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Select, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.appliances.queries import CURRENT as CURRENT_APPLIANCE_RESERVATION
from foodbank.lib.access import Principal
from foodbank.lib.messages import Message
from foodbank.models import (
    ApplianceDelivery,
    ApplianceReservation,
    ApplianceUnit,
    Distribution,
    DistributionLine,
    Referral,
    ReferralStatus,
    Role,
)
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


async def outcomes(session: AsyncSession, referral_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """What became of referrals (the caller has read them through `get_visible`/`list_visible`): their
    hand-outs (`handouts`: id, day, channel, units kept) and the appliance set aside or delivered through
    them (`appliance`, or None). No lots and no warehouse detail: a referring agency reads this."""
    found: dict[int, dict[str, Any]] = {i: {"handouts": [], "appliance": None} for i in referral_ids}
    if not referral_ids:
        return found
    handouts = await session.execute(
        select(
            Distribution.referral_id,
            Distribution.id,
            Distribution.distributed_on,
            Distribution.channel,
            func.coalesce(func.sum(DistributionLine.quantity - DistributionLine.returned), 0).label("units"),
        )
        .outerjoin(DistributionLine, DistributionLine.distribution_id == Distribution.id)
        .where(Distribution.referral_id.in_(referral_ids))
        .group_by(Distribution.id)
        .order_by(Distribution.distributed_on, Distribution.id)
    )
    for referral_id, distribution_id, on, channel, units in handouts.all():
        found[cast(int, referral_id)]["handouts"].append(
            {"id": distribution_id, "on": on, "channel": channel, "units": units}
        )
    appliances = await session.execute(
        select(ApplianceReservation, ApplianceUnit.category, ApplianceDelivery.delivered_on)
        .join(ApplianceUnit, ApplianceUnit.id == ApplianceReservation.unit_id)
        .outerjoin(ApplianceDelivery, ApplianceDelivery.reservation_id == ApplianceReservation.id)
        .where(
            ApplianceReservation.referral_id.in_(referral_ids),
            ApplianceReservation.status.in_(CURRENT_APPLIANCE_RESERVATION),
        )
    )
    for reservation, category, delivered_on in appliances.all():
        found[int(reservation.referral_id or 0)]["appliance"] = {
            "status": reservation.status,
            "category": category,
            "planned_on": reservation.planned_delivery_date,
            "delivered_on": delivered_on,
            "installation": reservation.installation_needed,
        }
    return found
