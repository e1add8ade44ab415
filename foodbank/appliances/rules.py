"""The appliance bank's rules, pure: no database, no clock. The services apply them to locked rows.

- `TRANSITIONS`: the workflow. People act (`inspect`, `reserve`, `release`, `deliver`, `dispose`); the
  outcome of an inspection moves a unit on by itself (`passed`, `failed`).
- `acceptance_problems`: the acceptance policy at intake (age by category, PSE mark).
- `inspection_outcome`: what the latest check of each kind means for the unit.
- `category_asked_for`: the category a referral's free-text `appliance_category` names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from foodbank.lib.messages import N_, Label, Message, alternatives
from foodbank.models.appliances import ApplianceCategory, ApplianceStatus, CheckResult, InspectionCheck, PseMark


class Action(StrEnum):
    inspect = "inspect"  # record checks
    reserve = "reserve"
    release = "release"
    deliver = "deliver"
    dispose = "dispose"
    passed = "passed"  # automatic: every required check passed
    failed = "failed"  # automatic: a check failed


AUTOMATIC = frozenset({Action.passed, Action.failed})

S = ApplianceStatus
TRANSITIONS: Mapping[ApplianceStatus, Mapping[Action, ApplianceStatus]] = {
    S.received: {Action.inspect: S.inspected, Action.dispose: S.disposed},
    S.inspected: {
        Action.inspect: S.inspected,
        Action.passed: S.available,
        Action.failed: S.to_dispose,
        Action.dispose: S.disposed,
    },
    S.available: {Action.reserve: S.reserved, Action.dispose: S.disposed},
    S.reserved: {Action.deliver: S.delivered, Action.release: S.available},
    S.to_dispose: {Action.dispose: S.disposed},
    S.delivered: {},
    S.disposed: {},
}

_DONE: Mapping[Action, str] = {
    Action.inspect: N_("inspected"),
    Action.reserve: N_("reserved"),
    Action.release: N_("released back to available"),
    Action.deliver: N_("delivered"),
    Action.dispose: N_("disposed of"),
}
"""What a step does, as "it can be ..." says it (in a refusal)."""

_CANNOT: Mapping[Action, str] = {
    Action.inspect: N_("Appliance %(code)s is %(status)s: it cannot be inspected. %(after)s"),
    Action.reserve: N_("Appliance %(code)s is %(status)s: it cannot be reserved. %(after)s"),
    Action.release: N_("Appliance %(code)s is %(status)s: it cannot be released back to available. %(after)s"),
    Action.deliver: N_("Appliance %(code)s is %(status)s: it cannot be delivered. %(after)s"),
    Action.dispose: N_("Appliance %(code)s is %(status)s: it cannot be disposed of. %(after)s"),
}


def allowed_actions(status: ApplianceStatus) -> list[Action]:
    """What people may do next from `status` (the automatic steps are left out)."""
    return [action for action in TRANSITIONS[status] if action not in AUTOMATIC]


def next_status(status: ApplianceStatus, action: Action) -> ApplianceStatus | None:
    """The status `action` leads to from `status`, or None when it is not allowed."""
    return TRANSITIONS[status].get(action)


def refusal(code: str, status: ApplianceStatus, action: Action) -> Message:
    """A sentence for a refused step: the current status, and what can be done instead."""
    name = Label("appliance", status)
    steps: list[Message] = [Message(_DONE[a]) for a in allowed_actions(status)]
    if not steps:
        after = Message("A %(status)s unit has no next step.", status=name)
    elif status is S.inspected and action is Action.reserve:
        after = Message(
            "From %(status)s it can be %(steps)s. It becomes available once every required check has passed.",
            status=name,
            steps=alternatives(steps),
        )
    else:
        after = Message("From %(status)s it can be %(steps)s.", status=name, steps=alternatives(steps))
    return Message(_CANNOT[action], code=code, status=name, after=after)


# --- acceptance policy -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    field: str
    message: Message
    flag: str | None = None
    """Set when the policy flags the unit instead of refusing it."""


def age_at_receipt(manufacture_year: int, received_date: date) -> int:
    """Whole years from the manufacture year to the year received (labels give the year only)."""
    return received_date.year - manufacture_year


def acceptance_problems(
    *,
    category: ApplianceCategory,
    manufacture_year: int,
    pse_mark: PseMark,
    received_date: date,
    max_age_years: int,
    no_pse_mark: str,
) -> list[Problem]:
    """Why a unit is refused (problems without `flag`) or accepted with a flag (problems with one)."""
    problems: list[Problem] = []
    age = age_at_receipt(manufacture_year, received_date)
    if age < 0:
        problems.append(
            Problem(
                "manufacture_year",
                Message("%(year)s is after the received date %(date)s.", year=manufacture_year, date=received_date),
            )
        )
    elif age > max_age_years:
        problems.append(
            Problem(
                "manufacture_year",
                Message(
                    "A %(category)s made in %(year)s is %(age)s years old on %(date)s; the limit for this category "
                    "is %(limit)s years.",
                    category=Label("appliance_category", category),
                    year=manufacture_year,
                    age=age,
                    date=received_date,
                    limit=max_age_years,
                ),
            )
        )
    if pse_mark is PseMark.none:
        if no_pse_mark == "flag":
            problems.append(
                Problem(
                    "pse_mark",
                    Message("Neither the PSE mark nor the old-law mark: accepted, flagged."),
                    "no_pse_mark",
                )
            )
        else:
            problems.append(
                Problem("pse_mark", Message("Units without the PSE mark (or the old-law mark) are not accepted."))
            )
    return problems


# --- inspection ------------------------------------------------------------------------------------

MUST_PASS = (InspectionCheck.visual, InspectionCheck.power_on, InspectionCheck.recall_check)
"""Checks that only a pass satisfies."""
MAY_NOT_APPLY = (InspectionCheck.insulation, InspectionCheck.cleaning)
"""Checks that may be `not_applicable` (a cordless unit has no insulation test; a boxed one needs no cleaning)."""


@dataclass(frozen=True)
class Outcome:
    action: Action | None
    """passed, failed, or None while checks are still missing."""
    failed: list[InspectionCheck]
    missing: list[InspectionCheck]


def inspection_outcome(latest: Mapping[InspectionCheck, CheckResult]) -> Outcome:
    """The unit's state from the latest result of each kind of check: any fail fails it; it passes
    when every check is recorded and the must-pass ones passed."""
    failed = [kind for kind in InspectionCheck if latest.get(kind) is CheckResult.failed]
    if failed:
        return Outcome(Action.failed, failed, [])
    missing = [kind for kind in InspectionCheck if kind not in latest]
    return Outcome(None if missing else Action.passed, [], missing)


def not_applicable_refused(checks: Iterable[tuple[InspectionCheck, CheckResult]]) -> list[InspectionCheck]:
    """Checks recorded as not applicable that must be done."""
    return [kind for kind, result in checks if result is CheckResult.not_applicable and kind in MUST_PASS]


# --- referrals -------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    return "".join("_" if ch in " -" else ch for ch in folded)


def category_asked_for(text: str | None, names: Mapping[ApplianceCategory, Iterable[str]]) -> ApplianceCategory | None:
    """The category a referral's free-text appliance_category names: its code, or one of its names
    (`names`: Japanese and English, from the category table), case, width and spaces ignored."""
    if not text:
        return None
    wanted = _normalise(text)
    for category, aliases in names.items():
        if wanted == category.value or wanted in {_normalise(a) for a in aliases}:
            return category
    return None
