"""Languages of the web pages: Japanese first, English on request.

- Catalogs: `foodbank/pages/locale/<lang>/LC_MESSAGES/messages.po`, one per language in LANGUAGES.
  msgids are English (the language of the code, the API and its errors); the Japanese catalog must
  translate every one of them (a test checks), the English one may leave them empty (gettext then
  shows the msgid).
- The `.po` files are the only catalogs in the repository: they are compiled in memory by Babel the
  first time a language is used (a few milliseconds), so a fresh clone needs no build step and a
  compiled file can never be older than its source.
- A request's language: the `fb_lang` cookie (set by the switch link on every page, `/language/<lang>`),
  else the best match of `Accept-Language`, else Japanese.
- Templates: `{% trans %}...{% endtrans %}`, `_("...")`, `ngettext(...)`, installed on the Jinja
  environment with `install_gettext_translations` (newstyle: `_("Hello %(name)s", name=x)`). The
  language comes from the template context variable `lang`, which `Ui.render` always sets; a
  template imported without context has none, so import macros `with context`.
- Python: `Translator(lang)` (handlers get one as `ui.tr`); `N_("...")` marks a msgid defined at
  import time that is translated later. Messages always go through `%` formatting, as in
  templates: write a literal percent sign as `%%`.
- Problem details (AppError) become a translated `UserMessage` with `describe_problem`: their detail and
  field errors are Messages (msgid and parameters, foodbank/lib/messages.py), translated by
  `Translator.message`; marshmallow's own messages are plain msgids, looked up as they are.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from litestar import Request
from markupsafe import Markup

from foodbank.lib.clock import LOCAL_TZ
from foodbank.lib.errors import AppError
from foodbank.lib.messages import N_ as N_  # re-exported: the pages mark their msgids with it
from foodbank.lib.messages import Message, plain
from foodbank.models import DatePrecision

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
LANGUAGE_COOKIE = "fb_lang"
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


# --- catalogs ----------------------------------------------------------------------------------------


@functools.cache
def translations(lang: str) -> gettext_module.NullTranslations:
    """The compiled catalog of a language (compiled from its .po file once per process)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():  # the source language needs no catalog to work
        return gettext_module.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


@dataclass(frozen=True)
class Translator:
    """gettext for one language, for messages built in Python (form errors, flash messages) and for the
    Messages of services (`tr.message(error.detail)`)."""

    lang: str

    def gettext(self, message: str, **params: Any) -> str:
        if isinstance(message, Message) and not params:
            return self.message(message)
        text: str = translations(self.lang).gettext(message)
        return text % params

    __call__ = gettext

    def message(self, message: str) -> str:
        """A service's Message (or a plain msgid, such as marshmallow's own messages) in this language."""
        return plain(message).translated(_Catalog(self.lang))

    def label(self, kind: str, value: object) -> str:
        """An enum value in this language (see LABELS)."""
        text: str = translations(self.lang).gettext(label_msgid(kind, value))
        return text

    def problem_title(self, slug: str, status: int, default: str) -> str:
        """The title of a problem type in this language (`default` when there is none)."""
        msgid = PROBLEM_TITLES.get(slug) or PROBLEM_TITLES.get(_STATUS_TITLES.get(status, ""))
        return self.gettext(msgid) if msgid else default

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        params.setdefault("num", n)
        text: str = translations(self.lang).ngettext(singular, plural, n)
        return text % params


@dataclass(frozen=True)
class _Catalog:
    """What `Message.translated` reads: a language's catalog and its enum labels."""

    lang: str

    def gettext(self, message: str) -> str:
        text: str = translations(self.lang).gettext(message)
        return text

    def label(self, kind: str, value: str) -> str:
        return self.gettext(label_msgid(kind, value))


# --- the language of a request ----------------------------------------------------------------------


