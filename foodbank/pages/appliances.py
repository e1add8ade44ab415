"""Appliance bank pages: the board, intake, a unit's page with its next step and its history, and the
waiting list. A unit goes received -> (inspection) -> available -> reserved -> delivered, or to disposal.

- Same roles as the API (`appliances.controllers`): warehouse volunteers, coordinators and admins see
  the units, take them in and record checks; coordinators and admins reserve, release, deliver and
  dispose. The waiting list is the API's: staff see every entry, a consultant their agency's.
- Forms are the API's schemas (`appliances/schemas.py`) with words for a page (`api_forms.page_form`):
  the same fields, limits and rules, loaded to the same commands the services take. Refusals of the services
  come back at their fields through `forms.attempt`; every step's form is sent once (`_once`).
- Reads go through `appliances.queries` (units, history, categories) and, for the waiting list, through
  `appliances.services.waiting_list`, which audits the read as the API does. Households by code only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar import Response, get, post
from litestar.response import Template
from marshmallow import Schema, fields
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.appliances import queries, rules, services
from foodbank.appliances.controllers import MANAGERS, STAFF, shown
from foodbank.appliances.schemas import (
    ApplianceCheckIn,
    ApplianceDeliveryIn,
    ApplianceDisposalIn,
    ApplianceIn,
    ApplianceInspectionIn,
    ApplianceReleaseIn,
    ApplianceReservationIn,
)
from foodbank.catalogue import queries as catalogue_queries
from foodbank.config import Settings
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.models import (
    ApplianceCategory,
    ApplianceDisposalReason,
    ApplianceStatus,
    ApplianceUnit,
    CheckResult,
    ConditionGrade,
    InspectionCheck,
    PseMark,
    ReferralStatus,
    Role,
)
from foodbank.pages.api_forms import load_command, page_form
from foodbank.pages.forms import Form, FormSchema, attempt, empty_form, load_form, load_query
from foodbank.pages.i18n import N_, label_msgid, local_name
from foodbank.pages.layout import Nav, Ui, page

WAITING_LIST_READERS = (*STAFF, Role.consultant)
"""As `GET /api/appliances/waiting-list`: a consultant sees their own agency's entries."""
BOARD_COLUMN_LIMIT = 60
"""Cards per status column (the count above it is always the whole number)."""
STEP_ROLES: Mapping[rules.Action, tuple[Role, ...]] = {
    rules.Action.inspect: STAFF,
    rules.Action.reserve: MANAGERS,
    rules.Action.release: MANAGERS,
    rules.Action.deliver: MANAGERS,
    rules.Action.dispose: MANAGERS,
}
"""Who may take each step: the roles of the API's route for it."""
DELIVERY_DAYS_AHEAD = 7
"""The planned delivery day offered on the reservation form."""

# --- page forms: the API's schemas with a page's words ------------------------------------------------

WHOLE_NUMBER = N_("Give a whole number.")
A_DATE = N_("Write the date as YYYY-MM-DD.")
CHOOSE = N_("Must be one of the choices.")


