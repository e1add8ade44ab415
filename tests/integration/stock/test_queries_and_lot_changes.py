"""Stock queries (summaries, expiring, expired, as of a date) and lot changes (disposal, counts, transfers)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from foodbank.lib import clock
from foodbank.lib.db import Database
from foodbank.stock import ledger
from tests.dates import month
from tests.integration.stock.conftest import TODAY, Warehouse, days


async def reserve(client: AsyncClient, wh: Warehouse, item: int, quantity: int) -> None:
    """Set `quantity` units of `item` aside for a partner today."""
    body = {
        "purpose": "partner",
        "channel": "partner",
        "distribution_date": TODAY.isoformat(),
        "lines": [{"item_id": item, "quantity": quantity}],
    }
    reserved = await client.post("/api/reservations", json=body, headers=wh.warehouse.headers)
    assert reserved.status_code == 201, reserved.text


async def test_summaries_group_by_item_category_zone_and_location(client: AsyncClient, wh: Warehouse) -> None:
    await wh.lot(client, wh.canned, 10, month(9))
    await wh.lot(client, wh.noodles, 4, month(4), location_id=wh.ambient_b)
    await wh.lot(client, wh.milk, 6, days(4), location_id=wh.chilled)
    headers = wh.warehouse.headers

    by_zone = {
        r["key"]: r for r in (await client.get("/api/stock", params={"group_by": "zone"}, headers=headers)).json()
    }
    assert (by_zone["ambient"]["on_hand"], by_zone["chilled"]["on_hand"]) == (14, 6)
    assert by_zone["chilled"]["kg"] == "6.000"
    by_location = (await client.get("/api/stock", params={"group_by": "location"}, headers=headers)).json()
    assert [(r["label"], r["on_hand"]) for r in by_location] == [("A-01", 10), ("A-02", 4), ("C-01", 6)]
    only_chilled = (await client.get("/api/stock", params={"zone": "chilled"}, headers=headers)).json()
    assert [r["on_hand"] for r in only_chilled] == [6]
    bad = await client.get("/api/stock", params={"group_by": "colour"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "group_by"


async def test_expiring_and_expired_lots_and_their_disposal(
    client: AsyncClient, wh: Warehouse, database: Database
) -> None:
    soon = await wh.lot(client, wh.milk, 3, days(2), location_id=wh.chilled)
    later = await wh.lot(client, wh.canned, 5, month(9))
    headers = wh.warehouse.headers
    expiring = await client.get(
        "/api/lots", params={"expiring_within_days": 7, "as_of": TODAY.isoformat()}, headers=headers
    )
    assert [lot["id"] for lot in expiring.json()] == [soon]

    week_later = days(7)
    expired = await client.get("/api/lots/expired", params={"as_of": week_later}, headers=headers)
    assert [lot["id"] for lot in expired.json()] == [soon]
    disposed = await client.post("/api/lots/dispose-expired", json={"as_of": week_later}, headers=headers)
    assert disposed.status_code == 201 and disposed.json() == [{"lot_id": soon, "quantity": 3}]
    history = (await client.get(f"/api/lots/{soon}/history", headers=headers)).json()
    assert (history[-1]["kind"], history[-1]["reason"], history[-1]["on_hand_delta"]) == ("disposal", "expired", -3)
    assert (await client.get(f"/api/lots/{later}", headers=headers)).json()["on_hand"] == 5
    async with database.transaction() as session:
        assert await ledger.verify(session) == []


async def test_disposal_counts_and_returns_keep_reserved_stock_safe(client: AsyncClient, wh: Warehouse) -> None:
    lot = await wh.lot(client, wh.canned, 10, month(9))
    headers = wh.warehouse.headers
    await reserve(client, wh, wh.canned, 6)
    too_much = await client.post(
        f"/api/lots/{lot}/disposals", json={"quantity": 5, "reason": "damaged"}, headers=headers
    )
    assert too_much.status_code == 409 and too_much.json()["available"] == 4
    below_reserved = await client.post(
        f"/api/lots/{lot}/adjustments", json={"counted": 5, "reason": "count"}, headers=headers
    )
    assert below_reserved.status_code == 409
    counted = await client.post(
        f"/api/lots/{lot}/adjustments", json={"counted": 8, "reason": "棚卸し"}, headers=headers
    )
    assert counted.status_code == 201 and counted.json()["on_hand"] == 8
    no_reason = await client.post(f"/api/lots/{lot}/adjustments", json={"counted": 8}, headers=headers)
    assert no_reason.status_code == 422
    returned = await client.post(f"/api/lots/{lot}/returns", json={"quantity": 2, "reason": "返品"}, headers=headers)
    assert returned.json()["on_hand"] == 10


async def test_transfers_split_the_lot_and_respect_zones(
    client: AsyncClient, wh: Warehouse, database: Database
) -> None:
    lot = await wh.lot(client, wh.canned, 10, month(9))
    headers = wh.warehouse.headers
    wrong_zone = await client.post(
        f"/api/lots/{lot}/transfers", json={"quantity": 4, "to_location_id": wh.chilled}, headers=headers
    )
    assert wrong_zone.status_code == 422 and wrong_zone.json()["errors"][0]["field"] == "to_location_id"
    moved = await client.post(
        f"/api/lots/{lot}/transfers", json={"quantity": 4, "to_location_id": wh.ambient_b}, headers=headers
    )
    assert moved.status_code == 201
    new_lot = moved.json()
    assert (new_lot["location_code"], new_lot["on_hand"], new_lot["expiry"]) == ("A-02", 4, month(9))
    assert (await client.get(f"/api/lots/{lot}", headers=headers)).json()["on_hand"] == 6
    async with database.transaction() as session:
        assert await ledger.verify(session) == []


async def test_stock_as_of_a_past_day_comes_from_the_ledger(client: AsyncClient, wh: Warehouse) -> None:
    await wh.lot(client, wh.canned, 10, month(9))
    headers = wh.warehouse.headers
    before = await client.get("/api/stock/as-of", params={"date": days(-1)}, headers=headers)
    assert before.json() == []
    now = await client.get("/api/stock/as-of", params={"date": TODAY.isoformat()}, headers=headers)
    assert [(r["item_id"], r["on_hand"]) for r in now.json()] == [(wh.canned, 10)]


async def test_holds_can_be_released_by_a_coordinator(client: AsyncClient, wh: Warehouse) -> None:
    lot = await wh.lot(client, wh.canned, 10, month(9))
    held = await client.post(
        "/api/holds", json={"lot_id": lot, "status": "on_hold", "reason": "へこみ確認"}, headers=wh.warehouse.headers
    )
    assert held.json()["lot_ids"] == [lot]
    assert (await client.get(f"/api/lots/{lot}", headers=wh.warehouse.headers)).json()["status"] == "on_hold"
    forbidden = await client.post(f"/api/lots/{lot}/release-hold", headers=wh.warehouse.headers)
    assert forbidden.status_code == 403
    released = await client.post(f"/api/lots/{lot}/release-hold", headers=wh.coordinator.headers)
    assert released.status_code == 201 and released.json()["status"] == "active"


async def test_allergen_lists_follow_their_effective_dates(client: AsyncClient, wh: Warehouse) -> None:
    async def kinds(on: str) -> dict[str, str]:
        response = await client.get("/api/allergens", params={"on": on}, headers=wh.warehouse.headers)
        return {a["code"]: a["kind"] for a in response.json()}

    before, after = await kinds("2026-03-31"), await kinds("2026-04-01")
    assert sum(k == "mandatory" for k in before.values()) == 8
    assert (before["cashew"], after["cashew"]) == ("recommended", "mandatory")
    assert "pistachio" not in before and after["pistachio"] == "recommended"
    assert len(after) == 29


async def test_a_lot_says_what_can_be_reserved_as_the_stock_page_does(client: AsyncClient, wh: Warehouse) -> None:
    """`available` is `stock.standing`'s free units today: on hand minus reserved, and 0 for a lot on
    hold, recalled or past its date (the stock page's 引当可能), though its units are still on hand."""
    headers = wh.warehouse.headers
    usable = await wh.lot(client, wh.canned, 10, month(9))
    held = await wh.lot(client, wh.noodles, 8, month(6))
    recalled = await wh.lot(client, wh.noodles, 5, month(7), lot_code="R-1")
    milk = await wh.lot(client, wh.milk, 6, days(2), location_id=wh.chilled)
    await reserve(client, wh, wh.canned, 4)
    for lot, status in ((held, "on_hold"), (recalled, "recalled")):
        put = await client.post(
            "/api/holds", json={"lot_id": lot, "status": status, "reason": "確認中"}, headers=headers
        )
        assert put.status_code == 201, put.text

    def shown(lots: list[dict[str, Any]]) -> dict[int, tuple[int, int, int]]:
        return {lot["id"]: (lot["on_hand"], lot["reserved"], lot["available"]) for lot in lots}

    listed = shown((await client.get("/api/lots", headers=headers)).json())
    assert listed == {usable: (10, 4, 6), held: (8, 0, 0), recalled: (5, 0, 0), milk: (6, 0, 6)}
    with clock.holding_today(TODAY + timedelta(days=3)):  # the milk's use-by has passed
        assert shown((await client.get("/api/lots", headers=headers)).json())[milk] == (6, 0, 0)
        one = (await client.get(f"/api/lots/{milk}", headers=headers)).json()
        assert (one["on_hand"], one["available"], one["status"]) == (6, 0, "active")
        summed = (await client.get("/api/stock", params={"group_by": "zone"}, headers=headers)).json()
        assert {(r["key"], r["on_hand"], r["available"]) for r in summed} == {("ambient", 23, 6), ("chilled", 6, 0)}
        exported = await client.get("/api/stock/export.csv", headers=headers)
        rows = {row["lot_id"]: row for row in csv.DictReader(io.StringIO(exported.text.removeprefix("\ufeff")))}
        assert [rows[str(lot)]["available"] for lot in (usable, held, recalled, milk)] == ["6", "0", "0", "0"]
    assert shown((await client.get("/api/lots", headers=headers)).json())[milk] == (6, 0, 6)
    released = await client.post(f"/api/lots/{held}/release-hold", headers=wh.coordinator.headers)
    assert released.status_code == 201 and released.json()["available"] == 8
