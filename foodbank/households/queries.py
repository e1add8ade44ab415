"""Named reads of households, always through `visible` so that a consultant sees only households
registered or referred by their own agency."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.households.errors import HouseholdNotFound
from foodbank.lib.access import Principal
from foodbank.lib.messages import Message
from foodbank.models import (
    ConsentThrough,
    Distribution,
    Household,
    HouseholdIdentity,
    Referral,
    Reservation,
    ReservationPurpose,
    Role,
    User,
)


def registered_by(agency_id: int) -> Any:
    return exists().where(User.id == Household.created_by_id, User.agency_id == agency_id)


def agency_households(agency_id: int) -> Any:
    """Households an agency registered or referred (a referral in its name, even one the food bank
    recorded): what its consultants may see and follow, by code."""
    referred = exists().where(Referral.household_id == Household.id, Referral.agency_id == agency_id)
    return or_(registered_by(agency_id), referred)


def agency_may_see_identity(agency_id: int) -> Any:
    """Households whose identity an agency's consultants may read: those it registered, and those it
    referred itself with the household's consent given through it. A referral the food bank recorded
    in the agency's name carries the food bank's consent, not the agency's, and opens nothing to it."""
    consented = exists().where(
        Referral.household_id == Household.id,
        Referral.agency_id == agency_id,
        Referral.consent_given,
        Referral.consent_through == ConsentThrough.agency,
    )
    return or_(registered_by(agency_id), consented)


def visible(stmt: Select[Any], principal: Principal) -> Select[Any]:
    if principal.has(Role.admin, Role.coordinator, Role.warehouse):
        return stmt
    if principal.has(Role.consultant) and principal.agency_id is not None:
        return stmt.where(agency_households(principal.agency_id))
    return stmt.where(false())


async def get_visible(
    session: AsyncSession, principal: Principal, household_id: int, *, for_update: bool = False
) -> Household:
    stmt = visible(select(Household).where(Household.id == household_id), principal)
    if for_update:
        stmt = stmt.with_for_update()
    household: Household | None = await session.scalar(stmt)
    if household is None:
        raise HouseholdNotFound(Message("There is no household with id %(id)s.", id=household_id))
    return household


async def list_visible(
    session: AsyncSession, principal: Principal, *, code: str | None = None, municipality: Any = None, limit: int = 100
) -> Sequence[Household]:
    stmt = select(Household).order_by(Household.code).limit(limit)
    if code:
        stmt = stmt.where(Household.code.ilike(f"%{code}%"))
    if municipality is not None:
        stmt = stmt.where(Household.municipality == municipality)
    return (await session.scalars(visible(stmt, principal))).all()


async def agency_may_read_identity(session: AsyncSession, agency_id: int, household_id: int) -> bool:
    stmt = select(exists().where(Household.id == household_id, agency_may_see_identity(agency_id)))
    return bool(await session.scalar(stmt))


async def identity_of(session: AsyncSession, household_id: int) -> HouseholdIdentity | None:
    return await session.get(HouseholdIdentity, household_id)


async def registered_by_agency(session: AsyncSession, household: Household) -> int | None:
    """The agency of the consultant who registered the household, if a consultant did."""
    if household.created_by_id is None:
        return None
    agency_id: int | None = await session.scalar(select(User.agency_id).where(User.id == household.created_by_id))
    return agency_id


async def has_consent(session: AsyncSession, household_id: int) -> bool:
    stmt = select(exists().where(Referral.household_id == household_id, Referral.consent_given))
    return bool(await session.scalar(stmt))


async def possible_duplicates(session: AsyncSession, identity: dict[str, Any]) -> list[str]:
    """Codes of households whose phone, or name and address, match: a volunteer should look twice."""
    conditions = []
    if identity.get("phone"):
        # Compare digits only: 0475-12-3456 and 0475123456 are the same phone.
        digits = "".join(ch for ch in identity["phone"] if ch.isdigit())
        conditions.append(func.regexp_replace(HouseholdIdentity.phone, r"\D", "", "g") == digits)
    if identity.get("name_kana"):
        conditions.append(HouseholdIdentity.name_kana == identity["name_kana"])
    conditions.append(
        (HouseholdIdentity.name == identity["name"]) & (HouseholdIdentity.address == identity.get("address"))
    )
    stmt = (
        select(Household.code)
        .join(HouseholdIdentity, HouseholdIdentity.household_id == Household.id)
        .where(or_(*conditions))
        .order_by(Household.code)
    )
    return list((await session.scalars(stmt)).all())


async def allocations(
    session: AsyncSession, code: str, *, reservation_id: int | None = None, limit: int = 30
) -> list[dict[str, Any]]:
    """Stock set aside for one household's individual support (purpose `household`, ref its code, as
    `POST /api/households/{id}/allocations` makes it), newest first, with the hand-out that used it."""
    stmt = (
        select(Reservation, Distribution.id.label("distribution_id"))
        .outerjoin(Distribution, Distribution.reservation_id == Reservation.id)
        .where(Reservation.purpose == ReservationPurpose.household, Reservation.purpose_ref == code)
        .order_by(Reservation.id.desc())
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    if reservation_id is not None:
        stmt = stmt.where(Reservation.id == reservation_id)
    rows = (await session.execute(stmt)).all()
    return [{"reservation": r, "distribution_id": distribution_id} for r, distribution_id in rows]
