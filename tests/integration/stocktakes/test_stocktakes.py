"""Stocktakes: snapshot, blind counting, recounts, movements during the count, review, approval into the
ledger (with the tolerance for coordinators), abandoning, and counts racing picks and hand-outs."""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from foodbank.lib.db import Database
from foodbank.models import AuditEvent, MovementKind, StockMovement, StocktakeCount
from foodbank.stock import ledger
from tests.dates import month
from tests.integration.distributions.conftest import TODAY, Community, Warehouse


async def open_count(client: AsyncClient, wh: Warehouse, **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/stocktakes", json={"warehouse_id": await warehouse_id(client, wh), **body}, headers=wh.warehouse.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def warehouse_id(client: AsyncClient, wh: Warehouse) -> int:
    response = await client.get("/api/locations", headers=wh.warehouse.headers)
    assert response.status_code == 200, response.text
    return int(next(loc["warehouse_id"] for loc in response.json() if loc["id"] == wh.ambient))


async def count(client: AsyncClient, wh: Warehouse, stocktake: int, *lines: tuple[int, int, int]) -> Any:
    body = {"lines": [{"lot_id": lot, "location_id": loc, "counted": n} for lot, loc, n in lines]}
    return await client.post(f"/api/stocktakes/{stocktake}/counts", json=body, headers=wh.warehouse.headers)


async def review(client: AsyncClient, wh: Warehouse, stocktake: int) -> dict[int, dict[str, Any]]:
    response = await client.get(f"/api/stocktakes/{stocktake}/review", headers=wh.warehouse.headers)
    assert response.status_code == 200, response.text
    return {line["lot_id"]: line for line in response.json()["lines"]}


async def reasons(client: AsyncClient, wh: Warehouse, stocktake: int, **by_lot: str) -> Any:
    body = {"lines": [{"lot_id": int(lot[1:]), "reason": reason} for lot, reason in by_lot.items()]}
    return await client.post(f"/api/stocktakes/{stocktake}/review", json=body, headers=wh.warehouse.headers)


async def on_hand(client: AsyncClient, wh: Warehouse, lot: int) -> int:
    return int((await client.get(f"/api/lots/{lot}", headers=wh.warehouse.headers)).json()["on_hand"])


async def verify_clean(database: Database) -> None:
    async with database.transaction() as session:
        assert await ledger.verify(session) == []


async def hand_out(client: AsyncClient, c: Community, lot: int, quantity: int) -> None:
    household = await c.household()
    response = await c.hand_out(client, household_id=household, lines=[{"lot_id": lot, "quantity": quantity}])
    assert response.status_code == 201, response.text


async def pick(client: AsyncClient, wh: Warehouse, item: int, quantity: int) -> None:
    body = {
        "purpose": "household",
        "purpose_ref": "H-2026-0001",
        "channel": "individual",
        "distribution_date": TODAY.isoformat(),
        "lines": [{"item_id": item, "quantity": quantity}],
    }
    reserved = await client.post("/api/reservations", json=body, headers=wh.warehouse.headers)
    assert reserved.status_code == 201, reserved.text
    lines = [
        {"line_id": line["line_id"], "picked_quantity": line["quantity"]} for line in reserved.json()["picking_list"]
    ]
    picked = await client.post(
        f"/api/reservations/{reserved.json()['id']}/pick", json={"lines": lines}, headers=wh.warehouse.headers
    )
    assert picked.status_code == 201, picked.text


async def test_a_count_snapshots_counts_blind_and_approval_books_the_difference_with_its_reason(
    client: AsyncClient, community: Community, database: Database
) -> None:
    wh = community.wh
    canned = await wh.lot(client, wh.canned, 10, month(9))
    noodles = await wh.lot(client, wh.noodles, 5, month(6), location_id=wh.ambient_b)
    st = await open_count(client, wh, zone="ambient", note="年度末棚卸")
    assert st["status"] == "open" and {loc["code"] for loc in st["locations"]} == {"A-01", "A-02"}

    # Blind: what a counter reads says what a lot is, never how many.
    found = await client.get(
        f"/api/stocktakes/{st['id']}/lots", params={"code": "4901234567894"}, headers=wh.warehouse.headers
    )
    assert [lot["id"] for lot in found.json()] == [canned]
    assert not {"on_hand", "expected", "snapshot", "available"} & set(found.json()[0])
    assert [
        lot["id"]
        for lot in (
            await client.get(
                f"/api/stocktakes/{st['id']}/lots", params={"code": f"L-{noodles}"}, headers=wh.warehouse.headers
            )
        ).json()
    ] == [noodles]

    assert (await count(client, wh, st["id"], (canned, wh.ambient, 7), (noodles, wh.ambient_b, 5))).status_code == 201
    recount = await count(client, wh, st["id"], (canned, wh.ambient, 8))  # the latest count of a lot at a place counts
    assert recount.status_code == 201, recount.text
    lines = await review(client, wh, st["id"])
    assert (lines[canned]["expected"], lines[canned]["counted"], lines[canned]["difference"]) == (10, 8, -2)
    assert (lines[canned]["difference_kg"], lines[canned]["needs_approval"]) == ("-1.000", False)
    assert lines[noodles]["difference"] == 0
    history = (await client.get(f"/api/stocktakes/{st['id']}/counts", headers=wh.warehouse.headers)).json()
    assert [line["counted"] for line in history if line["lot_id"] == canned] == [7, 8]

    refused = await client.post(f"/api/stocktakes/{st['id']}/approve", headers=wh.warehouse.headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == f"lots.{canned}.reason"
    assert (await reasons(client, wh, st["id"], **{f"l{canned}": "miscount"})).status_code == 200
    approved = await client.post(f"/api/stocktakes/{st['id']}/approve", headers=wh.warehouse.headers)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["adjusted"], approved.json()["units_delta"], approved.json()["kg_delta"]) == (
        1,
        -2,
        "-1.000",
    )
    assert approved.json()["stocktake"]["status"] == "approved"
    assert await on_hand(client, wh, canned) == 8 and await on_hand(client, wh, noodles) == 5
    async with database.transaction() as s:
        movement = (await s.scalars(select(StockMovement).where(StockMovement.kind == MovementKind.adjustment))).one()
        assert (movement.lot_id, movement.on_hand_delta, movement.reason) == (
            canned,
            -2,
            f"stocktake {st['id']}: miscount",
        )
        actions = set((await s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "stocktake"))).all())
        assert actions == {"stocktake.open", "stocktake.count", "stocktake.reasons", "stocktake.approve"}
    await verify_clean(database)
    closed = await count(client, wh, st["id"], (canned, wh.ambient, 1))
    assert closed.status_code == 409 and closed.json()["type"] == "/problems/stocktake-closed"


