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
from marshmallow import EXCLUDE, ValidationError, fields, validate, validates_schema
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.config import Settings
from foodbank.distributions import queries as distribution_queries
from foodbank.distributions import services as distribution_services
from foodbank.distributions.schemas import DistributionIn
from foodbank.households import queries, services
from foodbank.households.controllers import REGISTRARS
from foodbank.households.schemas import AllocationIn, HouseholdFields, HouseholdSearchIn, IdentityIn, NewHousehold
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.messages import Message
from foodbank.models import (
    HandOutChannel,
    Household,
    Municipality,
    Role,
)
from foodbank.pages.api_forms import load_command, page_form
from foodbank.pages.forms import FORM_ERROR, Form, FormSchema, attempt, empty_form, load_form, load_query
from foodbank.pages.i18n import N_, label_msgid, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.pages.problems import shortage_lines
from foodbank.referrals import queries as referral_queries
from foodbank.referrals import rules as referral_rules
from foodbank.stock import services as stock
from foodbank.stock.errors import InsufficientStock, ReservationNotFound
from foodbank.stock.schemas import RequestLineIn

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

WHOLE_NUMBER: dict[str, Any] = {"invalid": N_("Give a whole number.")}
A_DATE: dict[str, Any] = {"invalid": N_("Write the date as YYYY-MM-DD.")}


class CodeFilterForm(FormSchema):
    code = fields.String(validate=validate.Length(max=20, error=N_("A code has at most 20 characters.")))


# The API's search, with the page's words. Posted, never in the URL: a name must not reach a log.
SearchForm = page_form(
    HouseholdSearchIn,
    name="SearchForm",
    messages={
        "q": {
            "required": N_("Type part of a code, a name, a kana or a phone number."),
            "validate": N_("At most 100 characters."),
        }
    },
)


MEMBER_WORDS = {"validate": N_("Give a number from 0 to 30."), **WHOLE_NUMBER}
AT_MOST = {
    200: N_("At most 200 characters."),
    500: N_("At most 500 characters."),
    2000: N_("At most 2,000 characters."),
}


# The household (identity apart), as `POST /api/households` takes it: its municipality, members by
# age band, needs and notes (allergens are ticked boxes, gathered by the handler).
HouseholdForm = page_form(
    HouseholdFields,
    name="HouseholdForm",
    messages={
        "municipality": {"required": N_("Choose the municipality."), "unknown": N_("Must be one of the choices.")},
        **{name: MEMBER_WORDS for name in MEMBER_FIELDS},
        "notes": {"validate": AT_MOST[2000]},
    },
)


# Who the household is, as the API's `identity`: stored apart, read only on the identity page.
IdentityForm = page_form(
    IdentityIn,
    name="IdentityForm",
    messages={
        "name": {"required": N_("Give the name."), "validate": AT_MOST[200]},
        "name_kana": {"validate": AT_MOST[200]},
        "phone": {"validate": N_("Write the phone number in digits, such as 0475-12-3456.")},
        "postal_code": {"validate": N_("Write the postal code as 283-0802.")},
        "address": {"validate": AT_MOST[500]},
    },
)


_AllocationIn = page_form(
    AllocationIn,
    messages={
        "distribution_date": {"required": N_("Give the day of the hand-out."), **A_DATE},
        "note": {"validate": AT_MOST[2000]},
    },
)


class AllocationForm(_AllocationIn):  # type: ignore[misc,valid-type]
    """`POST /api/households/{id}/allocations`, with the choice of the template or the items listed
    (the item rows are loaded apart, `ItemRowForm`)."""

    class Meta:
        unknown = EXCLUDE
        exclude = ("lines",)

    source = fields.String(
        load_default="template",
        validate=validate.OneOf(["template", "items"], error=N_("Must be one of the choices.")),
    )


ItemRowForm = page_form(
    RequestLineIn,
    name="ItemRowForm",
    messages={
        "item_id": {"required": N_("Choose the item."), **WHOLE_NUMBER},
        "quantity": {
            "required": N_("Give the quantity."),
            "invalid": N_("Give the quantity as a whole number."),
            "validate": N_("Give a quantity from 1 to 1,000,000."),
        },
    },
)


_DistributionIn = page_form(
    DistributionIn,
    messages={
        "channel": {"required": N_("Choose pick-up or delivery."), "unknown": N_("Must be one of the choices.")},
        "distributed_on": A_DATE,
        "referral_id": WHOLE_NUMBER,
        "people": {"validate": N_("Give a number of people from 1 to 100,000."), **WHOLE_NUMBER},
        "frequency_override": {"validate": AT_MOST[500]},
    },
)


