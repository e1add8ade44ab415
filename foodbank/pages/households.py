"""Household pages: the list by code, registering a household, a household's page with its individual
support (allocations, hand-outs, receipts), and its identity on a page of its own.

- Identity (name, phone, address) is typed when a household is registered (the API stores it apart)
  and shown only on `/households/{id}/identity`, which reads through the same audited service as the
  API: opening it is a logged read, a separate, deliberate step. Warehouse volunteers work with codes
  and open none of these pages.
- An allocation for individual support reserves stock FEFO for the household, its allergens and needs
  left out, exactly as `POST /api/households/{id}/allocations`: the parcel template that fits its size,
  or the items chosen. Shortages are said in words. The hand-out of an allocation is
  `distributions.services.hand_out` (frequency rule, referral), and its receipt is the API's PDF.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from litestar import Response, get, post
from litestar.response import Template
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.config import Settings
from foodbank.distributions import queries as distribution_queries
from foodbank.distributions import services as distribution_services
from foodbank.households import queries, services
from foodbank.households.controllers import REGISTRARS
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.errors import AppError
from foodbank.lib.messages import Message
from foodbank.lib.validation import PLANNED_DAY, RECORDED_DAY
from foodbank.models import (
    HandOutChannel,
    Household,
    Municipality,
    Role,
)
from foodbank.pages.forms import FORM_ERROR, Form, FormSchema, empty_form, load_form, load_query
from foodbank.pages.i18n import N_, label_msgid, local_name, translate_message
from foodbank.pages.layout import Nav, Ui, page
from foodbank.pages.problems import add_problem, shortage_lines
from foodbank.referrals import queries as referral_queries
from foodbank.referrals import rules as referral_rules
from foodbank.stock import services as stock
from foodbank.stock.errors import InsufficientStock, ReservationNotFound

MANAGERS = (Role.admin, Role.coordinator)
"""Allocate, hand out and release for a household: as `POST /api/households/{id}/allocations`."""
MEMBER_FIELDS = ("infants", "children", "adults", "seniors")
NEEDS = {
    "no_pork": N_("No pork"),
    "halal": N_("Halal"),
    "vegetarian": N_("Vegetarian"),
    "ready_to_eat_only": N_("No cooking facilities (ready-to-eat food only)"),
}
"""Dietary needs (msgids), in the order shown."""
ITEM_ROWS = 5
"""Empty item rows offered on an allocation form."""

# --- forms -----------------------------------------------------------------------------------------------

MEMBERS = validate.Range(min=0, max=30, error=N_("Give a number from 0 to 30."))
WHOLE_NUMBER: dict[str, Any] = {"invalid": N_("Give a whole number.")}
A_DATE: dict[str, Any] = {"invalid": N_("Write the date as YYYY-MM-DD.")}


class CodeFilterForm(FormSchema):
    code = fields.String(validate=validate.Length(max=20, error=N_("A code has at most 20 characters.")))


class HouseholdForm(FormSchema):
    """The household (identity apart): its municipality, members by age band, needs and notes."""

    municipality = fields.Enum(
        Municipality,
        by_value=True,
        required=True,
        error_messages={"required": N_("Choose the municipality."), "unknown": N_("Must be one of the choices.")},
    )
    infants = fields.Integer(load_default=0, validate=MEMBERS, error_messages=WHOLE_NUMBER)
    children = fields.Integer(load_default=0, validate=MEMBERS, error_messages=WHOLE_NUMBER)
    adults = fields.Integer(load_default=0, validate=MEMBERS, error_messages=WHOLE_NUMBER)
    seniors = fields.Integer(load_default=0, validate=MEMBERS, error_messages=WHOLE_NUMBER)
    no_pork = fields.Boolean(load_default=False)
    halal = fields.Boolean(load_default=False)
    vegetarian = fields.Boolean(load_default=False)
    ready_to_eat_only = fields.Boolean(load_default=False)
    notes = fields.String(load_default=None, validate=validate.Length(max=2000, error=N_("At most 2,000 characters.")))

    @validates_schema(skip_on_field_errors=False)
    def someone(self, data: dict[str, Any], **_: Any) -> None:
        if all(name in data for name in MEMBER_FIELDS) and sum(data[name] for name in MEMBER_FIELDS) < 1:
            raise ValidationError(N_("Count at least one member (infants, children, adults, seniors)."), "adults")


class IdentityForm(FormSchema):
    """Who the household is: stored apart from the household, read only on the identity page."""

    name = fields.String(
        required=True,
        validate=validate.Length(max=200, error=N_("At most 200 characters.")),
        error_messages={"required": N_("Give the name.")},
    )
    name_kana = fields.String(load_default=None, validate=validate.Length(max=200, error=N_("At most 200 characters.")))
    phone = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^[0-9+\-() ]{6,20}$", error=N_("Write the phone number in digits, such as 0475-12-3456.")
        ),
    )
    postal_code = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^\d{3}-?\d{4}$", error=N_("Write the postal code as 283-0802.")),
    )
    address = fields.String(load_default=None, validate=validate.Length(max=500, error=N_("At most 500 characters.")))


class AllocationForm(FormSchema):
    distribution_date = fields.Date(
        required=True,
        validate=PLANNED_DAY,
        error_messages={"required": N_("Give the day of the hand-out."), **A_DATE},
    )
    source = fields.String(
        load_default="template",
        validate=validate.OneOf(["template", "items"], error=N_("Must be one of the choices.")),
    )
    allow_partial = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, validate=validate.Length(max=2000, error=N_("At most 2,000 characters.")))


class ItemRowForm(FormSchema):
    item_id = fields.Integer(required=True, error_messages={"required": N_("Choose the item."), **WHOLE_NUMBER})
    quantity = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=1_000_000, error=N_("Give a quantity from 1 to 1,000,000.")),
        error_messages={"required": N_("Give the quantity."), "invalid": N_("Give the quantity as a whole number.")},
    )


class HandOutForm(FormSchema):
    channel = fields.Enum(
        HandOutChannel,
        by_value=True,
        required=True,
        validate=validate.OneOf(
            [HandOutChannel.pickup, HandOutChannel.delivery], error=N_("Must be one of the choices.")
        ),
        error_messages={"required": N_("Choose pick-up or delivery."), "unknown": N_("Must be one of the choices.")},
    )
    distributed_on = fields.Date(
        required=True,
        validate=RECORDED_DAY,
        error_messages={"required": N_("Give the day of the hand-out."), **A_DATE},
    )
    referral_id = fields.Integer(load_default=None, error_messages=WHOLE_NUMBER)
    people = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=50, error=N_("Give a number of people from 1 to 50.")),
        error_messages=WHOLE_NUMBER,
    )
    frequency_override = fields.String(
        load_default=None, validate=validate.Length(max=500, error=N_("At most 500 characters."))
    )


# --- reads ----------------------------------------------------------------------------------------------


def usable_referrals(referrals: Any, household: Household, on: date) -> list[Any]:
    """Referrals that could cover a food hand-out now, by the rule the hand-out service applies again."""
    return [
        r
        for r in referrals
        if referral_rules.refusal(r, household_id=household.id, household_code=household.code, on=on, purpose="food")
        is None
    ]


# --- list and registration ------------------------------------------------------------------------------


@get(
    "/households", opt=page(**allow(*REGISTRARS), nav=Nav("coordinator", N_("Households"), 20)), include_in_schema=False
)
async def household_list(ui: Ui, principal: Principal, db_session: AsyncSession) -> Template:
    form = load_query(ui, CodeFilterForm)
    found = await queries.list_visible(db_session, principal, code=form.data.get("code"), limit=200) if form.ok else []
    return ui.render(
        "households/list.html",
        form=form,
        households=found,
        allergen_names=await catalogue_queries.allergen_names(session=db_session, lang=ui.lang, on=today()),
        status_code=form.status,
    )


async def _new_page(ui: Ui, session: AsyncSession, form: Form, status_code: int = 200) -> Template:
    return ui.render(
        "households/new.html",
        form=form,
        municipalities=[(m.value, ui._(label_msgid("municipality", m))) for m in Municipality],
        allergens=await catalogue_queries.allergens_on(session, today()),
        status_code=status_code,
    )


@get("/households/new", opt=page(**allow(*REGISTRARS)), include_in_schema=False)
async def new_household(ui: Ui, db_session: AsyncSession) -> Template:
    return await _new_page(ui, db_session, empty_form(ui, {name: 0 for name in MEMBER_FIELDS}))


@post("/households", opt=page(**allow(*REGISTRARS)), include_in_schema=False)
async def register_household(ui: Ui, principal: Principal, db_session: AsyncSession) -> Response[Any]:
    form = await load_form(ui, HouseholdForm)
    identity = await load_form(ui, IdentityForm)
    form.errors.update(identity.errors)
    if not form.ok:
        return await _new_page(ui, db_session, form, form.status)
    chosen = sorted(key.removeprefix("allergen-") for key, value in form.values.items() if key.startswith("allergen-"))
    data = {**form.data, "allergens": chosen, "identity": identity.data}
    try:
        async with db_session.begin_nested():
            registered = await services.register(db_session, actor=principal, today=today(), data=data)
    except AppError as error:
        add_problem(form, error, field_names={"identity": "name"})
        return await _new_page(ui, db_session, form, error.status)
    message = ui._("Household %(code)s registered.", code=registered.household.code)
    if registered.warnings:
        message += " " + " ".join(translate_message(ui.tr, warning["message"]) for warning in registered.warnings)
        return ui.redirect(f"/households/{registered.household.id}", flash=message, kind="warning")
    return ui.redirect(f"/households/{registered.household.id}", flash=message)


# --- one household --------------------------------------------------------------------------------------


async def _household_page(
    ui: Ui,
    session: AsyncSession,
    principal: Principal,
    household_id: int,
    *,
    allocation_form: Form | None = None,
    hand_out_forms: dict[int, Form] | None = None,
    shortages: list[str] | None = None,
    status_code: int = 200,
) -> Template:
    found = await queries.get_visible(session, principal, household_id)
    await session.refresh(found)
    context: dict[str, Any] = {}
    if principal.has(*MANAGERS):
        on = today()
        referrals = await referral_queries.list_visible(session, principal, household_id=found.id, limit=50)
        items = await catalogue_queries.items(session, limit=1000)
        context = {
            "managing": True,
            "allocations": await queries.allocations(session, found.code),
            "distributions": await distribution_queries.distributions(session, household_id=found.id, limit=50),
            "referrals": referrals,
            "referral_options": [
                (
                    r.id,
                    ui._(
                        "Referral %(id)s (%(used)s of %(allowed)s used)",
                        id=r.id,
                        used=r.handouts_used,
                        allowed=r.handouts_allowed,
                    ),
                )
                for r in usable_referrals(referrals, found, on)
            ],
            "item_options": [(i.id, local_name(i, ui.lang)) for i in items],
            "item_rows": range(ITEM_ROWS),
            "allocation_form": allocation_form
            or empty_form(ui, {"distribution_date": on.isoformat(), "source": "template"}),
            "hand_out_forms": hand_out_forms or {},
            "new_hand_out": empty_form(ui, {"channel": "pickup", "distributed_on": on.isoformat()}),
            "shortages": shortages or [],
        }
    return ui.render(
        "households/household.html",
        household=found,
        needs=[label for name, label in NEEDS.items() if getattr(found, name)],
        allergen_names=await catalogue_queries.allergen_names(session=session, lang=ui.lang, on=today()),
        status_code=status_code,
        **context,
    )


@get("/households/{household_id:int}", opt=page(**allow(*REGISTRARS)), include_in_schema=False)
async def household(ui: Ui, principal: Principal, db_session: AsyncSession, household_id: int) -> Template:
    return await _household_page(ui, db_session, principal, household_id)


@get("/households/{household_id:int}/identity", opt=page(**allow(*REGISTRARS)), include_in_schema=False)
async def identity(ui: Ui, principal: Principal, db_session: AsyncSession, household_id: int) -> Template:
    found = await queries.get_visible(db_session, principal, household_id)
    person = await services.read_identity(db_session, actor=principal, household_id=household_id)
    return ui.render("households/identity.html", household=found, identity=person)


@post("/households/{household_id:int}/allocations", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def allocate(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, household_id: int
) -> Response[Any]:
    found = await queries.get_visible(db_session, principal, household_id)
    form = await load_form(ui, AllocationForm)
    rows = form.rows("items", ItemRowForm) if form.value("source") == "items" else []
    if form.ok and form.data["source"] == "items" and not rows:
        form.add_error("items-0-item_id", ui._("Choose at least one item and its quantity."))
    if not form.ok:
        return await _household_page(ui, db_session, principal, household_id, allocation_form=form, status_code=422)
    items = stock.group_requests(rows) if form.data["source"] == "items" else None
    try:
        async with db_session.begin_nested():
            result = await services.allocate(
                db_session,
                principal,
                found,
                distribution_date=form.data["distribution_date"],
                items=items,
                allow_partial=form.data["allow_partial"],
                note=form.data["note"],
                settings=settings.stock,
            )
    except InsufficientStock as error:
        form.add_error(FORM_ERROR, ui._("Nothing was reserved: there is not enough usable stock."))
        lines = await _shortage_lines(ui, db_session, error.extra.get("shortages") or [])
        return await _household_page(
            ui, db_session, principal, household_id, allocation_form=form, shortages=lines, status_code=error.status
        )
    except AppError as error:
        add_problem(form, error, field_names={"lines": "items-0-item_id"})
        return await _household_page(
            ui, db_session, principal, household_id, allocation_form=form, status_code=error.status
        )
    units = sum(line.quantity for line in result.reservation.lines)
    message = ui._(
        "Allocation %(id)s reserved: %(units)s units, to pick and hand out.", id=result.reservation.id, units=units
    )
    if result.shortages:
        message += " " + ui._("Short: %(what)s", what=" ".join(await _shortage_lines(ui, db_session, result.shortages)))
        return ui.redirect(f"/households/{household_id}#allocations", flash=message, kind="warning")
    return ui.redirect(f"/households/{household_id}#allocations", flash=message)


@post(
    "/households/{household_id:int}/allocations/{reservation_id:int}/hand-out",
    opt=page(**allow(*MANAGERS)),
    include_in_schema=False,
)
async def hand_out(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, household_id: int, reservation_id: int
) -> Response[Any]:
    found = await queries.get_visible(db_session, principal, household_id)
    await _own_reservation(db_session, found, reservation_id)
    form = await load_form(ui, HandOutForm)
    status = form.status
    if form.ok:
        try:
            async with db_session.begin_nested():
                distribution = await distribution_services.hand_out(
                    db_session,
                    actor=principal,
                    channel=form.data["channel"],
                    distributed_on=form.data["distributed_on"],
                    household_id=found.id,
                    referral_id=form.data["referral_id"],
                    reservation_id=reservation_id,
                    people=form.data["people"],
                    frequency_override=form.data["frequency_override"],
                    settings=settings.stock,
                    min_days_between_handouts=settings.households.min_days_between_handouts,
                )
        except AppError as error:
            add_problem(form, error)
            status = error.status
        else:
            message = ui._(
                "Handed out to %(code)s (hand-out %(id)s). Print the receipt for the household to sign.",
                code=found.code,
                id=distribution.id,
            )
            return ui.redirect(f"/households/{household_id}#distribution-{distribution.id}", flash=message)
    return await _household_page(
        ui, db_session, principal, household_id, hand_out_forms={reservation_id: form}, status_code=status
    )


@post(
    "/households/{household_id:int}/allocations/{reservation_id:int}/release",
    opt=page(**allow(*MANAGERS)),
    include_in_schema=False,
)
async def release(
    ui: Ui, principal: Principal, db_session: AsyncSession, household_id: int, reservation_id: int
) -> Response[Any]:
    found = await queries.get_visible(db_session, principal, household_id)
    await _own_reservation(db_session, found, reservation_id)
    form = await load_form(ui, FormSchema)
    try:
        async with db_session.begin_nested():
            await stock.release(db_session, actor_id=principal.id, reservation_id=reservation_id)
    except AppError as error:
        add_problem(form, error)
        return await _household_page(
            ui, db_session, principal, household_id, hand_out_forms={reservation_id: form}, status_code=error.status
        )
    message = ui._("Allocation %(id)s released: its stock is back on the shelves.", id=reservation_id)
    return ui.redirect(f"/households/{household_id}#allocations", flash=message)


async def _own_reservation(session: AsyncSession, household: Household, reservation_id: int) -> None:
    """The allocation must be this household's (a URL cannot hand another's out under this one)."""
    if not await queries.allocations(session, household.code, reservation_id=reservation_id):
        raise ReservationNotFound(Message("There is no reservation with id %(id)s.", id=reservation_id))


async def _shortage_lines(ui: Ui, session: AsyncSession, shortages: Sequence[Mapping[str, Any]]) -> list[str]:
    return shortage_lines(
        ui,
        shortages,
        category_names={c.id: local_name(c, ui.lang) for c in await catalogue_queries.categories(session)},
        allergen_names=await catalogue_queries.allergen_names(session, lang=ui.lang, on=today()),
    )


HANDLERS = [household_list, new_household, register_household, household, identity, allocate, hand_out, release]
