"""Planning a pantry day: venues, parcel templates, events with slots; the status machine refuses
illegal moves with 409 and says why; only coordinators and admins plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient

from tests.dates import month
from tests.integration.pantry.conftest import EVENT_DAY, Pantry


async def test_a_day_is_planned_with_a_venue_slots_and_templates(client: AsyncClient, pantry: Pantry) -> None:
    p, wh = pantry, pantry.c.wh
    small = await p.template("1〜2人", [{"item_id": wh.canned, "quantity": 2}], people=(1, 2))
    large = await p.template(
        "3人以上",
        [{"item_id": wh.canned, "quantity": 3}, {"category_id": await p.category("staples"), "quantity": 2}],
        people=(3, 20),
    )
    event = await p.event(
        [small, large],
        slots=[("10:00", "11:00", 15), ("11:00", "12:00", 15)],
        walk_in_people=10,
        open_it=False,
    )
    assert (event["status"], event["venue_name"], event["municipality"]) == ("planned", "東金市中央公民館", "togane")
    assert event["template_ids"] == [small, large]
    assert [(s["start_time"], s["capacity"], s["booked"], s["places_left"]) for s in event["slots"]] == [
        ("10:00:00", 15, 0, 15),
        ("11:00:00", 15, 0, 15),
    ]
    assert (event["expected_walk_in_people"], event["walk_in_household_size"], event["walk_in_parcels"]) == (10, 3, 0)

    venues = await client.get("/api/pantry-venues", headers=p.warehouse.headers)
    assert [v["name"] for v in venues.json()] == ["東金市中央公民館"]
    templates = await client.get("/api/parcel-templates", headers=p.warehouse.headers)
    assert [t["name"] for t in templates.json()] == ["1〜2人", "3人以上"]
    one = await client.get(f"/api/parcel-templates/{large}", headers=p.warehouse.headers)
    assert [(ln["item_id"], ln["category_id"], ln["quantity"]) for ln in one.json()["lines"]] == [
        (wh.canned, None, 3),
        (None, await p.category("staples"), 2),
    ]
    listed = await client.get("/api/pantry-events", params={"status": "planned"}, headers=p.warehouse.headers)
    assert [e["id"] for e in listed.json()] == [event["id"]]

    changed = await client.patch(
        f"/api/pantry-events/{event['id']}",
        json={"expected_walk_in_people": 12, "event_date": (EVENT_DAY + timedelta(days=1)).isoformat()},
        headers=p.coordinator.headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["expected_walk_in_people"], changed.json()["event_date"]) == (
        12,
        (EVENT_DAY + timedelta(days=1)).isoformat(),
    )
    added = await p.act(event["id"], "slots", start_time="13:00", end_time="14:00", capacity=5)
    assert [s["start_time"] for s in added["slots"]] == ["10:00:00", "11:00:00", "13:00:00"]
    again = await p.post(event["id"], "slots", start_time="13:00", end_time="13:30", capacity=5)
    assert again.status_code == 422 and "own time" in again.json()["detail"]

    third = await p.template("大家族", [{"item_id": wh.canned, "quantity": 6}], people=(21, 50))
    retemplated = await client.patch(
        f"/api/pantry-events/{event['id']}", json={"template_ids": [large, third]}, headers=p.coordinator.headers
    )
    assert retemplated.status_code == 200 and retemplated.json()["template_ids"] == [large, third]

    events = await p.c.audit("pantry_event.create")
    assert [e.details for e in events] == [{"venue_id": p.venue, "slots": 2, "templates": 2}]


async def test_templates_and_events_are_checked(client: AsyncClient, pantry: Pantry) -> None:
    p, wh = pantry, pantry.c.wh
    bad = await client.post(
        "/api/parcel-templates",
        json={
            "name": "x",
            "min_people": 3,
            "max_people": 2,
            "lines": [{"item_id": wh.canned, "category_id": 1, "quantity": 1}, {"item_id": 999, "quantity": 1}],
        },
        headers=p.coordinator.headers,
    )
    assert bad.status_code == 422
    # Every mistake of the body at once: both of a line's choices given, and the band backwards.
    said = {e["field"]: e["message"] for e in bad.json()["errors"]}
    assert said == {
        "lines.0.category_id": "Give item_id or category_id, not both.",
        "max_people": "Must be at least min_people.",
    }
    neither = await client.post(
        "/api/parcel-templates",
        json={"name": "x", "min_people": 1, "max_people": 2, "lines": [{"quantity": 1}, {"item_id": 0, "quantity": 1}]},
        headers=p.coordinator.headers,
    )
    assert neither.status_code == 422
    said = {e["field"]: e["message"] for e in neither.json()["errors"]}
    assert said == {
        "lines.0.item_id": "Give item_id or category_id.",
        "lines.1.item_id": "Must be an id: a whole number from 1.",
    }
    backwards = await client.post(
        "/api/parcel-templates",
        json={"name": "x", "min_people": 3, "max_people": 2, "lines": [{"item_id": wh.canned, "quantity": 1}]},
        headers=p.coordinator.headers,
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "max_people"
    unknown = await client.post(
        "/api/parcel-templates",
        json={"name": "x", "min_people": 1, "max_people": 2, "lines": [{"item_id": 999, "quantity": 1}]},
        headers=p.coordinator.headers,
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "lines.0.item_id"

    one_to_three = await p.template("1〜3人", [{"item_id": wh.canned, "quantity": 1}], people=(1, 3))
    three_up = await p.template("3人〜", [{"item_id": wh.canned, "quantity": 2}], people=(3, 9))
    ready = await p.template("調理不要", [{"item_id": wh.canned, "quantity": 2}], people=(1, 9), ready_to_eat_only=True)
    same_name = await client.post(
        "/api/parcel-templates",
        json={"name": "1〜3人", "min_people": 1, "max_people": 2, "lines": [{"item_id": wh.canned, "quantity": 1}]},
        headers=p.coordinator.headers,
    )
    assert same_name.status_code == 409

    body = {
        "venue_id": p.venue,
        "event_date": EVENT_DAY.isoformat(),
        "slots": [{"start_time": "10:00", "end_time": "11:00", "capacity": 5}],
        "template_ids": [one_to_three, three_up],
    }
    overlap = await client.post("/api/pantry-events", json=body, headers=p.coordinator.headers)
    assert overlap.status_code == 422
    assert "same household size" in overlap.json()["detail"]
    assert '"1〜3人" (1-3) and "3人〜" (3-9)' in overlap.json()["errors"][0]["message"], "named, with their sizes"
    # A ready-to-eat template may share sizes with ordinary ones: it is of another kind.
    fine = await client.post(
        "/api/pantry-events", json={**body, "template_ids": [one_to_three, ready]}, headers=p.coordinator.headers
    )
    assert fine.status_code == 201, fine.text
    slots_backwards = await client.post(
        "/api/pantry-events",
        json={**body, "template_ids": [], "slots": [{"start_time": "11:00", "end_time": "10:00", "capacity": 5}]},
        headers=p.coordinator.headers,
    )
    assert slots_backwards.status_code == 422 and slots_backwards.json()["errors"][0]["field"] == "slots.0.end_time"
    no_venue = await client.post(
        "/api/pantry-events", json={**body, "venue_id": 999, "template_ids": []}, headers=p.coordinator.headers
    )
    assert no_venue.status_code == 404 and no_venue.json()["type"] == "/problems/venue-not-found"


async def test_illegal_status_moves_are_refused_with_409_and_a_clear_message(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, wh = pantry, pantry.c.wh
    await wh.lot(client, wh.canned, 10, month(9))
    template = await p.template("標準", [{"item_id": wh.canned, "quantity": 1}])
    event = await p.event([template], open_it=False)
    household = await p.c.household()

    async def refused(action: str, expected_status: str, words: str) -> None:
        response = await p.post(event["id"], action)
        assert response.status_code == 409, (action, response.text)
        problem = response.json()
        assert problem["type"] == "/problems/pantry-event-status"
        assert problem["status"] == 409 and problem["current_status"] == expected_status
        assert problem["action"] == action
        assert words in problem["detail"], problem["detail"]

    await refused("start", "planned", "the day can start only when it is allocated")
    await refused("close", "planned", "the day can be closed only when it is in progress")
    await refused("allocate", "planned", "stock can be allocated only when it is open or allocated")
    booking = await p.book(event, household)
    assert (
        booking.status_code == 409
        and "households can register only when it is open or allocated" in (booking.json()["detail"])
    )

    await p.act(event["id"], "open")
    await refused("open", "open", "registrations can be opened only when it is planned")
    registration = await p.booked(event, household)
    await p.act(event["id"], "allocate")
    check_in = await p.registration(event["id"], registration, "check-in")
    assert check_in.status_code == 409
    assert check_in.json()["detail"] == (
        f"Pantry day {event['id']} is allocated: households can check in only when it is in progress. "
        "Start the day first."
    )
    date_change = await client.patch(
        f"/api/pantry-events/{event['id']}",
        json={"event_date": (EVENT_DAY + timedelta(days=1)).isoformat()},
        headers=p.coordinator.headers,
    )
    assert (
        date_change.status_code == 409
        and "its date can change only when it is planned or open" in (date_change.json()["detail"])
    )

    await p.act(event["id"], "start", p.warehouse)
    await refused("cancel", "in_progress", "it can be cancelled only when it is planned, open or allocated")
    await refused("allocate", "in_progress", "stock can be allocated")
    await p.act(event["id"], "close")
    for action in ("open", "allocate", "start", "close", "cancel"):
        await refused(action, "closed", "The day is over.")
    late = await p.post(event["id"], "walk-ins", p.warehouse, people=2)
    assert late.status_code == 409 and "walk-ins can be served only when it is in progress" in late.json()["detail"]


@pytest.mark.parametrize("status_before", ["planned", "open", "allocated"])
async def test_a_day_can_be_cancelled_before_it_starts_and_its_stock_goes_back(
    client: AsyncClient, pantry: Pantry, status_before: str
) -> None:
    p, wh = pantry, pantry.c.wh
    lot = await wh.lot(client, wh.canned, 10, month(9))
    template = await p.template("標準", [{"item_id": wh.canned, "quantity": 2}])
    event = await p.event([template], open_it=status_before != "planned", walk_in_people=3)
    if status_before != "planned":
        registration = await p.booked(event, await p.c.household())
    if status_before == "allocated":
        await p.act(event["id"], "allocate")
        assert await p.lot_state(lot) == (10, 4)
    cancelled = await p.act(event["id"], "cancel")
    assert cancelled["status"] == "cancelled"
    assert all(s["booked"] == 0 for s in cancelled["slots"])
    assert await p.lot_state(lot) == (10, 0)
    if status_before != "planned":
        registrations = await p.get(event["id"], "registrations")
        assert [(r["id"], r["status"]) for r in registrations] == [(registration, "cancelled")]
    await p.c.verify_ledger()


async def test_only_coordinators_and_admins_plan_allocate_and_close(client: AsyncClient, pantry: Pantry) -> None:
    p, wh, c = pantry, pantry.c.wh, pantry.c
    template = await p.template("標準", [{"item_id": wh.canned, "quantity": 1}])
    event = await p.event([template], open_it=False)
    venue = {"name": "山武市役所", "address": "山武市殿台296", "municipality": "sammu"}
    plan = {
        "venue_id": p.venue,
        "event_date": EVENT_DAY.isoformat(),
        "slots": [{"start_time": "10:00", "end_time": "11:00", "capacity": 5}],
    }
    for actor in (p.warehouse, c.consultant, c.reporter):
        assert (await client.post("/api/pantry-venues", json=venue, headers=actor.headers)).status_code == 403
        assert (await client.post("/api/pantry-events", json=plan, headers=actor.headers)).status_code == 403
        template_body = {
            "name": "x",
            "min_people": 1,
            "max_people": 2,
            "lines": [{"item_id": wh.canned, "quantity": 1}],
        }
        assert (
            await client.post("/api/parcel-templates", json=template_body, headers=actor.headers)
        ).status_code == 403
        patched = await client.patch(f"/api/pantry-events/{event['id']}", json={"note": "x"}, headers=actor.headers)
        assert patched.status_code == 403
        for action in ("open", "allocate", "close", "cancel"):
            assert (await p.post(event["id"], action, actor)).status_code == 403, action
    assert (await p.post(event["id"], "open", c.admin)).status_code == 201
    assert (await p.post(event["id"], "allocate", c.admin)).status_code == 201
    # The day itself is run by the volunteers: they may start it, pick and check in.
    assert (await p.post(event["id"], "start", p.warehouse)).status_code == 201
    assert (
        await client.get(f"/api/pantry-events/{event['id']}/picking-list", headers=p.warehouse.headers)
    ).status_code == 200
    # Figures are for coordinators, admins and reporters; consultants may see events to book them.
    assert (
        await client.get(f"/api/pantry-events/{event['id']}/summary", headers=c.reporter.headers)
    ).status_code == 200
    assert (
        await client.get(f"/api/pantry-events/{event['id']}/summary", headers=p.warehouse.headers)
    ).status_code == 403
    assert (await client.get(f"/api/pantry-events/{event['id']}", headers=c.consultant.headers)).status_code == 200
    assert (await client.get(f"/api/pantry-events/{event['id']}", headers=c.reporter.headers)).status_code == 403
    assert (
        await client.get(f"/api/pantry-events/{event['id']}/registrations", headers=c.consultant.headers)
    ).status_code == 403


async def test_the_pantry_routes_are_documented_and_declare_their_roles(client: AsyncClient) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    paths = set(doc["paths"])
    assert {
        "/api/pantry-venues",
        "/api/parcel-templates",
        "/api/pantry-events",
        "/api/pantry-events/{event_id}/allocate",
        "/api/pantry-events/{event_id}/registrations/{registration_id}/check-in",
        "/api/pantry-events/{event_id}/walk-ins",
        "/api/pantry-events/{event_id}/picking-list",
        "/api/pantry-events/{event_id}/packing-lists",
        "/api/pantry-events/{event_id}/summary",
    } <= paths
    schemas = doc["components"]["schemas"]
    assert {"AllocationOut", "PantryShortageOut", "PantrySummaryOut", "PackingListOut", "WalkInOut"} <= set(schemas)
    check_in = doc["paths"]["/api/pantry-events/{event_id}/registrations/{registration_id}/check-in"]["post"]
    assert {"401", "403", "404", "409", "422"} <= set(check_in["responses"])
