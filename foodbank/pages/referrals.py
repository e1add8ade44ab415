"""Referral pages: a consultant refers a household (a new one, or one their agency already referred,
found by its code) with the household's consent recorded, follows the agency's referrals and what
became of them, and withdraws one; coordinators decide the waiting ones in the inbox.

- Same roles and services as the API: `foodbank.referrals.services` (submit, read, list_for, decide,
  withdraw; reads are audited as there) and `foodbank.households.services.register` for a new
  household. A consultant sees their own agency's referrals only: another agency's is a 404 page.
- A new household and its referral are saved together or not at all (`forms.attempt`: one savepoint).
- Submit once: the form's one-time key (`_once`, from `csrf_field()`). A second post of the same
  filled-in form (a double tap, a resend after a slow network) waits for the first and is sent to the
  referral it made, instead of registering the household twice (`form.replayed` / `form.remember`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

from litestar import Response, get, post
from litestar.response import Template
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts import queries as account_queries
from foodbank.appliances.queries import CURRENT as CURRENT_APPLIANCE_RESERVATION
from foodbank.catalogue import queries as catalogue_queries
from foodbank.households import queries as household_queries
from foodbank.households import services as household_services
from foodbank.households.schemas import NewHousehold
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.validation import PLANNED_DAY, RECORDED_DAY, checked_load
from foodbank.models import (
    AllergenKind,
    ApplianceCategory,
    ApplianceCategoryRow,
    ApplianceDelivery,
    ApplianceReservation,
    ApplianceUnit,
    ConsentMethod,
    Distribution,
    DistributionLine,
    Municipality,
    Referral,
    ReferralRequest,
    ReferralStatus,
    Role,
    Urgency,
    User,
    WhoConsulted,
)
from foodbank.pages.forms import FORM_ERROR, Form, FormSchema, attempt, empty_form, load_form, load_query
from foodbank.pages.i18n import N_, label_msgid, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.referrals import queries as referral_queries
from foodbank.referrals import services
from foodbank.referrals.controllers import READERS
from foodbank.referrals.schemas import REASONS
from foodbank.referrals.services import OPEN

DECIDERS = (Role.admin, Role.coordinator)
"""Who decides a referral (POST /api/referrals/{id}/decision)."""
DEFAULT_VALID_DAYS = 30
LIST_LIMIT = 200
URGENCY_ORDER = {Urgency.emergency: 0, Urgency.urgent: 1, Urgency.normal: 2}
STATUS_TAGS = {
    ReferralStatus.submitted: "warn",
    ReferralStatus.accepted: "status-active",
    ReferralStatus.fulfilled: "status-active",
    ReferralStatus.declined: "status-recalled",
}
"""Tag colours (classes of base.css) per status; the others stay neutral."""

# --- forms -----------------------------------------------------------------------------------------------

CHOICE: dict[str, Any] = {"unknown": N_("Must be one of the choices."), "invalid": N_("Must be one of the choices.")}
DATE_INVALID = N_("Write the date as YYYY-MM-DD.")
MEMBERS = validate.Range(min=0, max=30, error=N_("Give a number from 0 to 30."))
MEMBER_MESSAGES: dict[str, Any] = {"invalid": N_("Give a number from 0 to 30.")}
_DASHES = re.compile("[ー−‐‑–—―－]")


def _plain(text: str) -> str:
    """Full-width digits and letters (as a Japanese keyboard types them) and long dashes made plain."""
    return _DASHES.sub("-", unicodedata.normalize("NFKC", text)).strip()


def normalise_code(text: str) -> str:
    """A household code as typed: ｈ－２０２６－０００１ is H-2026-0001."""
    return _plain(text).upper().replace(" ", "")


class ReferralForm(FormSchema):
    """The referral and the consent (the household's fields are in NewHouseholdForm)."""

    household_mode = fields.String(
        required=True,
        validate=validate.OneOf(["new", "existing"], error=N_("Must be one of the choices.")),
        error_messages={"required": N_("Choose a new household, or one your agency already referred.")},
    )
    household_code = fields.String(validate=validate.Length(max=20, error=N_("A code has at most 20 characters.")))
    agency_id = fields.Integer(error_messages=CHOICE)
    referred_on = fields.Date(
        required=True,
        validate=RECORDED_DAY,
        error_messages={"required": N_("Give the day of the consultation."), "invalid": DATE_INVALID},
    )
    who_consulted = fields.Enum(
        WhoConsulted,
        by_value=True,
        required=True,
        error_messages={"required": N_("Choose who came to the consultation."), **CHOICE},
    )
    request = fields.Enum(
        ReferralRequest,
        by_value=True,
        required=True,
        error_messages={"required": N_("Choose what is asked for."), **CHOICE},
    )
    appliance_category = fields.Enum(ApplianceCategory, by_value=True, error_messages=CHOICE)
    urgency = fields.Enum(Urgency, by_value=True, load_default=Urgency.normal, error_messages=CHOICE)
    valid_from = fields.Date(load_default=None, validate=PLANNED_DAY, error_messages={"invalid": DATE_INVALID})
    valid_until = fields.Date(
        required=True,
        validate=PLANNED_DAY,
        error_messages={"required": N_("Give the last day the referral is valid."), "invalid": DATE_INVALID},
    )
    handouts_allowed = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=52, error=N_("Give a number from 1 to 52.")),
        error_messages={"required": N_("Give the number of hand-outs."), "invalid": N_("Give a number from 1 to 52.")},
    )
    note = fields.String(load_default=None, validate=validate.Length(max=2000, error=N_("At most 2,000 characters.")))
    consent_given = fields.String(
        required=True,
        validate=validate.OneOf(["yes", "no"], error=N_("Must be one of the choices.")),
        error_messages={"required": N_("Say whether the household consented to sharing its details.")},
    )
    consent_by = fields.Enum(WhoConsulted, by_value=True, error_messages=CHOICE)
    consent_on = fields.Date(validate=RECORDED_DAY, error_messages={"invalid": DATE_INVALID})
    consent_method = fields.Enum(ConsentMethod, by_value=True, error_messages=CHOICE)
    consent_scope = fields.String(validate=validate.Length(max=500, error=N_("At most 500 characters.")))

    @validates_schema(skip_on_field_errors=False)
    def consent_recorded(self, data: dict[str, Any], **_: Any) -> None:
        """As the API's ConsentIn: consent given is recorded with who, when, how and for what."""
        if data.get("consent_given") != "yes":
            return
        wanted = {
            "consent_by": N_("Say who gave consent."),
            "consent_on": N_("Give the day consent was given."),
            "consent_method": N_("Say how consent was given."),
            "consent_scope": N_("Say what may be shared, and with whom."),
        }
        missing = {name: [message] for name, message in wanted.items() if not data.get(name)}
        if missing:
            raise ValidationError(missing)


