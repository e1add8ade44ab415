"""Refusals of the services in words, for the household, pantry-day and report pages.

A service's problem carries its data (`error.extra`): the slot that is full and the slots that still
have places, why a referral cannot be used, which lots are short and why. The English `detail` is for
API clients; here each refusal a person can cause is explained from that data in the reader's
language, with what to do next. A refusal without an explanation of its own shows its translated
title, and its detail only when the catalog translates it (never English on a Japanese page).

- `explain(ui, error)`: the messages to show, the first one saying what went wrong.
- `add_problem(form, error)`: the same on a form; field errors of a service land on the fields.
- `shortage_lines(ui, shortages)`: what an allocation could not find, one sentence per item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from foodbank.lib.errors import AppError
from foodbank.models.catalogue import NEEDS_COOKING
from foodbank.pages.forms import FORM_ERROR, Form
from foodbank.pages.i18n import N_, describe_error, format_day, label_msgid
from foodbank.pages.layout import Ui
from foodbank.picking.fefo import UNREADABLE_LABEL

UNUSABLE: Mapping[str, str] = {
    "on_hold": N_("%(units)s on hold"),
    "recalled": N_("%(units)s recalled"),
    "use_by_passed": N_("%(units)s past their use-by date"),
    "best_before_too_close": N_("%(units)s with too little best-before left"),
    "no_date": N_("%(units)s without a date on record"),
    "allergen": N_("%(units)s containing something the household avoids"),
}
"""Why free units on the shelves could not be used (the reasons of `picking.fefo.ineligibility`)."""

AVOIDED_TAGS: Mapping[str, str] = {
    NEEDS_COOKING: N_("needs cooking"),
    UNREADABLE_LABEL: N_("allergen label unreadable"),
}
"""What a household avoids besides allergens (whose names come from the catalogue), in `avoided`."""

LOT_REFUSALS: Mapping[str, str] = {
    "on_hold": N_("Lot %(lot)s is on hold: it must not leave the warehouse."),
    "recalled": N_("Lot %(lot)s is recalled: it must not leave the warehouse."),
    "use_by_passed": N_("Lot %(lot)s is past its use-by date on that day: never hand it out."),
    "best_before_too_close": N_("Lot %(lot)s has too little best-before left on that day."),
    "no_date": N_("Lot %(lot)s has no date on record although its item carries one: correct the lot first."),
    "allergen": N_("Lot %(lot)s contains something this household avoids."),
    "empty": N_("Lot %(lot)s has not enough free units."),
    "insufficient": N_("Lot %(lot)s has not enough free units."),
}

REFERRAL_REFUSALS: Mapping[str, str] = {
    "other_household": N_("The referral was made for another household."),
    "not_for_food": N_("The referral asks for an appliance, not for food."),
    "not_for_appliance": N_("The referral asks for food, not for an appliance."),
    "used_up": N_("All %(allowed)s hand-outs the referral allows have been given."),
    "expired": N_("The referral was valid until %(until)s."),
    "not_accepted": N_("The referral is not accepted (%(status)s): a coordinator must accept it first."),
    "not_yet_valid": N_("The referral is valid from %(since)s."),
    "other_category": N_("The referral asks for another kind of appliance (%(asked)s)."),
    "already_covered": N_("Another appliance is already reserved or delivered through this referral."),
}


def _day(ui: Ui, value: Any) -> str:
    """An ISO date from a problem's data, written the reader's way."""
    try:
        return format_day(date.fromisoformat(str(value)), ui.lang)
    except ValueError:
        return str(value)


def _status(ui: Ui, kind: str, value: Any) -> str:
    return ui._(label_msgid(kind, value))


def _frequency(ui: Ui, extra: Mapping[str, Any]) -> list[str]:
    return [
        ui._(
            "This household had individual support on %(last)s; the next hand-out is allowed from %(next)s "
            "(at least %(days)s days apart). To hand out anyway, give the reason for the exception.",
            last=_day(ui, extra.get("last_distributed_on")),
            next=_day(ui, extra.get("next_allowed_on")),
            days=extra.get("min_days", ""),
        )
    ]


def _referral(ui: Ui, extra: Mapping[str, Any]) -> list[str]:
    template = REFERRAL_REFUSALS.get(str(extra.get("reason")))
    if template is None:
        return []
    return [
        ui._(
            template,
            allowed=extra.get("handouts_allowed", ""),
            until=_day(ui, extra.get("valid_until")),
            since=_day(ui, extra.get("valid_from")),
            status=_status(ui, "referral", extra.get("referral_status")),
            asked=extra.get("appliance_category") or "",
        )
    ]


def _lots(ui: Ui, extra: Mapping[str, Any]) -> list[str]:
    lines = []
    for lot in extra.get("lots") or []:
        if "reason" in lot:
            template = LOT_REFUSALS.get(str(lot["reason"]), N_("Lot %(lot)s cannot be handed out."))
            lines.append(ui._(template, lot=lot.get("lot_id", "")))
        else:  # more asked of a reservation than it holds
            lines.append(
                ui._(
                    "Lot %(lot)s: %(requested)s asked, %(reserved)s set aside.",
                    lot=lot.get("lot_id", ""),
                    requested=lot.get("requested", ""),
                    reserved=lot.get("reserved", ""),
                )
            )
    return lines


def _no_template(ui: Ui, extra: Mapping[str, Any]) -> list[str]:
    if "size" in extra:  # a household's own allocation
        return [
            ui._(
                "No parcel template fits a household of %(size)s: choose the items instead, or add a template "
                "for that size.",
                size=extra["size"],
            )
        ]
    sizes = extra.get("sizes") or []
    if not sizes:
        return [ui._("This pantry day has no parcel templates: choose them in its plan first.")]
    return [
        ui._(
            "No parcel template of this pantry day fits households of %(sizes)s people: add a template for "
            "those sizes, then allocate again.",
            sizes=", ".join(map(str, sizes)),
        )
    ]


def _slot_full(ui: Ui, extra: Mapping[str, Any]) -> list[str]:
    others = extra.get("other_slots") or []
    if not others:
        return [ui._("The whole day is full.")]
    places = ", ".join(
        ui._("%(time)s (%(places)s left)", time=slot["start_time"], places=slot["places_left"]) for slot in others
    )
    return [ui._("Other slots still have places: %(places)s.", places=places)]


def _event_status(ui: Ui, extra: Mapping[str, Any]) -> list[str]:
    now = _status(ui, "pantry", extra.get("current_status"))
    allowed = ", ".join(_status(ui, "pantry", s) for s in extra.get("allowed_from") or [])
    return [
        ui._(
            "The pantry day is now “%(status)s”; this can be done when it is: %(allowed)s.", status=now, allowed=allowed
        )
    ]


def _registration_status(ui: Ui, extra: Mapping[str, Any]) -> list[str]:
    return [
        ui._(
            "This registration is already “%(status)s”.",
            status=_status(ui, "registration", extra.get("current_status")),
        )
    ]


def _capacity(ui: Ui, extra: Mapping[str, Any]) -> list[str]:
    return [
        ui._(
            "%(booked)s households are booked into this slot: the capacity cannot go below that.",
            booked=extra.get("booked", ""),
        )
    ]


def _no_parcel(ui: Ui, _extra: Mapping[str, Any]) -> list[str]:
    return [
        ui._(
            "No parcel was allocated to this household (it registered after the allocation, or nothing could be "
            "found for it). Serve it as a walk-in."
        )
    ]


def _appliance_status(ui: Ui, extra: Mapping[str, Any]) -> list[str]:
    now = _status(ui, "appliance", extra.get("current_status"))
    steps = [_status(ui, "appliance_action", a) for a in extra.get("allowed_actions") or []]
    if not steps:
        return [ui._("The appliance is now “%(status)s”: nothing more can be done with it.", status=now)]
    joined = ("、" if ui.lang == "ja" else ", ").join(steps)
    return [ui._("The appliance is now “%(status)s”; what can be done: %(steps)s.", status=now, steps=joined)]


def _shortages(ui: Ui, extra: Mapping[str, Any]) -> list[str]:
    return shortage_lines(ui, extra.get("shortages") or [])


EXPLANATIONS: Mapping[str, Callable[[Ui, Mapping[str, Any]], list[str]]] = {
    "frequency-rule": _frequency,
    "referral-not-usable": _referral,
    "lot-unavailable": _lots,
    "no-parcel-template": _no_template,
    "slot-full": _slot_full,
    "pantry-event-status": _event_status,
    "registration-status": _registration_status,
    "capacity-below-bookings": _capacity,
    "no-parcel": _no_parcel,
    "insufficient-stock": _shortages,
    "appliance-status": _appliance_status,
}
"""Problem type slug -> the sentences that explain it from its data."""


def explain(ui: Ui, error: AppError) -> list[str]:
    """What went wrong (the translated title) and why, in the reader's language."""
    message = describe_error(ui.tr, error)
    explained = EXPLANATIONS.get(error.slug)
    # Data that explains the refusal (lots and why); without it (a disposal of more than is free), the detail.
    if explained is not None and (reasons := explained(ui, error.extra)):
        return [message.title, *reasons]
    texts = [message.title]
    translated = ui.tr.message(error.detail)
    if (ui.lang == "en" or translated != error.detail) and translated != message.title:
        texts.append(translated)
    for messages in message.fields.values():
        texts.extend(messages)
    return texts


