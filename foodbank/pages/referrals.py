"""Referral pages: a consultant refers a household (a new one, or one their agency already referred,
found by its code) with the household's consent recorded, follows the agency's referrals and what
became of them, and withdraws one; coordinators decide the waiting ones in the inbox.

- Same roles and services as the API: `foodbank.referrals.services` (submit, read, list_for, decide,
  withdraw; reads are audited as there) and `foodbank.households.services.register` for a new
  household. A consultant sees their own agency's referrals only: another agency's is a 404 page.
- Same forms as the API: its schemas (`ReferralFields` with `ConsentIn`, `HouseholdFields`, `IdentityIn`,
  `DecisionIn`) with words for a page, loaded to the commands the services take (`NewReferral`,
  `Decision`); the flat page is put in the API's shape in one place (`_referral_shape`).
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
from typing import Any

from litestar import Response, get, post
from litestar.response import Template
from marshmallow import fields, validate
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts import queries as account_queries
from foodbank.appliances import queries as appliance_queries
from foodbank.catalogue import queries as catalogue_queries
from foodbank.households import queries as household_queries
from foodbank.households import services as household_services
from foodbank.households.schemas import HouseholdFields, IdentityIn, NewHousehold
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.models import (
    AllergenKind,
    ApplianceCategoryRow,
    ConsentMethod,
    Municipality,
    Referral,
    ReferralRequest,
    ReferralStatus,
    Role,
    Urgency,
    WhoConsulted,
)
from foodbank.pages.api_forms import load_command, page_form
from foodbank.pages.forms import FORM_ERROR, Form, FormSchema, attempt, empty_form, load_form, load_query
from foodbank.pages.i18n import N_, label_msgid, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.referrals import queries as referral_queries
from foodbank.referrals import services
from foodbank.referrals.controllers import READERS
from foodbank.referrals.schemas import (
    REASONS,
    ConsentIn,
    Decision,
    DecisionIn,
    NewReferral,
    ReferralFields,
    ReferralFilter,
)
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
# The API's schemas, with words for a page (`api_forms.page_form`). The page is one flat form; what it
# posts is put in the API's shape in one place, `_referral_shape` (the ticked reasons, the consent).

CHOICE = N_("Must be one of the choices.")
DATE_INVALID = N_("Write the date as YYYY-MM-DD.")
MEMBERS: dict[str, str] = {"invalid": N_("Give a number from 0 to 30."), "validate": N_("Give a number from 0 to 30.")}
_DASHES = re.compile("[ー−‐‑–—―－]")


def _plain(text: str) -> str:
    """Full-width digits and letters (as a Japanese keyboard types them) and long dashes made plain."""
    return _DASHES.sub("-", unicodedata.normalize("NFKC", text)).strip()


def normalise_code(text: str) -> str:
    """A household code as typed: ｈ－２０２６－０００１ is H-2026-0001."""
    return _plain(text).upper().replace(" ", "")


class HouseholdChoiceForm(FormSchema):
    """Who the referral is for, a choice of the page only (the API names the household by its id): a new
    household, registered with the referral, or one the agency already referred, found by its code."""

    household_mode = fields.String(
        required=True,
        validate=validate.OneOf(["new", "existing"], error=CHOICE),
        error_messages={"required": N_("Choose a new household, or one your agency already referred.")},
    )
    household_code = fields.String(validate=validate.Length(max=20, error=N_("A code has at most 20 characters.")))


ConsentForm = page_form(
    ConsentIn,
    messages={
        "given": {
            "required": N_("Say whether the household consented to sharing its details."),
            "invalid": CHOICE,
        },
        "by": {"required": N_("Say who gave consent."), "unknown": CHOICE},
        "on": {"required": N_("Give the day consent was given."), "invalid": DATE_INVALID},
        "method": {"required": N_("Say how consent was given."), "unknown": CHOICE},
        "scope": {"required": N_("Say what may be shared, and with whom."), "validate": N_("At most 500 characters.")},
    },
)
ReferralForm = page_form(
    ReferralFields,
    messages={
        "agency_id": {"invalid": CHOICE},
        "referred_on": {"required": N_("Give the day of the consultation."), "invalid": DATE_INVALID},
        "who_consulted": {"required": N_("Choose who came to the consultation."), "unknown": CHOICE},
        "reasons": {"validate": N_("Tick at least one reason.")},
        "request": {"required": N_("Choose what is asked for."), "unknown": CHOICE},
        "appliance_category": {"validate": CHOICE},
        "urgency": {"unknown": CHOICE},
        "valid_from": {"invalid": DATE_INVALID},
        "valid_until": {"required": N_("Give the last day the referral is valid."), "invalid": DATE_INVALID},
        "handouts_allowed": {
            "required": N_("Give the number of hand-outs."),
            "invalid": N_("Give a number from 1 to 52."),
            "validate": N_("Give a number from 1 to 52."),
        },
        "note": {"validate": N_("At most 2,000 characters.")},
    },
    nested={"consent": ConsentForm},
)
CONSENT_FIELDS = {f"consent.{name}": f"consent_{name}" for name in ("given", "by", "on", "method", "scope")}
"""The consent's fields as the API names them (nested) -> as the page does."""

