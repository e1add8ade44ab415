"""Use cases of referrals: submit (with consent), decide, withdraw, expire. Reads of a referral's
details are audited, as the law asks for records of what was shared."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit.services import record
from foodbank.households import queries as household_queries
from foodbank.lib.access import Principal
from foodbank.lib.clock import utcnow
from foodbank.lib.errors import InvalidInput
from foodbank.lib.messages import Label, Message
from foodbank.models import Agency, ConsentThrough, Referral, ReferralStatus, Role
from foodbank.referrals import queries
from foodbank.referrals.errors import ReferralStateConflict
from foodbank.referrals.schemas import Decision, NewReferral

OPEN = (ReferralStatus.submitted, ReferralStatus.accepted)


async def submit(session: AsyncSession, *, actor: Principal, command: NewReferral) -> Referral:
    """A referral, with the household's consent as recorded by the actor. A coordinator or admin names
    the referring agency (the figures count referrals by agency), but what they record is the food
    bank's own consent (`consent_through=food_bank`): it never speaks for that agency, so it does not
    open the household's identity to the agency's consultants. A consultant refers for their own agency
    (`consent_through=agency`)."""
    through = ConsentThrough.food_bank
    if actor.has(Role.admin, Role.coordinator):
        agency_id = command.agency_id
        if agency_id is None or await session.get(Agency, agency_id) is None:
            raise InvalidInput(
                Message("Say which agency refers the household."),
                errors=[{"field": "agency_id", "message": Message("Required: an existing agency.")}],
            )
    else:
        if command.agency_id is not None and command.agency_id != actor.agency_id:
            raise InvalidInput(
                Message("A consultant refers for their own agency only."),
                errors=[{"field": "agency_id", "message": Message("Leave it out: your own agency is used.")}],
            )
        agency_id = actor.agency_id
        through = ConsentThrough.agency
    # The household must be one the referrer may see (404 otherwise, as if it did not exist).
    household = await household_queries.get_visible(session, actor, command.household_id)
    consent = command.consent
    valid_from = command.valid_from or command.referred_on
    if command.valid_until < valid_from:
        raise InvalidInput(
            Message("The referral ends before it starts."),
            errors=[{"field": "valid_until", "message": Message("Must be on or after valid_from.")}],
        )
    if command.request.value in ("appliance", "both") and not command.appliance_category:
        raise InvalidInput(
            Message("Say which appliance is needed."),
            errors=[{"field": "appliance_category", "message": Message("Required when an appliance is asked for.")}],
        )
    referral = Referral(
        agency_id=agency_id,
        consultant_id=actor.id,
        household_id=household.id,
        referred_on=command.referred_on,
        who_consulted=command.who_consulted,
        reasons=list(command.reasons),
        request=command.request,
        appliance_category=command.appliance_category,
        urgency=command.urgency,
        consent_given=consent.given,
        consent_by=consent.by,
        consent_on=consent.on,
        consent_method=consent.method,
        consent_scope=consent.scope,
        consent_through=through,
        valid_from=valid_from,
        valid_until=command.valid_until,
        handouts_allowed=command.handouts_allowed,
        note=command.note,
    )
    session.add(referral)
    await session.flush()
    await session.refresh(referral, ["household"])
    await record(
        session,
        actor_id=actor.id,
        action="referral.create",
        entity="referral",
        entity_id=referral.id,
        details={
            "agency_id": agency_id,
            "household_id": household.id,
            "consent": consent.given,
            "consent_through": through.value,
        },
    )
    return referral


async def read(session: AsyncSession, *, actor: Principal, referral_id: int) -> Referral:
    referral = await queries.get_visible(session, actor, referral_id)
    await record(session, actor_id=actor.id, action="referral.read", entity="referral", entity_id=referral_id)
    return referral


async def list_for(session: AsyncSession, *, actor: Principal, **filters: Any) -> Sequence[Referral]:
    referrals = await queries.list_visible(session, actor, **filters)
    await record(
        session,
        actor_id=actor.id,
        action="referral.list",
        entity="referral",
        details={"ids": [r.id for r in referrals][:100]},
    )
    return referrals


async def decide(
    session: AsyncSession, *, actor: Principal, referral_id: int, decision: Decision, today: date
) -> Referral:
    referral = await queries.get_visible(session, actor, referral_id, for_update=True)
    if referral.status is not ReferralStatus.submitted:
        raise ReferralStateConflict(
            Message(
                "Referral %(id)s is %(status)s; only a submitted one is decided.",
                id=referral_id,
                status=Label("referral", referral.status),
            )
        )
    accept = decision.accept
    if accept and referral.valid_until < today:
        raise ReferralStateConflict(
            Message(
                "Referral %(id)s ran out on %(date)s; ask for a new one.", id=referral_id, date=referral.valid_until
            )
        )
    referral.status = ReferralStatus.accepted if accept else ReferralStatus.declined
    referral.decided_by_id = actor.id
    referral.decided_at = utcnow()
    referral.decision_note = decision.note
    await record(
        session,
        actor_id=actor.id,
        action=f"referral.{'accept' if accept else 'decline'}",
        entity="referral",
        entity_id=referral_id,
    )
    return referral


async def withdraw(session: AsyncSession, *, actor: Principal, referral_id: int) -> Referral:
    referral = await queries.get_visible(session, actor, referral_id, for_update=True)
    if referral.status not in OPEN:
        raise ReferralStateConflict(
            Message(
                "Referral %(id)s is %(status)s and cannot be withdrawn.",
                id=referral_id,
                status=Label("referral", referral.status),
            )
        )
    referral.status = ReferralStatus.withdrawn
    await record(session, actor_id=actor.id, action="referral.withdraw", entity="referral", entity_id=referral_id)
    return referral


async def expire_overdue(session: AsyncSession, *, actor_id: int | None, today: date) -> int:
    """Open referrals past their last valid day become expired."""
    result = await session.execute(
        update(Referral)
        .where(Referral.status.in_(OPEN), Referral.valid_until < today)
        .values(status=ReferralStatus.expired)
        .returning(Referral.id)
    )
    ids = list(result.scalars().all())
    if ids:
        await record(session, actor_id=actor_id, action="referral.expire", entity="referral", details={"ids": ids})
    return len(ids)