class NewHouseholdForm(FormSchema):
    """A household registered with its referral: the API's HouseholdIn, as a consultant may send it."""

    municipality = fields.Enum(
        Municipality,
        by_value=True,
        required=True,
        error_messages={"required": N_("Choose the municipality."), **CHOICE},
    )
    infants = fields.Integer(load_default=0, validate=MEMBERS, error_messages=MEMBER_MESSAGES)
    children = fields.Integer(load_default=0, validate=MEMBERS, error_messages=MEMBER_MESSAGES)
    adults = fields.Integer(load_default=0, validate=MEMBERS, error_messages=MEMBER_MESSAGES)
    seniors = fields.Integer(load_default=0, validate=MEMBERS, error_messages=MEMBER_MESSAGES)
    no_pork = fields.Boolean(load_default=False)
    halal = fields.Boolean(load_default=False)
    vegetarian = fields.Boolean(load_default=False)
    ready_to_eat_only = fields.Boolean(load_default=False)
    household_notes = fields.String(
        load_default=None, validate=validate.Length(max=2000, error=N_("At most 2,000 characters."))
    )
    name = fields.String(
        required=True,
        validate=validate.Length(max=200, error=N_("At most 200 characters.")),
        error_messages={"required": N_("Give the name of the person the support is for.")},
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


IDENTITY_FIELDS = ("name", "name_kana", "phone", "postal_code", "address")


class StatusFilterForm(FormSchema):
    status = fields.Enum(ReferralStatus, by_value=True, error_messages=CHOICE)


class DecisionForm(FormSchema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(["accept", "decline"], error=N_("Must be one of the choices.")),
        error_messages={"required": N_("Choose accept or decline.")},
    )
    note = fields.String(load_default=None, validate=validate.Length(max=1000, error=N_("At most 1,000 characters.")))


# --- reads for the pages ---------------------------------------------------------------------------------


async def _outcomes(session: AsyncSession, referral_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """What became of referrals: their hand-outs (day, how, units) and the appliance set aside or
    delivered through them. No lots and no warehouse detail."""
    found: dict[int, dict[str, Any]] = {i: {"handouts": [], "appliance": None} for i in referral_ids}
    if not referral_ids:
        return found
    handouts = await session.execute(
        select(
            Distribution.referral_id,
            Distribution.id,
            Distribution.distributed_on,
            Distribution.channel,
            func.coalesce(func.sum(DistributionLine.quantity - DistributionLine.returned), 0).label("units"),
        )
        .outerjoin(DistributionLine, DistributionLine.distribution_id == Distribution.id)
        .where(Distribution.referral_id.in_(referral_ids))
        .group_by(Distribution.id)
        .order_by(Distribution.distributed_on, Distribution.id)
    )
    for referral_id, distribution_id, on, channel, units in handouts.all():
        found[cast(int, referral_id)]["handouts"].append(
            {"id": distribution_id, "on": on, "channel": channel, "units": units}
        )
    appliances = await session.execute(
        select(ApplianceReservation, ApplianceUnit.category, ApplianceDelivery.delivered_on)
        .join(ApplianceUnit, ApplianceUnit.id == ApplianceReservation.unit_id)
        .outerjoin(ApplianceDelivery, ApplianceDelivery.reservation_id == ApplianceReservation.id)
        .where(
            ApplianceReservation.referral_id.in_(referral_ids),
            ApplianceReservation.status.in_(CURRENT_APPLIANCE_RESERVATION),
        )
    )
    for reservation, category, delivered_on in appliances.all():
        found[int(reservation.referral_id or 0)]["appliance"] = {
            "status": reservation.status,
            "category": category,
            "planned_on": reservation.planned_delivery_date,
            "delivered_on": delivered_on,
            "installation": reservation.installation_needed,
        }
    return found


async def _agency_names(session: AsyncSession) -> dict[int, str]:
    return {agency.id: agency.name for agency in await account_queries.list_agencies(session)}


async def _appliance_categories(session: AsyncSession) -> dict[str, ApplianceCategoryRow]:
    rows = (await session.scalars(select(ApplianceCategoryRow).order_by(ApplianceCategoryRow.sort_order))).all()
    return {row.code.value: row for row in rows}


def _is_staff(principal: Principal) -> bool:
    return principal.has(*DECIDERS)


ALLERGEN_GROUPS = (
    (AllergenKind.mandatory, N_("Labelling required by law")),
    (AllergenKind.recommended, N_("Labelling recommended")),
)


def _allergen_groups(ui: Ui, allergens: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The allergens in force, mandatory ones first, each (code, name in the reader's language)."""
    return [
        (
            ui._(title),
            [
                (str(a["code"]), str(a["name_en"] if ui.lang == "en" else a["name_ja"]))
                for a in allergens
                if a["kind"] == kind
            ],
        )
        for kind, title in ALLERGEN_GROUPS
    ]


def _options(ui: Ui, kind: str, values: Iterable[Any]) -> list[tuple[str, str]]:
    return [(value.value, ui._(label_msgid(kind, value))) for value in values]


# --- refer a household -----------------------------------------------------------------------------------


async def _refer_page(ui: Ui, session: AsyncSession, principal: Principal, form: Form, status_code: int) -> Template:
    staff = _is_staff(principal)
    categories = await _appliance_categories(session)
    codes = [h.code for h in await household_queries.list_visible(session, principal, limit=300)]
    return ui.render(
        "referrals/new.html",
        form=form,
        staff=staff,
        agency_options=[(a.id, a.name) for a in await account_queries.list_agencies(session)] if staff else [],
        household_codes=codes,
        municipality_options=_options(ui, "municipality", Municipality),
        who_options=_options(ui, "who_consulted", WhoConsulted),
        reasons=[(reason, ui._(label_msgid("reason", reason))) for reason in REASONS],
        request_options=_options(ui, "request", ReferralRequest),
        urgency_options=_options(ui, "urgency", Urgency),
        method_options=_options(ui, "consent_method", ConsentMethod),
        category_options=[(code, local_name(row, ui.lang)) for code, row in categories.items()],
        allergen_groups=_allergen_groups(ui, await catalogue_queries.allergens_on(session, today())),
        status_code=status_code,
    )


@get(
    "/new-referral",
    opt=page(**allow(*READERS), nav=Nav("consultant", N_("Refer a household"), 20)),
    include_in_schema=False,
)
async def refer_page(
    ui: Ui, principal: Principal, db_session: AsyncSession, household_code: str | None = None
) -> Template:
    on = today()
    form = empty_form(
        ui,
        {
            "household_mode": "existing" if household_code else "new",
            "household_code": normalise_code(household_code or ""),
            "referred_on": on.isoformat(),
            "urgency": Urgency.normal.value,
            "request": ReferralRequest.food.value,
            "valid_until": (on + timedelta(days=DEFAULT_VALID_DAYS)).isoformat(),
            "handouts_allowed": 1,
        },
    )
    return await _refer_page(ui, db_session, principal, form, 200)


def _clean_values(form: Form) -> None:
    """Make what a Japanese keyboard types plain where the API wants ASCII (kept as shown)."""
    for name in ("phone", "postal_code", "infants", "children", "adults", "seniors", "handouts_allowed"):
        if form.values.get(name):
            form.values[name] = _plain(form.values[name])
    if form.values.get("household_code"):
        form.values["household_code"] = normalise_code(form.values["household_code"])


def _load_part(form: Form, schema_cls: type[FormSchema]) -> dict[str, Any]:
    """Load more fields of the posted form with another schema, recording its errors on the form."""
    try:
        loaded: dict[str, Any] = checked_load(schema_cls(), {k: v for k, v in form.values.items() if v != ""})
    except ValidationError as error:
        form.add_validation_error(error)
        return {}
    return loaded


async def _existing_household(ui: Ui, session: AsyncSession, principal: Principal, form: Form) -> int | None:
    code = form.value("household_code")
    if not code:
        form.add_error("household_code", ui._("Give the household's code, such as H-2026-0001."))
        return None
    matches = [
        h for h in await household_queries.list_visible(session, principal, code=code, limit=5) if h.code == code
    ]
    if not matches:
        message = ui._("No household your agency referred has the code %(code)s.", code=code)
        if _is_staff(principal):
            message = ui._("No household has the code %(code)s.", code=code)
        form.add_error("household_code", message)
        return None
    return matches[0].id


async def _ticked_allergens(session: AsyncSession, form: Form) -> list[str]:
    listed = await catalogue_queries.allergens_on(session, today())
    return [str(a["code"]) for a in listed if form.value(f"allergen-{a['code']}")]


@post("/new-referral", opt=page(**allow(*READERS)), include_in_schema=False)
async def refer_submit(ui: Ui, principal: Principal, db_session: AsyncSession) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay  # a double tap, or the form sent again: the referral the first one made
    _clean_values(form)
    form.data = _load_part(form, ReferralForm)
    reasons = [reason for reason in REASONS if form.value(f"reason-{reason}")]
    if not reasons:
        form.add_error("reasons", ui._("Tick at least one reason."))
    staff = _is_staff(principal)
    if staff and not form.value("agency_id"):
        form.add_error("agency_id", ui._("Choose the agency that refers the household."))
    new_household = form.value("household_mode") != "existing"
    household: dict[str, Any] = _load_part(form, NewHouseholdForm) if new_household else {}
    household_id = None if new_household else await _existing_household(ui, db_session, principal, form)
    if not form.ok:
        return await _refer_page(ui, db_session, principal, form, form.status)

    data = form.data
    given = data["consent_given"] == "yes"
    referral_data: dict[str, Any] = {
        "referred_on": data["referred_on"],
        "who_consulted": data["who_consulted"],
        "reasons": reasons,
        "request": data["request"],
        "appliance_category": (
            data["appliance_category"].value
            if data["request"] is not ReferralRequest.food and data.get("appliance_category")
            else None
        ),
        "urgency": data["urgency"],
        "consent": {
            "given": given,
            "by": data.get("consent_by") if given else None,
            "on": data.get("consent_on") if given else None,
            "method": data.get("consent_method") if given else None,
            "scope": data.get("consent_scope") if given else None,
        },
        "valid_from": data["valid_from"],
        "valid_until": data["valid_until"],
        "handouts_allowed": data["handouts_allowed"],
        "note": data["note"],
    }
    if staff:
        referral_data["agency_id"] = data["agency_id"]

    async def household_and_referral() -> Referral:
        """The new household and its referral, or nothing (one savepoint)."""
        referred_household = household_id
        if new_household:
            identity = {name: household.pop(name) for name in IDENTITY_FIELDS}
            household["notes"] = household.pop("household_notes")
            household["allergens"] = await _ticked_allergens(db_session, form)
            registered = await household_services.register(
                db_session, actor=principal, today=today(), command=NewHousehold.of(household, identity)
            )
            referred_household = registered.household.id
        return await services.submit(
            db_session, actor=principal, data={**referral_data, "household_id": referred_household}
        )

    referral = await attempt(form, db_session, household_and_referral)
    if referral is None:
        return await _refer_page(ui, db_session, principal, form, form.status)
    message = ui._(
        "Referral %(id)s sent for household %(code)s. The food bank decides on it; its status shows here.",
        id=referral.id,
        code=referral.household.code,
    )
    return await form.remember(db_session, ui.redirect(f"/referrals/{referral.id}", flash=message))


# --- my agency's referrals, and one referral -------------------------------------------------------------


@get(
    "/referrals",
    opt=page(**allow(*READERS), nav=Nav("consultant", N_("Referral list"), 10)),
    include_in_schema=False,
)
async def referral_list(ui: Ui, principal: Principal, db_session: AsyncSession) -> Template:
    form = load_query(ui, StatusFilterForm)
    referrals: Sequence[Referral] = []
    if form.ok:
        referrals = await services.list_for(db_session, actor=principal, limit=LIST_LIMIT, **form.data)
    return ui.render(
        "referrals/list.html",
        form=form,
        referrals=referrals,
        outcomes=await _outcomes(db_session, [r.id for r in referrals]),
        staff=_is_staff(principal),
        agencies=await _agency_names(db_session) if _is_staff(principal) else {},
        statuses=list(ReferralStatus),
        status_tags=STATUS_TAGS,
        limit=LIST_LIMIT,
        status_code=form.status,
    )


async def _referral_page(
    ui: Ui,
    session: AsyncSession,
    principal: Principal,
    referral_id: int,
    *,
    forms: dict[str, Form] | None = None,
    status_code: int = 200,
) -> Template:
    referral = await services.read(session, actor=principal, referral_id=referral_id)
    await session.refresh(referral)  # current, also after a refused change was rolled back
    people = {
        user.id: user.display_name
        for user in (
            await session.scalars(
                select(User).where(
                    User.id.in_({referral.consultant_id, referral.decided_by_id or referral.consultant_id})
                )
            )
        ).all()
    }
    forms = forms or {}
    return ui.render(
        "referrals/referral.html",
        referral=referral,
        outcome=(await _outcomes(session, [referral.id]))[referral.id],
        agency=(await _agency_names(session)).get(referral.agency_id, ""),
        consultant=people.get(referral.consultant_id, ""),
        decided_by=people.get(referral.decided_by_id) if referral.decided_by_id else None,
        categories=await _appliance_categories(session),
        status_tags=STATUS_TAGS,
        may_withdraw=referral.status in OPEN,
        may_decide=_is_staff(principal) and referral.status is ReferralStatus.submitted,
        withdraw_form=forms.get("withdraw") or empty_form(ui),
        decision_form=forms.get("decision") or empty_form(ui),
        status_code=status_code,
    )


@get("/referrals/{referral_id:int}", opt=page(**allow(*READERS)), include_in_schema=False)
async def referral_page(ui: Ui, principal: Principal, db_session: AsyncSession, referral_id: int) -> Template:
    return await _referral_page(ui, db_session, principal, referral_id)


async def _state_message(ui: Ui, session: AsyncSession, principal: Principal, referral_id: int, verb: str) -> str:
    """Why a referral cannot change any more, with its status in the reader's language."""
    referral = await referral_queries.get_visible(session, principal, referral_id)
    status = ui._(label_msgid("referral", referral.status))
    if verb == "withdraw":
        return ui._(
            "Referral %(id)s is now “%(status)s”: it can no longer be withdrawn.", id=referral_id, status=status
        )
    return ui._(
        "Referral %(id)s is now “%(status)s”: only a referral waiting for a decision can be accepted or declined.",
        id=referral_id,
        status=status,
    )


@post("/referrals/{referral_id:int}/withdraw", opt=page(**allow(*READERS)), include_in_schema=False)
async def withdraw(ui: Ui, principal: Principal, db_session: AsyncSession, referral_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    await attempt(form, db_session, lambda: services.withdraw(db_session, actor=principal, referral_id=referral_id))
    if form.ok:
        return ui.redirect(f"/referrals/{referral_id}", flash=ui._("Referral %(id)s withdrawn.", id=referral_id))
    if form.status == 409:  # it was decided or withdrawn meanwhile: say what it is now
        form.errors = {FORM_ERROR: [await _state_message(ui, db_session, principal, referral_id, "withdraw")]}
    # Another agency's referral (404) is the referral page's own 404.
    return await _referral_page(
        ui, db_session, principal, referral_id, forms={"withdraw": form}, status_code=form.status
    )


# --- the coordinators' inbox -----------------------------------------------------------------------------


async def _inbox_page(
    ui: Ui,
    session: AsyncSession,
    principal: Principal,
    *,
    forms: dict[int, Form] | None = None,
    problem: Form | None = None,
    status_code: int = 200,
) -> Template:
    waiting = await services.list_for(session, actor=principal, status=ReferralStatus.submitted, limit=LIST_LIMIT)
    ordered = sorted(waiting, key=lambda r: (URGENCY_ORDER[r.urgency], r.referred_on, r.id))
    forms = forms or {}
    return ui.render(
        "referrals/inbox.html",
        referrals=ordered,
        agencies=await _agency_names(session),
        categories=await _appliance_categories(session),
        forms={r.id: forms.get(r.id) or empty_form(ui) for r in ordered},
        problem=problem or empty_form(ui),
        limit=LIST_LIMIT,
        status_code=status_code,
    )


@get(
    "/coordinator/referrals",
    opt=page(**allow(*DECIDERS), nav=Nav("coordinator", N_("Referral inbox"), 40)),
    include_in_schema=False,
)
async def inbox(ui: Ui, principal: Principal, db_session: AsyncSession) -> Template:
    return await _inbox_page(ui, db_session, principal)


@post("/referrals/{referral_id:int}/decision", opt=page(**allow(*DECIDERS)), include_in_schema=False)
async def decide(ui: Ui, principal: Principal, db_session: AsyncSession, referral_id: int) -> Response[Any]:
    """The same decision as POST /api/referrals/{id}/decision, from the inbox or the referral's page."""
    form = await load_form(ui, DecisionForm)
    from_referral = form.value("return_to") == "referral"
    if form.ok:
        referral = await attempt(
            form,
            db_session,
            lambda: services.decide(
                db_session,
                actor=principal,
                referral_id=referral_id,
                accept=form.data["decision"] == "accept",
                note=form.data["note"],
                today=today(),
            ),
        )
        if referral is not None:
            params = {"id": referral_id, "code": referral.household.code}
            message = (
                ui._("Referral %(id)s accepted (household %(code)s).", **params)
                if referral.status is ReferralStatus.accepted
                else ui._("Referral %(id)s declined (household %(code)s).", **params)
            )
            return ui.redirect(
                f"/referrals/{referral_id}" if from_referral else "/coordinator/referrals", flash=message
            )
        # 404 (not visible) is raised by the reads below; a 409 of a referral decided meanwhile says its
        # state now, one that ran out before anyone decided keeps the service's explanation.
        current = await referral_queries.get_visible(db_session, principal, referral_id)
        if form.status == 409 and current.status is not ReferralStatus.submitted:
            form.errors = {FORM_ERROR: [await _state_message(ui, db_session, principal, referral_id, "decide")]}
    status = form.status
    if from_referral:
        return await _referral_page(
            ui, db_session, principal, referral_id, forms={"decision": form}, status_code=status
        )
    current = await referral_queries.get_visible(db_session, principal, referral_id)
    if current.status is ReferralStatus.submitted:
        return await _inbox_page(ui, db_session, principal, forms={referral_id: form}, status_code=status)
    return await _inbox_page(ui, db_session, principal, problem=form, status_code=status)


HANDLERS = [refer_page, refer_submit, referral_list, referral_page, withdraw, inbox, decide]