async def test_movements_while_counting_are_neither_lost_nor_counted_twice(
    client: AsyncClient, community: Community, database: Database
) -> None:
    wh = community.wh
    handed = await wh.lot(client, wh.canned, 20, month(9))
    picked = await wh.lot(client, wh.noodles, 10, month(6), location_id=wh.ambient_b)
    st = await open_count(client, wh, zone="ambient")

    await hand_out(client, community, handed, 3)  # before its count: the shelf holds 17
    assert (await count(client, wh, st["id"], (handed, wh.ambient, 17))).status_code == 201
    await hand_out(client, community, handed, 2)  # after its count: not in it
    received = await wh.lot(client, wh.canned, 6, month(10))  # a receipt during the count: not in the snapshot
    assert (await count(client, wh, st["id"], (received, wh.ambient, 6), (picked, wh.ambient_b, 9))).status_code == 201
    await pick(client, wh, wh.noodles, 4)  # after the count that found one missing

    lines = await review(client, wh, st["id"])
    assert {
        k: (v["snapshot"], v["movements"], v["expected"], v["counted"], v["difference"]) for k, v in lines.items()
    } == {
        handed: (20, -3, 17, 17, 0),
        received: (0, 6, 6, 6, 0),
        picked: (10, 0, 10, 9, -1),
    }
    assert lines[received]["in_snapshot"] is False
    assert (await reasons(client, wh, st["id"], **{f"l{picked}": "unrecorded_hand_out"})).status_code == 200
    approved = await client.post(f"/api/stocktakes/{st['id']}/approve", headers=wh.warehouse.headers)
    assert approved.status_code == 200, approved.text
    # Each lot ends at what was counted plus what moved after it was counted.
    assert (
        await on_hand(client, wh, handed),
        await on_hand(client, wh, received),
        await on_hand(client, wh, picked),
    ) == (15, 6, 5)
    await verify_clean(database)


