"""Pantry-day pages, one day: its page (open, change the plan and slots, register households, allocate
with shortages in words, print the picking and packing lists, cancel, close), the check-in screen (start,
search, check in, no-show, walk-ins) and the day's figures. The forms are in `pantry_planning.py`.

Every change is a use case of `foodbank.pantry.services`, as the API calls it, inside a savepoint
(`attempt`) so that a refused change leaves nothing behind; routes declare the roles of their API
counterparts (plan, allocate, close: coordinators and admins; start, check in, walk-ins: the warehouse too).
The allocation's report is shown on the page that answers the POST: it is not stored anywhere to be
shown after a redirect, and allocating again (a reload) releases and reserves again, as the API does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from litestar import Response, get, post
from litestar.response import Template
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.config import Settings
from foodbank.households import queries as household_queries
from foodbank.households import services as household_services
from foodbank.households.schemas import HouseholdSearchIn
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.models import PantryEvent, RegistrationStatus
from foodbank.pages.api_forms import load_command, page_form
from foodbank.pages.forms import FORM_ERROR, Form, FormSchema, attempt, empty_form, load_form
from foodbank.pages.i18n import N_
from foodbank.pages.layout import Ui, page
from foodbank.pages.pantry_planning import (
    A_CHOICE,
    AN_ID,
    PEOPLE,
    PEOPLE_WORDS,
    SUMMARY_READERS,
    WHOLE_NUMBER,
    PlanForm,
    S,
    SlotForm,
    _chosen_templates,
    _confirmed_date,
    _may_manage,
    _template_options,
    date_warnings,
)
from foodbank.pages.problems import shortage_lines
from foodbank.pantry import queries, rules, services
from foodbank.pantry.controllers import MANAGERS, STAFF
from foodbank.pantry.errors import UnusualDate
from foodbank.pantry.schemas import CheckInIn, SlotCapacityIn, WalkInIn
from foodbank.stock.errors import InsufficientStock

# --- forms -----------------------------------------------------------------------------------------------

CapacityForm = page_form(
    SlotCapacityIn,
    name="CapacityForm",
    messages={
        "capacity": {
            "required": N_("Give the capacity."),
            "validate": N_("Give a capacity from 1 to 1,000 households."),
            **WHOLE_NUMBER,
        }
    },
)


# The page's own forms, where the API has no counterpart:
# - booking on the page is also a search (what was typed may be a code part, a name, kana or a phone),
#   which the API's RegistrationIn (a household_id, required) does not do;
# - the allocation's box is "all or nothing" (an unticked box posts nothing), the inverse of the
#   API's allow_partial;
# - confirming a cancellation is a tick the API does not ask for.


class RegistrationForm(FormSchema):
    """Who to book: `household` is what was typed (any part of a code, or a name, kana or phone for those
    who may read identity), `household_id` the household chosen among those it found."""

    household = fields.String(
        validate=validate.Length(max=100, error=N_("At most 100 characters.")),
    )
    household_id = fields.Integer(load_default=None, validate=AN_ID, error_messages=A_CHOICE)
    slot_id = fields.Integer(load_default=None, validate=AN_ID, error_messages=A_CHOICE)
    """Needed to book, not to search: the handler asks for it once the household is known."""
    people = fields.Integer(load_default=None, validate=PEOPLE, error_messages=WHOLE_NUMBER)
    referral_id = fields.Integer(load_default=None, error_messages=WHOLE_NUMBER)

    @validates_schema(skip_on_field_errors=False)
    def someone(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("household") and data.get("household_id") is None:
            raise ValidationError(N_("Type the household's code, or its name, kana or phone number."), "household")


class AllocateForm(FormSchema):
    all_or_nothing = fields.Boolean(load_default=False)


class ConfirmForm(FormSchema):
    confirm = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=N_("Tick the box to confirm.")),
        error_messages={"required": N_("Tick the box to confirm.")},
    )


CheckInForm = page_form(
    CheckInIn,
    name="CheckInForm",
    messages={"people": PEOPLE_WORDS},
)


# `POST …/walk-ins`: an empty number of parcels is one (the field is left empty, so that typing a
# number gives that number).
WalkInForm = page_form(
    WalkInIn,
    name="WalkInForm",
    messages={
        "people": {"required": N_("Count the people."), **PEOPLE_WORDS},
        "parcels": {"validate": N_("Give a number of parcels from 1 to 10."), **WHOLE_NUMBER},
    },
)


# --- one day ---------------------------------------------------------------------------------------------


async def _event(session: AsyncSession, event_id: int) -> PantryEvent:
    event = await queries.event(session, event_id)
    await session.refresh(event)  # after a refused change, nothing is left expired for the template
    return event


def _by_slot(event: PantryEvent, registrations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for registration in registrations:
        grouped[registration["slot_id"]].append(registration)
    return [{"slot": slot, "registrations": grouped.get(slot.id, [])} for slot in event.slots]


async def _event_page(
    ui: Ui,
    session: AsyncSession,
    event_id: int,
    *,
    forms: dict[str, Form] | None = None,
    capacity_forms: dict[int, Form] | None = None,
    allocation: services.Allocated | None = None,
    shortages: list[str] | None = None,
    candidates: list[household_queries.Found] | None = None,
    status_code: int = 200,
) -> Template:
    event = await _event(session, event_id)
    forms = forms or {}
    registrations = await queries.registrations(session, event_id)
    every_template = await queries.templates(session, include_retired=True)
    # retired templates stay offered to the days that already use them (and keep their names)
    templates = _template_options(ui, [t for t in every_template if t.retired_at is None or t.id in event.template_ids])
    codes = {r["id"]: r["household_code"] for r in registrations}
    plan_initial: dict[str, Any] = {
        "expected_walk_in_people": event.expected_walk_in_people,
        "walk_in_household_size": event.walk_in_household_size,
        "note": event.note,
        **{f"template-{t}": "on" for t in event.template_ids},
    }
    plan_form = forms.get("plan") or empty_form(ui, plan_initial)
    return ui.render(
        "coordinator/pantry_day.html",
        event=event,
        slots=_by_slot(event, [r for r in registrations if r["status"] is not RegistrationStatus.cancelled]),
        cancelled=[r for r in registrations if r["status"] is RegistrationStatus.cancelled],
        counts=_counts(registrations),
        may_manage=_may_manage(ui),
        templates=templates,
        template_names={t.id: t.name for t in every_template},
        chosen_templates=set(_chosen_templates(plan_form)),
        plan_form=plan_form,
        registration_form=forms.get("registration") or empty_form(ui),
        slot_form=forms.get("slot") or empty_form(ui),
        capacity_forms={
            slot.id: (capacity_forms or {}).get(slot.id) or empty_form(ui, {"capacity": slot.capacity})
            for slot in event.slots
        },
        cancel_form=forms.get("cancel") or empty_form(ui),
        status_form=forms.get("status") or empty_form(ui),
        allocate_form=forms.get("allocate") or empty_form(ui),
        close_form=forms.get("close") or empty_form(ui),
        slot_options=[
            (
                s.id,
                ui._(
                    "%(start)s–%(end)s (%(left)s places left)",
                    start=s.start_time.strftime("%H:%M"),
                    end=s.end_time.strftime("%H:%M"),
                    left=s.places_left,
                ),
            )
            for s in event.slots
        ],
        allocation=allocation,
        candidates=candidates,
        **_day_checks(ui, event),
        without_parcel=[codes.get(r, str(r)) for r in (allocation.without_parcel if allocation else [])],
        shortages=shortages or [],
        status_code=status_code,
    )


def _counts(registrations: list[dict[str, Any]]) -> dict[str, int]:
    counts = {status.value: 0 for status in RegistrationStatus}
    for registration in registrations:
        counts[registration["status"].value] += 1
    counts["people"] = sum(r["people"] for r in registrations if r["status"] is not RegistrationStatus.cancelled)
    return counts


@get("/coordinator/pantry/{event_id:int}", opt=page(**allow(*STAFF)), include_in_schema=False)
async def pantry_day(ui: Ui, db_session: AsyncSession, event_id: int) -> Template:
    return await _event_page(ui, db_session, event_id)


STATUS_MESSAGES = {
    "open": N_("Registrations are open: households can now be registered."),
    "cancel": N_("The pantry day is cancelled; its registrations are cancelled and its stock released."),
}


@post("/coordinator/pantry/{event_id:int}/open", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def open_day(ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int) -> Response[Any]:
    return await _change_status(ui, principal, db_session, event_id, "open")


@post("/coordinator/pantry/{event_id:int}/cancel", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def cancel_day(ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int) -> Response[Any]:
    form = await load_form(ui, ConfirmForm)
    if not form.ok:
        return await _event_page(ui, db_session, event_id, forms={"cancel": form}, status_code=form.status)
    return await _change_status(ui, principal, db_session, event_id, "cancel")


async def _change_status(
    ui: Ui, principal: Principal, session: AsyncSession, event_id: int, action: str
) -> Response[Any]:
    form = empty_form(ui)
    await attempt(
        form,
        session,
        lambda: services.change_status(session, actor_id=principal.id, event_id=event_id, action=action, today=today()),
    )
    if not form.ok:
        return await _event_page(ui, session, event_id, forms={"status": form}, status_code=form.status)
    return ui.redirect(f"/coordinator/pantry/{event_id}", flash=ui._(STATUS_MESSAGES[action]))


@post("/coordinator/pantry/{event_id:int}/plan", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def change_plan(ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    # an emptied note is cleared; the templates are the boxes ticked
    extra = {"template_ids": _chosen_templates(form), "note": form.values.get("note") or None}
    changes: services.EventChanges | None = load_command(form, PlanForm, extra)
    if changes is not None:
        form.data = extra  # so that a refused template is said at the boxes
        await attempt(
            form,
            db_session,
            lambda: services.update_event(
                db_session, actor_id=principal.id, event_id=event_id, changes=changes, today=today()
            ),
        )
        if form.ok:
            message = ui._("The plan is saved.")
            event = await _event(db_session, event_id)
            if event.status is S.allocated:
                message += " " + ui._("Allocate again for the changes to reach the parcels.")
            return ui.redirect(f"/coordinator/pantry/{event_id}#plan", flash=message)
    return await _event_page(ui, db_session, event_id, forms={"plan": form}, status_code=form.status)


@post("/coordinator/pantry/{event_id:int}/slots", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def add_slot(ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    slot: services.Slot | None = load_command(form, SlotForm)
    if slot is not None:
        await attempt(
            form,
            db_session,
            lambda: services.add_slot(db_session, actor_id=principal.id, event_id=event_id, slot=slot),
            field_names={"slots.0.start_time": "start_time"},
        )
        if form.ok:
            redirect = ui.redirect(f"/coordinator/pantry/{event_id}#slots", flash=ui._("Time slot added."))
            return await form.remember(db_session, redirect)
    return await _event_page(ui, db_session, event_id, forms={"slot": form}, status_code=form.status)


@post("/coordinator/pantry/{event_id:int}/slots/{slot_id:int}", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def change_capacity(
    ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int, slot_id: int
) -> Response[Any]:
    form = await load_form(ui, CapacityForm)
    if form.ok:
        capacity = form.data["capacity"]
        await attempt(
            form,
            db_session,
            lambda: services.set_slot_capacity(
                db_session, actor_id=principal.id, event_id=event_id, slot_id=slot_id, capacity=capacity
            ),
        )
        if form.ok:
            return ui.redirect(f"/coordinator/pantry/{event_id}#slots", flash=ui._("Capacity changed."))
    return await _event_page(ui, db_session, event_id, capacity_forms={slot_id: form}, status_code=form.status)


# --- registrations -----------------------------------------------------------------------------------------


@post("/coordinator/pantry/{event_id:int}/registrations", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def register(ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int) -> Response[Any]:
    """Book the household chosen, or the one that the typed code part names alone; otherwise search
    (by name, kana or phone too, audited) and show what was found to choose from."""
    form = await load_form(ui, RegistrationForm)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    if not form.ok:
        return await _event_page(ui, db_session, event_id, forms={"registration": form}, status_code=form.status)
    household_id = form.data["household_id"]
    if form.values.get("action") == "search":  # "search again" with what is typed now
        household_id = None
    if household_id is None:
        term = form.data["household"]
        by_code = await household_queries.list_visible(db_session, principal, code=term, limit=2)
        if len(by_code) == 1:
            household_id = by_code[0].id
        else:
            if not term:
                form.add_error("household", ui._("Type the household's code, or its name, kana or phone number."))
                return await _event_page(ui, db_session, event_id, forms={"registration": form}, status_code=422)
            found = await household_services.search(db_session, actor=principal, term=term, limit=20)
            if not found:
                form.add_error("household", ui._("No household matches what was typed."))
            return await _event_page(
                ui, db_session, event_id, forms={"registration": form}, candidates=found, status_code=form.status
            )
    data = form.data
    if data["slot_id"] is None:  # the household is known; the slot is not: show the choice again
        form.add_error("slot_id", ui._("Choose the time slot."))
        form.values["household_id"] = str(household_id)
        again = None
        if data["household"]:
            again = await household_services.search(db_session, actor=principal, term=data["household"], limit=20)
        return await _event_page(
            ui, db_session, event_id, forms={"registration": form}, candidates=again, status_code=form.status
        )
    booked = await attempt(
        form,
        db_session,
        lambda: services.book(
            db_session,
            actor=principal,
            event_id=event_id,
            slot_id=data["slot_id"],
            household_id=household_id,
            people=data["people"],
            referral_id=data["referral_id"],
        ),
        field_names={"household_id": "household"},
    )
    if booked is None:
        return await _event_page(ui, db_session, event_id, forms={"registration": form}, status_code=form.status)
    code = (await queries.registration(db_session, booked.id))["household_code"]
    message = ui._("%(code)s is registered.", code=code)
    return await form.remember(db_session, ui.redirect(f"/coordinator/pantry/{event_id}#registrations", flash=message))


@post(
    "/coordinator/pantry/{event_id:int}/registrations/{registration_id:int}/cancel",
    opt=page(**allow(*MANAGERS)),
    include_in_schema=False,
)
async def cancel_registration(
    ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int, registration_id: int
) -> Response[Any]:
    form = empty_form(ui)
    cancelled = await attempt(
        form,
        db_session,
        lambda: services.cancel_registration(
            db_session, actor=principal, event_id=event_id, registration_id=registration_id
        ),
    )
    if cancelled is None:
        return await _event_page(ui, db_session, event_id, forms={"status": form}, status_code=form.status)
    code = (await queries.registration(db_session, cancelled.id))["household_code"]
    message = ui._("The registration of %(code)s is cancelled; its place and its stock are free again.", code=code)
    return ui.redirect(f"/coordinator/pantry/{event_id}#registrations", flash=message)


# --- allocation ------------------------------------------------------------------------------------------


@post("/coordinator/pantry/{event_id:int}/allocate", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def allocate(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, event_id: int
) -> Response[Any]:
    form = await load_form(ui, AllocateForm)
    allow_partial = not form.data.get("all_or_nothing", False)
    try:
        result = await attempt(
            form,
            db_session,
            lambda: services.allocate(
                db_session,
                actor_id=principal.id,
                event_id=event_id,
                allow_partial=allow_partial,
                settings=settings.stock,
            ),
            reraise=(InsufficientStock,),
        )
    except InsufficientStock as error:  # the shortages are listed below the form, in words
        form.add_error(FORM_ERROR, ui._("Nothing was allocated: some stock is short (see below)."))
        lines = await _shortage_lines(ui, db_session, error.extra.get("shortages") or [])
        return await _event_page(
            ui, db_session, event_id, forms={"allocate": form}, shortages=lines, status_code=error.status
        )
    if result is None:
        return await _event_page(ui, db_session, event_id, forms={"allocate": form}, status_code=form.status)
    return await _event_page(
        ui, db_session, event_id, allocation=result, shortages=await _shortage_lines(ui, db_session, result.shortages)
    )


async def _shortage_lines(ui: Ui, session: AsyncSession, shortages: Sequence[Mapping[str, Any]]) -> list[str]:
    names = await catalogue_queries.allergen_names(session, lang=ui.lang, on=today())
    return shortage_lines(ui, shortages, allergen_names=names)


@get("/coordinator/pantry/{event_id:int}/allocate", opt=page(**allow(*STAFF)), include_in_schema=False)
async def after_allocation(ui: Ui, event_id: int) -> Response[Any]:
    """The address the allocation report was shown at, opened again (a bookmark, a reload): the day's page."""
    return ui.redirect(f"/coordinator/pantry/{event_id}")