IntakeForm = page_form(
    ApplianceIn,
    messages={
        "category": {"required": N_("Choose the kind of appliance."), "unknown": CHOOSE},
        "maker": {"required": N_("Give the maker."), "validate": N_("At most 100 characters.")},
        "model": {"required": N_("Give the model number on the label."), "validate": N_("At most 100 characters.")},
        "serial_number": {"validate": N_("At most 100 characters.")},
        "manufacture_year": {
            "required": N_("Give the year it was made (on the label)."),
            "invalid": WHOLE_NUMBER,
            "validate": N_("Give the year it was made, such as 2021."),
        },
        "size": {"validate": N_("At most 100 characters.")},
        "pse_mark": {"required": N_("Say whether it carries the PSE mark."), "unknown": CHOOSE},
        "donor_id": {"invalid": CHOOSE},
        "received_date": {"invalid": A_DATE},
        "location_id": {"required": N_("Choose where it is kept."), "invalid": CHOOSE},
        "condition_grade": {"required": N_("Choose its condition."), "unknown": CHOOSE},
        "notes": {"validate": N_("At most 2,000 characters.")},
    },
)
CheckForm = page_form(
    ApplianceCheckIn,
    messages={
        "check": {"unknown": CHOOSE},
        "result": {"unknown": CHOOSE},
        "note": {"validate": N_("At most 500 characters.")},
    },
)
InspectionForm = page_form(
    ApplianceInspectionIn,
    messages={
        "inspected_on": {"invalid": A_DATE},
        "checks": {"validate": N_("Record at least one check: pass, fail or not applicable.")},
    },
    nested={"checks": CheckForm},
)
ReservationForm = page_form(
    ApplianceReservationIn,
    messages={
        "referral_id": {"invalid": CHOOSE},
        "planned_delivery_date": {"required": N_("Give the day of the delivery."), "invalid": A_DATE},
        "note": {"validate": N_("At most 500 characters.")},
    },
)
ReleaseForm = page_form(
    ApplianceReleaseIn,
    messages={
        "note": {"required": N_("Say why the reservation is given up."), "validate": N_("At most 500 characters.")}
    },
)
DeliveryForm = page_form(
    ApplianceDeliveryIn,
    messages={
        "delivered_on": {"invalid": A_DATE},
        "receipt_number": {"validate": N_("At most 40 characters.")},
        "installed": {"invalid": CHOOSE},
        "note": {"validate": N_("At most 500 characters.")},
    },
)
DisposalForm = page_form(
    ApplianceDisposalIn,
    messages={
        "disposed_on": {"invalid": A_DATE},
        "reason": {"required": N_("Choose why it is disposed of."), "unknown": CHOOSE},
        "recycling_ticket_number": {"validate": N_("At most 40 characters.")},
        "note": {"validate": N_("At most 500 characters.")},
    },
)


class BoardFilterForm(FormSchema):
    category = fields.Enum(ApplianceCategory, by_value=True, error_messages={"unknown": CHOOSE})


async def _posted(ui: Ui, schema_cls: type[Schema]) -> tuple[Form, Any]:
    """The posted form, and what the page form loads it to (the service's command; None when refused)."""
    form = await load_form(ui, FormSchema)
    return form, load_command(form, schema_cls)


def _move_errors(form: Form, renames: Mapping[str, str]) -> None:
    """Errors of fields the page names otherwise (`checks.0.result` -> `visual-result`)."""
    for old, new in renames.items():
        if old in form.errors and old != new:
            form.errors.setdefault(new, []).extend(form.errors.pop(old))


# --- reads for the pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    code: ApplianceCategory
    name: str
    recycling_law: bool
    max_age_years: int


async def _categories(ui: Ui, session: AsyncSession, settings: Settings) -> dict[ApplianceCategory, Category]:
    return {
        row["code"]: Category(row["code"], local_name(row, ui.lang), row["recycling_law"], row["max_age_years"])
        for row in await queries.categories(session, settings.appliances)
    }


def _steps(principal: Principal, unit: Mapping[str, Any]) -> list[str]:
    """The next steps of a unit that this person may take."""
    return [
        action
        for action in unit["allowed_actions"]
        if (roles := STEP_ROLES.get(rules.Action(action))) is not None and principal.has(*roles)
    ]


# --- the board -------------------------------------------------------------------------------------------


