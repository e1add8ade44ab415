"""Use cases of the households area. Identity reads are audited; logs and audit details carry no
personal data, only ids and codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit.services import record
from foodbank.catalogue import queries as catalogue_queries
from foodbank.config import StockSettings
from foodbank.households import queries
from foodbank.households.errors import (
    HouseholdNotFound,
    IdentityNotSharedWithAgency,
    IdentityWithoutConsent,
    NoTemplate,
)
from foodbank.households.schemas import NO_MEMBERS, HouseholdChanges, NewHousehold
from foodbank.lib.access import Principal
from foodbank.lib.clock import utcnow
from foodbank.lib.errors import InvalidInput
from foodbank.lib.messages import Message
from foodbank.models import Channel, Household, HouseholdIdentity, ReservationPurpose, Role
from foodbank.pantry import queries as pantry_queries
from foodbank.picking import parcels
from foodbank.stock import services as stock


@dataclass
class Registered:
    household: Household
    warnings: list[dict[str, Any]] = field(default_factory=list)
    """{field, message}: the message a Message."""

    def __getattr__(self, name: str) -> Any:  # dumped by HouseholdCreatedOut like the household itself
        return getattr(self.household, name)


async def _check_allergens(session: AsyncSession, codes: list[str]) -> None:
    unknown = sorted(set(codes) - await catalogue_queries.allergen_codes(session))
    if unknown:
        raise InvalidInput(
            Message("Unknown allergen codes: %(codes)s.", codes=unknown),
            errors=[
                {"field": "allergens", "message": Message("Unknown allergen code %(code)s.", code=repr(code))}
                for code in unknown
            ],
        )


def _check_members(values: dict[str, int]) -> None:
    if sum(values.values()) < 1:
        raise InvalidInput(
            Message("A household has at least one member."),
            errors=[{"field": "adults", "message": NO_MEMBERS}],
        )


async def next_code(session: AsyncSession, year: int) -> str:
    """H-<year>-<4 digits>, numbered per registration year. An advisory lock makes concurrent
    registrations take turns for the number."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended("household-code", year))))
    prefix = f"H-{year}-"
    last = await session.scalar(select(func.max(Household.code)).where(Household.code.like(f"{prefix}%")))
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


async def register(session: AsyncSession, *, actor: Principal, today: date, command: NewHousehold) -> Registered:
    await _check_allergens(session, list(command.allergens))
    _check_members({name: getattr(command, name) for name in command.members})
    identity = asdict(command.identity)
    duplicates = await queries.possible_duplicates(session, identity)
    household = Household(
        code=await next_code(session, today.year), created_by_id=actor.id, **command.household_columns()
    )
    session.add(household)
    await session.flush()
    session.add(HouseholdIdentity(household_id=household.id, **identity))
    await session.flush()
    await record(
        session,
        actor_id=actor.id,
        action="household.create",
        entity="household",
        entity_id=household.id,
        details={"code": household.code, "possible_duplicates": len(duplicates)},
    )
    warnings = []
    # Only the food bank's own staff learn that another household looks the same: telling a consultant
    # would disclose that another agency's client exists.
    if duplicates and actor.has(Role.admin, Role.coordinator):
        warnings = [
            {
                "field": "identity",
                "message": Message("Looks like the existing household %(code)s: check before using both.", code=code),
            }
            for code in duplicates
        ]
    return Registered(household, warnings)


async def update_household(
    session: AsyncSession, *, actor: Principal, household_id: int, changes: HouseholdChanges
) -> Household:
    household = await queries.get_visible(session, actor, household_id, for_update=True)
    if changes.allergens is not None:
        await _check_allergens(session, list(changes.allergens))
    for name, value in changes.columns().items():
        setattr(household, name, value)
    _check_members({k: getattr(household, k) for k in ("infants", "children", "adults", "seniors")})
    await record(
        session,
        actor_id=actor.id,
        action="household.update",
        entity="household",
        entity_id=household_id,
        details={"fields": sorted(changes.changed)},
    )
    return household


