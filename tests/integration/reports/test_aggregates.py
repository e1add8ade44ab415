"""The annual summary reads the ledger's per-day sums (`stock_day`) and the hand-outs' stored units and
kg: after a year built through the API, a bulk insert of movements in one statement and an item whose
weight is corrected in SQL, those agree with figures this test computes from the raw ledger and lines;
and `stock verify` finds a corrupted sum or total, and `--repair` rewrites it."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from decimal import Decimal
from typing import Any

from httpx import AsyncClient
from sqlalchemy import insert, text

from foodbank.distributions import queries as distribution_queries
from foodbank.lib.db import Database
from foodbank.models import StockMovement
from foodbank.reports import queries
from foodbank.stock import ledger
from tests.integration.appliances.conftest import Bank, bank
from tests.integration.pantry.conftest import Pantry, community, pantry, wh
from tests.integration.reports.test_annual_summary import FIRST, LAST, build_year, cli

__all__ = ["bank", "community", "pantry", "wh"]

# The stock flows as the summary counted them before the per-day sums: every movement of the ledger,
# dated and classified one by one.
RAW_FLOWS = """
SELECT c.code AS category,
       CASE WHEN day < :first THEN 'opening'
            WHEN sm.kind = 'receipt' THEN 'receipt_' || r.kind
            WHEN sm.kind IN ('issue', 'return') THEN 'distributed'
            WHEN sm.kind = 'disposal' THEN 'disposal_' || sm.reason
            ELSE sm.kind::text END AS flow,
       CASE WHEN day >= :first THEN date_trunc('month', day)::date END AS month,
       sum(sm.on_hand_delta) AS units, sum(sm.on_hand_delta * i.unit_weight_kg) AS kg
FROM stock_movement sm
JOIN lot l ON l.id = sm.lot_id
JOIN receipt r ON r.id = l.receipt_id
JOIN item i ON i.id = l.item_id
JOIN category c ON c.id = i.category_id
LEFT JOIN distribution dd ON dd.id = sm.distribution_id
CROSS JOIN LATERAL (SELECT CASE
    WHEN sm.kind = 'receipt' THEN r.received_date
    WHEN sm.kind IN ('issue', 'return') AND dd.id IS NOT NULL THEN dd.distributed_on
    ELSE (sm.occurred_at AT TIME ZONE 'Asia/Tokyo')::date END AS day) x
WHERE sm.on_hand_delta <> 0 AND day <= :last
GROUP BY 1, 2, 3
"""

RAW_HANDOUTS = """
SELECT d.id, sum(l.quantity - l.returned) AS units, sum((l.quantity - l.returned) * i.unit_weight_kg) AS kg
FROM distribution d JOIN distribution_line l ON l.distribution_id = d.id JOIN item i ON i.id = l.item_id
WHERE d.distributed_on BETWEEN :first AND :last
GROUP BY d.id HAVING sum(l.quantity - l.returned) > 0
"""


async def raw_figures(database: Database) -> tuple[dict[str, Any], dict[str, Any]]:
    """Opening and closing stock by category, the year's flows by month, and the year's channels, from the
    ledger's movements and the distribution lines."""
    params = {"first": FIRST, "last": LAST}
    async with database.transaction() as session:
        rows = (await session.execute(text(RAW_FLOWS), params)).mappings().all()
        handouts = (await session.execute(text(RAW_HANDOUTS), params)).mappings().all()
        channels = dict((await session.execute(text("SELECT id, channel FROM distribution"))).all())
    stock: dict[str, Any] = defaultdict(lambda: [0, Decimal(0)])
    for row in rows:
        key = f"opening {row['category']}" if row["flow"] == "opening" else f"{row['flow']} {row['month']}"
        stock[key][0] += row["units"]
        stock[key][1] += row["kg"]
        stock[f"closing {row['category']}"][0] += row["units"]
        stock[f"closing {row['category']}"][1] += row["kg"]
    by_channel: dict[str, Any] = defaultdict(lambda: [0, 0, Decimal(0)])
    for row in handouts:
        figures = by_channel[channels[row["id"]]]
        figures[0] += 1
        figures[1] += row["units"]
        figures[2] += row["kg"]
    return dict(stock), dict(by_channel)