@get(
    "/coordinator/appliances",
    opt=page(**allow(*STAFF), nav=Nav("coordinator", N_("Appliance board"), 30)),
    include_in_schema=False,
)
async def appliance_board(ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings) -> Template:
    form = load_query(ui, BoardFilterForm)
    category = form.data.get("category") if form.ok else None
    categories = await _categories(ui, db_session, settings)
    counts = await queries.counts(db_session)
    if category is not None:
        row = next((r for r in counts["by_category"] if r["category"] == category), None)
        by_status: dict[str, int] = dict(row["by_status"]) if row else {}
    else:
        by_status = dict(counts["by_status"])
    oldest = await queries.oldest_by_status(
        db_session, category=[category] if category is not None else None, limit=BOARD_COLUMN_LIMIT
    )
    columns = [
        {"status": status, "count": by_status.get(status.value, 0), "units": units} for status, units in oldest.items()
    ]
    return ui.render(
        "appliances/board.html",
        form=form,
        columns=columns,
        total=sum(by_status.values()),
        categories=categories,
        category_options=[(c.code.value, c.name) for c in categories.values()],
        column_limit=BOARD_COLUMN_LIMIT,
        may_take_in=principal.has(*STAFF),
        status_code=form.status,
    )


# --- intake ----------------------------------------------------------------------------------------------


async def _intake_page(
    ui: Ui, session: AsyncSession, settings: Settings, form: Form, status_code: int = 200
) -> Template:
    categories = await _categories(ui, session, settings)
    locations = await catalogue_queries.locations(session)
    return ui.render(
        "appliances/new.html",
        form=form,
        categories=list(categories.values()),
        pse_options=[(m.value, ui._(label_msgid("pse", m))) for m in PseMark],
        pse_refused=settings.appliances.no_pse_mark != "flag",
        grade_options=[(g.value, ui._(label_msgid("grade", g))) for g in ConditionGrade],
        donor_options=[
            (donor.id, donor.name or ui._("Anonymous donor"))
            for donor in await catalogue_queries.donors(session, limit=500)
        ],
        location_options=[(loc.id, f"{loc.code} ({ui._(label_msgid('zone', loc.zone))})") for loc in locations],
        status_code=status_code,
    )


@get("/coordinator/appliances/new", opt=page(**allow(*STAFF)), include_in_schema=False)
async def intake_page(ui: Ui, db_session: AsyncSession, settings: Settings) -> Template:
    form = empty_form(ui, {"received_date": today().isoformat()})
    return await _intake_page(ui, db_session, settings, form)


@post("/coordinator/appliances", opt=page(**allow(*STAFF)), include_in_schema=False)
async def take_in(ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings) -> Response[Any]:
    form, intake = await _posted(ui, IntakeForm)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    if intake is not None:
        unit = await attempt(
            form,
            db_session,
            lambda: services.register(
                db_session, actor_id=principal.id, intake=intake, settings=settings.appliances, today=today()
            ),
        )
        if unit is not None:
            if unit.flags:
                message = ui._(
                    "%(code)s taken in, flagged: it carries neither the PSE mark nor the old-law mark. "
                    "Check it with care before it is given away.",
                    code=unit.code,
                )
                done = ui.redirect(f"/coordinator/appliances/{unit.id}", flash=message, kind="warning")
            else:
                message = ui._(
                    "%(code)s taken in. Write the code on its tag; next comes the inspection.", code=unit.code
                )
                done = ui.redirect(f"/coordinator/appliances/{unit.id}", flash=message)
            return await form.remember(db_session, done)
    return await _intake_page(ui, db_session, settings, form, form.status)


# --- one unit --------------------------------------------------------------------------------------------


