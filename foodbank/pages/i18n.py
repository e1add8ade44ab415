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
- Problem details (AppError) become a translated `UserMessage` with `describe_problem`; the English
  messages of services are matched against SERVICE_MESSAGES and translated with their values.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import re
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
from markupsafe import Markup

from foodbank.lib.clock import LOCAL_TZ
from foodbank.lib.errors import AppError
from foodbank.models import DatePrecision

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
LANGUAGE_COOKIE = "fb_lang"
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a msgid for extraction; it is translated where it is shown."""
    return message


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
    """gettext for one language, for messages built in Python (form errors, flash messages)."""

    lang: str

    def gettext(self, message: str, **params: Any) -> str:
        text: str = translations(self.lang).gettext(message)
        return text % params

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int, **params: Any) -> str:
        params.setdefault("num", n)
        text: str = translations(self.lang).ngettext(singular, plural, n)
        return text % params


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

SERVICE_MESSAGES: tuple[str, ...] = (
    # stock.services.receive and check_receipt_lines
    N_("%(date)s is in the future; give the day the goods arrived."),
    N_("A donation needs its donor (an anonymous individual donor is fine)."),
    N_("There is no donor with id %(id)s."),
    N_("There is no item with id %(id)s."),
    N_("No item has the barcode %(barcode)s; register the item first."),
    N_("There is no location with id %(id)s."),
    N_("%(item)s is %(item_zone)s stock; location %(location)s is %(location_zone)s."),
    N_("%(item)s carries a crop year (産年): give crop_year."),
    N_("%(item)s carries a crop year, not a date."),
    N_("Only rice and similar items carry a crop year."),
    N_("%(item)s is registered as carrying no date."),
    N_("Give the use-by (消費期限) date printed on the label."),
    N_("Give the best-before (賞味期限) date printed on the label."),
    N_("The use-by date %(date)s has passed: this food must not be accepted."),
    N_("Best-before %(date)s has already passed."),
    N_("Best-before %(date)s leaves %(days)s days; the category asks for at least %(minimum)s at receipt."),
    # stock.dates: plausible dates at receipt
    N_(
        "Best-before %(date)s has passed: it can no longer be handed out. Do not receive it; set it aside for disposal."
    ),
    N_("Received on %(date)s, %(days)s days ago: is this date right?"),
    N_("A use-by date (消費期限) %(days)s days ahead is unusual: is it a best-before date, and is %(date)s right?"),
    N_("Best-before %(date)s is more than %(years)s years away: is this date right?"),
    N_("Crop year %(year)s, received in %(received)s: is this right?"),
    # stock.dates.parse_label_date
    N_("Write the date as YYYY-MM-DD, or YYYY-MM when the label shows only year and month."),
    N_("There is no month %(month)s."),
    N_("%(month)s has no day %(day)s."),
    # lots: holds, disposal
    N_("There is no lot with id %(id)s."),
    N_("No lot matches: check the lot, item, date or lot code."),
    N_("Only a lot on hold can be released; a recalled lot stays blocked until it is disposed of."),
    N_("The lot is not on hold."),
    N_("Only %(available)s of lot %(lot)s can be disposed of (%(reserved)s are reserved: release them first)."),
    # reservations and picking
    N_("There is no reservation with id %(id)s."),
    N_("Reservation %(id)s is already %(status)s."),
    N_("Line %(line)s has no picked quantity (write 0 if nothing was picked)."),
    N_("Line %(line)s: %(picked)s picked, but only %(reserved)s were reserved."),
    N_(
        "Lines %(lines)s come from lots on hold or recalled since they were reserved: "
        "do not hand them out; confirm them with 0."
    ),
    # households
    N_("There is no household with id %(id)s."),
    N_("Count at least one member (infants, children, adults, seniors)."),
    N_("Unknown allergen code %(code)s."),
    N_("Looks like the existing household %(code)s: check before using both."),
    N_("Household %(id)s was anonymised after a long time without activity; register it again."),
    # household allocations and hand-outs (stock.services.reserve, distributions.services.hand_out)
    N_("there is no item with id %(id)s"),
    N_("There is no distribution with id %(id)s."),
    N_("Nothing was picked for reservation %(id)s."),
    N_("Reservation %(id)s was already handed out (distribution %(distribution)s)."),
    N_("Reservation %(id)s was handed out by another request just now."),
    N_("Reservation %(id)s was released: its stock is back on the shelves."),
    # pantry days (pantry.services)
    N_("There is no pantry day with id %(id)s."),
    N_("There is no venue with id %(id)s."),
    N_("A venue named %(name)s exists."),
    N_("There is no parcel template with id %(id)s."),
    N_("There is no category with id %(id)s."),
    N_("Templates %(first)s and %(second)s overlap."),
    N_('Template "%(name)s" is retired.'),
    N_('Parcel template "%(name)s" is already retired.'),
    N_('Parcel template "%(name)s" is in use, not retired.'),
    N_("Another slot starts at the same time."),
    N_("Pantry day %(event)s has no time slot with id %(id)s."),
    N_("Pantry day %(event)s has no registration with id %(id)s."),
    N_("Pantry day %(id)s has no walk-in buffer (no walk-ins were expected when the stock was allocated)."),
    N_("The walk-in buffer of pantry day %(id)s is used up."),
    N_("Nothing the walk-in parcel needs is left in the buffer of pantry day %(id)s."),
    # reports.services.build_annual_summary
    N_("this fiscal year has not started"),
    # referrals.services.submit and decide
    N_("There is no referral with id %(id)s."),
    N_("Required: an existing agency."),
    N_("Must be on or after valid_from."),
    N_("Required when an appliance is asked for."),
    N_("Referral %(id)s ran out on %(date)s; ask for a new one."),
    # foodbank.lib.validation: what no column can hold, dates outside what is plausible for a field
    N_("Contains a character that cannot be stored (a NUL or a broken character): type it again."),
    N_("A field name contains a character that cannot be stored."),
    N_("The body is nested too deep (more than %(levels)s levels)."),
    N_("Give a date from 1900-01-01 to 2200-12-31."),
    N_("Give a date from %(start)s to %(end)s."),
)
"""English messages that services put in `detail` or `errors[].message`, as msgid templates: a
service message that matches one is shown translated, with its values. A message that matches none is
shown as it is (English): add its template here, then update the catalogs."""

_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)s")


@functools.cache
def _service_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for template in SERVICE_MESSAGES:
        regex = _PLACEHOLDER.sub(lambda m: f"(?P<{m.group(1)}>.+?)", re.escape(template.replace("%%", "%")))
        patterns.append((re.compile(regex, re.DOTALL), template))
    return patterns


def translate_message(tr: Translator, message: str) -> str:
    """A message from a service or a schema, in the reader's language when we know it."""
    for pattern, template in _service_patterns():
        match = pattern.fullmatch(message.strip())
        if match:
            values = {
                name: (tr.gettext(label_msgid("zone", value)) if name.endswith("zone") else value)
                for name, value in match.groupdict().items()
            }
            return tr.gettext(template, **values)
    translated: str = translations(tr.lang).gettext(message)  # a plain msgid (marshmallow's own messages)
    return translated