HouseholdForm = page_form(
    HouseholdFields,
    messages={
        "municipality": {"required": N_("Choose the municipality."), "unknown": CHOICE},
        **{name: MEMBERS for name in ("infants", "children", "adults", "seniors")},
        "notes": {"validate": N_("At most 2,000 characters.")},
    },
    name="NewHouseholdForm",
)
IdentityForm = page_form(
    IdentityIn,
    messages={
        "name": {
            "required": N_("Give the name of the person the support is for."),
            "validate": N_("At most 200 characters."),
        },
        "name_kana": {"validate": N_("At most 200 characters.")},
        "phone": {"validate": N_("Write the phone number in digits, such as 0475-12-3456.")},
        "postal_code": {"validate": N_("Write the postal code as 283-0802.")},
        "address": {"validate": N_("At most 500 characters.")},
    },
)
HOUSEHOLD_FIELDS = {"notes": "household_notes"}
"""The new household's fields as the API names them -> as the page does (beside the referral's note)."""

StatusFilterForm = page_form(ReferralFilter, messages={"status": {"unknown": CHOICE}})
DecisionForm = page_form(
    DecisionIn,
    messages={
        "decision": {"required": N_("Choose accept or decline."), "validate": CHOICE},
        "note": {"validate": N_("At most 1,000 characters.")},
    },
)


def _referral_shape(form: Form) -> dict[str, Any]:
    """What the flat page posts that `ReferralFields` takes in another shape: the ticked reasons
    (`reason-<code>`) as `reasons`, the `consent_*` fields as `consent`. What the page hides by a
    choice is not sent: the appliance when only food is asked for, the details of consent when it was
    not given (so nothing of them is recorded)."""
    consent = {"given": form.value("consent_given")}
    if form.value("consent_given") != "no":
        consent |= {name: form.value(f"consent_{name}") for name in ("by", "on", "method", "scope")}
    shaped: dict[str, Any] = {
        "reasons": [reason for reason in REASONS if form.value(f"reason-{reason}")],
        "consent": {name: value for name, value in consent.items() if value != ""},
    }
    if form.value("request") == ReferralRequest.food.value:
        shaped["appliance_category"] = None
    return shaped


# --- reads for the pages ---------------------------------------------------------------------------------


async def _agency_names(session: AsyncSession) -> dict[int, str]:
    return {agency.id: agency.name for agency in await account_queries.list_agencies(session)}


async def _appliance_categories(session: AsyncSession) -> dict[str, ApplianceCategoryRow]:
    return {row.code.value: row for row in await appliance_queries.category_rows(session)}


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
    load_command(form, HouseholdChoiceForm)
    referral_fields: dict[str, Any] | None = load_command(
        form, ReferralForm, _referral_shape(form), renames=CONSENT_FIELDS
    )
    staff = _is_staff(principal)
    if staff and not form.value("agency_id"):
        form.add_error("agency_id", ui._("Choose the agency that refers the household."))
    new_household = form.value("household_mode") != "existing"
    household_id: int | None = None
    registering: NewHousehold | None = None
    if new_household:
        allergens = await _ticked_allergens(db_session, form)
        shown = {"notes": form.value("household_notes"), "allergens": allergens}
        household = load_command(form, HouseholdForm, shown, renames=HOUSEHOLD_FIELDS)
        identity = load_command(form, IdentityForm)
        if household is not None and identity is not None:
            registering = NewHousehold.of(household, identity)
    else:
        household_id = await _existing_household(ui, db_session, principal, form)
    if not form.ok or referral_fields is None:
        return await _refer_page(ui, db_session, principal, form, form.status)
    loaded_fields = referral_fields

    async def household_and_referral() -> Referral:
        """The new household and its referral, or nothing (one savepoint)."""
        referred_household = household_id
        if registering is not None:
            registered = await household_services.register(
                db_session, actor=principal, today=today(), command=registering
            )
            referred_household = registered.household.id
        assert referred_household is not None  # found by its code, or registered: the form was refused otherwise
        command = NewReferral.of(loaded_fields, household_id=referred_household)
        return await services.submit(db_session, actor=principal, command=command)

    referral = await attempt(form, db_session, household_and_referral, field_names=HOUSEHOLD_FIELDS)
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
        referrals = await services.list_for(db_session, actor=principal, **{**form.data, "limit": LIST_LIMIT})
    return ui.render(
        "referrals/list.html",
        form=form,
        referrals=referrals,
        outcomes=await referral_queries.outcomes(db_session, [r.id for r in referrals]),
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
    people = await account_queries.display_names(session, {referral.consultant_id, referral.decided_by_id})
    forms = forms or {}
    return ui.render(
        "referrals/referral.html",
        referral=referral,
        outcome=(await referral_queries.outcomes(session, [referral.id]))[referral.id],
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
    form = await load_form(ui, FormSchema)
    decision: Decision | None = load_command(form, DecisionForm)
    from_referral = form.value("return_to") == "referral"
    if decision is not None:
        referral = await attempt(
            form,
            db_session,
            lambda: services.decide(
                db_session, actor=principal, referral_id=referral_id, decision=decision, today=today()
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
