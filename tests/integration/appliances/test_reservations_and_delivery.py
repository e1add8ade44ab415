"""Reservations for a household, optionally through a referral that asks for an appliance; a delivery
through a referral counts as one of its hand-outs; two coordinators cannot both reserve one unit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from foodbank.models import AuditEvent, ReferralRequest, ReferralStatus, Role
from tests.conftest import Actors
from tests.integration.appliances.conftest import Bank


async def test_a_delivery_through_a_referral_counts_and_fulfils_it(bank: Bank) -> None:
    household = await bank.c.household()
    referral = await bank.referral(household, category="refrigerator", allowed=1)
    unit = await bank.in_status("available", "refrigerator")

    reserved = await bank.reserve(unit, referral_id=referral)
    assert reserved.status_code == 201, reserved.text
    assert reserved.json()["reservation"]["referral_id"] == referral
    assert reserved.json()["reservation"]["household_code"] == await bank.c.code(household)
    assert await bank.c.referral_state(referral) == (0, ReferralStatus.accepted), "a reservation does not count"

    delivered = await bank.deliver(unit, receipt_signed=True)
    assert delivered.status_code == 201, delivered.text
    assert await bank.c.referral_state(referral) == (1, ReferralStatus.fulfilled)
    [use] = await bank.c.audit("referral.use")
    assert use.entity_id == str(referral)
    assert use.details == {"appliance_unit_id": unit, "handouts_used": 1, "handouts_allowed": 1, "fulfilled": True}


async def test_a_referral_for_food_and_an_appliance_counts_the_appliance_as_one_hand_out(bank: Bank) -> None:
    household = await bank.c.household()
    referral = await bank.referral(household, request=ReferralRequest.both, category="washing_machine", allowed=3)
    unit = await bank.in_status("available", "washing_machine")
    assert (await bank.reserve(unit, referral_id=referral, household_id=household)).status_code == 201
    assert (await bank.deliver(unit)).status_code == 201
    assert await bank.c.referral_state(referral) == (1, ReferralStatus.accepted)


async def test_a_delivery_marks_the_household_active(bank: Bank) -> None:
    from foodbank.models import Household

    household = await bank.c.household()
    unit = await bank.unit(received_date=(bank.today - timedelta(days=5)).isoformat())
    assert (await bank.inspect(unit)).status_code == 201
    assert (await bank.reserve(unit, household_id=household)).status_code == 201
    delivered = await bank.deliver(unit, delivered_on=bank.today - timedelta(days=1))
    assert delivered.status_code == 201, delivered.text
    async with bank.c.database.transaction() as s:
        found = await s.get(Household, household)
        assert found is not None and found.last_activity_on == bank.today - timedelta(days=1)


@pytest.mark.parametrize(
    ("case", "reason", "words"),
    [
        ("food_only", "not_for_appliance", "asks for food"),
        ("other_category", "other_category", "asks for microwave"),
        ("submitted", "not_accepted", "submitted, not accepted"),
        ("declined", "not_accepted", "declined"),
        ("other_household", "other_household", "another household"),
        ("used_up", "used_up", "hand-outs it allows"),
        ("expired", "expired", "valid until"),
        ("already_covered", "already_covered", "already covers another unit"),
    ],
)
async def test_a_referral_that_cannot_cover_the_unit_is_refused_with_a_clear_409(
    bank: Bank, case: str, reason: str, words: str
) -> None:
    household = await bank.c.household()
    unit = await bank.in_status("available", "refrigerator")
    body = {"household_id": household}
    if case == "food_only":
        referral = await bank.referral(household, request=ReferralRequest.food, category=None)
    elif case == "other_category":
        referral = await bank.referral(household, category="microwave")
    elif case == "submitted":
        referral = await bank.referral(household, status=ReferralStatus.submitted)
    elif case == "declined":
        referral = await bank.referral(household, status=ReferralStatus.declined)
    elif case == "other_household":
        referral = await bank.referral(await bank.c.household())
    elif case == "used_up":
        referral = await bank.referral(household, allowed=2, used=2)
    elif case == "expired":
        referral = await bank.referral(household, valid_until=bank.today + timedelta(days=3))
        body["planned_delivery_date"] = (bank.today + timedelta(days=4)).isoformat()  # after its last valid day
    else:
        referral = await bank.referral(household, allowed=2)
        first = await bank.in_status("available", "refrigerator")
        assert (await bank.reserve(first, referral_id=referral)).status_code == 201

    response = await bank.reserve(unit, referral_id=referral, **body)
    assert response.status_code == 409, response.text
    problem = response.json()
    assert (problem["type"], problem["reason"], problem["referral_id"]) == (
        "/problems/referral-not-usable",
        reason,
        referral,
    )
    assert words in problem["detail"]
    assert await bank.status(unit) == "available"


async def test_the_referrals_category_may_be_written_in_japanese(bank: Bank) -> None:
    household = await bank.c.household()
    referral = await bank.referral(household, category="冷蔵庫・冷凍庫")
    unit = await bank.in_status("available", "refrigerator")
    assert (await bank.reserve(unit, referral_id=referral)).status_code == 201


async def test_a_referral_no_longer_usable_at_delivery_refuses_the_delivery(bank: Bank) -> None:
    household = await bank.c.household()
    referral = await bank.referral(household, category="tv", allowed=2)
    unit = await bank.in_status("available", "tv")
    assert (await bank.reserve(unit, referral_id=referral)).status_code == 201
    async with bank.c.database.transaction() as s:
        from foodbank.models import Referral

        found = await s.get(Referral, referral)
        assert found is not None
        found.status = ReferralStatus.withdrawn
    response = await bank.deliver(unit)
    assert response.status_code == 409
    assert (response.json()["reason"], response.json()["referral_status"]) == ("not_accepted", "withdrawn")
    assert await bank.status(unit) == "reserved"
    assert await bank.c.referral_state(referral) == (0, ReferralStatus.withdrawn)


async def test_releasing_frees_the_referral_for_another_unit(bank: Bank) -> None:
    household = await bank.c.household()
    referral = await bank.referral(household)
    first, second = await bank.in_status("available", "refrigerator"), await bank.in_status("available", "refrigerator")
    assert (await bank.reserve(first, referral_id=referral)).status_code == 201
    assert (await bank.release(first)).status_code == 200
    assert (await bank.reserve(second, referral_id=referral)).status_code == 201


async def test_a_delivery_needs_a_receipt_number_or_a_signed_receipt(bank: Bank) -> None:
    unit = await bank.in_status("reserved")
    response = await bank.post(unit, "delivery", receipt_signed=False)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "receipt_number"
    future = await bank.deliver(unit, delivered_on=bank.today + timedelta(days=1))
    assert (future.status_code, future.json()["errors"][0]["field"]) == (422, "delivered_on")
    volunteer = await bank.deliver(unit, delivered_by_id=bank.warehouse.id, receipt_number="R-77")
    assert volunteer.status_code == 201, volunteer.text
    delivery = volunteer.json()["delivery"]
    assert (delivery["delivered_by_id"], delivery["receipt_number"], delivery["receipt_signed"]) == (
        bank.warehouse.id,
        "R-77",
        False,
    )


async def test_a_reservation_needs_a_household_and_a_date_not_past(bank: Bank) -> None:
    unit = await bank.in_status("available")
    nobody = await bank.post(unit, "reservations", planned_delivery_date=bank.today)
    assert (nobody.status_code, nobody.json()["errors"][0]["field"]) == (422, "household_id")
    past = await bank.reserve(unit, planned_delivery_date=bank.today - timedelta(days=1))
    assert (past.status_code, past.json()["errors"][0]["field"]) == (422, "planned_delivery_date")
    unknown = await bank.reserve(unit, household_id=999999)
    assert (unknown.status_code, unknown.json()["type"]) == (404, "/problems/household-not-found")
    assert await bank.status(unit) == "available"


@pytest.mark.concurrent
async def test_two_coordinators_reserving_one_unit_at_the_same_moment_cannot_both_succeed(
    bank: Bank, actors: Actors
) -> None:
    unit = await bank.in_status("available", "refrigerator")
    other = await actors.make(Role.coordinator)
    first, second = await bank.c.household(), await bank.c.household()
    responses = await asyncio.gather(
        bank.reserve(unit, household_id=first),
        bank.reserve(unit, other, household_id=second),
    )
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 409).json()
    assert (refused["type"], refused["current_status"], refused["allowed_actions"]) == (
        "/problems/appliance-status",
        "reserved",
        ["deliver", "release"],
    )
    history = await bank.get(unit, "history")
    assert [r["status"] for r in history["reservations"]] == ["open"]
    assert [c["to_status"] for c in history["status_changes"]].count("reserved") == 1
    async with bank.c.database.transaction() as s:
        events = (await s.scalars(select(AuditEvent).where(AuditEvent.action == "appliance.reserve"))).all()
    assert len(events) == 1


@pytest.mark.concurrent
async def test_two_units_reserved_through_one_referral_at_the_same_moment_cannot_both_succeed(bank: Bank) -> None:
    household = await bank.c.household()
    referral = await bank.referral(household, allowed=3)
    units = [await bank.in_status("available", "refrigerator") for _ in range(2)]
    responses = await asyncio.gather(*[bank.reserve(u, referral_id=referral) for u in units])
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    assert next(r for r in responses if r.status_code == 409).json()["reason"] == "already_covered"
