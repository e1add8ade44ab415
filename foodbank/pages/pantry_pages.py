"""Pantry-day pages: the list of days, planning one (venue, date, slots with capacity, parcel templates,
expected walk-ins), the parcel templates (listed, and added with their lines), a day's page (open,
register households, allocate with shortages in words, print the picking and packing lists, start,
close), the check-in screen for the day, and the day's figures.

Every change is a use case of `foodbank.pantry.services`, as the API calls it, inside a savepoint so
that a refused change leaves nothing behind; routes declare the roles of their API counterparts
(plan, allocate, close: coordinators and admins; start, check in, walk-ins: the warehouse too).
The allocation's report is shown on the page that answers the POST: it is not stored anywhere to be
shown after a redirect, and allocating again (a reload) releases and reserves again, as the API does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Annotated, Any

from babel.dates import format_date
from litestar import Response, get, post
from litestar.params import QueryParameter
from litestar.response import Template
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.catalogue.errors import DuplicateCode
from foodbank.config import Settings
from foodbank.households import queries as household_queries
from foodbank.households import services as household_services
from foodbank.households.schemas import HouseholdSearchIn
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.errors import AppError
from foodbank.lib.validation import INTEGER_RANGE, PLANNED_DAY
from foodbank.models import Municipality, PantryEvent, PantryEventStatus, ParcelTemplate, RegistrationStatus, Role
from foodbank.pages.api_forms import page_form
from foodbank.pages.forms import FORM_ERROR, Form, FormSchema, attempt, empty_form, load_form
from foodbank.pages.i18n import N_, label_msgid, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.pages.problems import add_problem, shortage_lines
from foodbank.pantry import queries, rules, services
from foodbank.pantry.controllers import MANAGERS, STAFF
from foodbank.pantry.errors import UnusualDate
from foodbank.pantry.schemas import CheckInIn, SlotCapacityIn, VenueIn, WalkInIn
from foodbank.picking import parcels
from foodbank.stock.errors import InsufficientStock

S = PantryEventStatus
SUMMARY_READERS = (*MANAGERS, Role.reporter)
ACTIVE = (S.planned, S.open, S.allocated, S.in_progress)
PAST_PAGE = 20
"""Past days listed per page (every one of them is reachable, page by page)."""
SLOT_ROWS = 4
"""Slot rows offered when planning a day (more can be added to the day afterwards)."""
LINE_ROWS = 6
"""Line rows offered when adding a parcel template (empty rows are skipped)."""

# --- forms -----------------------------------------------------------------------------------------------

WHOLE_NUMBER: dict[str, Any] = {"invalid": N_("Give a whole number.")}
A_DATE: dict[str, Any] = {"invalid": N_("Write the date as YYYY-MM-DD.")}
A_TIME: dict[str, Any] = {"invalid": N_("Write the time as HH:MM, such as 10:30.")}
CAPACITY = validate.Range(min=1, max=1000, error=N_("Give a capacity from 1 to 1,000 households."))
PEOPLE = validate.Range(min=1, max=50, error=N_("Give a number of people from 1 to 50."))
A_CHOICE: dict[str, Any] = {"invalid": N_("Must be one of the choices.")}
AN_ID = validate.Range(min=1, max=INTEGER_RANGE[1], error=N_("Must be one of the choices."))
"""What a select of records posts: any other number comes from a changed form, and is not a choice."""


class SlotForm(FormSchema):
    start_time = fields.Time(required=True, error_messages={"required": N_("Give the start time."), **A_TIME})
    end_time = fields.Time(required=True, error_messages={"required": N_("Give the end time."), **A_TIME})
    capacity = fields.Integer(
        required=True,
        validate=CAPACITY,
        error_messages={"required": N_("Give how many households the slot takes."), **WHOLE_NUMBER},
    )

    @validates_schema(skip_on_field_errors=False)
    def in_order(self, data: dict[str, Any], **_: Any) -> None:
        if "start_time" in data and "end_time" in data and data["end_time"] <= data["start_time"]:
            raise ValidationError(N_("The end must be after the start."), "end_time")


class PlanForm(FormSchema):
    """What may change before the day (the venue and date are chosen when planning)."""

    expected_walk_in_people = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=10_000, error=N_("Give a number from 0 to 10,000.")),
        error_messages=WHOLE_NUMBER,
    )
    walk_in_household_size = fields.Integer(
        load_default=3,
        validate=validate.Range(min=1, max=20, error=N_("Give a number from 1 to 20.")),
        error_messages=WHOLE_NUMBER,
    )
    note = fields.String(load_default=None, validate=validate.Length(max=2000, error=N_("At most 2,000 characters.")))


class EventForm(PlanForm):
    venue_id = fields.Integer(required=True, error_messages={"required": N_("Choose the venue."), **WHOLE_NUMBER})
    event_date = fields.Date(
        required=True, validate=PLANNED_DAY, error_messages={"required": N_("Give the date."), **A_DATE}
    )


VenueForm = page_form(
    VenueIn,
    name="VenueForm",
    messages={
        "name": {"required": N_("Give the venue's name."), "validate": N_("At most 200 characters.")},
        "address": {"required": N_("Give the address."), "validate": N_("At most 500 characters.")},
        "municipality": {"required": N_("Choose the municipality."), "unknown": N_("Must be one of the choices.")},
    },
)


class TemplateForm(FormSchema):
    name = fields.String(
        required=True,
        validate=validate.Length(max=200, error=N_("At most 200 characters.")),
        error_messages={"required": N_("Give the template's name.")},
    )
    min_people = fields.Integer(
        required=True,
        validate=PEOPLE,
        error_messages={"required": N_("Give the smallest household size."), **WHOLE_NUMBER},
    )
    max_people = fields.Integer(
        required=True,
        validate=PEOPLE,
        error_messages={"required": N_("Give the largest household size."), **WHOLE_NUMBER},
    )
    ready_to_eat_only = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, validate=validate.Length(max=1000, error=N_("At most 1,000 characters.")))

    @validates_schema(skip_on_field_errors=False)
    def band_in_order(self, data: dict[str, Any], **_: Any) -> None:
        if "min_people" in data and "max_people" in data and data["max_people"] < data["min_people"]:
            raise ValidationError(N_("The largest size must be at least the smallest."), "max_people")


class TemplateLineForm(FormSchema):
    """One line of a template: an item, or any item of a category, and how many units."""

    item_id = fields.Integer(validate=AN_ID, error_messages=A_CHOICE)
    category_id = fields.Integer(validate=AN_ID, error_messages=A_CHOICE)
    quantity = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=1000, error=N_("Give a quantity from 1 to 1,000.")),
        error_messages={"required": N_("Give the quantity."), "invalid": N_("Give the quantity as a whole number.")},
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def item_or_category(self, _data: dict[str, Any], original: dict[str, Any], **_: Any) -> None:
        # What was chosen, even if it did not load: a bad id is said once, on its own field.
        if "item_id" in original and "category_id" in original:
            raise ValidationError(N_("Choose an item or a category, not both."), "category_id")
        if "item_id" not in original and "category_id" not in original:
            raise ValidationError(N_("Choose an item or a category."), "item_id")


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


PEOPLE_WORDS = {"validate": N_("Give a number of people from 1 to 50."), **WHOLE_NUMBER}


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


def _may_manage(ui: Ui) -> bool:
    return ui.principal is not None and ui.principal.has(*MANAGERS)


def _template_options(ui: Ui, templates: Sequence[ParcelTemplate]) -> list[dict[str, Any]]:
    usable_together = set(parcels.without_overlaps(sorted(templates, key=lambda t: t.id)))  # the oldest win
    return [
        {
            "id": t.id,
            "name": t.name,
            "band": ui._("%(low)s–%(high)s people", low=t.min_people, high=t.max_people),
            "ready_to_eat_only": t.ready_to_eat_only,
            "ticked_at_first": t.id in usable_together,
            "retired": t.retired_at is not None,
        }
        for t in templates
    ]


def _chosen_templates(form: Form) -> list[int]:
    return sorted(
        int(key.removeprefix("template-"))
        for key in form.values
        if key.startswith("template-") and key.removeprefix("template-").isdigit()
    )


# --- the list of days ------------------------------------------------------------------------------------


@get(
    "/coordinator/pantry",
    opt=page(**allow(*STAFF), nav=Nav("coordinator", N_("Pantry days"), 10)),
    include_in_schema=False,
)
async def pantry_days(
    ui: Ui, db_session: AsyncSession, past_page: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1
) -> Template:
    """Every day: from today on, soonest first; past days not closed (to close or cancel) apart; and the
    past, latest first, PAST_PAGE at a time."""
    on = today()
    past, total = await queries.days_before(db_session, on, limit=PAST_PAGE, offset=(past_page - 1) * PAST_PAGE)
    unfinished = [
        e for e in await queries.events(db_session, until=on - timedelta(days=1), limit=500) if e.status in ACTIVE
    ]
    return ui.render(
        "coordinator/pantry_days.html",
        coming=await queries.days_from(db_session, on),
        unfinished=unfinished,
        past=past,
        past_page=past_page,
        past_pages=max(1, -(-total // PAST_PAGE)),
        past_total=total,
        today=on,
        may_manage=_may_manage(ui),
    )


# --- planning ------------------------------------------------------------------------------------------


async def _new_page(
    ui: Ui,
    session: AsyncSession,
    form: Form,
    *,
    venue_form: Form | None = None,
    ask_date: rules.DateCheck | None = None,
    status_code: int = 200,
) -> Template:
    indexes = form.row_indexes("slots")
    return ui.render(
        "coordinator/pantry_new.html",
        form=form,
        slot_rows=sorted(set(indexes) | set(range(max(SLOT_ROWS, len(indexes))))),
        venue_options=[(v.id, v.name) for v in await queries.venues(session)],
        templates=_template_options(ui, await queries.templates(session)),
        chosen_templates=set(_chosen_templates(form)),
        venue_form=venue_form or empty_form(ui),
        municipalities=[(m.value, ui._(label_msgid("municipality", m))) for m in Municipality],
        ask_date=ask_date,
        status_code=status_code,
    )


@get("/coordinator/pantry/new", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def new_day(ui: Ui, db_session: AsyncSession, venue_id: int | None = None) -> Template:
    initial: dict[str, Any] = {
        "venue_id": venue_id,
        "event_date": (today() + timedelta(days=14)).isoformat(),
        "expected_walk_in_people": 0,
        "walk_in_household_size": 3,
        "slots-0-start_time": "10:00",
        "slots-0-end_time": "11:00",
        "slots-0-capacity": 20,
    }
    templates = _template_options(ui, await queries.templates(db_session))
    initial.update({f"template-{t['id']}": "on" for t in templates if t["ticked_at_first"]})
    return await _new_page(ui, db_session, empty_form(ui, initial))


@post("/coordinator/pantry", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def plan_day(ui: Ui, principal: Principal, db_session: AsyncSession) -> Response[Any]:
    form = await load_form(ui, EventForm)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    slots = form.rows("slots", SlotForm)
    if not slots and not any(name.startswith("slots-") for name in form.errors):
        form.add_error("slots-0-start_time", ui._("Add at least one time slot."))
    if not form.ok:
        return await _new_page(ui, db_session, form, status_code=form.status)
    form.data["template_ids"] = tuple(_chosen_templates(form))  # a refusal of the templates is said at them
    plan = services.NewEvent(
        **form.data,
        slots=tuple(services.Slot(**{k: v for k, v in slot.items() if k != "_index"}) for slot in slots),
    )
    names = {
        f"slots.{n}.{name}": f"slots-{slot['_index']}-{name}"
        for n, slot in enumerate(slots)
        for name in ("start_time", "end_time", "capacity")
    }
    confirm = _confirmed_date(form, plan.event_date)
    try:
        created = await attempt(
            form,
            db_session,
            lambda: services.create_event(db_session, actor_id=principal.id, plan=plan, today=today(), confirm=confirm),
            field_names=names,
            reraise=(UnusualDate,),
        )
    except UnusualDate:  # asked once, at the date: planning it anyway is one tick
        check = rules.check_planned_date(plan.event_date, today())
        for sentence in date_warnings(ui, check):
            form.add_error("event_date", sentence)
        form.refused_status = 409
        return await _new_page(ui, db_session, form, ask_date=check, status_code=409)
    if created is None:
        return await _new_page(ui, db_session, form, status_code=form.status)
    message = ui._("Pantry day planned. Open registrations when households may book.")
    return await form.remember(db_session, ui.redirect(f"/coordinator/pantry/{created.id}", flash=message))


def _confirmed_date(form: Form, event_date: date) -> bool:
    """The page asked about this very date and the box was ticked (a changed date is asked about again)."""
    return form.values.get("confirm_date") == event_date.isoformat()


def date_warnings(ui: Ui, check: rules.DateCheck) -> list[str]:
    """What is odd about a pantry day's date, in words (`rules`)."""
    day, days = format_date(check.event_date, format="medium", locale=ui.lang), abs(check.days_from_today)
    words = {
        rules.Oddity.past: ui.tr.ngettext(
            "%(date)s is in the past: %(num)s day ago.", "%(date)s is in the past: %(num)s days ago.", days, date=day
        ),
        rules.Oddity.far_ahead: ui.tr.ngettext(
            "%(date)s is more than three months ahead: in %(num)s day.",
            "%(date)s is more than three months ahead: in %(num)s days.",
            days,
            date=day,
        ),
        rules.Oddity.not_today: ui._("This day is planned for %(date)s, not for today.", date=day),
        rules.Oddity.before_the_day: ui.tr.ngettext(
            "This day is planned for %(date)s, %(num)s day from now: it has not taken place yet.",
            "This day is planned for %(date)s, %(num)s days from now: it has not taken place yet.",
            days,
            date=day,
        ),
    }
    return [words[oddity] for oddity in check.oddities]