def parse_accept_language(header: str) -> list[str]:
    """Language tags of an Accept-Language header, most wanted first (q=0 dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(weighted)]


def problem_translator(request: Request[Any, Any, Any]) -> Translator | None:
    """The API's problems are English (what its clients and their tests expect) unless the request's
    Accept-Language prefers Japanese to English: then they are written in Japanese. The pages' language
    cookie does not count here: the API answers programs, which say what they want in the header."""
    for tag in parse_accept_language(request.headers.get("accept-language") or ""):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return Translator(primary) if primary != "en" else None
    return None


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    for tag in parse_accept_language(accept_language or ""):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


# --- templates -----------------------------------------------------------------------------------------


def _context_language(context: Context) -> str:
    lang = context.get("lang")
    if lang not in LANGUAGES:
        raise RuntimeError(
            f"template {context.name!r} was rendered without 'lang': render pages with Ui.render, "
            "and import macros 'with context'"
        )
    return str(lang)


class _ContextTranslations:
    """What `install_gettext_translations` installs: each call looks up the language of the template
    being rendered (Jinja passes the context to these functions), so one environment serves every
    language at once, with no global state."""

    @staticmethod
    @pass_context
    def gettext(context: Context, message: str) -> str:
        text: str = translations(_context_language(context)).gettext(message)
        return text

    @staticmethod
    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int) -> str:
        text: str = translations(_context_language(context)).ngettext(singular, plural, n)
        return text

    @staticmethod
    @pass_context
    def pgettext(context: Context, msgctxt: str, message: str) -> str:
        text: str = translations(_context_language(context)).pgettext(msgctxt, message)
        return text

    @staticmethod
    @pass_context
    def npgettext(context: Context, msgctxt: str, singular: str, plural: str, n: int) -> str:
        text: str = translations(_context_language(context)).npgettext(msgctxt, singular, plural, n)
        return text


DATE_PATTERNS: Mapping[str, Mapping[str, str]] = {
    "ja": {"medium": "y年M月d日", "full": "y年M月d日(E)"},
    "en": {"medium": "d MMM y", "full": "EEE d MMM y"},
}
"""One way to write a day per language, everywhere on the pages: 2026年12月3日 and 3 Dec 2026 (`full` adds
the weekday: 2026年12月3日(木), Thu 3 Dec 2026)."""


def format_day(value: date, lang: str, form: str = "medium") -> str:
    """A day the pages' way (`DATE_PATTERNS`), also for messages built in Python."""
    patterns = DATE_PATTERNS[lang]
    return babel_format_date(value, format=patterns.get(form, patterns["medium"]), locale=lang)


@pass_context
def _format_date(context: Context, value: date | None, form: str = "medium") -> str:
    if value is None:
        return ""
    return format_day(value, _context_language(context), form)


@pass_context
def _format_datetime(context: Context, value: datetime | None, form: str = "medium") -> str:
    """A moment in our users' time zone (Asia/Tokyo), however it was stored: its day, then the time."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LOCAL_TZ)
    return f"{format_day(local.date(), _context_language(context), form)} {local:%H:%M}"


def format_label_date(value: date | None, precision: DatePrecision | str | None) -> str:
    """A date as its label prints it: 2027-03-15, or 2027-03 for a year-month label."""
    if value is None:
        return ""
    return value.strftime("%Y-%m") if precision == DatePrecision.month else value.isoformat()


@pass_context
def _translate_filter(context: Context, message: str | None) -> str:
    """`{{ some_msgid_variable|t }}`: translate a msgid held in a variable (marked with N_ where defined)."""
    if not message:
        return ""
    text: str = translations(_context_language(context)).gettext(message)
    return Markup.escape(text) if context.eval_ctx.autoescape else text


def local_name(record: Any, lang: str) -> str:
    """A record's (or a row mapping's) name in the reader's language: `name_en` in English when it has
    one, else `name_ja`."""

    def named(key: str) -> Any:
        return record.get(key) if isinstance(record, Mapping) else getattr(record, key, None)

    if lang == "en" and named("name_en"):
        return str(named("name_en"))
    return str(named("name_ja") or "")


@pass_context
def _local_name(context: Context, record: Any) -> str:
    return local_name(record, _context_language(context))


def install(environment: Environment) -> None:
    """Set up the pages' Jinja environment: the i18n extension, our translations, date filters."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_translations(_ContextTranslations(), newstyle=True)  # type: ignore[attr-defined]
    environment.filters["date"] = _format_date
    environment.filters["datetime"] = _format_datetime
    environment.filters["label_date"] = format_label_date
    environment.filters["t"] = _translate_filter
    environment.globals["local_name"] = _local_name
    environment.globals["label"] = _label


# --- enum labels ------------------------------------------------------------------------------------------