async def read_identity(session: AsyncSession, *, actor: Principal, household_id: int) -> HouseholdIdentity:
    """Identity for those who may see it, each read audited.

    Consultants see the identity of households their agency registered, or referred itself with the
    household's consent; a referral the food bank recorded in their agency's name is not enough. The
    food bank's staff see a household registered by a consultant only once a referral records the
    household's consent to share it (the agency's, or the food bank's own).
    """
    household = await queries.get_visible(session, actor, household_id)
    if not actor.has(Role.admin, Role.coordinator):
        if actor.agency_id is None:
            raise HouseholdNotFound(Message("There is no household with id %(id)s.", id=household_id))
        if not await queries.agency_may_read_identity(session, actor.agency_id, household_id):
            raise IdentityNotSharedWithAgency(
                Message(
                    "Your agency did not register %(code)s, and no referral your agency made itself records the "
                    "household's consent to share its identity. A referral the food bank recorded in your agency's "
                    "name carries the food bank's consent, not your agency's.",
                    code=household.code,
                )
            )
    elif await queries.registered_by_agency(session, household) is not None and not await queries.has_consent(
        session, household_id
    ):
        raise IdentityWithoutConsent(
            Message(
                "%(code)s was registered by a consultation agency and no referral records the household's consent "
                "to share its identity with the food bank.",
                code=household.code,
            )
        )
    identity = await queries.identity_of(session, household_id)
    if identity is None:
        raise HouseholdNotFound(
            Message("%(code)s has no identity on record (it may have been anonymised).", code=household.code)
        )
    await record(
        session,
        actor_id=actor.id,
        action="household.identity.read",
        entity="household",
        entity_id=household_id,
        details={"code": household.code},
    )
    return identity


async def search(
    session: AsyncSession,
    *,
    actor: Principal,
    term: str,
    among: Sequence[int] | None = None,
    limit: int = queries.SEARCH_LIMIT,
) -> list[queries.Found]:
    """Find households by code, or by name, kana or phone for those who may read identity (see
    `queries.search`). A search that looks at identity is an identity read, audited as one: who
    searched, how many households it found and which ones it showed by name (ids), never the term."""
    found = await queries.search(session, actor, term, among=among, limit=limit)
    if queries.may_search_identity(actor):
        await record(
            session,
            actor_id=actor.id,
            action="household.search",
            entity="household",
            details={
                "results": len(found),
                "identity_shown": [f.household.id for f in found if f.shows_identity],
                "within": "registrations" if among is not None else "households",
            },
        )
    return found


async def anonymise_inactive(
    session: AsyncSession, *, actor_id: int | None, years: int, today: date, dry_run: bool = False
) -> list[str]:
    """Remove the identity and notes of households with no activity for `years`; codes and figures stay."""
    cutoff = today - timedelta(days=round(365.25 * years))
    stmt = (
        select(Household)
        .where(
            Household.anonymised_at.is_(None),
            func.coalesce(Household.last_activity_on, func.date(Household.created_at)) < cutoff,
        )
        .order_by(Household.id)
        .with_for_update()
    )
    households = (await session.scalars(stmt)).all()
    ids = [h.id for h in households]
    if dry_run:
        return [h.code for h in households]
    if ids:
        await session.execute(delete(HouseholdIdentity).where(HouseholdIdentity.household_id.in_(ids)))
        await session.execute(update(Household).where(Household.id.in_(ids)).values(notes=None, anonymised_at=utcnow()))
    await record(
        session,
        actor_id=actor_id,
        action="household.anonymise",
        entity="household",
        details={"households": len(ids), "years": years, "cutoff": cutoff.isoformat()},
    )
    return [h.code for h in households]


async def parcel_for(session: AsyncSession, household: Household) -> tuple[dict[int, int], dict[int, int]]:
    """The parcel template that fits the household's size (and kitchen), retired ones aside:
    (item units, category units)."""
    templates = await pantry_queries.templates(session)
    template = parcels.choose_template(templates, household.size, household.ready_to_eat_only)
    if template is None:
        raise NoTemplate(
            Message(
                "No parcel template fits a household of %(size)s without cooking facilities: list the items, or add "
                "a template for that size.",
                size=household.size,
            )
            if household.ready_to_eat_only
            else Message(
                "No parcel template fits a household of %(size)s: list the items, or add a template for that size.",
                size=household.size,
            ),
            size=household.size,
        )
    demand = template.demand()
    return dict(demand.items), dict(demand.categories)


async def allocate(
    session: AsyncSession,
    actor: Principal,
    household: Household,
    *,
    distribution_date: date,
    items: dict[int, int] | None,
    allow_partial: bool,
    note: str | None,
    settings: StockSettings,
) -> stock.ReservationResult:
    """Reserve stock for one household's individual support: the items given, or without items the
    parcel template that fits it; FEFO, with the household's allergens and needs left out."""
    categories: dict[int, int] = {}
    if items is None:
        items, categories = await parcel_for(session, household)
    return await stock.reserve(
        session,
        actor_id=actor.id,
        purpose=ReservationPurpose.household,
        purpose_ref=household.code,
        channel=Channel.individual,
        distribution_date=distribution_date,
        requests=items,
        category_requests=categories,
        avoid_allergens=household.avoided_allergens(),
        allow_partial=allow_partial,
        note=note,
        settings=settings,
    )
