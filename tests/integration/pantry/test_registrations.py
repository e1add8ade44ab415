"""Registrations: a household books a slot with its number of people (and its referral, checked as a
hand-out would check it); capacity holds under concurrent bookings; one active registration per
household and day; cancellations free the place."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from foodbank.models import PantryRegistration, PantrySlot, ReferralStatus, RegistrationStatus
from tests.integration.pantry.conftest import EVENT_DAY, Pantry


async def test_a_household_books_a_slot_with_its_people_and_its_referral(client: AsyncClient, pantry: Pantry) -> None:
    p, c = pantry, pantry.c
    template = await p.template("標準", [{"item_id": c.wh.canned, "quantity": 1}])
    event = await p.event([template], slots=[("10:00", "11:00", 5), ("11:00", "12:00", 5)])
    household = await c.household(adults=2, children=2)
    referral = await c.referral(household)

    response = await p.book(event, household, slot=1, referral_id=referral)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["household_code"], body["people"], body["referral_id"], body["status"]) == (
        await c.code(household),
        4,
        referral,
        "booked",
    )
    assert body["slot_id"] == event["slots"][1]["id"]
    other = await p.booked(event, await c.household(adults=1, children=0), people=2)
    shown = await p.get(event["id"])
    assert [s["booked"] for s in shown["slots"]] == [1, 1]
    listed = await p.get(event["id"], "registrations", p.warehouse)
    assert [r["id"] for r in listed] == [other, body["id"]]  # slot order
    assert "name" not in str(listed)

    # A referral is checked as a hand-out on the event day would check it, and is not used up yet.
    assert await c.referral_state(referral) == (0, ReferralStatus.accepted)
    for make_referral, reason, words in [
        (lambda h: c.referral(h, valid_until=EVENT_DAY - timedelta(days=1)), "expired", "valid until"),
        (lambda h: c.referral(h, status=ReferralStatus.submitted), "not_accepted", "not accepted"),
        (lambda h: c.referral(h, allowed=1, used=1), "used_up", "hand-outs it allows"),
    ]:
        fresh = await c.household()
        refused = await p.book(event, fresh, referral_id=await make_referral(fresh))
        assert refused.status_code == 409, refused.text
        assert (refused.json()["type"], refused.json()["reason"]) == ("/problems/referral-not-usable", reason)
        assert words in refused.json()["detail"]
    someone_else = await p.book(event, await c.household(), referral_id=referral)
    assert someone_else.json()["reason"] == "other_household"
    (audit,) = [e for e in await c.audit("pantry_registration.create") if e.entity_id == str(body["id"])]
    assert audit.details == {
        "event_id": event["id"],
        "slot_id": event["slots"][1]["id"],
        "household_id": household,
        "referral_id": referral,
    }


async def test_one_active_registration_per_household_and_cancellation_frees_the_place(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, c = pantry, pantry.c
    template = await p.template("標準", [{"item_id": c.wh.canned, "quantity": 1}])
    event = await p.event([template], slots=[("10:00", "11:00", 1), ("11:00", "12:00", 5)])
    household = await c.household()
    first = await p.booked(event, household)
    again = await p.book(event, household, slot=1)
    assert again.status_code == 409 and again.json()["type"] == "/problems/already-registered"

    full = await p.book(event, await c.household())
    assert full.status_code == 409
    problem = full.json()
    assert problem["type"] == "/problems/slot-full"
    assert problem["detail"] == "The 10:00 slot is full (1 households). Other slots still have places."
    assert problem["other_slots"] == [{"slot_id": event["slots"][1]["id"], "start_time": "11:00", "places_left": 5}]

    cancelled = await p.registration(event["id"], first, "cancel", actor=p.coordinator)
    assert cancelled.status_code == 201 and cancelled.json()["status"] == "cancelled"
    twice = await p.registration(event["id"], first, "cancel", actor=p.coordinator)
    assert twice.status_code == 409 and twice.json()["type"] == "/problems/registration-status"
    assert [s["booked"] for s in (await p.get(event["id"]))["slots"]] == [0, 0]
    # The household may book again once its registration is cancelled; so may another, in the freed place.
    assert (await p.book(event, household, slot=1)).status_code == 201
    assert (await p.book(event, await c.household())).status_code == 201

    capacity = await client.patch(
        f"/api/pantry-events/{event['id']}/slots/{event['slots'][0]['id']}",
        json={"capacity": 3},
        headers=p.coordinator.headers,
    )
    assert capacity.status_code == 200 and capacity.json()["slots"][0]["places_left"] == 2
    await p.booked(event, await c.household())
    await p.booked(event, await c.household())
    shrink = await client.patch(
        f"/api/pantry-events/{event['id']}/slots/{event['slots'][0]['id']}",
        json={"capacity": 2},
        headers=p.coordinator.headers,
    )
    assert shrink.status_code == 409 and shrink.json()["type"] == "/problems/capacity-below-bookings"


@pytest.mark.concurrent
async def test_thirty_concurrent_bookings_for_the_last_three_places_never_exceed_capacity(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, c = pantry, pantry.c
    template = await p.template("標準", [{"item_id": c.wh.canned, "quantity": 1}])
    event = await p.event([template], slots=[("10:00", "11:00", 10), ("11:00", "12:00", 10)])
    for _ in range(7):
        await p.booked(event, await c.household())
    households = [await c.household() for _ in range(30)]

    responses = await asyncio.gather(*[p.book(event, h) for h in households])

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 3 and statuses.count(409) == 27, statuses
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {"/problems/slot-full"}
    async with c.database.transaction() as s:
        slot = await s.get(PantrySlot, event["slots"][0]["id"])
        assert slot is not None and (slot.booked, slot.capacity) == (10, 10)
        active = await s.scalar(
            select(func.count())
            .select_from(PantryRegistration)
            .where(PantryRegistration.slot_id == slot.id, PantryRegistration.status != RegistrationStatus.cancelled)
        )
        assert active == 10
    assert (await p.get(event["id"]))["slots"][1]["booked"] == 0


@pytest.mark.concurrent
async def test_one_household_booked_twice_at_once_gets_one_registration(client: AsyncClient, pantry: Pantry) -> None:
    p, c = pantry, pantry.c
    template = await p.template("標準", [{"item_id": c.wh.canned, "quantity": 1}])
    event = await p.event([template], slots=[("10:00", "11:00", 10), ("11:00", "12:00", 10)])
    household = await c.household()
    responses = await asyncio.gather(*[p.book(event, household, slot=n % 2) for n in range(6)])
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409, 409]
    assert sum(s["booked"] for s in (await p.get(event["id"]))["slots"]) == 1


async def test_consultants_book_their_agencys_households_only(client: AsyncClient, pantry: Pantry) -> None:
    p, c = pantry, pantry.c
    template = await p.template("標準", [{"item_id": c.wh.canned, "quantity": 1}])
    event = await p.event([template])
    ours = await c.household()
    await c.referral(ours)  # referred by the consultant's agency: theirs to see
    theirs = await c.household()

    booked = await p.book(event, ours, actor=c.consultant)
    assert booked.status_code == 201, booked.text
    hidden = await p.book(event, theirs, actor=c.consultant)
    assert hidden.status_code == 404 and hidden.json()["type"] == "/problems/household-not-found"
    other = await p.booked(event, theirs)
    assert (await p.registration(event["id"], other, "cancel", actor=c.consultant)).status_code == 404
    assert (await p.registration(event["id"], booked.json()["id"], "cancel", actor=c.consultant)).status_code == 201
    for actor in (p.warehouse, c.reporter):
        assert (await p.book(event, ours, actor=actor)).status_code == 403
