"""The waiting list: open referrals asking for an appliance, by category and urgency, then referred date,
each with the units of its category available now. Households by code only; a consultant sees their
own agency's entries only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from foodbank.models import ReferralRequest, ReferralStatus, Role, Urgency
from tests.conftest import Actor, Actors
from tests.integration.appliances.conftest import Bank


async def waiting(bank: Bank, actor: Actor | None = None, **params: Any) -> list[dict[str, Any]]:
    response = await bank.client.get(
        "/api/appliances/waiting-list", params=params, headers=(actor or bank.coordinator).headers
    )
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


async def test_entries_are_ordered_by_category_urgency_and_date_and_matched_with_available_units(
    bank: Bank, actors: Actors
) -> None:
    day = bank.today
    h = [await bank.c.household() for _ in range(10)]
    fridge_normal_old = await bank.referral(h[0], referred_on=day - timedelta(days=20))
    fridge_emergency = await bank.referral(h[1], urgency=Urgency.emergency, referred_on=day - timedelta(days=1))
    fridge_urgent = await bank.referral(h[2], urgency=Urgency.urgent, referred_on=day - timedelta(days=5))
    fridge_in_japanese = await bank.referral(h[3], category="冷蔵庫", referred_on=day - timedelta(days=2))
    washer_submitted = await bank.referral(
        h[4], category="washing_machine", status=ReferralStatus.submitted, request=ReferralRequest.both
    )
    unknown = await bank.referral(h[5], category="ドライヤー", urgency=Urgency.emergency)
    # Not waiting: food only, declined, run out, already covered by a reservation.
    await bank.referral(h[6], request=ReferralRequest.food, category=None)
    await bank.referral(h[7], status=ReferralStatus.declined)
    await bank.referral(h[8], valid_until=day - timedelta(days=1), referred_on=day - timedelta(days=30))
    covered = await bank.referral(h[9])

    fridges = [await bank.in_status("available", "refrigerator") for _ in range(2)]
    assert (
        await bank.reserve(await bank.in_status("available", "refrigerator"), referral_id=covered)
    ).status_code == 201
    await bank.in_status("inspected", "washing_machine")  # not available yet: not counted

    entries = await waiting(bank)
    assert [(e["referral_id"], e["category"], e["position"]) for e in entries] == [
        (fridge_emergency, "refrigerator", 1),
        (fridge_urgent, "refrigerator", 2),
        (fridge_normal_old, "refrigerator", 3),
        (fridge_in_japanese, "refrigerator", 4),
        (washer_submitted, "washing_machine", 1),
        (unknown, None, 1),
    ]
    by_id = {e["referral_id"]: e for e in entries}
    assert by_id[fridge_emergency]["available_units"] == 2
    assert by_id[fridge_emergency]["available_unit_ids"] == fridges
    assert by_id[fridge_in_japanese]["requested_category"] == "冷蔵庫"
    assert (by_id[washer_submitted]["available_units"], by_id[washer_submitted]["referral_status"]) == (0, "submitted")
    assert (by_id[unknown]["available_units"], by_id[unknown]["requested_category"]) == (0, "ドライヤー")
    assert by_id[fridge_emergency]["household_code"] == await bank.c.code(h[1])
    assert all("household_id" not in e for e in entries), "households by code only"

    only_washers = await waiting(bank, category="washing_machine")
    assert [e["referral_id"] for e in only_washers] == [washer_submitted]

    volunteer = await actors.make(Role.warehouse)
    assert [e["referral_id"] for e in await waiting(bank, volunteer)] == [e["referral_id"] for e in entries]


async def test_an_entry_leaves_the_list_when_a_unit_is_reserved_through_it_and_returns_on_release(
    bank: Bank,
) -> None:
    referral = await bank.referral(await bank.c.household())
    unit = await bank.in_status("available", "refrigerator")
    assert [(e["referral_id"], e["available_unit_ids"]) for e in await waiting(bank)] == [(referral, [unit])]
    await bank.reserve(unit, referral_id=referral)
    assert await waiting(bank) == []
    await bank.release(unit)
    assert [(e["referral_id"], e["available_unit_ids"]) for e in await waiting(bank)] == [(referral, [unit])]


async def test_a_consultant_sees_their_own_agencys_entries_only(
    bank: Bank, other_consultant: Actor, actors: Actors
) -> None:
    mine = await bank.referral(await bank.c.household())
    theirs = await bank.referral(await bank.c.household(), consultant=other_consultant)
    assert {e["referral_id"] for e in await waiting(bank)} == {mine, theirs}
    assert [e["referral_id"] for e in await waiting(bank, bank.c.consultant)] == [mine]
    assert [e["referral_id"] for e in await waiting(bank, other_consultant)] == [theirs]
    colleague = await actors.make(Role.consultant)  # the same agency as bank.c.consultant
    assert [e["referral_id"] for e in await waiting(bank, colleague)] == [mine]


async def test_reading_the_waiting_list_is_audited_with_ids_only(bank: Bank) -> None:
    referral = await bank.referral(await bank.c.household())
    await waiting(bank, bank.c.consultant)
    [event] = await bank.c.audit("appliance.waiting_list.read")
    assert (event.actor_id, event.entity, event.details) == (
        bank.c.consultant.id,
        "referral",
        {"ids": [referral], "entries": 1},
    )
