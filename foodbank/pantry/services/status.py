"""What may happen to a pantry day in which status, said in words when it may not; odd dates asked once."""

from __future__ import annotations

from collections.abc import Mapping

from foodbank.lib.messages import N_, Clauses, Label, Message, alternatives
from foodbank.models import (
    PantryEvent,
    PantryEventStatus,
    RegistrationStatus,
)
from foodbank.pantry import rules
from foodbank.pantry.errors import (
    EventStatusConflict,
    UnusualDate,
)

S = PantryEventStatus

# What may happen in which status. Transitions move the event; the other actions work inside it.

TRANSITIONS: Mapping[str, tuple[frozenset[PantryEventStatus], PantryEventStatus]] = {
    "open": (frozenset({S.planned}), S.open),
    "allocate": (frozenset({S.open, S.allocated}), S.allocated),
    "start": (frozenset({S.allocated}), S.in_progress),
    "close": (frozenset({S.in_progress}), S.closed),
    "cancel": (frozenset({S.planned, S.open, S.allocated}), S.cancelled),
}

ACTIVITIES: Mapping[str, frozenset[PantryEventStatus]] = {
    "change": frozenset({S.planned, S.open, S.allocated}),
    "change_date": frozenset({S.planned, S.open}),
    "book": frozenset({S.open, S.allocated}),
    "cancel_registration": frozenset({S.open, S.allocated, S.in_progress}),
    "check_in": frozenset({S.in_progress}),
    "walk_in": frozenset({S.in_progress}),
    "no_show": frozenset({S.in_progress}),
}

_IN_WORDS = {
    "open": N_("registrations can be opened"),
    "allocate": N_("stock can be allocated"),
    "start": N_("the day can start"),
    "close": N_("the day can be closed"),
    "cancel": N_("it can be cancelled"),
    "change": N_("its plan can change"),
    "change_date": N_("its date can change"),
    "book": N_("households can register"),
    "cancel_registration": N_("registrations can be cancelled"),
    "check_in": N_("households can check in"),
    "walk_in": N_("walk-ins can be served"),
    "no_show": N_("no-shows can be marked"),
}

_NEXT_STEP = {
    S.planned: N_("Open registrations first."),
    S.open: N_("Allocate the stock first."),
    S.allocated: N_("Start the day first."),
}

_FINAL = {S.closed: N_("The day is over."), S.cancelled: N_("The day was cancelled.")}

_WHY = {"change_date": N_("The stock was allocated for the planned date; cancel this day and plan another.")}

_ORDER = [S.planned, S.open, S.allocated, S.in_progress, S.closed]

REGISTERED = (RegistrationStatus.booked, RegistrationStatus.checked_in, RegistrationStatus.no_show)
"""Registrations that hold a place in their slot."""


def _require(event: PantryEvent, action: str) -> None:
    """Refuse (409) what the event's status does not allow, saying when it would be allowed and, when
    the day has not got there yet, what to do first."""
    allowed = TRANSITIONS[action][0] if action in TRANSITIONS else ACTIVITIES[action]
    if event.status in allowed:
        return
    names = [s.value for s in _ORDER if s in allowed]
    when = alternatives([Label("pantry", name) for name in names])
    hint = _FINAL.get(event.status, "")
    if not hint and _ORDER.index(event.status) < min(_ORDER.index(s) for s in allowed):
        hint = _NEXT_STEP.get(event.status, "")
    hint = hint or _WHY.get(action, "")
    status, doing = Label("pantry", event.status), Message(_IN_WORDS[action])
    raise EventStatusConflict(
        Message(
            "Pantry day %(id)s is %(status)s: %(doing)s only when it is %(when)s. %(hint)s",
            id=event.id,
            status=status,
            doing=doing,
            when=when,
            hint=Message(hint),
        )
        if hint
        else Message(
            "Pantry day %(id)s is %(status)s: %(doing)s only when it is %(when)s.",
            id=event.id,
            status=status,
            doing=doing,
            when=when,
        ),
        event_id=event.id,
        current_status=event.status.value,
        action=action,
        allowed_from=names,
    )


_ODD = {
    rules.Oddity.past: N_("it is %(days)s days ago"),
    rules.Oddity.far_ahead: N_("it is %(days)s days ahead"),
    rules.Oddity.not_today: N_("it is planned for %(date)s, not today"),
    rules.Oddity.before_the_day: N_("it is planned for %(date)s, %(days)s days from now, and has not taken place"),
}

_CONFIRM = {"plan": N_("plan"), "move": N_("move"), "start": N_("start"), "close": N_("close")}


def _confirmed(check: rules.DateCheck, *, confirm: bool, action: str, event_id: int | None = None) -> None:
    """Refuse (409 UnusualDate) what is odd about the day's date for `action`, unless confirmed."""
    if not check or confirm:
        return
    days = abs(check.days_from_today)
    why = Clauses(Message(_ODD[o], days=days, date=check.event_date) for o in check.oddities)
    raise UnusualDate(
        Message(
            "The pantry day of %(date)s: %(why)s. Confirm to %(action)s it anyway (confirm=true).",
            date=check.event_date,
            why=why,
            action=Message(_CONFIRM[action]),
        ),
        event_id=event_id,
        event_date=check.event_date.isoformat(),
        today=check.today.isoformat(),
        days_from_today=check.days_from_today,
        reasons=[o.value for o in check.oddities],
        action=action,
    )