async def _unit_page(
    ui: Ui,
    session: AsyncSession,
    principal: Principal,
    settings: Settings,
    unit_id: int,
    *,
    forms: Mapping[str, Form] | None = None,
    status_code: int = 200,
) -> Template:
    unit = await shown(session, unit_id)
    history = await queries.history(session, unit_id)
    assert history is not None  # the unit exists
    categories = await _categories(ui, session, settings)
    category = categories[unit["category"]]
    steps = _steps(principal, unit)
    on = today()
    given = dict(forms or {})
    waiting: list[dict[str, Any]] = []
    if "reserve" in steps:
        waiting = await services.waiting_list(session, actor=principal, today=on, category=unit["category"])
    latest = {c.kind: c for c in history["inspections"]}  # in id order: a later check of a kind wins
    people = await queries.people(
        session,
        {c.actor_id for c in history["status_changes"]}
        | {c.inspector_id for c in history["inspections"]}
        | {r["reserved_by_id"] for r in history["reservations"]}
        | ({unit["delivery"]["delivered_by_id"]} if unit["delivery"] else set()),
    )
    reservation = unit["reservation"]
    defaults: dict[str, Form] = {
        "inspect": empty_form(ui, {"inspected_on": on.isoformat()}),
        "reserve": empty_form(
            ui,
            {
                "planned_delivery_date": (on + timedelta(days=DELIVERY_DAYS_AHEAD)).isoformat(),
                "referral_id": next(
                    (e["referral_id"] for e in waiting if e["referral_status"] is ReferralStatus.accepted), ""
                ),
            },
        ),
        "deliver": empty_form(
            ui,
            {
                "delivered_on": on.isoformat(),
                "installed": "true" if reservation and reservation["installation_needed"] else "false",
            },
        ),
        "release": empty_form(ui),
        "dispose": empty_form(
            ui,
            {
                "disposed_on": on.isoformat(),
                "reason": (
                    ApplianceDisposalReason.failed_inspection.value
                    if unit["status"] is ApplianceStatus.to_dispose
                    else ""
                ),
            },
        ),
    }
    status = unit["status"]
    shown_forms = {
        "inspect": status in (ApplianceStatus.received, ApplianceStatus.inspected),
        "reserve": status is ApplianceStatus.available,
        "deliver": status is ApplianceStatus.reserved,
        "release": status is ApplianceStatus.reserved,
        "dispose": True,
    }
    return ui.render(
        "appliances/unit.html",
        refused=[form for name, form in given.items() if not (shown_forms[name] and name in steps)],
        unit=unit,
        category=category,
        age_now=rules.age_at_receipt(unit["manufacture_year"], on),
        age_at_receipt=rules.age_at_receipt(unit["manufacture_year"], unit["received_date"]),
        donor=await catalogue_queries.donor(session, unit["donor_id"]) if unit["donor_id"] is not None else None,
        steps=steps,
        forms={name: given.get(name) or form for name, form in defaults.items()},
        open_step=next(iter(given), None),
        checks=list(InspectionCheck),
        may_not_apply=rules.MAY_NOT_APPLY,
        latest=latest,
        results=[(r.value, ui._(label_msgid("check_result", r))) for r in CheckResult],
        waiting=waiting,
        reasons=[(r.value, ui._(label_msgid("appliance_disposal", r))) for r in ApplianceDisposalReason],
        history=history,
        people=people,
        hand_over_sheet=f"/api/appliances/{unit['id']}/hand-over.pdf" if reservation else None,
        status_code=status_code,
    )


@get("/coordinator/appliances/{unit_id:int}", opt=page(**allow(*STAFF)), include_in_schema=False)
async def unit_page(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, unit_id: int
) -> Template:
    return await _unit_page(ui, db_session, principal, settings, unit_id)


def _unit_url(unit_id: int, anchor: str = "") -> str:
    return f"/coordinator/appliances/{unit_id}" + (f"#{anchor}" if anchor else "")