async def summary_figures(database: Database) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same figures as the summary's queries read them."""
    async with database.transaction() as session:
        flows = await queries.stock_flows(session, FIRST, LAST)
        handouts = await queries.handouts(session, FIRST, LAST)
    stock: dict[str, Any] = {}
    for balance in flows["balances"]:
        stock[f"opening {balance['category']}"] = [balance["opening_units"], balance["opening_kg"]]
        stock[f"closing {balance['category']}"] = [balance["closing_units"], balance["closing_kg"]]
    for flow in flows["flows"]:
        stock[f"{flow['flow']} {flow['month']}"] = [flow["units"], flow["kg"]]
    by_channel = {  # kg as text, exactly as PostgreSQL wrote it into the JSON
        row["channel"]: [row["handouts"], row["units"], Decimal(str(row["kg"]))] for row in handouts["by_channel"]
    }
    return stock, by_channel


async def test_the_summary_from_the_aggregates_equals_the_raw_ledger(
    client: AsyncClient, pantry: Pantry, bank: Bank, database: Database
) -> None:
    await build_year(client, pantry, bank)
    wh = pantry.c.wh
    async with database.transaction() as session:
        # A bulk Core insert, as a batch import would write it: one statement, several lots and days.
        lots = (
            await session.execute(
                text("SELECT id, on_hand FROM lot WHERE on_hand >= 2 AND status = 'active' ORDER BY id LIMIT 3")
            )
        ).all()
        assert len(lots) == 3
        moves = [
            {"lot_id": lots[0].id, "kind": "adjustment", "on_hand_delta": -1, "reason": "棚卸差異"},
            {"lot_id": lots[1].id, "kind": "disposal", "on_hand_delta": -2, "reason": "damaged"},
            {"lot_id": lots[2].id, "kind": "adjustment", "on_hand_delta": 3, "reason": "棚卸差異"},
            {"lot_id": lots[0].id, "kind": "adjustment", "on_hand_delta": -1, "reason": "棚卸差異"},
        ]
        await session.execute(insert(StockMovement), moves)
        for move in moves:
            await session.execute(
                text("UPDATE lot SET on_hand = on_hand + :d WHERE id = :id"),
                {"d": move["on_hand_delta"], "id": move["lot_id"]},
            )
        assert await ledger.verify(session) == []
    stock, by_channel = await summary_figures(database)
    assert (stock, by_channel) == await raw_figures(database)
    assert stock and by_channel

    # A weight corrected in SQL is carried to the sums and to the hand-outs' kg.
    async with database.transaction() as session:
        await session.execute(text("UPDATE item SET unit_weight_kg = 0.450 WHERE id = :id"), {"id": wh.canned})
    assert await summary_figures(database) == await raw_figures(database)
    assert await summary_figures(database) != (stock, by_channel)
    async with database.transaction() as session:
        assert await ledger.verify_days(session) == []
        assert await distribution_queries.total_differences(session) == []


async def test_stock_verify_finds_a_corrupted_aggregate_and_repairs_it(
    client: AsyncClient, pantry: Pantry, bank: Bank, database: Database, database_url: str
) -> None:
    await build_year(client, pantry, bank)
    clean = await asyncio.to_thread(cli, database_url, "stock", "verify")
    assert clean.exit_code == 0 and "No differences." in clean.output, clean.output
    async with database.transaction() as session:
        day, item_id = (
            await session.execute(
                text("SELECT day, item_id FROM stock_day WHERE kind = 'issue' ORDER BY day, item_id LIMIT 1")
            )
        ).one()
        await session.execute(
            text("UPDATE stock_day SET units = units + 7 WHERE day = :day AND item_id = :item AND kind = 'issue'"),
            {"day": day, "item": item_id},
        )
        distribution_id = await session.scalar(text("SELECT min(id) FROM distribution"))
        await session.execute(text("UPDATE distribution SET kg = kg + 1 WHERE id = :id"), {"id": distribution_id})

    found = await asyncio.to_thread(cli, database_url, "stock", "verify")
    assert found.exit_code == 1
    assert f"stock_day {day} item {item_id} issue -: units " in found.output
    assert f"distribution {distribution_id}: units " in found.output
    assert "1 per-day sums differ from the ledger" in found.output
    assert "1 hand-out totals differ from their lines" in found.output

    repaired = await asyncio.to_thread(cli, database_url, "stock", "verify", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "1 per-day sums rewritten from the ledger" in repaired.output
    again = await asyncio.to_thread(cli, database_url, "stock", "verify")
    assert again.exit_code == 0 and "No differences." in again.output, again.output
