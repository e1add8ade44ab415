"""The appliance bank's pure rules: the workflow, acceptance, inspection outcomes, category names,
fiscal-year labels, and the settings that feed them."""

from __future__ import annotations

from datetime import date

import pytest

from foodbank.appliances import rules
from foodbank.appliances.rules import Action
from foodbank.config import Settings, SettingsError
from foodbank.models import ApplianceCategory, ApplianceStatus, CheckResult, InspectionCheck, PseMark


def test_terminal_statuses_have_no_next_step_and_automatic_steps_are_not_offered() -> None:
    assert rules.allowed_actions(ApplianceStatus.delivered) == []
    assert rules.allowed_actions(ApplianceStatus.disposed) == []
    assert rules.allowed_actions(ApplianceStatus.inspected) == [Action.inspect, Action.dispose]
    assert rules.next_status(ApplianceStatus.inspected, Action.passed) is ApplianceStatus.available
    assert rules.next_status(ApplianceStatus.received, Action.passed) is None


def test_every_status_can_be_reached_from_received() -> None:
    seen, todo = {ApplianceStatus.received}, [ApplianceStatus.received]
    while todo:
        for to in rules.TRANSITIONS[todo.pop()].values():
            if to not in seen:
                seen.add(to)
                todo.append(to)
    assert seen == set(ApplianceStatus)


def test_a_refusal_names_the_status_and_the_steps_open_from_it() -> None:
    assert rules.refusal("AP-2026-0001", ApplianceStatus.reserved, Action.dispose) == (
        "Appliance AP-2026-0001 is reserved: it cannot be disposed of. "
        "From reserved it can be delivered or released back to available."
    )
    assert rules.refusal("AP-2026-0001", ApplianceStatus.to_dispose, Action.reserve) == (
        "Appliance AP-2026-0001 is to dispose: it cannot be reserved. From to dispose it can be disposed of."
    )
    assert rules.refusal("AP-2026-0001", ApplianceStatus.delivered, Action.release).endswith(
        "A delivered unit has no next step."
    )
    assert "once every required check has passed" in rules.refusal(
        "AP-2026-0001", ApplianceStatus.inspected, Action.reserve
    )


def problems(**kw: object) -> list[rules.Problem]:
    args: dict[str, object] = {
        "category": ApplianceCategory.refrigerator,
        "manufacture_year": 2016,
        "pse_mark": PseMark.pse,
        "received_date": date(2026, 1, 10),
        "max_age_years": 10,
        "no_pse_mark": "refuse",
        **kw,
    }
    return rules.acceptance_problems(**args)  # type: ignore[arg-type]


def test_acceptance_counts_whole_years_to_the_received_date() -> None:
    assert problems() == []
    assert [p.field for p in problems(manufacture_year=2015)] == ["manufacture_year"]
    assert problems(manufacture_year=2015, received_date=date(2025, 12, 31)) == []
    assert "after the received date" in problems(manufacture_year=2027)[0].message


def test_no_pse_mark_is_refused_or_flagged() -> None:
    [refused] = problems(pse_mark=PseMark.none)
    assert (refused.field, refused.flag) == ("pse_mark", None)
    [flagged] = problems(pse_mark=PseMark.none, no_pse_mark="flag")
    assert flagged.flag == "no_pse_mark"
    assert problems(pse_mark=PseMark.old_law) == []


def test_inspection_outcome() -> None:
    everything = dict.fromkeys(InspectionCheck, CheckResult.passed)
    assert rules.inspection_outcome(everything).action is Action.passed
    not_applying = {
        **everything,
        InspectionCheck.insulation: CheckResult.not_applicable,
        InspectionCheck.cleaning: CheckResult.not_applicable,
    }
    assert rules.inspection_outcome(not_applying).action is Action.passed
    partial = rules.inspection_outcome({InspectionCheck.visual: CheckResult.passed})
    assert (partial.action, len(partial.missing)) == (None, 4)
    failed = rules.inspection_outcome({InspectionCheck.cleaning: CheckResult.failed})
    assert (failed.action, failed.failed) == (Action.failed, [InspectionCheck.cleaning])


NAMES = {
    ApplianceCategory.refrigerator: ("冷蔵庫・冷凍庫", "Refrigerator or freezer", "冷蔵庫", "冷凍庫"),
    ApplianceCategory.tv: ("テレビ", "TV"),
    ApplianceCategory.washing_machine: ("洗濯機・衣類乾燥機", "Washing machine or dryer", "dryer"),
}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("refrigerator", ApplianceCategory.refrigerator),
        ("冷凍庫", ApplianceCategory.refrigerator),
        (" Washing machine ", ApplianceCategory.washing_machine),
        ("washing-machine", ApplianceCategory.washing_machine),
        ("ＴＶ", ApplianceCategory.tv),
        ("Dryer", ApplianceCategory.washing_machine),
        ("ドライヤー", None),
        ("", None),
        (None, None),
    ],
)
def test_the_category_a_referral_names(text: str | None, category: ApplianceCategory | None) -> None:
    assert rules.category_asked_for(text, NAMES) is category


def test_appliance_settings_from_the_environment() -> None:
    defaults = Settings.from_env({}).appliances
    assert (defaults.max_age_for("refrigerator"), defaults.max_age_for("washing_machine")) == (10, 10)
    assert (defaults.max_age_for("microwave"), defaults.no_pse_mark) == (6, "refuse")
    changed = Settings.from_env(
        {
            "FOODBANK_APPLIANCE_MAX_AGE_YEARS": "5",
            "FOODBANK_APPLIANCE_MAX_AGE_BY_CATEGORY": "tv=8, refrigerator=12",
            "FOODBANK_APPLIANCE_NO_PSE_MARK": "flag",
        }
    ).appliances
    assert [changed.max_age_for(c) for c in ("tv", "refrigerator", "washing_machine", "fan")] == [8, 12, 10, 5]
    assert changed.no_pse_mark == "flag"
    for bad in ("fridge=8", "tv", "tv=old", "tv=-1"):
        with pytest.raises(SettingsError, match="FOODBANK_APPLIANCE_MAX_AGE_BY_CATEGORY"):
            Settings.from_env({"FOODBANK_APPLIANCE_MAX_AGE_BY_CATEGORY": bad})
    with pytest.raises(SettingsError, match="FOODBANK_APPLIANCE_NO_PSE_MARK"):
        Settings.from_env({"FOODBANK_APPLIANCE_NO_PSE_MARK": "warn"})
