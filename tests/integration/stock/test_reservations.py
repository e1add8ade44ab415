"""Reservations: FEFO choice, all-or-nothing under concurrency, picking, release, holds and recalls."""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient

from foodbank.lib.db import Database
from foodbank.stock import ledger
from tests.dates import month, month_end
from tests.integration.stock.conftest import TODAY, Warehouse, days


def reservation(item: int, quantity: int, **extra: Any) -> dict[str, Any]:
    return {
        "purpose": "household",
        "purpose_ref": "H-2026-0001",
        "channel": "individual",
        "distribution_date": TODAY.isoformat(),
        "lines": [{"item_id": item, "quantity": quantity}],
        **extra,
    }


async def verify_clean(database: Database) -> None:
    async with database.transaction() as session:
        assert await ledger.verify(session) == []


async def test_fefo_picks_the_earliest_usable_date_first(
    client: AsyncClient, wh: Warehouse, database: Database
) -> None:
    too_close = await wh.lot(client, wh.canned, 10, days(10))  # under 14 days left for individual support
    late = await wh.lot(client, wh.canned, 10, month(9))
    early = await wh.lot(client, wh.canned, 4, month(3))  # the month's last day: the same date as also_early
    also_early = await wh.lot(client, wh.canned, 4, month_end(3).isoformat(), location_id=wh.ambient_b)

    response = await client.post("/api/reservations", json=reservation(wh.canned, 12), headers=wh.warehouse.headers)
    assert response.status_code == 201, response.text
    picked = [(line["lot_id"], line["quantity"]) for line in response.json()["picking_list"]]
    assert sorted(picked) == sorted([(early, 4), (also_early, 4), (late, 4)])
    assert too_close not in {lot for lot, _ in picked}
    # The picking list walks the shelves: zone, then location.
    assert [line["location_code"] for line in response.json()["picking_list"]] == ["A-01", "A-01", "A-02"]
    await verify_clean(database)


async def test_a_shortage_is_409_with_the_missing_quantities_and_reserves_nothing(
    client: AsyncClient, wh: Warehouse
) -> None:
    await wh.lot(client, wh.canned, 5, month(9))
    body = reservation(wh.canned, 8)
    body["lines"].append({"item_id": wh.noodles, "quantity": 2})
    response = await client.post("/api/reservations", json=body, headers=wh.warehouse.headers)
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "/problems/insufficient-stock"
    assert problem["shortages"] == [
        {
            "item_id": wh.canned,
            "item_name": "さば缶",
            "requested": 8,
            "allocated": 5,
            "missing": 3,
            "unusable": {},
            "avoided": [],
        },
        {
            "item_id": wh.noodles,
            "item_name": "カップ麺",
            "requested": 2,
            "allocated": 0,
            "missing": 2,
            "unusable": {},
            "avoided": [],
        },
    ]
    assert problem["detail"] == "Not enough usable stock. さば缶: 3 missing, カップ麺: 2 missing. Nothing was reserved."
    stock = (await client.get("/api/stock", headers=wh.warehouse.headers)).json()
    assert stock[0]["reserved"] == 0

    partial = await client.post("/api/reservations", json={**body, "allow_partial": True}, headers=wh.warehouse.headers)
    assert partial.status_code == 201
    assert [s["missing"] for s in partial.json()["shortages"]] == [3, 2]