class HandOutForm(_DistributionIn):  # type: ignore[misc,valid-type]
    """`POST /api/distributions` for one of the household's allocations (the household and the allocation
    come from the address: `load_command`'s extra). On this page the hand-out is a pick-up or a delivery."""

    class Meta:
        unknown = EXCLUDE
        exclude = ("partner_programme_id", "lines")

    @validates_schema(skip_on_field_errors=True)
    def in_person(self, data: dict[str, Any], **_: Any) -> None:
        if data["channel"] not in (HandOutChannel.pickup, HandOutChannel.delivery):
            raise ValidationError(N_("Must be one of the choices."), "channel")


# --- reads ----------------------------------------------------------------------------------------------


def usable_referrals(referrals: Any, household: Household, on: date) -> list[Any]:
    """Referrals that could cover a food hand-out on `on`, by the rule the hand-out service applies again;
    the one to use first (valid for the shortest time, then the oldest) first."""
    usable = [
        r
        for r in referrals
        if referral_rules.refusal(r, household_id=household.id, household_code=household.code, on=on, purpose="food")
        is None
    ]
    return sorted(usable, key=lambda r: (r.valid_until, r.id))


# --- list and registration ------------------------------------------------------------------------------


@get(
    "/households", opt=page(**allow(*REGISTRARS), nav=Nav("coordinator", N_("Households"), 20)), include_in_schema=False
)
async def household_list(ui: Ui, principal: Principal, db_session: AsyncSession) -> Template:
    """Households by code (a link may carry `?code=`; the search form posts, see `household_search`)."""
    form = load_query(ui, CodeFilterForm)
    listed = await queries.list_visible(db_session, principal, code=form.data.get("code"), limit=200) if form.ok else []
    return await _list_page(ui, db_session, principal, households=listed, status_code=form.status)


@post("/households/search", opt=page(**allow(*REGISTRARS)), include_in_schema=False)
async def household_search(ui: Ui, principal: Principal, db_session: AsyncSession) -> Template:
    """Find households by code, name, kana or phone (`households.services.search`, audited); the answer is
    this page, not a redirect, so that the term is in no URL."""
    form = await load_form(ui, SearchForm)
    found = None
    if form.ok:
        found = await services.search(db_session, actor=principal, term=form.data["q"], limit=form.data["limit"])
    return await _list_page(ui, db_session, principal, search_form=form, found=found, status_code=form.status)