def add_problem(form: Form, error: AppError, *, field_names: Mapping[str, str] | None = None) -> None:
    """A refusal on a form: a service's field errors on the fields, the rest explained above the form."""
    if describe_error(form.ui.tr, error).fields:
        form.add_problem(error, field_names=field_names)
        return
    for text in explain(form.ui, error):
        form.add_error(FORM_ERROR, text)


def shortage_lines(
    ui: Ui,
    shortages: Sequence[Mapping[str, Any]],
    *,
    category_names: Mapping[int, str] | None = None,
    allergen_names: Mapping[str, str] | None = None,
) -> list[str]:
    """One sentence per item (or category) that could not be found in full: how many are missing, why
    free units on the shelves could not be used (with the allergens avoided, by their names in
    `allergen_names`), and what could be used instead."""
    lines = []
    for shortage in shortages:
        category_id = shortage.get("category_id")
        if shortage.get("item_id") is None and category_id is not None:
            category = shortage.get("category_name") or (category_names or {}).get(category_id, str(category_id))
            name = ui._("any item of %(category)s", category=category)
        else:
            name = shortage.get("item_name") or ui._("item %(id)s", id=shortage.get("item_id"))
        sentence = ui._(
            "%(name)s: %(missing)s missing (%(allocated)s of %(requested)s found).",
            name=name,
            missing=shortage["missing"],
            allocated=shortage["allocated"],
            requested=shortage["requested"],
        )
        if shortage.get("parcels"):
            sentence += " " + ui.tr.ngettext(
                "%(num)s parcel is short of it.", "%(num)s parcels are short of it.", int(shortage["parcels"])
            )
        unusable = shortage.get("unusable") or {}
        avoided = ", ".join(
            ui._(AVOIDED_TAGS[code]) if code in AVOIDED_TAGS else (allergen_names or {}).get(code, code)
            for code in shortage.get("avoided") or []
        )
        reasons = [
            ui._("%(units)s containing what the household avoids (%(what)s)", units=units, what=avoided)
            if reason == "allergen" and avoided
            else ui._(UNUSABLE.get(reason, "%(units)s " + reason), units=units)
            for reason, units in unusable.items()
        ]
        if reasons:
            sentence += " " + ui._("On the shelves but not usable: %(reasons)s.", reasons=", ".join(reasons))
        substitutes = shortage.get("substitutes") or []
        if substitutes:
            others = ", ".join(f"{s['item_name']} ({s['available']})" for s in substitutes[:5])
            sentence += " " + ui._("Could be used instead: %(items)s.", items=others)
        lines.append(sentence)
    return lines
