"""Referrals cover a limited number of hand-outs in their period; a household gets individual support
at most every few days unless a coordinator overrides the rule, and concurrent requests cannot
slip past it."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from httpx import AsyncClient

from foodbank.models import ReferralRequest, ReferralStatus
from tests.dates import month
from tests.integration.distributions.conftest import TODAY, Community


async def test_a_hand_out_with_a_referral_counts_and_fulfils_it_at_the_limit(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 20, month(9))
    household = await c.household()
    referral = await c.referral(household, allowed=2)

    first = await c.hand_out(
        client, household_id=household, referral_id=referral, lines=[{"lot_id": lot, "quantity": 2}]
    )
    assert first.status_code == 201, first.text
    assert first.json()["referral_id"] == referral
    assert await c.referral_state(referral) == (1, ReferralStatus.accepted)

    second = await c.hand_out(
        client,
        household_id=household,
        referral_id=referral,
        distributed_on=TODAY + timedelta(days=14),
        lines=[{"lot_id": lot, "quantity": 2}],
    )
    assert second.status_code == 201, second.text
    assert await c.referral_state(referral) == (2, ReferralStatus.fulfilled)

    third = await c.hand_out(
        client,
        household_id=household,
        referral_id=referral,
        distributed_on=TODAY + timedelta(days=28),
        lines=[{"lot_id": lot, "quantity": 2}],
    )
    assert third.status_code == 409
    assert (third.json()["type"], third.json()["reason"]) == ("/problems/referral-not-usable", "used_up")
    assert "all 2 hand-outs" in third.json()["detail"]

    events = await c.audit("referral.use")
    assert sorted((e.details["handouts_used"], e.details["fulfilled"]) for e in events) == [(1, False), (2, True)]
    assert {e.entity_id for e in events} == {str(referral)}


@pytest.mark.parametrize(
    ("case", "reason", "words"),
    [
        ("expired", "expired", "valid until"),
        ("expired_status", "expired", "expired on"),
        ("used_up", "used_up", "hand-outs it allows"),
        ("not_accepted", "not_accepted", "not accepted"),
        ("declined", "not_accepted", "declined"),
        ("other_household", "other_household", "another household"),
        ("not_yet_valid", "not_yet_valid", "valid from"),
        ("appliance", "not_for_food", "appliance"),
    ],
)
async def test_a_referral_that_cannot_cover_the_hand_out_is_refused_with_a_clear_409(
    client: AsyncClient, community: Community, case: str, reason: str, words: str
) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 5, month(9))
    household = await c.household()
    referral = await {
        "expired": lambda: c.referral(
            household, valid_from=TODAY - timedelta(days=60), valid_until=TODAY - timedelta(1)
        ),
        "expired_status": lambda: c.referral(household, status=ReferralStatus.expired),
        "used_up": lambda: c.referral(household, allowed=3, used=3),
        "not_accepted": lambda: c.referral(household, status=ReferralStatus.submitted),
        "declined": lambda: c.referral(household, status=ReferralStatus.declined),
        "other_household": lambda: c.referral(household, allowed=1),
        "not_yet_valid": lambda: c.referral(household, valid_from=TODAY + timedelta(days=1)),
        "appliance": lambda: c.referral(household, request=ReferralRequest.appliance),
    }[case]()
    recipient = await c.household() if case == "other_household" else household

    response = await c.hand_out(
        client, household_id=recipient, referral_id=referral, lines=[{"lot_id": lot, "quantity": 1}]
    )
    assert response.status_code == 409, response.text
    problem = response.json()
    assert (problem["type"], problem["reason"], problem["referral_id"]) == (
        "/problems/referral-not-usable",
        reason,
        referral,
    )
    assert words in problem["detail"]
    assert (problem["message_id"], problem["params"]["id"]) == ("Referral %(id)s cannot be used: %(reason)s", referral)
    assert problem["params"]["reason"]["message_id"].startswith(("it ", "all ")), "the reason is a Message too"
    japanese = await client.post(
        "/api/distributions",
        json={
            "channel": "pickup",
            "distributed_on": TODAY.isoformat(),
            "household_id": recipient,
            "referral_id": referral,
            "lines": [{"lot_id": lot, "quantity": 1}],
        },
        headers={**wh.warehouse.headers, "Accept-Language": "ja"},
    )
    assert japanese.status_code == 409 and japanese.headers["content-language"] == "ja"
    assert japanese.json()["detail"].startswith(f"紹介 {referral} は使えません。"), japanese.json()["detail"]
    assert not re.search(r"[a-z]{3,}", japanese.json()["detail"]), "no English left in the Japanese detail"
    used_before = 3 if case == "used_up" else 0
    assert (await c.referral_state(referral))[0] == used_before
    lot_now = (await client.get(f"/api/lots/{lot}", headers=wh.warehouse.headers)).json()
    assert lot_now["on_hand"] == 5, "nothing was handed out"
    missing = await c.hand_out(
        client, household_id=recipient, referral_id=referral + 99, lines=[{"lot_id": lot, "quantity": 1}]
    )
    assert missing.status_code == 404 and missing.json()["type"] == "/problems/referral-not-found"


async def test_the_frequency_rule_refuses_and_only_a_coordinator_can_override_it(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 30, month(9))
    household = await c.household()
    line = [{"lot_id": lot, "quantity": 1}]
    assert (await c.hand_out(client, household_id=household, lines=line)).status_code == 201

    soon = TODAY + timedelta(days=3)
    refused = await c.hand_out(client, household_id=household, distributed_on=soon, channel="delivery", lines=line)
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"] == "/problems/frequency-rule"
    assert (problem["last_distributed_on"], problem["next_allowed_on"], problem["min_days"]) == (
        TODAY.isoformat(),
        (TODAY + timedelta(days=7)).isoformat(),
        7,
    )
    assert "override" in problem["detail"]
    assert problem["message_id"].startswith("Household %(code)s had individual support on %(last)s;")
    assert problem["params"]["last"] == TODAY.isoformat() and problem["params"]["days"] == 7
    japanese = await client.post(
        "/api/distributions",
        json={"channel": "delivery", "distributed_on": soon.isoformat(), "household_id": household, "lines": line},
        headers={**wh.warehouse.headers, "Accept-Language": "ja"},
    )
    assert japanese.json()["detail"].endswith(
        "（7 日以上あける決まり）。コーディネーターが理由を書けば例外にできます。"
    )

    volunteer = await c.hand_out(
        client, household_id=household, distributed_on=soon, lines=line, frequency_override="急な失職のため"
    )
    assert volunteer.status_code == 403
    assert volunteer.json()["type"] == "/problems/frequency-override-not-allowed"

    overridden = await c.hand_out(
        client,
        wh.coordinator,
        household_id=household,
        distributed_on=soon,
        lines=line,
        frequency_override="急な失職のため",
    )
    assert overridden.status_code == 201, overridden.text
    assert (overridden.json()["frequency_overridden"], overridden.json()["frequency_override"]) == (
        True,
        "急な失職のため",
    )
    (event,) = await c.audit("distribution.frequency_override")
    assert event.entity_id == str(overridden.json()["id"]) and event.actor_id == wh.coordinator.id
    assert event.details == {"household_id": household, "days_since_last": 3, "min_days": 7}
    assert "失職" not in str(event.details), "the reason stays out of the log"

    as_volunteer = await client.get(f"/api/distributions/{overridden.json()['id']}", headers=wh.warehouse.headers)
    assert (as_volunteer.json()["frequency_overridden"], as_volunteer.json()["frequency_override"]) == (True, None)

    # Pantry days are not individual support: the rule neither applies to them nor counts them.
    pantry = await c.hand_out(client, household_id=household, distributed_on=soon, channel="pantry", lines=line)
    assert pantry.status_code == 201
    a_week_later = await c.hand_out(client, household_id=household, distributed_on=soon + timedelta(days=7), lines=line)
    assert a_week_later.status_code == 201, a_week_later.text


async def test_an_override_that_is_not_needed_is_not_recorded(client: AsyncClient, community: Community) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 5, month(9))
    response = await c.hand_out(
        client,
        wh.coordinator,
        household_id=await c.household(),
        lines=[{"lot_id": lot, "quantity": 1}],
        frequency_override="念のため",
    )
    assert response.status_code == 201
    assert (response.json()["frequency_overridden"], response.json()["frequency_override"]) == (False, None)
    assert await c.audit("distribution.frequency_override") == []


@pytest.mark.concurrent
async def test_ten_concurrent_hand_outs_to_one_household_let_exactly_one_through(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 30, month(9))
    household = await c.household()
    referral = await c.referral(household, allowed=5)

    responses = await asyncio.gather(
        *[
            c.hand_out(client, household_id=household, referral_id=referral, lines=[{"lot_id": lot, "quantity": 2}])
            for _ in range(10)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9, [r.text for r in responses]
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {"/problems/frequency-rule"}
    lot_now = (await client.get(f"/api/lots/{lot}", headers=wh.warehouse.headers)).json()
    assert lot_now["on_hand"] == 28
    assert await c.referral_state(referral) == (1, ReferralStatus.accepted)
    listed = await client.get("/api/distributions", params={"household_id": household}, headers=wh.warehouse.headers)
    assert len(listed.json()) == 1
    await c.verify_ledger()