LABELS: Mapping[str, str] = {
    # zones
    "zone.ambient": N_("Ambient"),
    "zone.chilled": N_("Chilled"),
    "zone.frozen": N_("Frozen"),
    # lot status
    "lot_status.active": N_("Usable"),
    "lot_status.on_hold": N_("On hold"),
    "lot_status.recalled": N_("Recalled"),
    # units of items, as the printed documents name them (stock.documents.UNIT_LABELS)
    "unit.piece": N_("pcs"),
    "unit.pack": N_("packs"),
    "unit.can": N_("cans"),
    "unit.bottle": N_("bottles"),
    "unit.bag": N_("bags"),
    "unit.box": N_("boxes"),
    "unit.kg": N_("kg"),
    # date kinds, and their short forms beside a date in a list (as labels print them: BB 2027-03)
    "date_kind_short.best_before": N_("BB"),
    "date_kind_short.use_by": N_("use by"),
    "date_kind.best_before": N_("Best-before"),
    "date_kind.use_by": N_("Use-by"),
    "date_kind.crop_year": N_("Crop year"),
    "date_kind.none": N_("No date"),
    # movements
    "movement.receipt": N_("Received"),
    "movement.reservation": N_("Reserved"),
    "movement.release": N_("Released"),
    "movement.issue": N_("Handed out"),
    "movement.return": N_("Returned"),
    "movement.transfer": N_("Moved"),
    "movement.adjustment": N_("Count adjusted"),
    "movement.disposal": N_("Disposed of"),
    # disposal reasons
    "disposal.expired": N_("Expired"),
    "disposal.damaged": N_("Damaged"),
    "disposal.recalled": N_("Recalled"),
    # reservation purposes
    "purpose.household": N_("Household"),
    "purpose.pantry_event": N_("Pantry day"),
    "purpose.partner": N_("Partner programme"),
    "purpose.other": N_("Other"),
    # roles
    "role.admin": N_("Administrator"),
    "role.coordinator": N_("Coordinator"),
    "role.warehouse": N_("Warehouse volunteer"),
    "role.consultant": N_("Consultant"),
    "role.reporter": N_("Reporter"),
    # referral statuses
    "referral.submitted": N_("Waiting for a decision"),
    "referral.accepted": N_("Accepted"),
    "referral.fulfilled": N_("Fulfilled"),
    "referral.declined": N_("Declined"),
    "referral.expired": N_("Expired"),
    "referral.withdrawn": N_("Withdrawn"),
    # pantry day statuses
    "pantry.planned": N_("Planned"),
    "pantry.open": N_("Taking registrations"),
    "pantry.allocated": N_("Stock allocated"),
    "pantry.in_progress": N_("In progress"),
    "pantry.closed": N_("Closed"),
    "pantry.cancelled": N_("Cancelled"),
    # pantry registrations
    "registration.booked": N_("Booked"),
    "registration.checked_in": N_("Checked in"),
    "registration.no_show": N_("Not come"),
    "registration.cancelled": N_("Cancelled"),
    # reservations (allocations) of a household
    "reservation_status.open": N_("To pick"),
    "reservation_status.picked": N_("Picked"),
    "reservation_status.released": N_("Released"),
    # appliance statuses
    "appliance.received": N_("Received"),
    "appliance.inspected": N_("Being inspected"),
    "appliance.available": N_("Ready to give"),
    "appliance.reserved": N_("Promised to a household"),
    "appliance.delivered": N_("Delivered"),
    "appliance.to_dispose": N_("To dispose of"),
    "appliance.disposed": N_("Disposed of"),
    # appliances: categories (as the category table names them), intake, checks, next steps, disposal reasons
    "appliance_category.refrigerator": N_("Refrigerator or freezer"),
    "appliance_category.washing_machine": N_("Washing machine or dryer"),
    "appliance_category.microwave": N_("Microwave oven"),
    "appliance_category.rice_cooker": N_("Rice cooker"),
    "appliance_category.tv": N_("TV"),
    "appliance_category.air_conditioner": N_("Air conditioner"),
    "appliance_category.vacuum": N_("Vacuum cleaner"),
    "appliance_category.fan": N_("Electric fan"),
    "appliance_category.heater": N_("Heater"),
    "appliance_category.other": N_("Other"),
    "pse.pse": N_("PSE mark present"),
    "pse.old_law": N_("Old-law mark present (before April 2001)"),
    "pse.none": N_("Neither mark"),
    "grade.A": N_("A: like new"),
    "grade.B": N_("B: signs of use"),
    "grade.C": N_("C: works, visibly worn"),
    "appliance_check.visual": N_("Visual check"),
    "appliance_check.power_on": N_("Power-on test"),
    "appliance_check.insulation": N_("Insulation test"),
    "appliance_check.cleaning": N_("Cleaning"),
    "appliance_check.recall_check": N_("Recall check (model against the recall lists)"),
    "check_result.pass": N_("Pass"),
    "check_result.fail": N_("Fail"),
    "check_result.not_applicable": N_("Not applicable"),
    "appliance_action.inspect": N_("record checks"),
    "appliance_action.reserve": N_("reserve for a household"),
    "appliance_action.release": N_("give up the reservation"),
    "appliance_action.deliver": N_("record the delivery"),
    "appliance_action.dispose": N_("dispose of it"),
    "appliance_disposal.failed_inspection": N_("Failed its inspection"),
    "appliance_disposal.damaged": N_("Damaged"),
    "appliance_disposal.too_old": N_("Too old"),
    "appliance_disposal.no_pse_mark": N_("No PSE mark"),
    "appliance_disposal.recalled": N_("Recalled"),
    "appliance_disposal.unclaimed": N_("Nobody needed it"),
    "appliance_disposal.other": N_("Other"),
    "appliance_reservation.open": N_("Promised to a household"),
    "appliance_reservation.released": N_("Given up"),
    "appliance_reservation.delivered": N_("Delivered"),
    # referrals: who came to the consultation (相談者), also who gave consent
    "who_consulted.self": N_("The person"),
    "who_consulted.family": N_("Family"),
    "who_consulted.agency": N_("An agency"),
    "who_consulted.other": N_("Other"),
    # referral reasons (referrals.schemas.REASONS)
    "reason.food_shortage": N_("Not enough food"),
    "reason.low_income": N_("Financial hardship"),
    "reason.unemployment": N_("Unemployment"),
    "reason.illness": N_("Illness"),
    "reason.disability": N_("Disability"),
    "reason.debt": N_("Debt"),
    "reason.disaster": N_("Disaster"),
    "reason.domestic_violence": N_("Domestic violence"),
    "reason.isolation": N_("Isolation"),
    "reason.housing": N_("Housing"),
    "reason.moving_in": N_("Setting up a new home"),
    "reason.other": N_("Other"),
    # what a referral asks for, how urgent, how consent was given
    "request.food": N_("Food"),
    "request.appliance": N_("Appliance"),
    "request.both": N_("Food and an appliance"),
    "urgency.normal": N_("Normal"),
    "urgency.urgent": N_("Urgent"),
    "urgency.emergency": N_("Emergency"),
    "consent_method.written": N_("In writing"),
    "consent_method.verbal": N_("Verbally"),
    "consent_method.electronic": N_("Electronically"),
    # municipalities of the Sanbu district (households)
    "municipality.togane": N_("Togane City"),
    "municipality.sammu": N_("Sammu City"),
    "municipality.oamishirasato": N_("Oamishirasato City"),
    "municipality.kujukuri": N_("Kujukuri Town"),
    "municipality.shibayama": N_("Shibayama Town"),
    "municipality.yokoshibahikari": N_("Yokoshibahikari Town"),
    "municipality.other": N_("Elsewhere"),
    # stocktakes
    "stocktake_status.open": N_("Counting"),
    "stocktake_status.approved": N_("Approved"),
    "stocktake_status.abandoned": N_("Abandoned"),
    "stocktake_reason.damaged": N_("Damaged"),
    "stocktake_reason.expired": N_("Expired"),
    "stocktake_reason.miscount": N_("Miscount"),
    "stocktake_reason.unrecorded_hand_out": N_("Handed out without a record"),
    "stocktake_reason.theft": N_("Theft"),
    "stocktake_reason.other": N_("Other"),
    # how food was handed out (distributions)
    "hand_out.delivery": N_("Delivery"),
    "hand_out.pickup": N_("Pick-up"),
    "hand_out.pantry": N_("Pantry day"),
    "hand_out.partner": N_("Partner programme"),
}


