"""The demo data loads through the services, once, and leaves a consistent ledger."""

from __future__ import annotations

from datetime import date

from foodbank import demo
from foodbank.catalogue import queries as catalogue_queries
from foodbank.catalogue.barcodes import is_valid
from foodbank.config import Settings
from foodbank.lib.db import Database
from foodbank.stock import ledger, queries


async def test_demo_data_loads_once_with_stock(database: Database, settings: Settings) -> None:
    async with database.transaction() as session:
        assert await demo.load(session, settings.security, settings.stock, date(2026, 11, 27)) is True
    async with database.transaction() as session:
        assert await demo.load(session, settings.security, settings.stock, date(2026, 11, 27)) is False
        rows = await queries.summary(session, group_by="zone")
        assert {r["key"] for r in rows} == {"ambient", "chilled", "frozen"}
        assert await ledger.verify(session) == []
        barcodes = [item[4] for item in demo.DEMO_ITEMS if item[4]]
        for code in barcodes:
            assert await catalogue_queries.item_by_barcode(session, code) is not None
            assert is_valid(code), f"demo barcode {code} has a wrong check digit"