@post("/coordinator/pantry/venues", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def add_venue(ui: Ui, principal: Principal, db_session: AsyncSession) -> Response[Any]:
    venue_form = await load_form(ui, VenueForm)
    if (replay := await venue_form.replayed(db_session)) is not None:
        return replay
    if venue_form.ok:
        data = venue_form.data
        venue = await attempt(
            venue_form, db_session, lambda: services.create_venue(db_session, actor_id=principal.id, **data)
        )
        if venue is not None:
            message = ui._("Venue %(name)s added.", name=venue.name)
            return await venue_form.remember(
                db_session, ui.redirect(f"/coordinator/pantry/new?venue_id={venue.id}#plan", flash=message)
            )
    initial = empty_form(ui, {"expected_walk_in_people": 0, "walk_in_household_size": 3})
    return await _new_page(ui, db_session, initial, venue_form=venue_form, status_code=venue_form.status)


# --- parcel templates -----------------------------------------------------------------------------------


async def _templates_page(
    ui: Ui,
    session: AsyncSession,
    form: Form | None = None,
    *,
    status_form: Form | None = None,
    status_code: int = 200,
) -> Template:
    form = form or empty_form(ui)
    indexes = form.row_indexes("lines")
    templates = await queries.templates(session, include_retired=True)
    named = {line.item_id for t in templates for line in t.lines if line.item_id is not None}
    choosable = await catalogue_queries.items(session, limit=1000)
    categories = await catalogue_queries.categories(session)
    return ui.render(
        "coordinator/parcel_templates.html",
        templates=[t for t in templates if t.retired_at is None],
        retired=sorted((t for t in templates if t.retired_at is not None), key=lambda t: t.name),
        status_form=status_form or empty_form(ui),
        items={i.id: i for i in [*await catalogue_queries.items_by_ids_or_barcodes(session, named, set()), *choosable]},
        categories={c.id: c for c in categories},
        item_options=[(i.id, local_name(i, ui.lang)) for i in choosable],
        category_options=[(c.id, local_name(c, ui.lang)) for c in categories],
        line_rows=sorted(set(indexes) | set(range(max(LINE_ROWS, len(indexes))))),
        form=form,
        status_code=status_code,
    )


@get("/coordinator/pantry/templates", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def parcel_templates(ui: Ui, db_session: AsyncSession) -> Template:
    return await _templates_page(ui, db_session)


@post("/coordinator/pantry/templates", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def add_template(ui: Ui, principal: Principal, db_session: AsyncSession) -> Response[Any]:
    form = await load_form(ui, TemplateForm)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    lines = form.rows("lines", TemplateLineForm)
    if not lines and not any(name.startswith("lines-") for name in form.errors):
        form.add_error("lines-0-item_id", ui._("Add at least one line: an item or a category, and its quantity."))
    if not form.ok:
        return await _templates_page(ui, db_session, form, status_code=form.status)
    names = {
        f"lines.{n}.{name}": f"lines-{line['_index']}-{name}"
        for n, line in enumerate(lines)
        for name in ("item_id", "category_id")
    }
    data = form.data
    try:
        created = await attempt(
            form,
            db_session,
            lambda: services.create_template(
                db_session,
                actor_id=principal.id,
                **data,
                lines=[{k: v for k, v in line.items() if k != "_index"} for line in lines],
            ),
            field_names=names,
            reraise=(DuplicateCode,),
        )
    except DuplicateCode:  # the service says it of the whole template; it is about the name
        form.add_error("name", ui._("Another parcel template has this name: choose another name."))
        form.refused_status = 409
    if not form.ok or created is None:
        return await _templates_page(ui, db_session, form, status_code=form.status)
    message = ui._("Parcel template %(name)s added.", name=created.name)
    return await form.remember(db_session, ui.redirect("/coordinator/pantry/templates", flash=message))


async def _change_template(
    ui: Ui, principal: Principal, session: AsyncSession, template_id: int, *, retire: bool
) -> Response[Any]:
    change = services.retire_template if retire else services.restore_template
    form = empty_form(ui)
    try:
        async with session.begin_nested():
            template = await change(session, actor_id=principal.id, template_id=template_id)
    except AppError as error:
        add_problem(form, error)
        return await _templates_page(ui, session, status_form=form, status_code=error.status)
    if retire:
        message = ui._("Parcel template %(name)s is retired: new pantry days no longer offer it.", name=template.name)
        return ui.redirect("/coordinator/pantry/templates#retired", flash=message)
    message = ui._("Parcel template %(name)s can be used again.", name=template.name)
    return ui.redirect(f"/coordinator/pantry/templates#template-{template_id}", flash=message)


@post("/coordinator/pantry/templates/{template_id:int}/retire", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def retire_template(ui: Ui, principal: Principal, db_session: AsyncSession, template_id: int) -> Response[Any]:
    return await _change_template(ui, principal, db_session, template_id, retire=True)


@post("/coordinator/pantry/templates/{template_id:int}/restore", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def restore_template(ui: Ui, principal: Principal, db_session: AsyncSession, template_id: int) -> Response[Any]:
    return await _change_template(ui, principal, db_session, template_id, retire=False)


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
    try:
        async with session.begin_nested():
            await services.change_status(
                session, actor_id=principal.id, event_id=event_id, action=action, today=today()
            )
    except AppError as error:
        add_problem(form, error)
        return await _event_page(ui, session, event_id, forms={"status": form}, status_code=error.status)
    return ui.redirect(f"/coordinator/pantry/{event_id}", flash=ui._(STATUS_MESSAGES[action]))


@post("/coordinator/pantry/{event_id:int}/plan", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def change_plan(ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int) -> Response[Any]:
    form = await load_form(ui, PlanForm)
    if form.ok:
        form.data["template_ids"] = _chosen_templates(form)  # a refusal of the templates is said at them
        changes = services.EventChanges.of(**form.data)
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
    form = await load_form(ui, SlotForm)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    if form.ok:
        slot = services.Slot(**form.data)
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
    status = form.status
    if form.ok:
        try:
            async with db_session.begin_nested():
                await services.set_slot_capacity(
                    db_session,
                    actor_id=principal.id,
                    event_id=event_id,
                    slot_id=slot_id,
                    capacity=form.data["capacity"],
                )
        except AppError as error:
            add_problem(form, error)
            status = error.status
        else:
            return ui.redirect(f"/coordinator/pantry/{event_id}#slots", flash=ui._("Capacity changed."))
    return await _event_page(ui, db_session, event_id, capacity_forms={slot_id: form}, status_code=status)


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
    try:
        async with db_session.begin_nested():
            cancelled = await services.cancel_registration(
                db_session, actor=principal, event_id=event_id, registration_id=registration_id
            )
    except AppError as error:
        add_problem(form, error)
        return await _event_page(ui, db_session, event_id, forms={"status": form}, status_code=error.status)
    code = (await queries.registration(db_session, cancelled.id))["household_code"]
    message = ui._("The registration of %(code)s is cancelled; its place and its stock are free again.", code=code)
    return ui.redirect(f"/coordinator/pantry/{event_id}#registrations", flash=message)


# --- allocation ------------------------------------------------------------------------------------------


@post("/coordinator/pantry/{event_id:int}/allocate", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def allocate(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, event_id: int
) -> Response[Any]:
    form = await load_form(ui, AllocateForm)
    try:
        async with db_session.begin_nested():
            result = await services.allocate(
                db_session,
                actor_id=principal.id,
                event_id=event_id,
                allow_partial=not form.data.get("all_or_nothing", False),
                settings=settings.stock,
            )
    except InsufficientStock as error:
        form.add_error(FORM_ERROR, ui._("Nothing was allocated: some stock is short (see below)."))
        lines = await _shortage_lines(ui, db_session, error.extra.get("shortages") or [])
        return await _event_page(
            ui, db_session, event_id, forms={"allocate": form}, shortages=lines, status_code=error.status
        )
    except AppError as error:
        add_problem(form, error)
        return await _event_page(ui, db_session, event_id, forms={"allocate": form}, status_code=error.status)
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
    status = form.status
    if form.ok:
        try:
            async with db_session.begin_nested():
                done = await services.check_in(
                    db_session,
                    actor=principal,
                    event_id=event_id,
                    registration_id=registration_id,
                    people=form.data["people"],
                    settings=settings.stock,
                )
        except AppError as error:
            add_problem(form, error)
            status = error.status
        else:
            shown = await queries.registration(db_session, registration_id)
            message = ui._(
                "%(code)s checked in: %(people)s people, %(units)s units handed out.",
                code=shown["household_code"],
                people=done.people,
                units=done.units,
            )
            return ui.redirect(f"/coordinator/pantry/{event_id}/check-in#slot-{shown['slot_id']}", flash=message)
    return await _check_in_page(ui, db_session, event_id, check_in_forms={registration_id: form}, status_code=status)


@post(
    "/coordinator/pantry/{event_id:int}/registrations/{registration_id:int}/no-show",
    opt=page(**allow(*STAFF)),
    include_in_schema=False,
)
async def no_show(
    ui: Ui, principal: Principal, db_session: AsyncSession, event_id: int, registration_id: int
) -> Response[Any]:
    form = empty_form(ui)
    try:
        async with db_session.begin_nested():
            await services.mark_no_show(db_session, actor=principal, event_id=event_id, registration_id=registration_id)
    except AppError as error:
        add_problem(form, error)
        return await _check_in_page(
            ui, db_session, event_id, check_in_forms={registration_id: form}, status_code=error.status
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
    pantry_days,
    new_day,
    plan_day,
    add_venue,
    parcel_templates,
    add_template,
    retire_template,
    restore_template,
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
