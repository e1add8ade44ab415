"""Use cases of the appliance bank: register a unit under the acceptance policy, record inspection
checks, reserve, release, deliver and dispose. Nothing here commits.

Every step locks the unit first (SELECT ... FOR UPDATE) and checks the move against the workflow in
`rules.TRANSITIONS`: of two coordinators reserving one unit at the same moment, the second waits for
the first and then finds it reserved (409). A delivery then locks the household and the referral, the
order a food hand-out uses, so the two never wait on each other in a circle. Each move appends a row to
the unit's status history; each step appends an audit event with ids and counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.appliances import queries, rules
from foodbank.appliances.errors import ApplianceNotFound, ApplianceReferralNotUsable, ApplianceStatusConflict
from foodbank.appliances.rules import Action
from foodbank.audit.services import record
from foodbank.config import ApplianceSettings
from foodbank.distributions.errors import HouseholdAnonymised, ReferralNotFound
from foodbank.households import queries as household_queries
from foodbank.households.errors import HouseholdNotFound
from foodbank.lib.access import Principal
from foodbank.lib.clock import utcnow
from foodbank.lib.db import add_unique
from foodbank.lib.errors import FieldError, InvalidInput
from foodbank.lib.messages import Code, Label, Message
from foodbank.models import (
    ApplianceCategory,
    ApplianceCategoryRow,
    ApplianceDelivery,
    ApplianceDisposal,
    ApplianceDisposalReason,
    ApplianceInspection,
    ApplianceReservation,
    ApplianceReservationStatus,
    ApplianceStatus,
    ApplianceStatusChange,
    ApplianceUnit,
    CheckResult,
    ConditionGrade,
    Donor,
    Household,
    InspectionCheck,
    Location,
    PseMark,
    Referral,
    ReferralStatus,
    User,
)
from foodbank.referrals import rules as referral_rules

# --- commands: what the schemas load (post_load) and the use cases take ---------------------------------


@dataclass(frozen=True)
class Intake:
    """A donated unit as it is taken in (`schemas.ApplianceIn`)."""

    category: ApplianceCategory
    maker: str
    model: str
    manufacture_year: int
    pse_mark: PseMark
    location_id: int
    condition_grade: ConditionGrade
    serial_number: str | None = None
    size: str | None = None
    donor_id: int | None = None
    received_date: date | None = None
    """None: today."""
    notes: str | None = None


@dataclass(frozen=True)
class Check:
    """One inspection check and its result (`schemas.ApplianceCheckIn`)."""

    check: InspectionCheck
    result: CheckResult
    note: str | None = None


@dataclass(frozen=True)
class Inspection:
    """Checks done on one day (`schemas.ApplianceInspectionIn`)."""

    checks: tuple[Check, ...]
    inspected_on: date | None = None
    """None: today."""


class _Errors:
    """Collects every problem of a request, so that it can be fixed in one go."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field_name: str, message: Message) -> None:
        self.items.append({"field": field_name, "message": message})

    def raise_if_any(self, detail: Message) -> None:
        if self.items:
            raise InvalidInput(detail, errors=self.items)


def _not_after_today(errors: _Errors, field_name: str, day: date, today: date) -> None:
    if day > today:
        errors.add(field_name, Message("%(date)s is in the future.", date=day))


# --- the workflow ----------------------------------------------------------------------------------


