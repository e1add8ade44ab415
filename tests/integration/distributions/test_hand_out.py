"""Hand-outs: from named lots or from a reservation; only usable lots, never a household's allergens."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from foodbank.models import Household, MovementKind, StockMovement
from tests.dates import days, month
from tests.integration.distributions.conftest import TODAY, Community


async def lot_now(client: AsyncClient, c: Community, lot_id: int) -> dict[str, int]:
    body = (await client.get(f"/api/lots/{lot_id}", headers=c.wh.warehouse.headers)).json()
    return {"on_hand": body["on_hand"], "reserved": body["reserved"]}


async def test_a_direct_hand_out_issues_the_stock_and_the_ledger_stays_clean(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    canned = await wh.lot(client, wh.canned, 10, month(9))
    noodles = await wh.lot(client, wh.noodles, 5, f"{month(4)}-15")
    household = await c.household(adults=2, children=2)

    response = await c.hand_out(
        client,
        household_id=household,
        lines=[
            {"lot_id": noodles, "quantity": 2},
            {"lot_id": canned, "quantity": 3},
            {"lot_id": canned, "quantity": 1},  # named twice: one line of 4
        ],
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["household_code"], body["channel"], body["people"], body["units"]) == (
        await c.code(household),
        "pickup",
        4,
        6,
    )
    assert set(body) == {
        "id",
        "household_id",
        "household_code",
        "partner_programme_id",
        "partner_programme",
        "channel",
        "distributed_on",
        "referral_id",
        "reservation_id",
        "handed_over_by_id",
        "people",
        "frequency_overridden",
        "frequency_override",
        "created_at",
        "units",
        "lines",
    }, "codes only: no name, phone or address"
    assert [(ln["lot_id"], ln["item_name"], ln["expiry"], ln["quantity"], ln["returned"]) for ln in body["lines"]] == [
        (canned, "さば缶", month(9), 4, 0),
        (noodles, "カップ麺", f"{month(4)}-15", 2, 0),
    ]
    assert await lot_now(client, c, canned) == {"on_hand": 6, "reserved": 0}
    assert await lot_now(client, c, noodles) == {"on_hand": 3, "reserved": 0}

    async with c.database.transaction() as s:
        issues = (await s.scalars(select(StockMovement).where(StockMovement.kind == MovementKind.issue))).all()
        assert sorted((m.lot_id, m.on_hand_delta, m.distribution_id) for m in issues) == sorted(
            [(canned, -4, body["id"]), (noodles, -2, body["id"])]
        )
        stored = await s.get(Household, household)
        assert stored is not None and stored.last_activity_on == TODAY
    await c.verify_ledger()

    (event,) = await c.audit("distribution.create")
    assert event.entity_id == str(body["id"])
    assert event.details == {
        "channel": "pickup",
        "household_id": household,
        "partner_programme_id": None,
        "referral_id": None,
        "reservation_id": None,
        "lines": 2,
        "units": 6,
    }
    assert body["household_code"] not in str(event.details)

    shown = await client.get(f"/api/distributions/{body['id']}", headers=c.wh.warehouse.headers)
    assert shown.status_code == 200 and shown.json() == body
    listed = await client.get(
        "/api/distributions", params={"household_id": household, "on": TODAY.isoformat()}, headers=wh.warehouse.headers
    )
    assert [d["id"] for d in listed.json()] == [body["id"]]
    other_day = await client.get(
        "/api/distributions", params={"on": (TODAY + timedelta(days=1)).isoformat()}, headers=wh.warehouse.headers
    )
    assert other_day.json() == []


async def test_more_than_is_free_is_refused_and_nothing_moves(client: AsyncClient, community: Community) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 3, month(9))
    household = await c.household()
    response = await c.hand_out(client, household_id=household, lines=[{"lot_id": lot, "quantity": 4}])
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "/problems/lot-unavailable"
    assert [(p["lot_id"], p["reason"]) for p in problem["lots"]] == [(lot, "insufficient")]
    assert {"message", "message_id", "params"} <= set(problem["lots"][0])
    assert "3 units free" in problem["detail"]
    missing = await c.hand_out(client, household_id=household, lines=[{"lot_id": lot + 99, "quantity": 1}])
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "lines.0.lot_id"
    assert await lot_now(client, c, lot) == {"on_hand": 3, "reserved": 0}
    await c.verify_ledger()


async def test_an_open_reservation_is_confirmed_in_full_and_handed_out_once(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 10, month(9))
    reserved = await client.post(
        "/api/reservations",
        json={
            "purpose": "household",
            "channel": "individual",
            "distribution_date": TODAY.isoformat(),
            "lines": [{"item_id": wh.canned, "quantity": 6}],
        },
        headers=wh.warehouse.headers,
    )
    reservation = reserved.json()["id"]
    household = await c.household()

    response = await c.hand_out(client, household_id=household, reservation_id=reservation, channel="delivery")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reservation_id"] == reservation
    assert [(ln["lot_id"], ln["quantity"]) for ln in body["lines"]] == [(lot, 6)]
    assert await lot_now(client, c, lot) == {"on_hand": 4, "reserved": 0}
    picked = (await client.get(f"/api/reservations/{reservation}", headers=wh.warehouse.headers)).json()
    assert picked["status"] == "picked" and picked["picking_list"][0]["picked_quantity"] == 6
    async with c.database.transaction() as s:
        (issue,) = (await s.scalars(select(StockMovement).where(StockMovement.kind == MovementKind.issue))).all()
        assert (issue.on_hand_delta, issue.reserved_delta, issue.distribution_id) == (-6, -6, body["id"])

    again = await c.hand_out(client, household_id=await c.household(), reservation_id=reservation)
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/reservation-already-handed-out"
    assert again.json()["distribution_id"] == body["id"]
    await c.verify_ledger()


async def test_a_picked_reservation_hands_out_what_was_picked(client: AsyncClient, community: Community) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 10, month(9))
    request = {
        "purpose": "household",
        "channel": "individual",
        "distribution_date": TODAY.isoformat(),
        "lines": [{"item_id": wh.canned, "quantity": 5}],
    }
    reserved = (await client.post("/api/reservations", json=request, headers=wh.warehouse.headers)).json()
    (line,) = reserved["picking_list"]
    await client.post(
        f"/api/reservations/{reserved['id']}/pick",
        json={"lines": [{"line_id": line["line_id"], "picked_quantity": 3}]},
        headers=wh.warehouse.headers,
    )
    assert await lot_now(client, c, lot) == {"on_hand": 7, "reserved": 0}

    response = await c.hand_out(client, household_id=await c.household(), reservation_id=reserved["id"])
    assert response.status_code == 201, response.text
    assert [(ln["lot_id"], ln["quantity"]) for ln in response.json()["lines"]] == [(lot, 3)]
    assert await lot_now(client, c, lot) == {"on_hand": 7, "reserved": 0}, "issued when picked, not again"

    released = (await client.post("/api/reservations", json=request, headers=wh.warehouse.headers)).json()
    await client.post(f"/api/reservations/{released['id']}/release", headers=wh.warehouse.headers)
    refused = await c.hand_out(client, household_id=await c.household(), reservation_id=released["id"])
    assert refused.status_code == 409 and refused.json()["type"] == "/problems/reservation-closed"
    await c.verify_ledger()


async def test_an_allergen_is_never_handed_out_to_a_household_that_avoids_it(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    mackerel = await wh.lot(client, wh.canned, 10, month(9))  # さば缶: mackerel
    noodles = await wh.lot(client, wh.noodles, 10, month(9))  # wheat, soybean
    allergic = await c.household(allergens=["mackerel"])

    response = await c.hand_out(
        client,
        household_id=allergic,
        lines=[{"lot_id": noodles, "quantity": 1}, {"lot_id": mackerel, "quantity": 1}],
    )
    assert response.status_code == 409
    problem = response.json()
    assert [(p["lot_id"], p["reason"]) for p in problem["lots"]] == [(mackerel, "allergen")]
    assert "mackerel" in problem["detail"] and "avoids" in problem["detail"]
    assert await lot_now(client, c, noodles) == {"on_hand": 10, "reserved": 0}, "all or nothing"

    # A reservation made without the household's allergens is checked again when it is handed out.
    reserved = await client.post(
        "/api/reservations",
        json={
            "purpose": "household",
            "channel": "individual",
            "distribution_date": TODAY.isoformat(),
            "lines": [{"item_id": wh.canned, "quantity": 2}],
        },
        headers=wh.warehouse.headers,
    )
    via_reservation = await c.hand_out(client, household_id=allergic, reservation_id=reserved.json()["id"])
    assert via_reservation.status_code == 409 and via_reservation.json()["lots"][0]["reason"] == "allergen"
    still_open = await client.get(f"/api/reservations/{reserved.json()['id']}", headers=wh.warehouse.headers)
    assert still_open.json()["status"] == "open"

    # Without cooking facilities, food that needs cooking is avoided like an allergen.
    no_kitchen = await c.household(ready_to_eat_only=True)
    cooking = await c.hand_out(client, household_id=no_kitchen, lines=[{"lot_id": noodles, "quantity": 1}])
    assert cooking.status_code == 409 and cooking.json()["lots"][0]["reason"] == "allergen"

    fine = await c.hand_out(client, household_id=allergic, lines=[{"lot_id": noodles, "quantity": 1}])
    assert fine.status_code == 201
    async with c.database.transaction() as s:
        handed = (
            await s.scalars(
                select(StockMovement.lot_id).where(
                    StockMovement.kind == MovementKind.issue, StockMovement.distribution_id.is_not(None)
                )
            )
        ).all()
        assert mackerel not in handed
    await c.verify_ledger()


async def test_a_use_by_lot_past_its_date_and_a_best_before_too_close_are_refused(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    milk = await wh.lot(client, wh.milk, 6, days(2), location_id=wh.chilled)
    canned = await wh.lot(client, wh.canned, 5, days(40))
    household = await c.household()

    late = await c.hand_out(
        client,
        household_id=household,
        distributed_on=TODAY + timedelta(days=3),
        lines=[{"lot_id": milk, "quantity": 1}],
    )
    assert late.status_code == 409
    assert late.json()["lots"][0]["reason"] == "use_by_passed"
    assert "use-by" in late.json()["detail"] and days(2) in late.json()["detail"]

    # 40 days of best-before left is enough for a pantry day (7) but not, 30 days on, for individual support (14).
    close = await c.hand_out(
        client,
        household_id=household,
        distributed_on=TODAY + timedelta(days=30),
        lines=[{"lot_id": canned, "quantity": 1}],
    )
    assert close.status_code == 409 and close.json()["lots"][0]["reason"] == "best_before_too_close"
    pantry = await c.hand_out(
        client,
        household_id=household,
        channel="pantry",
        distributed_on=TODAY + timedelta(days=30),
        lines=[{"lot_id": canned, "quantity": 1}, {"lot_id": milk, "quantity": 1}],
    )
    assert pantry.status_code == 409 and [p["reason"] for p in pantry.json()["lots"]] == [
        "use_by_passed",
    ]
    on_the_day = await c.hand_out(
        client,
        household_id=household,
        distributed_on=TODAY + timedelta(days=2),
        lines=[{"lot_id": milk, "quantity": 1}],
    )
    assert on_the_day.status_code == 201, "the use-by day itself is still safe"


async def test_a_recalled_lot_is_refused(client: AsyncClient, community: Community) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 5, month(9))
    await client.post(
        "/api/holds", json={"lot_id": lot, "status": "recalled", "reason": "メーカー回収"}, headers=wh.warehouse.headers
    )
    response = await c.hand_out(client, household_id=await c.household(), lines=[{"lot_id": lot, "quantity": 1}])
    assert response.status_code == 409
    assert response.json()["lots"][0]["reason"] == "recalled" and "recalled" in response.json()["detail"]


async def test_partner_programmes_get_the_partner_channel_and_say_how_many_they_serve(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 20, month(9))
    partner = await c.partner()
    household = await c.household()
    line = [{"lot_id": lot, "quantity": 10}]

    wrong = [
        ({"household_id": household, "partner_programme_id": partner, "channel": "partner"}, "household_id"),
        ({"channel": "pickup"}, "household_id"),
        ({"partner_programme_id": partner, "channel": "pantry", "people": 30}, "channel"),
        ({"household_id": household, "channel": "partner"}, "channel"),
        ({"partner_programme_id": partner, "channel": "partner"}, "people"),
        ({"partner_programme_id": partner, "channel": "partner", "people": 30, "referral_id": 1}, "referral_id"),
    ]
    for body, field in wrong:
        response = await c.hand_out(client, lines=line, **body)
        assert response.status_code == 422, (body, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}, (body, response.json())
    no_goods = await c.hand_out(client, household_id=household)
    assert no_goods.status_code == 422 and no_goods.json()["errors"][0]["field"] == "lines"

    served = await c.hand_out(client, partner_programme_id=partner, channel="partner", people=45, lines=line)
    assert served.status_code == 201, served.text
    assert (served.json()["partner_programme"], served.json()["people"], served.json()["household_code"]) == (
        "ちいき食堂ほのん",
        45,
        None,
    )
    await c.verify_ledger()


async def test_consultants_and_reporters_cannot_hand_out(client: AsyncClient, community: Community) -> None:
    c = community
    for actor in (c.consultant, c.reporter):
        response = await c.hand_out(client, actor, household_id=1, lines=[{"lot_id": 1, "quantity": 1}])
        assert response.status_code == 403
        assert (await client.get("/api/distributions", headers=actor.headers)).status_code == 403


@pytest.mark.concurrent
async def test_a_reservation_handed_out_by_two_volunteers_at_once_goes_out_once(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 10, month(9))
    reserved = await client.post(
        "/api/reservations",
        json={
            "purpose": "pantry_event",
            "channel": "pantry",
            "distribution_date": TODAY.isoformat(),
            "lines": [{"item_id": wh.canned, "quantity": 4}],
        },
        headers=wh.warehouse.headers,
    )
    households = [await c.household() for _ in range(4)]
    responses = await asyncio.gather(
        *[
            c.hand_out(client, household_id=h, channel="pantry", reservation_id=reserved.json()["id"])
            for h in households
        ]
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {"/problems/reservation-already-handed-out"}
    assert await lot_now(client, c, lot) == {"on_hand": 6, "reserved": 0}
    await c.verify_ledger()


async def test_partner_programmes_are_registered_by_coordinators(client, wh) -> None:  # type: ignore[no-untyped-def]
    body = {"name": "ちいき食堂ほのん", "kind": "cafeteria"}
    assert (await client.post("/api/partner-programmes", json=body, headers=wh.warehouse.headers)).status_code == 403
    created = await client.post("/api/partner-programmes", json=body, headers=wh.coordinator.headers)
    assert created.status_code == 201 and created.json()["kind"] == "cafeteria"
    again = await client.post("/api/partner-programmes", json=body, headers=wh.coordinator.headers)
    assert again.status_code == 409
    listed = await client.get("/api/partner-programmes", headers=wh.warehouse.headers)
    assert [p["name"] for p in listed.json()] == ["ちいき食堂ほのん"]
