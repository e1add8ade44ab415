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

_DONE = {
    Action.inspect: "inspected",
    Action.reserve: "reserved",
    Action.release: "released back to available",
    Action.deliver: "delivered",
    Action.dispose: "disposed of",
}


def allowed_actions(status: ApplianceStatus) -> list[Action]:
    """What people may do next from `status` (the automatic steps are left out)."""
    return [action for action in TRANSITIONS[status] if action not in AUTOMATIC]


def next_status(status: ApplianceStatus, action: Action) -> ApplianceStatus | None:
    """The status `action` leads to from `status`, or None when it is not allowed."""
    return TRANSITIONS[status].get(action)


def refusal(code: str, status: ApplianceStatus, action: Action) -> str:
    """A sentence for a refused step: the current status, and what can be done instead."""
    name = status.value.replace("_", " ")
    steps = [_DONE[a] for a in allowed_actions(status)]
    after = f"From {name} it can be {_or(steps)}." if steps else f"A {name} unit has no next step."
    if status is S.inspected and action is Action.reserve:
        after += " It becomes available once every required check has passed."
    return f"Appliance {code} is {name}: it cannot be {_DONE[action]}. {after}"


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


# --- acceptance policy -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
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
            Problem("manufacture_year", f"{manufacture_year} is after the received date {received_date.isoformat()}.")
        )
    elif age > max_age_years:
        problems.append(
            Problem(
                "manufacture_year",
                f"A {category.value.replace('_', ' ')} made in {manufacture_year} is {age} years old on "
                f"{received_date.isoformat()}; the limit for this category is {max_age_years} years.",
            )
        )
    if pse_mark is PseMark.none:
        if no_pse_mark == "flag":
            problems.append(
                Problem("pse_mark", "Neither the PSE mark nor the old-law mark: accepted, flagged.", "no_pse_mark")
            )
        else:
            problems.append(Problem("pse_mark", "Units without the PSE mark (or the old-law mark) are not accepted."))
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