def _check_fields(values: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The inspection form's rows (`visual-result`, `visual-note`, ...) as the API's body, rows left
    without a result out; and where each row's errors go back to (`checks.0.result` -> `visual-result`)."""
    raw: dict[str, Any] = {"checks": []}
    renames = {"checks": f"{InspectionCheck.visual.value}-result"}
    for kind in InspectionCheck:
        result = values.get(f"{kind.value}-result", "")
        if not result:
            continue
        n = len(raw["checks"])
        row = {"check": kind.value, "result": result}
        if note := values.get(f"{kind.value}-note", ""):
            row["note"] = note
        raw["checks"].append(row)
        renames |= {f"checks.{n}.{part}": f"{kind.value}-{part}" for part in ("check", "result", "note")}
        renames |= {f"checks.{n}": f"{kind.value}-result"}
    return raw, renames


Said = tuple[str, str]
"""A flash message and its kind (ok, warning)."""


@dataclass(frozen=True)
class UnitPage:
    """A unit's page, for the handlers of its steps."""

    ui: Ui
    session: AsyncSession
    principal: Principal
    settings: Settings
    unit_id: int

    async def step(
        self,
        name: str,
        form: Form,
        command: Any,
        run: Callable[[Any], Awaitable[ApplianceUnit]],
        said: Callable[[ApplianceUnit, Any], Said],
        *,
        field_names: Mapping[str, str] | None = None,
        anchor: str = "next",
    ) -> Response[Any]:
        """One step of the unit's workflow: a second tap goes where the first went; the service runs on
        the command (a refusal comes back on the step's form `name`, what was typed kept); success goes
        back to the unit's page, saying what happened."""
        ui, session = self.ui, self.session
        if (replay := await form.replayed(session)) is not None:
            return replay
        if command is not None:
            unit = await attempt(form, session, lambda: run(command), field_names=field_names)
            if unit is not None:
                message, kind = said(unit, command)
                done = ui.redirect(_unit_url(self.unit_id, anchor), flash=message, kind=kind)
                return await form.remember(session, done)
        return await _unit_page(
            ui, session, self.principal, self.settings, self.unit_id, forms={name: form}, status_code=form.status
        )


@post("/coordinator/appliances/{unit_id:int}/inspections", opt=page(**allow(*STAFF)), include_in_schema=False)
async def inspect(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, unit_id: int
) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    raw, renames = _check_fields(form.values)
    inspection: services.Inspection | None = load_command(form, InspectionForm, raw)
    _move_errors(form, renames)

    def said(unit: ApplianceUnit, _: services.Inspection) -> Said:
        if unit.status is ApplianceStatus.to_dispose:
            return ui._(
                "%(code)s failed its inspection: it will not be given away and awaits disposal.", code=unit.code
            ), "warning"
        if unit.status is ApplianceStatus.available:
            return ui._("%(code)s passed every check: it is ready to give.", code=unit.code), "ok"
        return ui._("Checks of %(code)s recorded; the others are still to do.", code=unit.code), "ok"

    return await UnitPage(ui, db_session, principal, settings, unit_id).step(
        "inspect",
        form,
        inspection,
        lambda checked: services.inspect(
            db_session,
            actor_id=principal.id,
            unit_id=unit_id,
            inspected_on=checked.inspected_on or today(),
            checks=checked.checks,
            today=today(),
        ),
        said,
        field_names=renames,
    )


@post("/coordinator/appliances/{unit_id:int}/reservations", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def reserve(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, unit_id: int
) -> Response[Any]:
    form, data = await _posted(ui, ReservationForm)
    if "household_id" in form.errors:  # the page reserves through a referral of the waiting list only
        form.errors.pop("household_id")
        form.add_error("referral_id", ui._("Choose a household from the waiting list."))
        data = None

    reserved_for: list[str] = []  # the household's code, read once the reservation is made

    async def run(chosen: dict[str, Any]) -> ApplianceUnit:
        unit = await services.reserve(
            db_session,
            actor=principal,
            unit_id=unit_id,
            household_id=None,
            referral_id=chosen["referral_id"],
            planned_delivery_date=chosen["planned_delivery_date"],
            installation_needed=chosen["installation_needed"],
            note=chosen["note"],
            today=today(),
        )
        reserved_for.append((await shown(db_session, unit.id))["reservation"]["household_code"])
        return unit

    def said(unit: ApplianceUnit, _: dict[str, Any]) -> Said:
        message = ui._(
            "%(code)s is reserved for %(household)s. Print the hand-over sheet for the delivery.",
            code=unit.code,
            household=reserved_for[-1],
        )
        return message, "ok"

    return await UnitPage(ui, db_session, principal, settings, unit_id).step(
        "reserve",
        form,
        data,
        run,
        said,
        field_names={"household_id": "referral_id"},
    )


@post("/coordinator/appliances/{unit_id:int}/release", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def release(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, unit_id: int
) -> Response[Any]:
    form, data = await _posted(ui, ReleaseForm)
    return await UnitPage(ui, db_session, principal, settings, unit_id).step(
        "release",
        form,
        data,
        lambda given: services.release(db_session, actor_id=principal.id, unit_id=unit_id, note=given["note"]),
        lambda unit, _: (
            ui._("The reservation of %(code)s was given up: it is ready to give again.", code=unit.code),
            "ok",
        ),
    )


@post("/coordinator/appliances/{unit_id:int}/delivery", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def deliver(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, unit_id: int
) -> Response[Any]:
    form, data = await _posted(ui, DeliveryForm)
    return await UnitPage(ui, db_session, principal, settings, unit_id).step(
        "deliver",
        form,
        data,
        lambda given: services.deliver(
            db_session,
            actor_id=principal.id,
            unit_id=unit_id,
            delivered_on=given["delivered_on"] or today(),
            delivered_by_id=None,
            receipt_number=given["receipt_number"],
            receipt_signed=given["receipt_signed"],
            installed=given["installed"],
            note=given["note"],
            today=today(),
        ),
        lambda unit, _: (
            ui._("%(code)s delivered. The signed hand-over sheet is the household's receipt.", code=unit.code),
            "ok",
        ),
    )


@post("/coordinator/appliances/{unit_id:int}/disposal", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def dispose(
    ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings, unit_id: int
) -> Response[Any]:
    form, data = await _posted(ui, DisposalForm)

    def said(unit: ApplianceUnit, given: dict[str, Any]) -> Said:
        if unit.recycling_law:
            return ui._(
                "%(code)s disposed of through the home appliance recycling law, recycling ticket %(ticket)s.",
                code=unit.code,
                ticket=given["recycling_ticket_number"],
            ), "ok"
        return ui._("%(code)s disposed of.", code=unit.code), "ok"

    return await UnitPage(ui, db_session, principal, settings, unit_id).step(
        "dispose",
        form,
        data,
        lambda given: services.dispose(
            db_session,
            actor_id=principal.id,
            unit_id=unit_id,
            disposed_on=given["disposed_on"] or today(),
            reason=given["reason"],
            recycling_ticket_number=given["recycling_ticket_number"],
            note=given["note"],
            today=today(),
        ),
        said,
        anchor="",
    )


# --- the waiting list ------------------------------------------------------------------------------------


@get(
    "/coordinator/appliances/waiting-list",
    opt=page(**allow(*WAITING_LIST_READERS), nav=Nav("consultant", N_("Appliance waiting list"), 30)),
    include_in_schema=False,
)
async def waiting_list(ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings) -> Template:
    form = load_query(ui, BoardFilterForm)
    category = form.data.get("category") if form.ok else None
    categories = await _categories(ui, db_session, settings)
    entries = await services.waiting_list(db_session, actor=principal, today=today(), category=category)
    ready = (
        await queries.units(db_session, status=[ApplianceStatus.available], limit=500) if principal.has(*STAFF) else []
    )
    groups: dict[ApplianceCategory | None, list[dict[str, Any]]] = {}
    for entry in entries:
        groups.setdefault(entry["category"], []).append(entry)
    return ui.render(
        "appliances/waiting_list.html",
        form=form,
        groups=[(categories.get(code) if code is not None else None, rows) for code, rows in groups.items()],
        total=len(entries),
        category_options=[(c.code.value, c.name) for c in categories.values()],
        unit_codes={u["id"]: u["code"] for u in ready},
        staff=principal.has(*STAFF),
        managing=principal.has(*MANAGERS),
        status_code=form.status,
    )


HANDLERS = [appliance_board, intake_page, take_in, waiting_list, unit_page, inspect, reserve, release, deliver, dispose]
