"""Named reads of households, always through `visible` so that a consultant sees only households
registered or referred by their own agency; and the search by code, name, kana or phone, which looks
at identity only where the searcher may read it (`identity_readable`, the rule of
`services.read_identity` in SQL).

How a term is compared, one rule wherever a household is looked for (the list, booking a pantry day,
check-in):
- a code: NFKC (full-width letters and digits), spaces dropped, dashes and the long vowel mark read as
  "-", upper case; any part of it matches (`0010` finds H-2026-0010);
- a name or kana: NFKC (half-width katakana made full-width), lower case, spaces and middle dots
  dropped, katakana folded into hiragana, on both sides, in SQL: ヤマダ, ﾔﾏﾀﾞ and やまだ are one;
- a phone: digits only, on both sides (0475-12-3456, 0475 12 3456 and ０４７５１２３４５６ are one),
  for a term of at least PHONE_DIGITS digits and nothing but digits and separators.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, literal, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue.barcodes import SEPARATORS
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

PHONE_DIGITS = 4
"""A phone is searched for from this many digits (fewer match too many numbers to mean one)."""
SEARCH_LIMIT = 50
_KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30F7))  # ァ ... ヶ
_HIRAGANA = "".join(chr(c - 0x60) for c in range(0x30A1, 0x30F7))  # ぁ ... ゖ
_DROPPED = " ・"
"""Dropped from names before comparing (NFKC has made every space U+0020 and ･ into ・)."""


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


def normalise_code(text: str) -> str:
    """A household code as typed: full-width letters and digits, spaces, dashes and case do not matter."""
    normal = unicodedata.normalize("NFKC", text)
    return "".join("-" if c in SEPARATORS else c for c in normal if not c.isspace()).upper()


def code_contains(term: str) -> ColumnElement[bool]:
    """Codes containing the term as `normalise_code` reads it (no LIKE: `_` and `%` are plain characters)."""
    return func.strpos(Household.code, literal(normalise_code(term))) > 0


def folded(value: Any) -> ColumnElement[str]:
    """A name or kana as compared (see the module's docstring); the same SQL for columns and terms."""
    normal = func.lower(func.normalize(value, literal_column("NFKC")))
    return func.translate(normal, _KATAKANA + _DROPPED, _HIRAGANA)


def _digits(value: Any) -> ColumnElement[str]:
    return func.regexp_replace(func.normalize(value, literal_column("NFKC")), r"\D", "", "g")


def phone_digits(term: str) -> str | None:
    """The digits of a term that reads as a phone number (or part of one), else None."""
    normal = unicodedata.normalize("NFKC", term)
    kept = [c for c in normal if not c.isspace() and c not in SEPARATORS and c not in "()+"]
    digits = "".join(kept)
    return digits if digits.isascii() and digits.isdigit() and len(digits) >= PHONE_DIGITS else None


def identity_readable(principal: Principal) -> ColumnElement[bool]:
    """Households whose identity `principal` may read, as `services.read_identity` decides one by one:
    coordinators and admins, unless a consultant registered the household and no referral records its
    consent; a consultant, those their agency registered or referred itself with consent; nobody else."""
    if principal.has(Role.admin, Role.coordinator):
        by_agency = exists().where(User.id == Household.created_by_id, User.agency_id.is_not(None))
        consented = exists().where(Referral.household_id == Household.id, Referral.consent_given)
        return or_(~by_agency, consented)
    if principal.has(Role.consultant) and principal.agency_id is not None:
        readable: ColumnElement[bool] = agency_may_see_identity(principal.agency_id)
        return readable
    return false()


def may_search_identity(principal: Principal) -> bool:
    """Who may look for a household by name, kana or phone (others search by code only)."""
    return principal.has(Role.admin, Role.coordinator) or (
        principal.has(Role.consultant) and principal.agency_id is not None
    )


@dataclass(frozen=True)
class Found:
    """A household found by a search, with its identity when the searcher may read it (None otherwise)."""

    household: Household
    name: str | None
    name_kana: str | None
    phone: str | None
    by_code: bool

    @property
    def shows_identity(self) -> bool:
        return self.name is not None


async def search(
    session: AsyncSession,
    principal: Principal,
    term: str,
    *,
    among: Sequence[int] | None = None,
    limit: int = SEARCH_LIMIT,
) -> list[Found]:
    """Households visible to `principal` whose code contains the term, or, for those who may read it,
    whose name, kana or phone does (identity looked at only where `identity_readable`). Codes first
    (an exact one first of all), then by code. `among` keeps the search to these households (a day's
    registrations). The term is a bound parameter and goes nowhere else: callers audit the search
    (`services.search`) without it."""
    by_code = code_contains(term)
    exact = Household.code == normalise_code(term)
    readable = identity_readable(principal) if may_search_identity(principal) else false()
    needle = folded(literal(term))
    by_identity = or_(
        func.strpos(folded(HouseholdIdentity.name), needle) > 0,
        func.strpos(folded(func.coalesce(HouseholdIdentity.name_kana, "")), needle) > 0,
    )
    if (digits := phone_digits(term)) is not None:
        by_identity = or_(by_identity, func.strpos(_digits(func.coalesce(HouseholdIdentity.phone, "")), digits) > 0)
    shown = and_(readable, HouseholdIdentity.household_id.is_not(None))
    stmt = (
        select(
            Household,
            case((shown, HouseholdIdentity.name)),
            case((shown, HouseholdIdentity.name_kana)),
            case((shown, HouseholdIdentity.phone)),
            by_code,
        )
        .outerjoin(HouseholdIdentity, HouseholdIdentity.household_id == Household.id)
        .where(or_(by_code, and_(readable, func.length(needle) > 0, by_identity)))
        .order_by(exact.desc(), by_code.desc(), Household.code)
        .limit(limit)
    )
    if among is not None:
        stmt = stmt.where(Household.id.in_(sorted(among)))
    rows = (await session.execute(visible(stmt, principal))).all()
    return [Found(h, name, kana, phone, bool(code)) for h, name, kana, phone, code in rows]


async def list_visible(
    session: AsyncSession, principal: Principal, *, code: str | None = None, municipality: Any = None, limit: int = 100
) -> Sequence[Household]:
    stmt = select(Household).order_by(Household.code).limit(limit)
    if code:
        stmt = stmt.where(code_contains(code))
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
