"""DATABASE_REPLICA_URL: reports and exports read from the replica (here a second database, empty, so
what the primary holds is missing from their answers), in a read-only snapshot; without one, the
primary. FOODBANK_DB_PGBOUNCER: the engine prepares every statement under a name of its own."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from foodbank.app import create_app
from foodbank.config import Settings
from foodbank.lib.db import Database, engine_options, unique_statement_name
from foodbank.reports import rules
from tests.conftest import TEMPLATE, Server, client_for
from tests.dates import TODAY, days
from tests.integration.stock.conftest import Warehouse

FY = rules.fiscal_year_of(TODAY, 4)


@pytest.fixture
async def replica(pg_server: Server, template_url: str) -> AsyncIterator[Database]:
    """A read replica that has not received anything the primary holds (a fresh clone of the template)."""
    name = f"foodbank_replica_{os.getpid()}"
    await pg_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await pg_server.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
    db = Database.connect(pg_server.url(name), pool_size=2)
    try:
        yield db
    finally:
        await db.dispose()
        await pg_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def answers(app: Any, headers: dict[str, str]) -> dict[str, Any]:
    async with client_for(app) as client:
        summary = await client.get(f"/api/reports/annual/{FY}", headers=headers)
        as_of = await client.get("/api/stock/as-of", params={"date": TODAY.isoformat()}, headers=headers)
        export = await client.get("/api/stock/export.csv", headers=headers)
        page = await client.get("/reports/annual", params={"year": str(FY)}, headers=headers)
        on_hand = await client.get("/api/stock", headers=headers)  # not a report: always the primary
    for response in (summary, as_of, export, page, on_hand):
        assert response.status_code == 200, response.text
    return {
        "received": summary.json()["received_from_donors"],
        "as_of": as_of.json(),
        "export_rows": len(list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))) - 1,
        "on_hand": on_hand.json(),
    }


async def test_reports_and_exports_read_from_the_replica_and_the_rest_from_the_primary(
    settings: Settings, database: Database, replica: Database, wh: Warehouse
) -> None:
    async with client_for(create_app(settings, database)) as client:
        await wh.lot(client, wh.canned, 12, days(400))
    headers = wh.coordinator.headers
    primary = await answers(create_app(settings, database), headers)  # no replica: everything on the primary
    assert primary["as_of"] and primary["export_rows"] >= 1 and primary["on_hand"]

    replicated = await answers(create_app(settings, database, replica), headers)
    assert replicated["as_of"] == [] and replicated["export_rows"] == 0
    assert replicated["received"] != primary["received"]
    assert replicated["on_hand"] == primary["on_hand"]


async def test_the_report_session_is_a_read_only_snapshot(database: Database) -> None:
    async with database.snapshot() as session:
        level = (await session.execute(text("SHOW transaction_isolation"))).scalar_one()
        assert level == "repeatable read"
        with pytest.raises(DBAPIError, match="read-only transaction"):
            await session.execute(text("INSERT INTO agency (name, kind) VALUES ('x', 'other')"))


def test_pgbouncer_turns_off_the_statement_caches_and_names_each_statement() -> None:
    assert "connect_args" not in engine_options(pool_size=5)
    options = engine_options(pool_size=5, pgbouncer=True)
    args = options["connect_args"]
    assert args["statement_cache_size"] == 0 and args["prepared_statement_cache_size"] == 0
    assert args["prepared_statement_name_func"] is unique_statement_name
    assert unique_statement_name() != unique_statement_name()
    assert (options["pool_size"], options["max_overflow"]) == (5, 5)


async def test_behind_pgbouncer_statements_are_prepared_under_names_of_their_own(database_url: str) -> None:
    bouncer = Database.connect(database_url, pool_size=1, pgbouncer=True)
    try:
        async with bouncer.transaction() as session:
            for _ in range(2):
                assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
            names = (await session.execute(text("SELECT name FROM pg_prepared_statements"))).scalars().all()
    finally:
        await bouncer.dispose()
    assert names and all(re.fullmatch(r"__asyncpg_[0-9a-f]{32}__", name) for name in names), names