@dataclass
class UserMessage:
    """A problem as a person reads it: a title, maybe a detail, and messages per field."""

    title: str
    detail: str | None = None
    fields: dict[str, list[str]] = field(default_factory=dict)
    status: int = 400


def describe_problem(tr: Translator, status: int, slug: str, detail: str, extra: Mapping[str, Any]) -> UserMessage:
    """Problem details (type slug, detail, errors) in the reader's language."""
    title_msgid = PROBLEM_TITLES.get(slug) or PROBLEM_TITLES.get(_STATUS_TITLES.get(status, ""), "")
    title = tr.gettext(title_msgid) if title_msgid else detail
    fields: dict[str, list[str]] = {}
    for error in extra.get("errors") or []:
        fields.setdefault(str(error.get("field", "")), []).append(translate_message(tr, str(error.get("message", ""))))
    shown_detail: str | None = None
    if not fields and detail and slug not in {"not-authenticated", "forbidden", "csrf", "not-found", "internal"}:
        translated = translate_message(tr, detail)
        shown_detail = translated if translated != title else None
    return UserMessage(title=title, detail=shown_detail, fields=fields, status=status)


def describe_error(tr: Translator, error: AppError) -> UserMessage:
    return describe_problem(tr, error.status, error.slug, error.detail, error.extra)