def label_msgid(kind: str, value: object) -> str:
    """The msgid for an enum value (`label_msgid("zone", Zone.chilled)`), or the raw value if unknown."""
    raw = str(getattr(value, "value", value))
    return LABELS.get(f"{kind}.{raw}", raw)


@pass_context
def _label(context: Context, kind: str, value: object) -> str:
    """`{{ label("zone", lot.item.zone) }}`: an enum value in the reader's language (see LABELS)."""
    text: str = translations(_context_language(context)).gettext(label_msgid(kind, value))
    return text


# --- problem details and service messages -------------------------------------------------------------

PROBLEM_TITLES: Mapping[str, str] = {
    "bad-request": N_("The request could not be read."),
    "not-authenticated": N_("Please sign in."),
    "forbidden": N_("Your role does not allow this page or action."),
    "csrf": N_("The form has expired. Reload the page and try again."),
    "not-found": N_("There is nothing here."),
    "method-not-allowed": N_("This page cannot be used that way."),
    "conflict": N_("This cannot be done in the current state."),
    "too-large": N_("What was sent is too large."),
    "validation": N_("Some fields need attention."),
    "too-many-requests": N_("Too many attempts. Wait a moment and try again."),
    "unsupported-media-type": N_("What was sent is not in a form this accepts."),
    "insufficient-stock": N_("There is not enough usable stock."),
    "lot-unavailable": N_("This lot cannot be used for this."),
    "lot-not-found": N_("There is no such lot."),
    "reservation-not-found": N_("There is no such picking list."),
    "reservation-closed": N_("This picking list is already picked or released."),
    "stocktake-not-found": N_("There is no such stocktake."),
    "stocktake-closed": N_("This stocktake is already approved or abandoned."),
    "stocktake-overlap": N_("Another open stocktake counts some of these locations."),
    "stocktake-needs-approval": N_("Differences this large need a coordinator's approval."),
    "item-not-found": N_("There is no such item."),
    "household-not-found": N_("There is no such household."),
    "referral-not-found": N_("There is no such referral."),
    "referral-state": N_("This referral cannot change like that."),
    "no-consent": N_("The household has not consented to sharing its identity."),
    "identity-not-shared": N_(
        "Your agency did not register this household nor refer it with its consent: its name and contact are "
        "not shared with your agency."
    ),
    "household-anonymised": N_("The household was anonymised: register it again."),
    "referral-not-usable": N_("The referral cannot be used for this."),
    "frequency-rule": N_("Too soon after the household's last hand-out."),
    "reservation-already-handed-out": N_("This allocation was already handed out."),
    "nothing-to-hand-out": N_("There is nothing to hand out."),
    "distribution-not-found": N_("There is no such hand-out."),
    "duplicate-code": N_("That name or code is already in use."),
    "no-parcel-template": N_("No parcel template fits."),
    "pantry-event-not-found": N_("There is no such pantry day."),
    "venue-not-found": N_("There is no such venue."),
    "parcel-template-not-found": N_("There is no such parcel template."),
    "parcel-template-status": N_("This cannot be done for this parcel template now."),
    "slot-not-found": N_("There is no such time slot."),
    "registration-not-found": N_("There is no such registration."),
    "pantry-event-status": N_("This cannot be done at this stage of the pantry day."),
    "registration-status": N_("This cannot be done for this registration now."),
    "slot-full": N_("The time slot is full."),
    "already-registered": N_("The household is already registered for this pantry day."),
    "capacity-below-bookings": N_("More households are booked than that capacity."),
    "no-parcel": N_("No parcel was allocated to this household."),
    "walk-in-buffer-empty": N_("Nothing is left for walk-ins."),
    "appliance-not-found": N_("There is no such appliance."),
    "appliance-status": N_("The appliance cannot take this step now."),
    "internal": N_("Something went wrong on our side. Nothing was saved."),
    "unavailable": N_("The service is unavailable for a moment. Try again shortly."),
}
_STATUS_TITLES: Mapping[int, str] = {
    400: "bad-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "too-many-requests",
    500: "internal",
    503: "unavailable",
}


@dataclass
class UserMessage:
    """A problem as a person reads it: a title, maybe a detail, and messages per field."""

    title: str
    detail: str | None = None
    fields: dict[str, list[str]] = field(default_factory=dict)
    status: int = 400


def describe_problem(tr: Translator, status: int, slug: str, detail: str, extra: Mapping[str, Any]) -> UserMessage:
    """Problem details (type slug, detail, errors) in the reader's language; `detail` and the errors'
    messages are a service's Messages (or plain msgids)."""
    title = tr.problem_title(slug, status, "")
    title = title or tr.message(detail)
    fields: dict[str, list[str]] = {}
    for error in extra.get("errors") or []:
        text = error.get("message", "")
        fields.setdefault(str(error.get("field", "")), []).append(
            tr.message(text if isinstance(text, str) else str(text))
        )
    shown_detail: str | None = None
    if not fields and detail and slug not in {"not-authenticated", "forbidden", "csrf", "not-found", "internal"}:
        translated = tr.message(detail)
        shown_detail = translated if translated != title else None
    return UserMessage(title=title, detail=shown_detail, fields=fields, status=status)


def describe_error(tr: Translator, error: AppError) -> UserMessage:
    return describe_problem(tr, error.status, error.slug, error.detail, error.extra)