async def test_fifty_concurrent_reservations_against_twenty_units_reserve_exactly_twenty(
    client: AsyncClient, wh: Warehouse, database: Database
) -> None:
    await wh.lot(client, wh.canned, 20, month(9))
    responses = await asyncio.gather(
        *[
            client.post("/api/reservations", json=reservation(wh.canned, 1), headers=wh.warehouse.headers)
            for _ in range(50)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 20 and statuses.count(409) == 30, statuses
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["shortages"] == [
            {
                "item_id": wh.canned,
                "item_name": "さば缶",
                "requested": 1,
                "allocated": 0,
                "missing": 1,
                "unusable": {},
                "avoided": [],
            }
        ]
    stock = (await client.get("/api/stock", headers=wh.warehouse.headers)).json()
    assert (stock[0]["reserved"], stock[0]["available"]) == (20, 0)
    await verify_clean(database)


async def test_a_mixed_concurrent_workload_keeps_the_ledger_and_balances_equal(
    client: AsyncClient, wh: Warehouse, database: Database
) -> None:
    lots = [await wh.lot(client, wh.canned, 30, month(m)) for m in range(3, 7)]
    headers = wh.warehouse.headers

    async def reserve_and_pick(n: int) -> None:
        r = await client.post("/api/reservations", json=reservation(wh.canned, 3 + n % 4), headers=headers)
        if r.status_code != 201:
            return
        body = r.json()
        if n % 3 == 0:
            await client.post(f"/api/reservations/{body['id']}/release", headers=headers)
        else:
            picked = [
                {"line_id": ln["line_id"], "picked_quantity": max(0, ln["quantity"] - n % 2)}
                for ln in body["picking_list"]
            ]
            await client.post(f"/api/reservations/{body['id']}/pick", json={"lines": picked}, headers=headers)

    async def count(n: int) -> None:
        await client.post(
            f"/api/lots/{lots[n % 4]}/adjustments", json={"counted": 40, "reason": "stock count"}, headers=headers
        )

    async def dispose(n: int) -> None:
        await client.post(
            f"/api/lots/{lots[n % 4]}/disposals", json={"quantity": 1, "reason": "damaged"}, headers=headers
        )

    work = [reserve_and_pick(n) for n in range(24)] + [count(n) for n in range(4)] + [dispose(n) for n in range(8)]
    await asyncio.gather(*work)
    await verify_clean(database)
    stock = (await client.get("/api/stock", headers=headers)).json()[0]
    assert stock["on_hand"] >= stock["reserved"] >= 0


async def test_picking_issues_what_was_picked_and_releases_the_rest(
    client: AsyncClient, wh: Warehouse, database: Database
) -> None:
    lot = await wh.lot(client, wh.canned, 10, month(9))
    reserved = (
        await client.post("/api/reservations", json=reservation(wh.canned, 6), headers=wh.warehouse.headers)
    ).json()
    (line,) = reserved["picking_list"]
    missing_line = await client.post(
        f"/api/reservations/{reserved['id']}/pick",
        json={"lines": [{"line_id": line["line_id"] + 999, "picked_quantity": 1}]},
        headers=wh.warehouse.headers,
    )
    assert missing_line.status_code == 422
    picked = await client.post(
        f"/api/reservations/{reserved['id']}/pick",
        json={"lines": [{"line_id": line["line_id"], "picked_quantity": 5}]},
        headers=wh.warehouse.headers,
    )
    assert picked.status_code == 201, picked.text
    assert picked.json()["status"] == "picked"
    assert picked.json()["picking_list"][0]["picked_quantity"] == 5
    lot_now = (await client.get(f"/api/lots/{lot}", headers=wh.warehouse.headers)).json()
    assert (lot_now["on_hand"], lot_now["reserved"]) == (5, 0), "one unit short: kept on the shelf"
    again = await client.post(
        f"/api/reservations/{reserved['id']}/pick",
        json={"lines": [{"line_id": line["line_id"], "picked_quantity": 5}]},
        headers=wh.warehouse.headers,
    )
    assert again.status_code == 409
    history = (await client.get(f"/api/lots/{lot}/history", headers=wh.warehouse.headers)).json()
    assert [(m["kind"], m["on_hand_delta"], m["reserved_delta"]) for m in history] == [
        ("receipt", 10, 0),
        ("reservation", 0, 6),
        ("issue", -5, -6),
    ]
    await verify_clean(database)


async def test_releasing_gives_the_stock_back(client: AsyncClient, wh: Warehouse) -> None:
    lot = await wh.lot(client, wh.canned, 10, month(9))
    reserved = (
        await client.post("/api/reservations", json=reservation(wh.canned, 10), headers=wh.warehouse.headers)
    ).json()
    released = await client.post(f"/api/reservations/{reserved['id']}/release", headers=wh.warehouse.headers)
    assert released.status_code == 201 and released.json()["status"] == "released"
    assert (await client.get(f"/api/lots/{lot}", headers=wh.warehouse.headers)).json()["available"] == 10


async def test_a_recalled_lot_is_never_picked(client: AsyncClient, wh: Warehouse) -> None:
    recalled = await wh.lot(client, wh.canned, 10, month(3))
    other_date = await wh.lot(client, wh.canned, 10, month(4))
    reserved = (
        await client.post("/api/reservations", json=reservation(wh.canned, 3), headers=wh.warehouse.headers)
    ).json()
    assert reserved["picking_list"][0]["lot_id"] == recalled

    hold = await client.post(
        "/api/holds",
        json={"item_id": wh.canned, "expiry": month(3), "status": "recalled", "reason": "メーカー回収"},
        headers=wh.warehouse.headers,
    )
    assert hold.status_code == 201 and hold.json()["lot_ids"] == [recalled]

    (line,) = reserved["picking_list"]
    blocked = await client.post(
        f"/api/reservations/{reserved['id']}/pick",
        json={"lines": [{"line_id": line["line_id"], "picked_quantity": 3}]},
        headers=wh.warehouse.headers,
    )
    assert blocked.status_code == 409 and "recalled" in blocked.json()["detail"]

    fresh = (
        await client.post("/api/reservations", json=reservation(wh.canned, 10), headers=wh.warehouse.headers)
    ).json()
    assert {ln["lot_id"] for ln in fresh["picking_list"]} == {other_date}
    short = await client.post("/api/reservations", json=reservation(wh.canned, 1), headers=wh.warehouse.headers)
    assert short.status_code == 409, "the recalled lot's remaining 7 units are not offered"
    assert short.json()["shortages"][0]["unusable"] == {"recalled": 7}, "but the shortage says they are there"
    assert "(7 recalled)" in short.json()["detail"]
    not_released = await client.post(f"/api/lots/{recalled}/release-hold", headers=wh.coordinator.headers)
    assert not_released.status_code == 409


async def test_a_shortage_says_how_many_units_are_on_hold_or_recalled(client: AsyncClient, wh: Warehouse) -> None:
    held = await wh.lot(client, wh.canned, 4, month(5))
    recalled = await wh.lot(client, wh.canned, 3, month(6))
    await wh.lot(client, wh.canned, 2, month(7))
    await wh.lot(client, wh.canned, 1, days(3))  # too close to its best-before date
    for lot, status in ((held, "on_hold"), (recalled, "recalled")):
        hold = await client.post(
            "/api/holds", json={"lot_id": lot, "status": status, "reason": "確認中"}, headers=wh.warehouse.headers
        )
        assert hold.status_code == 201, hold.text
    refused = await client.post("/api/reservations", json=reservation(wh.canned, 5), headers=wh.warehouse.headers)
    assert refused.status_code == 409
    (shortage,) = refused.json()["shortages"]
    assert (shortage["allocated"], shortage["missing"]) == (2, 3)
    assert shortage["unusable"] == {"on_hold": 4, "recalled": 3, "best_before_too_close": 1}
    assert "4 on hold; 3 recalled; 1 best-before too close" in refused.json()["detail"]
    assert (await client.get("/api/stock", headers=wh.warehouse.headers)).json()[0]["reserved"] == 0


async def test_allergens_and_use_by_dates_are_respected(client: AsyncClient, wh: Warehouse) -> None:
    await wh.lot(client, wh.noodles, 5, month(9))
    body = reservation(wh.noodles, 1, avoid_allergens=["wheat"])
    refused = await client.post("/api/reservations", json=body, headers=wh.warehouse.headers)
    assert refused.status_code == 409
    assert refused.json()["shortages"][0]["unusable"] == {"allergen": 5}
    assert refused.json()["shortages"][0]["avoided"] == ["wheat"]
    assert "5 contain something the household must avoid: wheat" in refused.json()["detail"]
    nothing = await client.post("/api/reservations", json={**body, "allow_partial": True}, headers=wh.warehouse.headers)
    assert nothing.status_code == 409, "a reservation with nothing in it is not saved"

    milk = await wh.lot(client, wh.milk, 4, days(2), location_id=wh.chilled)
    on_the_day = reservation(wh.milk, 1, distribution_date=days(2))
    assert (await client.post("/api/reservations", json=on_the_day, headers=wh.warehouse.headers)).status_code == 201
    day_after = reservation(wh.milk, 1, distribution_date=days(3))
    assert (await client.post("/api/reservations", json=day_after, headers=wh.warehouse.headers)).status_code == 409
    assert milk
