"""Pantry-day pages, planning: the list of days, planning one (venue, date, slots with capacity, parcel
templates, expected walk-ins) and the parcel templates (listed, added with their lines, retired and
restored). The forms and helpers that a day's page shares (`pantry_day.py`) are here too.

Every change is a use case of `foodbank.pantry.services`, as the API calls it, inside a savepoint
(`attempt`) so that a refused change leaves nothing behind; routes declare the roles of their API
counterparts (plan, allocate, close: coordinators and admins; start, check in, walk-ins: the warehouse too).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated, Any

from babel.dates import format_date
from litestar import Response, get, post
from litestar.params import QueryParameter
from litestar.response import Template
from marshmallow import validate
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.catalogue.errors import DuplicateCode
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.validation import INTEGER_RANGE
from foodbank.models import Municipality, PantryEventStatus, ParcelTemplate, Role
from foodbank.pages.api_forms import load_command, page_form, row_names
from foodbank.pages.forms import Form, FormSchema, attempt, empty_form, load_form
from foodbank.pages.i18n import N_, label_msgid, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.pantry import queries, rules, services
from foodbank.pantry.controllers import MANAGERS, STAFF
from foodbank.pantry.errors import UnusualDate
from foodbank.pantry.schemas import EventIn, EventUpdate, SlotIn, TemplateIn, TemplateLineIn, VenueIn
from foodbank.picking import parcels

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
PEOPLE = validate.Range(min=1, max=50, error=N_("Give a number of people from 1 to 50."))
PEOPLE_WORDS: dict[str, str] = {"validate": N_("Give a number of people from 1 to 50."), **WHOLE_NUMBER}
A_CHOICE: dict[str, Any] = {"invalid": N_("Must be one of the choices.")}
AN_ID = validate.Range(min=1, max=INTEGER_RANGE[1], error=N_("Must be one of the choices."))
"""What a select of records posts: any other number comes from a changed form, and is not a choice."""


SlotForm = page_form(
    SlotIn,
    name="SlotForm",
    messages={
        "start_time": {"required": N_("Give the start time."), **A_TIME},
        "end_time": {"required": N_("Give the end time."), **A_TIME},
        "capacity": {
            "required": N_("Give how many households the slot takes."),
            "validate": N_("Give a capacity from 1 to 1,000 households."),
            **WHOLE_NUMBER,
        },
    },
)
"""A time slot (loads to a `services.Slot`); its end before its start is the API's message."""

WALK_IN_WORDS: dict[str, dict[str, str]] = {
    "expected_walk_in_people": {"validate": N_("Give a number from 0 to 10,000."), **WHOLE_NUMBER},
    "walk_in_household_size": {"validate": N_("Give a number from 1 to 20."), **WHOLE_NUMBER},
    "note": {"validate": N_("At most 2,000 characters.")},
    "template_ids": {"validate": N_("Must be one of the choices.")},
}

PlanForm = page_form(EventUpdate, name="PlanForm", messages=WALK_IN_WORDS)
"""What may change before the day (the venue and date are chosen when planning): an `EventChanges`."""

EventForm = page_form(
    EventIn,
    name="EventForm",
    messages={
        **WALK_IN_WORDS,
        "venue_id": {"required": N_("Choose the venue."), **WHOLE_NUMBER},
        "event_date": {"required": N_("Give the date."), **A_DATE},
        "slots": {"required": N_("Add at least one time slot."), "validate": N_("A day has from 1 to 50 time slots.")},
    },
    nested={"slots": SlotForm},
)
"""A new day, its slots posted as rows `slots-<n>-<field>`: a `NewEvent`."""


VenueForm = page_form(
    VenueIn,
    name="VenueForm",
    messages={
        "name": {"required": N_("Give the venue's name."), "validate": N_("At most 200 characters.")},
        "address": {"required": N_("Give the address."), "validate": N_("At most 500 characters.")},
        "municipality": {"required": N_("Choose the municipality."), "unknown": N_("Must be one of the choices.")},
    },
)


TemplateLineForm = page_form(
    TemplateLineIn,
    name="TemplateLineForm",
    messages={
        "item_id": {**A_CHOICE, "validate": A_CHOICE["invalid"]},
        "category_id": {**A_CHOICE, "validate": A_CHOICE["invalid"]},
        "quantity": {
            "required": N_("Give the quantity."),
            "invalid": N_("Give the quantity as a whole number."),
            "validate": N_("Give a quantity from 1 to 1,000."),
        },
    },
    rewords={
        "Give item_id or category_id.": N_("Choose an item or a category."),
        "Give item_id or category_id, not both.": N_("Choose an item or a category, not both."),
    },
)
"""One line of a template: an item, or any item of a category, and how many units."""

TemplateForm = page_form(
    TemplateIn,
    name="TemplateForm",
    messages={
        "name": {"required": N_("Give the template's name."), "validate": N_("At most 200 characters.")},
        "min_people": {"required": N_("Give the smallest household size."), **PEOPLE_WORDS},
        "max_people": {"required": N_("Give the largest household size."), **PEOPLE_WORDS},
        "note": {"validate": N_("At most 1,000 characters.")},
        "lines": {
            "required": N_("Add at least one line: an item or a category, and its quantity."),
            "validate": N_("A template holds at most 100 lines."),
        },
    },
    nested={"lines": TemplateLineForm},
    rewords={"Must be at least min_people.": N_("The largest size must be at least the smallest.")},
)
"""A parcel template, its lines posted as rows `lines-<n>-<field>`: a `NewTemplate`."""


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
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    plan: services.NewEvent | None = load_command(
        form,
        EventForm,
        {"template_ids": _chosen_templates(form)},
        rows=("slots",),
        renames={"slots": "slots-0-start_time"},
    )
    if plan is None:
        return await _new_page(ui, db_session, form, status_code=form.status)
    form.data = {"template_ids": list(plan.template_ids)}  # so that a refused template is said at the boxes
    confirm = _confirmed_date(form, plan.event_date)
    try:
        created = await attempt(
            form,
            db_session,
            lambda: services.create_event(db_session, actor_id=principal.id, plan=plan, today=today(), confirm=confirm),
            field_names=row_names(form, "slots"),
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
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    template: services.NewTemplate | None = load_command(
        form, TemplateForm, rows=("lines",), renames={"lines": "lines-0-item_id"}
    )
    if template is None:
        return await _templates_page(ui, db_session, form, status_code=form.status)
    try:
        created = await attempt(
            form,
            db_session,
            lambda: services.create_template(db_session, actor_id=principal.id, template=template),
            field_names=row_names(form, "lines"),
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
    template = await attempt(form, session, lambda: change(session, actor_id=principal.id, template_id=template_id))
    if template is None:
        return await _templates_page(ui, session, status_form=form, status_code=form.status)
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


HANDLERS = [
    pantry_days,
    new_day,
    plan_day,
    add_venue,
    parcel_templates,
    add_template,
    retire_template,
    restore_template,
]