async def _locked_unit(session: AsyncSession, unit_id: int) -> ApplianceUnit:
    unit: ApplianceUnit | None = await session.scalar(
        select(ApplianceUnit)
        .where(ApplianceUnit.id == unit_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if unit is None:
        raise ApplianceNotFound(Message("There is no appliance with id %(id)s.", id=unit_id))
    return unit


def _check_step(unit: ApplianceUnit, action: Action) -> ApplianceStatus:
    """The status `action` leads to, or 409 naming the current status and the steps open from it."""
    to = rules.next_status(unit.status, action)
    if to is None:
        raise ApplianceStatusConflict(
            rules.refusal(unit.code, unit.status, action),
            unit_id=unit.id,
            code=unit.code,
            current_status=unit.status.value,
            action=action.value,
            allowed_actions=[a.value for a in rules.allowed_actions(unit.status)],
        )
    return to


def _move(session: AsyncSession, unit: ApplianceUnit, action: Action, actor_id: int | None, note: str | None) -> None:
    """Take one step of the workflow and write it to the status history (staying put writes nothing)."""
    to = _check_step(unit, action)
    if to is unit.status:
        return
    session.add(
        ApplianceStatusChange(unit_id=unit.id, from_status=unit.status, to_status=to, actor_id=actor_id, note=note)
    )
    unit.status = to


# --- registration ----------------------------------------------------------------------------------


async def next_code(session: AsyncSession, year: int) -> str:
    """AP-<year>-<4 digits>, numbered per registration year; an advisory lock makes registrations take turns."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended("appliance-code", year))))
    prefix = f"AP-{year}-"
    last = await session.scalar(select(func.max(ApplianceUnit.code)).where(ApplianceUnit.code.like(f"{prefix}%")))
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


async def register(
    session: AsyncSession, *, actor_id: int, intake: Intake, settings: ApplianceSettings, today: date
) -> ApplianceUnit:
    """Take in a donated unit, or refuse it (422, every reason listed): too old for its category, without
    the PSE mark when the policy refuses (with `flag` it is accepted and flagged), a received date in the
    future, an unknown donor or location."""
    errors = _Errors()
    received_date = intake.received_date or today
    _not_after_today(errors, "received_date", received_date, today)
    if intake.donor_id is not None and await session.get(Donor, intake.donor_id) is None:
        errors.add("donor_id", Message("There is no donor with id %(id)s.", id=intake.donor_id))
    location = await session.get(Location, intake.location_id)
    if location is None or not location.is_active:
        errors.add("location_id", Message("There is no active location with id %(id)s.", id=intake.location_id))
    category = intake.category
    problems = rules.acceptance_problems(
        category=category,
        manufacture_year=intake.manufacture_year,
        pse_mark=intake.pse_mark,
        received_date=received_date,
        max_age_years=settings.max_age_for(category.value),
        no_pse_mark=settings.no_pse_mark,
    )
    for problem in problems:
        if problem.flag is None:
            errors.add(problem.field, problem.message)
    errors.raise_if_any(Message("The appliance was not accepted: see errors."))

    category_row = await session.get(ApplianceCategoryRow, category)
    assert category_row is not None  # every category is seeded by the migration
    unit = ApplianceUnit(
        code=await next_code(session, today.year),
        category=category,
        recycling_law=category_row.recycling_law,
        maker=intake.maker,
        model=intake.model,
        serial_number=intake.serial_number,
        manufacture_year=intake.manufacture_year,
        size=intake.size,
        pse_mark=intake.pse_mark,
        donor_id=intake.donor_id,
        received_date=received_date,
        location_id=intake.location_id,
        condition_grade=intake.condition_grade,
        notes=intake.notes,
        flags=[p.flag for p in problems if p.flag is not None],
        status=ApplianceStatus.received,
        registered_by_id=actor_id,
    )
    session.add(unit)
    await session.flush()
    session.add(
        ApplianceStatusChange(
            unit_id=unit.id, from_status=None, to_status=ApplianceStatus.received, actor_id=actor_id, note="registered"
        )
    )
    await record(
        session,
        actor_id=actor_id,
        action="appliance.register",
        entity="appliance_unit",
        entity_id=unit.id,
        details={"code": unit.code, "category": category.value, "flags": unit.flags, "donor_id": unit.donor_id},
    )
    return unit


# --- inspection ------------------------------------------------------------------------------------


async def inspect(
    session: AsyncSession,
    *,
    actor_id: int,
    unit_id: int,
    inspected_on: date,
    checks: Sequence[Check],
    today: date,
) -> ApplianceUnit:
    """Record checks done by the caller on `inspected_on`. The unit is inspected while checks are missing;
    once every check is recorded and visual, power-on and recall check passed (insulation and cleaning
    may not apply) it is available; any failed check sends it to to_dispose."""
    unit = await _locked_unit(session, unit_id)
    _check_step(unit, Action.inspect)
    errors = _Errors()
    _not_after_today(errors, "inspected_on", inspected_on, today)
    if inspected_on < unit.received_date:
        errors.add("inspected_on", Message("%(date)s is before the unit was received.", date=inspected_on))
    for n, check in enumerate(checks):
        if check.check in rules.MUST_PASS and check.result is CheckResult.not_applicable:
            errors.add(
                f"checks.{n}.result",
                Message(
                    "The %(check)s check always applies: pass or fail.", check=Code("appliance_check", check.check)
                ),
            )
    errors.raise_if_any(Message("The checks were not recorded: see errors."))

    for check in checks:
        session.add(
            ApplianceInspection(
                unit_id=unit.id,
                kind=check.check,
                result=check.result,
                note=check.note,
                inspector_id=actor_id,
                inspected_on=inspected_on,
            )
        )
    await session.flush()
    recorded = ", ".join(f"{c.check.value} {c.result.value}" for c in checks)
    _move(session, unit, Action.inspect, actor_id, f"checks recorded: {recorded}")
    outcome = rules.inspection_outcome(await queries.latest_checks(session, unit.id))
    if outcome.action is Action.failed:
        failed = ", ".join(kind.value for kind in outcome.failed)
        _move(session, unit, Action.failed, actor_id, f"failed: {failed}; awaiting disposal")
    elif outcome.action is Action.passed:
        _move(session, unit, Action.passed, actor_id, "every required check passed")
    await record(
        session,
        actor_id=actor_id,
        action="appliance.inspect",
        entity="appliance_unit",
        entity_id=unit.id,
        details={
            "checks": len(checks),
            "failed": [kind.value for kind in outcome.failed],
            "missing": [kind.value for kind in outcome.missing],
            "status": unit.status.value,
        },
    )
    return unit


# --- reservation and release -----------------------------------------------------------------------


async def _locked_referral(session: AsyncSession, referral_id: int) -> Referral:
    referral = await session.get(Referral, referral_id, with_for_update=True, populate_existing=True)
    if referral is None:
        raise ReferralNotFound(Message("There is no referral with id %(id)s.", id=referral_id))
    return referral


def _referral_refusal(
    referral: Referral, household: Household, on: date, asked: ApplianceCategory | None, unit: ApplianceUnit
) -> tuple[str, Message] | None:
    """Why the referral cannot cover this unit for `household` on `on`: (reason code, plain words)."""
    refused = referral_rules.refusal(
        referral, household_id=household.id, household_code=household.code, on=on, purpose="appliance"
    )
    if refused is not None:
        return refused
    if asked is not unit.category:
        return "other_category", Message(
            "it asks for %(asked)s, and %(code)s is %(category)s.",
            asked=Code("appliance_category", asked) if asked is not None else repr(referral.appliance_category),
            code=unit.code,
            category=Code("appliance_category", unit.category),
        )
    return None


async def _check_referral(
    session: AsyncSession, referral: Referral, household: Household, on: date, unit: ApplianceUnit
) -> None:
    asked = rules.category_asked_for(referral.appliance_category, await queries.category_names(session))
    refusal = _referral_refusal(referral, household, on, asked, unit)
    if refusal is not None:
        reason, why = refusal
        raise ApplianceReferralNotUsable(
            Message("Referral %(id)s cannot be used: %(reason)s", id=referral.id, reason=why),
            referral_id=referral.id,
            reason=reason,
            referral_status=referral.status.value,
            valid_from=referral.valid_from.isoformat(),
            valid_until=referral.valid_until.isoformat(),
            handouts_used=referral.handouts_used,
            handouts_allowed=referral.handouts_allowed,
            appliance_category=referral.appliance_category,
        )


async def reserve(
    session: AsyncSession,
    *,
    actor: Principal,
    unit_id: int,
    household_id: int | None,
    referral_id: int | None,
    planned_delivery_date: date,
    installation_needed: bool,
    note: str | None,
    today: date,
) -> ApplianceUnit:
    """Set an available unit aside for a household, optionally through a referral that asks for an
    appliance of the unit's category (accepted, valid on the planned delivery date, for the same
    household, not used up, and covering no other unit yet)."""
    unit = await _locked_unit(session, unit_id)
    _check_step(unit, Action.reserve)
    if planned_delivery_date < today:
        raise InvalidInput(
            Message("The planned delivery date has passed."),
            errors=[
                {"field": "planned_delivery_date", "message": Message("%(date)s is past.", date=planned_delivery_date)}
            ],
        )
    referral = await _locked_referral(session, referral_id) if referral_id is not None else None
    if household_id is None:
        assert referral is not None  # ReservationIn: household_id, referral_id or both
        household_id = referral.household_id
    household = await household_queries.get_visible(session, actor, household_id)
    HouseholdAnonymised.refuse(household)
    if referral is not None:
        await _check_referral(session, referral, household, planned_delivery_date, unit)
        if (other := await queries.covering_reservation(session, referral.id)) is not None:
            raise ApplianceReferralNotUsable(
                Message(
                    "Referral %(id)s cannot be used: %(reason)s",
                    id=referral.id,
                    reason=Message(
                        "it already covers another unit (reservation %(reservation)s).", reservation=other.id
                    ),
                ),
                referral_id=referral.id,
                reason="already_covered",
                reservation_id=other.id,
            )

    reservation = ApplianceReservation(
        unit_id=unit.id,
        household_id=household.id,
        referral_id=referral_id,
        planned_delivery_date=planned_delivery_date,
        installation_needed=installation_needed,
        status=ApplianceReservationStatus.open,
        reserved_by_id=actor.id,
    )
    await add_unique(
        session,
        reservation,
        {
            "uq_appliance_reservation_current_unit": ApplianceStatusConflict(
                Message("Appliance %(code)s was reserved by another request just now.", code=unit.code),
                unit_id=unit.id,
                code=unit.code,
                current_status=ApplianceStatus.reserved.value,
                action=Action.reserve.value,
                allowed_actions=[a.value for a in rules.allowed_actions(ApplianceStatus.reserved)],
            ),
            "uq_appliance_reservation_current_referral": ApplianceReferralNotUsable(
                Message("Referral %(id)s was used for another unit by another request just now.", id=referral_id),
                referral_id=referral_id,
                reason="already_covered",
            ),
        },
    )
    _move(session, unit, Action.reserve, actor.id, note or f"for {household.code}")
    await record(
        session,
        actor_id=actor.id,
        action="appliance.reserve",
        entity="appliance_unit",
        entity_id=unit.id,
        details={
            "reservation_id": reservation.id,
            "household_id": household.id,
            "referral_id": referral_id,
            "installation_needed": installation_needed,
        },
    )
    return unit


async def release(session: AsyncSession, *, actor_id: int, unit_id: int, note: str) -> ApplianceUnit:
    """Give a reserved unit back: it is available again, and the reservation is kept as released."""
    unit = await _locked_unit(session, unit_id)
    _check_step(unit, Action.release)
    reservation = await queries.current_reservation(session, unit.id, for_update=True)
    reservation.status = ApplianceReservationStatus.released
    reservation.released_by_id = actor_id
    reservation.released_at = utcnow()
    _move(session, unit, Action.release, actor_id, note)
    await record(
        session,
        actor_id=actor_id,
        action="appliance.release",
        entity="appliance_unit",
        entity_id=unit.id,
        details={"reservation_id": reservation.id, "referral_id": reservation.referral_id},
    )
    return unit


# --- delivery --------------------------------------------------------------------------------------


async def deliver(
    session: AsyncSession,
    *,
    actor_id: int,
    unit_id: int,
    delivered_on: date,
    delivered_by_id: int | None,
    receipt_number: str | None,
    receipt_signed: bool,
    installed: bool | None,
    note: str | None,
    today: date,
) -> ApplianceUnit:
    """Hand a reserved unit over. Through a referral, the delivery counts as one of its hand-outs
    (it becomes fulfilled at its limit); the referral must still be usable on `delivered_on`."""
    unit = await _locked_unit(session, unit_id)
    _check_step(unit, Action.deliver)
    reservation = await queries.current_reservation(session, unit.id, for_update=True)
    errors = _Errors()
    _not_after_today(errors, "delivered_on", delivered_on, today)
    if delivered_on < unit.received_date:
        errors.add("delivered_on", Message("%(date)s is before the unit was received.", date=delivered_on))
    by = delivered_by_id if delivered_by_id is not None else actor_id
    if delivered_by_id is not None and await session.get(User, delivered_by_id) is None:
        errors.add("delivered_by_id", Message("There is no user with id %(id)s.", id=delivered_by_id))
    errors.raise_if_any(Message("The delivery was not recorded: see errors."))

    household = await session.get(Household, reservation.household_id, with_for_update=True, populate_existing=True)
    if household is None:
        raise HouseholdNotFound(Message("There is no household with id %(id)s.", id=reservation.household_id))
    referral = None
    if reservation.referral_id is not None:
        referral = await _locked_referral(session, reservation.referral_id)
        await _check_referral(session, referral, household, delivered_on, unit)

    delivery = ApplianceDelivery(
        unit_id=unit.id,
        reservation_id=reservation.id,
        delivered_on=delivered_on,
        delivered_by_id=by,
        receipt_number=receipt_number,
        receipt_signed=receipt_signed,
        installed=reservation.installation_needed if installed is None else installed,
        recorded_by_id=actor_id,
    )
    session.add(delivery)
    reservation.status = ApplianceReservationStatus.delivered
    household.last_activity_on = max(household.last_activity_on or delivered_on, delivered_on)
    if referral is not None:
        referral_rules.count_handout(referral)
    _move(session, unit, Action.deliver, actor_id, note or f"to {household.code}")
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="appliance.deliver",
        entity="appliance_unit",
        entity_id=unit.id,
        details={
            "delivery_id": delivery.id,
            "reservation_id": reservation.id,
            "household_id": household.id,
            "referral_id": reservation.referral_id,
            "installed": delivery.installed,
        },
    )
    if referral is not None:
        await record(
            session,
            actor_id=actor_id,
            action="referral.use",
            entity="referral",
            entity_id=referral.id,
            details={
                "appliance_unit_id": unit.id,
                "handouts_used": referral.handouts_used,
                "handouts_allowed": referral.handouts_allowed,
                "fulfilled": referral.status is ReferralStatus.fulfilled,
            },
        )
    return unit


# --- disposal --------------------------------------------------------------------------------------


async def dispose(
    session: AsyncSession,
    *,
    actor_id: int,
    unit_id: int,
    disposed_on: date,
    reason: ApplianceDisposalReason,
    recycling_ticket_number: str | None,
    note: str | None,
    today: date,
) -> ApplianceUnit:
    """Write a unit off. The recycling-law categories (air conditioners, TVs, refrigerators and
    freezers, washing machines and dryers) leave through the recycling-fee route: their recycling
    ticket number (家電リサイクル券) is required."""
    unit = await _locked_unit(session, unit_id)
    _check_step(unit, Action.dispose)
    errors = _Errors()
    _not_after_today(errors, "disposed_on", disposed_on, today)
    if disposed_on < unit.received_date:
        errors.add("disposed_on", Message("%(date)s is before the unit was received.", date=disposed_on))
    if unit.recycling_law and not recycling_ticket_number:
        errors.add(
            "recycling_ticket_number",
            Message(
                "A %(category)s falls under the home appliance recycling law (家電リサイクル法): give the recycling "
                "ticket number (家電リサイクル券).",
                category=Label("appliance_category", unit.category),
            ),
        )
    errors.raise_if_any(Message("The disposal was not recorded: see errors."))
    disposal = ApplianceDisposal(
        unit_id=unit.id,
        recycling_law=unit.recycling_law,
        disposed_on=disposed_on,
        reason=reason,
        recycling_ticket_number=recycling_ticket_number,
        note=note,
        disposed_by_id=actor_id,
    )
    session.add(disposal)
    _move(session, unit, Action.dispose, actor_id, reason.value)
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="appliance.dispose",
        entity="appliance_unit",
        entity_id=unit.id,
        details={
            "disposal_id": disposal.id,
            "category": unit.category.value,
            "reason": reason.value,
            "recycling_ticket": recycling_ticket_number is not None,
        },
    )
    return unit


# --- reads that are audited ------------------------------------------------------------------------


async def waiting_list(
    session: AsyncSession, *, actor: Principal, today: date, category: ApplianceCategory | None = None
) -> list[dict[str, Any]]:
    """The waiting list; reading it is audited like a list of referrals (ids only)."""
    entries = await queries.waiting_list(session, actor, today=today, category=category)
    await record(
        session,
        actor_id=actor.id,
        action="appliance.waiting_list.read",
        entity="referral",
        details={"ids": [e["referral_id"] for e in entries][:100], "entries": len(entries)},
    )
    return entries