# --- the day ---------------------------------------------------------------------------------------------


@post("/coordinator/pantry/{event_id:int}/start", opt=page(**allow(*STAFF)), include_in_schema=False)
async def start_day(ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    event = await _event(db_session, event_id)
    confirm = _confirmed_date(form, event.event_date)
    try:
        started = await attempt(
            form,
            db_session,
            lambda: services.change_status(
                db_session, actor_id=principal.id, event_id=event_id, action="start", today=today(), confirm=confirm
            ),
            reraise=(UnusualDate,),
        )
    except UnusualDate:
        _refused_date(ui, form, rules.check_start(event.event_date, today()))
        started = None
    if started is None or not form.ok:
        return await _check_in_page(ui, db_session, event_id, forms={"start": form}, status_code=form.status)
    message = ui._("The day has started: check households in as they arrive.")
    return ui.redirect(f"/coordinator/pantry/{event_id}/check-in", flash=message)


def _day_checks(ui: Ui, event: PantryEvent) -> dict[str, Any]:
    """What the day's page and check-in screen say before starting or closing on another day (asked at
    the button, with a box to tick; the service refuses without it)."""
    on = today()
    start, close = rules.check_start(event.event_date, on), rules.check_close(event.event_date, on)
    return {
        "start_check": start,
        "start_warnings": date_warnings(ui, start),
        "close_check": close,
        "close_warnings": date_warnings(ui, close),
    }


def _refused_date(ui: Ui, form: Form, check: rules.DateCheck) -> None:
    """The service refused an odd date that was not confirmed (the page says what is odd by the button):
    ask for the tick."""
    if not check:  # the date became ordinary meanwhile (midnight): say the service's reason
        form.add_error(FORM_ERROR, ui._("Tick the box to go ahead all the same."))
    form.add_error("confirm_date", ui._("Tick the box to go ahead all the same."))
    form.refused_status = 409


async def _check_in_page(
    ui: Ui,
    session: AsyncSession,
    event_id: int,
    *,
    forms: dict[str, Form] | None = None,
    check_in_forms: dict[int, Form] | None = None,
    found: list[household_queries.Found] | None = None,
    status_code: int = 200,
) -> Template:
    event = await _event(session, event_id)
    registrations = [
        r for r in await queries.registrations(session, event_id) if r["status"] is not RegistrationStatus.cancelled
    ]
    forms = forms or {}
    shown = registrations
    if found is not None:
        matching = {f.household.id for f in found}
        shown = [r for r in registrations if r["household_id"] in matching]
    return ui.render(
        "coordinator/check_in.html",
        event=event,
        slots=[group for group in _by_slot(event, shown) if found is None or group["registrations"]],
        counts=_counts(registrations),
        figures=await queries.summary(session, event_id),
        check_in_forms=check_in_forms or {},
        blank=empty_form(ui),
        start_form=forms.get("start") or empty_form(ui),
        search_form=forms.get("search") or empty_form(ui),
        searching=found is not None,
        matches=len(shown),
        names={f.household.id: f for f in found or [] if f.shows_identity},
        by_identity=ui.principal is not None and household_queries.may_search_identity(ui.principal),
        walk_in_form=forms.get("walk_in") or empty_form(ui),
        may_manage=_may_manage(ui),
        **_day_checks(ui, event),
        status_code=status_code,
    )


@get("/coordinator/pantry/{event_id:int}/check-in", opt=page(**allow(*STAFF)), include_in_schema=False)
async def check_in_screen(ui: Ui, db_session: AsyncSession, event_id: int) -> Template:
    return await _check_in_page(ui, db_session, event_id)


CheckInSearchForm = page_form(
    HouseholdSearchIn,
    name="CheckInSearchForm",
    messages={
        "q": {
            "required": N_("Type part of the code, or the name, kana or phone number."),
            "validate": N_("At most 100 characters."),
        }
    },
)


@post("/coordinator/pantry/{event_id:int}/check-in/find", opt=page(**allow(*STAFF)), include_in_schema=False)
async def check_in_search(ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int) -> Template:
    """The day's registrations whose household matches (by code; by name, kana or phone for those who may
    read identity, audited), shown on the check-in screen; posted, so that the term is in no URL."""
    form = await load_form(ui, CheckInSearchForm)
    await _event(db_session, event_id)
    if not form.ok:
        return await _check_in_page(ui, db_session, event_id, forms={"search": form}, status_code=form.status)
    day = [r["household_id"] for r in await queries.registrations(db_session, event_id)]
    found = await household_services.search(db_session, actor=principal, term=form.data["q"], among=day)
    return await _check_in_page(ui, db_session, event_id, forms={"search": form}, found=found)


@post(
    "/coordinator/pantry/{event_id:int}/registrations/{registration_id:int}/check-in",
    opt=page(**allow(*STAFF)),
    include_in_schema=False,
)
async def check_in(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, event_id: int, registration_id: int
) -> Response[Any]:
    form = await load_form(ui, CheckInForm)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    if form.ok:
        people = form.data["people"]
        done = await attempt(
            form,
            db_session,
            lambda: services.check_in(
                db_session,
                actor=principal,
                event_id=event_id,
                registration_id=registration_id,
                people=people,
                settings=settings.stock,
            ),
        )
        if done is not None:
            shown = await queries.registration(db_session, registration_id)
            message = ui._(
                "%(code)s checked in: %(people)s people, %(units)s units handed out.",
                code=shown["household_code"],
                people=done.people,
                units=done.units,
            )
            redirect = ui.redirect(f"/coordinator/pantry/{event_id}/check-in#slot-{shown['slot_id']}", flash=message)
            return await form.remember(db_session, redirect)
    return await _check_in_page(
        ui, db_session, event_id, check_in_forms={registration_id: form}, status_code=form.status
    )


@post(
    "/coordinator/pantry/{event_id:int}/registrations/{registration_id:int}/no-show",
    opt=page(**allow(*STAFF)),
    include_in_schema=False,
)
async def no_show(
    ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int, registration_id: int
) -> Response[Any]:
    form = empty_form(ui)
    await attempt(
        form,
        db_session,
        lambda: services.mark_no_show(db_session, actor=principal, event_id=event_id, registration_id=registration_id),
    )
    if not form.ok:
        return await _check_in_page(
            ui, db_session, event_id, check_in_forms={registration_id: form}, status_code=form.status
        )
    shown = await queries.registration(db_session, registration_id)
    message = ui._(
        "%(code)s marked as not come. Its parcel stays until closing, in case it comes late.",
        code=shown["household_code"],
    )
    return ui.redirect(f"/coordinator/pantry/{event_id}/check-in#slot-{shown['slot_id']}", flash=message)


@post("/coordinator/pantry/{event_id:int}/walk-ins", opt=page(**allow(*STAFF)), include_in_schema=False)
async def walk_in(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, event_id: int
) -> Response[Any]:
    form = await load_form(ui, WalkInForm)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    if form.ok:
        data = form.data
        served = await attempt(
            form,
            db_session,
            lambda: services.record_walk_in(
                db_session,
                actor=principal,
                event_id=event_id,
                people=data["people"],
                parcels_wanted=data["parcels"],
                settings=settings.stock,
            ),
        )
        if served is not None:
            message = ui.tr.ngettext(
                "Walk-in served: %(people)s people, %(num)s parcel, %(units)s units.",
                "Walk-in served: %(people)s people, %(num)s parcels, %(units)s units.",
                served.parcels,
                people=served.people,
                units=served.units,
            )
            kind = "ok"
            if served.missing:
                kind = "warning"
                message += " " + ui._("The walk-in stock ran short: part of the parcel was missing.")
            redirect = ui.redirect(f"/coordinator/pantry/{event_id}/check-in#walk-in", flash=message, kind=kind)
            return await form.remember(db_session, redirect)
    return await _check_in_page(ui, db_session, event_id, forms={"walk_in": form}, status_code=form.status)


# --- closing and figures ---------------------------------------------------------------------------------


@post("/coordinator/pantry/{event_id:int}/close", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def close_day(ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int) -> Response[Any]:
    form = await load_form(ui, ConfirmForm)
    if form.ok:
        event = await _event(db_session, event_id)
        confirm = _confirmed_date(form, event.event_date)
        try:
            closed = await attempt(
                form,
                db_session,
                lambda: services.close(
                    db_session, actor_id=principal.id, event_id=event_id, today=today(), confirm=confirm
                ),
                reraise=(UnusualDate,),
            )
        except UnusualDate:
            _refused_date(ui, form, rules.check_close(event.event_date, today()))
            closed = None
        if closed is not None:
            figures = await queries.summary(db_session, event_id)
            message = ui._(
                "The day is closed: %(households)s households and %(people)s people served.",
                households=figures["households_checked_in"],
                people=figures["people_served"],
            )
            return ui.redirect(f"/coordinator/pantry/{event_id}/summary", flash=message)
    return await _event_page(ui, db_session, event_id, forms={"close": form}, status_code=form.status)


@get("/coordinator/pantry/{event_id:int}/summary", opt=page(**allow(*SUMMARY_READERS)), include_in_schema=False)
async def summary(ui: Ui, db_session: AsyncSession, event_id: int) -> Template:
    event = await _event(db_session, event_id)
    figures = await queries.summary(db_session, event_id)
    categories = {c.id: c for c in await catalogue_queries.categories(db_session)}
    return ui.render("coordinator/pantry_summary.html", event=event, figures=figures, categories=categories)


HANDLERS = [
    pantry_day,
    open_day,
    cancel_day,
    change_plan,
    add_slot,
    change_capacity,
    register,
    cancel_registration,
    allocate,
    after_allocation,
    start_day,
    check_in_screen,
    check_in_search,
    check_in,
    no_show,
    walk_in,
    close_day,
    summary,
]