async def test_a_large_difference_needs_a_coordinator_and_abandoning_changes_nothing(
    client: AsyncClient, community: Community, database: Database
) -> None:
    wh = community.wh
    lot = await wh.lot(client, wh.canned, 40, month(9))
    st = await open_count(client, wh, location_ids=[wh.ambient])
    assert {loc["code"] for loc in st["locations"]} == {"A-01"}
    overlap = await client.post(
        "/api/stocktakes", json={"warehouse_id": st["warehouse_id"]}, headers=wh.warehouse.headers
    )
    assert overlap.status_code == 409 and overlap.json()["type"] == "/problems/stocktake-overlap"
    outside = await count(client, wh, st["id"], (lot, wh.ambient_b, 3))
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "lines.0.location_id"

    assert (await count(client, wh, st["id"], (lot, wh.ambient, 30))).status_code == 201  # 10 of 40: beyond 5 and 10 %
    assert (await review(client, wh, st["id"]))[lot]["needs_approval"] is True
    await reasons(client, wh, st["id"], **{f"l{lot}": "theft"})
    refused = await client.post(f"/api/stocktakes/{st['id']}/approve", headers=wh.warehouse.headers)
    assert refused.status_code == 403 and refused.json()["lot_ids"] == [lot]
    assert refused.json()["type"] == "/problems/stocktake-needs-approval"

    abandoned = await client.post(f"/api/stocktakes/{st['id']}/abandon", headers=wh.warehouse.headers)
    assert abandoned.status_code == 200 and abandoned.json()["status"] == "abandoned"
    assert await on_hand(client, wh, lot) == 40

    again = await open_count(client, wh, location_ids=[wh.ambient])  # the location is free again
    await count(client, wh, again["id"], (lot, wh.ambient, 30))
    await reasons(client, wh, again["id"], **{f"l{lot}": "theft"})
    approved = await client.post(f"/api/stocktakes/{again['id']}/approve", headers=wh.coordinator.headers)
    assert approved.status_code == 200, approved.text
    assert await on_hand(client, wh, lot) == 30
    await verify_clean(database)


async def test_counts_racing_picks_and_hand_outs_lose_nothing_and_count_nothing_twice(
    client: AsyncClient, community: Community, database: Database
) -> None:
    wh = community.wh
    lots = [await wh.lot(client, wh.canned, 60, month(9 + n)) for n in range(3)]
    st = await open_count(client, wh, location_ids=[wh.ambient])
    counted = {lot: 55 - n for n, lot in enumerate(lots)}

    async def counter(lot: int, times: int) -> None:
        for _ in range(times):
            response = await count(client, wh, st["id"], (lot, wh.ambient, counted[lot]))
            assert response.status_code == 201, response.text
            await asyncio.sleep(0)

    work = [counter(lot, 3) for lot in lots]
    work += [hand_out(client, community, lots[n % 3], 1) for n in range(6)]
    work += [pick(client, wh, wh.canned, 2) for _ in range(4)]
    await asyncio.gather(*work)
    await hand_out(client, community, lots[0], 1)  # surely after every count

    lines = await review(client, wh, st["id"])
    await reasons(client, wh, st["id"], **{f"l{lot}": "miscount" for lot in lots if lines[lot]["difference"]})
    approved = await client.post(f"/api/stocktakes/{st['id']}/approve", headers=wh.coordinator.headers)
    assert approved.status_code == 200, approved.text
    await verify_clean(database)
    async with database.transaction() as s:
        assert len((await s.scalars(select(StocktakeCount).where(StocktakeCount.stocktake_id == st["id"]))).all()) == 9
        for lot in lots:
            latest = (
                await s.scalars(
                    select(StocktakeCount).where(StocktakeCount.lot_id == lot).order_by(StocktakeCount.id.desc())
                )
            ).first()
            assert latest is not None
            after = sum(
                m.on_hand_delta
                for m in (await s.scalars(select(StockMovement).where(StockMovement.lot_id == lot))).all()
                if m.id > latest.movement_id and m.kind is not MovementKind.adjustment
            )
            # The lot holds what was counted plus exactly what moved after it was counted.
            assert await on_hand(client, wh, lot) == counted[lot] + after
            before = sum(
                m.on_hand_delta
                for m in (await s.scalars(select(StockMovement).where(StockMovement.lot_id == lot))).all()
                if m.id <= latest.movement_id
            )
            assert lines[lot]["expected"] == before  # every earlier movement once, in the expected figure


async def test_the_count_sheet_and_the_result_as_pdf_and_csv(
    client: AsyncClient, community: Community, database: Database
) -> None:
    wh = community.wh
    lot = await wh.lot(client, wh.canned, 9, month(9), lot_code="=HYPERLINK(1)")
    st = await open_count(client, wh, zone="ambient")
    sheet = await client.get(f"/api/stocktakes/{st['id']}/count-sheet.pdf", headers=wh.warehouse.headers)
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    await count(client, wh, st["id"], (lot, wh.ambient, 8))
    result = await client.get(f"/api/stocktakes/{st['id']}/result.pdf", headers=wh.warehouse.headers)
    assert result.status_code == 200 and result.content.startswith(b"%PDF")
    table = await client.get(f"/api/stocktakes/{st['id']}/result.csv", headers=wh.warehouse.headers)
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    text = table.content.decode("utf-8-sig").splitlines()
    assert text[0].startswith("棚 location,品目 item")
    row = text[1].split(",")
    assert row == ["A-01", "さば缶", str(lot), "'=HYPERLINK(1)", month(9), "個", "9", "0", "9", "8", "-1", "-0.500", ""]
