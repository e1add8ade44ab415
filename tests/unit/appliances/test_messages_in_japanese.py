"""The appliance bank's and the referrals' refusals are Messages: their English is what the API has always
said, their message id is the template, and in Japanese no English word is left (the codes, ids and
dates in them aside)."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from foodbank.appliances import rules
from foodbank.appliances.rules import Action
from foodbank.lib.messages import Message
from foodbank.models import ApplianceCategory, ApplianceStatus, PseMark, ReferralRequest, ReferralStatus
from foodbank.pages.i18n import Translator
from foodbank.referrals import rules as referral_rules

JA = Translator("ja")
PEOPLE_ACTIONS = [Action.inspect, Action.reserve, Action.release, Action.deliver, Action.dispose]


def english_words(text: str) -> list[str]:
    """Latin words left in a Japanese text, once codes (AP-2026-0001, HH-0012), ISO dates and the PSE mark's
    name are taken out."""
    text = re.sub(r"\b(?:AP|HH)-[0-9-]+\b|\d{4}-\d{2}-\d{2}|\bPSE\b", "", text)
    return re.findall(r"[A-Za-z]{2,}", text)


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for s in ApplianceStatus for a in PEOPLE_ACTIONS if rules.next_status(s, a) is None],
)
def test_every_refused_step_reads_in_japanese(status: ApplianceStatus, action: Action) -> None:
    refusal = rules.refusal("AP-2026-0001", status, action)
    assert isinstance(refusal, Message)
    assert refusal.msgid.startswith("Appliance %(code)s is %(status)s: it cannot be ")
    assert refusal.as_json()["params"]["status"] == status.value
    japanese = JA.message(refusal)
    assert "AP-2026-0001" in japanese and JA.label("appliance", status) in japanese
    assert english_words(japanese) == [], japanese


def test_a_refused_step_in_japanese_names_the_steps_open_from_it() -> None:
    refusal = rules.refusal("AP-2026-0001", ApplianceStatus.reserved, Action.dispose)
    assert refusal == (
        "Appliance AP-2026-0001 is reserved: it cannot be disposed of. "
        "From reserved it can be delivered or released back to available."
    )
    assert JA.message(refusal) == (
        "家電 AP-2026-0001 は「予約済み」のため、廃棄できません。"
        "「予約済み」からは、お届けを記録する または 予約を取り消して提供可能に戻すことができます。"
    )


def test_acceptance_problems_read_in_japanese_with_the_category_by_its_name() -> None:
    problems = rules.acceptance_problems(
        category=ApplianceCategory.washing_machine,
        manufacture_year=2010,
        pse_mark=PseMark.none,
        received_date=date(2026, 1, 10),
        max_age_years=10,
        no_pse_mark="refuse",
    )
    assert [p.message.msgid for p in problems] == [
        "A %(category)s made in %(year)s is %(age)s years old on %(date)s; the limit for this category is "
        "%(limit)s years.",
        "Units without the PSE mark (or the old-law mark) are not accepted.",
    ]
    assert problems[0].message.startswith("A washing machine made in 2010 is 16 years old on 2026-01-10")
    assert JA.message(problems[0].message).startswith("2010 年製の洗濯機・衣類乾燥機は 2026-01-10 の時点で 16 年")
    assert all(english_words(JA.message(p.message)) == [] for p in problems)


def referral(**kw: Any) -> Any:
    values: dict[str, Any] = {
        "household_id": 1,
        "request": ReferralRequest.food,
        "status": ReferralStatus.accepted,
        "handouts_used": 0,
        "handouts_allowed": 2,
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2026, 3, 31),
        **kw,
    }
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    ("changes", "on", "reason"),
    [
        ({"household_id": 2}, date(2026, 2, 1), "other_household"),
        ({"request": ReferralRequest.appliance}, date(2026, 2, 1), "not_for_food"),
        ({"status": ReferralStatus.fulfilled}, date(2026, 2, 1), "used_up"),
        ({"status": ReferralStatus.expired}, date(2026, 2, 1), "expired"),
        ({"status": ReferralStatus.submitted}, date(2026, 2, 1), "not_accepted"),
        ({}, date(2025, 12, 1), "not_yet_valid"),
        ({}, date(2026, 4, 1), "expired"),
    ],
)
def test_why_a_referral_cannot_be_used_reads_in_japanese(changes: dict[str, Any], on: date, reason: str) -> None:
    refused = referral_rules.refusal(
        referral(**changes), household_id=1, household_code="HH-0001", on=on, purpose="food"
    )
    assert refused is not None and refused[0] == reason
    whole = Message("Referral %(id)s cannot be used: %(reason)s", id=7, reason=refused[1])
    assert whole.startswith("Referral 7 cannot be used: ")
    japanese = JA.message(whole)
    assert japanese.startswith("紹介 7 は使えません。") and english_words(japanese) == [], japanese