async def _list_page(
    ui: Ui,
    session: AsyncSession,
    principal: Principal,
    *,
    households: Sequence[Household] = (),
    search_form: Form | None = None,
    found: list[queries.Found] | None = None,
    status_code: int = 200,
) -> Template:
    return ui.render(
        "households/list.html",
        search_form=search_form or empty_form(ui),
        by_identity=queries.may_search_identity(principal),
        households=households,
        found=found,
        allergen_names=await catalogue_queries.allergen_names(session=session, lang=ui.lang, on=today()),
        status_code=status_code,
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
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    identity = await load_form(ui, IdentityForm)
    form.errors.update(identity.errors)
    if not form.ok:
        return await _new_page(ui, db_session, form, form.status)
    chosen = sorted(key.removeprefix("allergen-") for key, value in form.values.items() if key.startswith("allergen-"))
    command = NewHousehold.of({**form.data, "allergens": chosen}, identity.data)
    registered = await attempt(
        form,
        db_session,
        lambda: services.register(db_session, actor=principal, today=today(), command=command),
        field_names={"identity": "name"},
    )
    if registered is None:
        return await _new_page(ui, db_session, form, form.status)
    message = ui._("Household %(code)s registered.", code=registered.household.code)
    kind = "ok"
    if registered.warnings:
        message += " " + " ".join(ui.tr.message(warning["message"]) for warning in registered.warnings)
        kind = "warning"
    redirect = ui.redirect(f"/households/{registered.household.id}", flash=message, kind=kind)
    return await form.remember(db_session, redirect)


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
        allocations = await queries.allocations(session, found.code)
        hand_out_forms = dict(hand_out_forms or {})
        referral_options: dict[int, list[tuple[int, str]]] = {}
        for row in allocations:
            reservation = row["reservation"]
            # The day planned for the allocation, and the referral that can cover a hand-out on it.
            usable = usable_referrals(referrals, found, reservation.distribution_date)
            referral_options[reservation.id] = [
                (
                    r.id,
                    ui._(
                        "Referral %(id)s (%(used)s of %(allowed)s used)",
                        id=r.id,
                        used=r.handouts_used,
                        allowed=r.handouts_allowed,
                    ),
                )
                for r in usable
            ]
            hand_out_forms.setdefault(
                reservation.id,
                empty_form(
                    ui,
                    {
                        "channel": "pickup",
                        "distributed_on": reservation.distribution_date.isoformat(),
                        "referral_id": usable[0].id if usable else None,
                    },
                ),
            )
        context = {
            "managing": True,
            "allocations": allocations,
            "distributions": await distribution_queries.distributions(session, household_id=found.id, limit=50),
            "referrals": referrals,
            "referral_options": referral_options,
            "item_options": [(i.id, local_name(i, ui.lang)) for i in items],
            "item_rows": range(ITEM_ROWS),
            "allocation_form": allocation_form
            or empty_form(ui, {"distribution_date": on.isoformat(), "source": "template"}),
            "hand_out_forms": hand_out_forms,
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
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    rows = form.rows("items", ItemRowForm) if form.value("source") == "items" else []
    if form.ok and form.data["source"] == "items" and not rows:
        form.add_error("items-0-item_id", ui._("Choose at least one item and its quantity."))
    if not form.ok:
        return await _household_page(ui, db_session, principal, household_id, allocation_form=form, status_code=422)
    items = stock.group_requests(rows) if form.data["source"] == "items" else None
    data = form.data
    try:
        result = await attempt(
            form,
            db_session,
            lambda: services.allocate(
                db_session,
                principal,
                found,
                distribution_date=data["distribution_date"],
                items=items,
                allow_partial=data["allow_partial"],
                note=data["note"],
                settings=settings.stock,
            ),
            field_names={"lines": "items-0-item_id"},
            reraise=(InsufficientStock,),
        )
    except InsufficientStock as error:  # said item by item below the form, with allergen and category names
        form.add_error(FORM_ERROR, ui._("Nothing was reserved: there is not enough usable stock."))
        lines = await _shortage_lines(ui, db_session, error.extra.get("shortages") or [])
        return await _household_page(
            ui, db_session, principal, household_id, allocation_form=form, shortages=lines, status_code=error.status
        )
    if result is None:
        return await _household_page(
            ui, db_session, principal, household_id, allocation_form=form, status_code=form.status
        )
    units = sum(line.quantity for line in result.reservation.lines)
    message = ui._(
        "Allocation %(id)s reserved: %(units)s units, to pick and hand out.", id=result.reservation.id, units=units
    )
    kind = "ok"
    if result.shortages:
        message += " " + ui._("Short: %(what)s", what=" ".join(await _shortage_lines(ui, db_session, result.shortages)))
        kind = "warning"
    redirect = ui.redirect(f"/households/{household_id}#allocation-{result.reservation.id}", flash=message, kind=kind)
    return await form.remember(db_session, redirect)


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
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    command: distribution_services.HandOut | None = load_command(
        form, HandOutForm, extra={"household_id": found.id, "reservation_id": reservation_id}
    )
    if command is not None:
        distribution = await attempt(
            form,
            db_session,
            lambda: distribution_services.hand_out(
                db_session,
                actor=principal,
                command=command,
                settings=settings.stock,
                min_days_between_handouts=settings.households.min_days_between_handouts,
            ),
        )
        if distribution is not None:
            message = ui._(
                "Handed out to %(code)s (hand-out %(id)s). Print the receipt for the household to sign.",
                code=found.code,
                id=distribution.id,
            )
            redirect = ui.redirect(f"/households/{household_id}#distribution-{distribution.id}", flash=message)
            return await form.remember(db_session, redirect)
    return await _household_page(
        ui, db_session, principal, household_id, hand_out_forms={reservation_id: form}, status_code=form.status
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
    released = await attempt(
        form, db_session, lambda: stock.release(db_session, actor_id=principal.id, reservation_id=reservation_id)
    )
    if released is None and not form.ok:
        return await _household_page(
            ui, db_session, principal, household_id, hand_out_forms={reservation_id: form}, status_code=form.status
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


HANDLERS = [
    household_list,
    household_search,
    new_household,
    register_household,
    household,
    identity,
    allocate,
    hand_out,
    release,
]
