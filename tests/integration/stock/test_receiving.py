"""Receiving: every line becomes a lot; all lines or none; dates with their precision; clear errors."""

from __future__ import annotations

from typing import Any

import asyncpg
import marshmallow
import pytest
from httpx import AsyncClient
from sqlalchemy import event as sa_event
from sqlalchemy import select

from foodbank.lib.db import Database
from foodbank.models import Lot
from foodbank.stock import ledger
from tests.conftest import _asyncpg_dsn
from tests.dates import day, month, month_end
from tests.integration.stock.conftest import TODAY, Warehouse, days


async def test_a_receipt_makes_one_lot_per_line_with_a_ledger_row(client: AsyncClient, wh: Warehouse) -> None:
    response = await wh.receive(
        client,
        [
            {"barcode": "4901234567894", "quantity": 24, "expiry": month(10), "location_id": wh.ambient},
            {"item_id": wh.milk, "quantity": 6, "expiry": days(4), "location_id": wh.chilled, "lot_code": "L42"},
            {"item_id": wh.rice, "quantity": 3, "crop_year": TODAY.year, "location_id": wh.ambient_b},
        ],
    )
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert [lot["on_hand"] for lot in receipt["lots"]] == [24, 6, 3]
    canned = receipt["lots"][0]
    assert (canned["expiry"], canned["expiry_date"]) == (month(10), month_end(10).isoformat()), (
        "year-month means month end"
    )
    assert receipt["lots"][1]["lot_code"] == "L42"
    assert receipt["warnings"] == []

    history = await client.get(f"/api/lots/{canned['id']}/history", headers=wh.warehouse.headers)
    assert [(m["kind"], m["on_hand_delta"]) for m in history.json()] == [("receipt", 24)]


async def test_one_bad_line_refuses_the_whole_receipt_and_names_every_problem(
    client: AsyncClient, wh: Warehouse
) -> None:
    response = await wh.receive(
        client,
        [
            {"item_id": wh.canned, "quantity": 10, "expiry": month(10), "location_id": wh.ambient},
            {"item_id": wh.canned, "quantity": 0, "expiry": month(10), "location_id": wh.ambient},
            {"item_id": 999999, "quantity": 1, "location_id": wh.ambient},
            {"item_id": wh.milk, "quantity": 1, "expiry": days(-1), "location_id": wh.chilled},
            {"item_id": wh.milk, "quantity": 1, "expiry": days(3), "location_id": wh.ambient},
            {"item_id": wh.canned, "quantity": 1, "expiry": "2027-13", "location_id": wh.ambient},
        ],
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"lines.1.quantity", "lines.5.expiry"}, "schema errors come first, all at once"

    response = await wh.receive(
        client,
        [
            {"item_id": wh.canned, "quantity": 10, "expiry": month(10), "location_id": wh.ambient},
            {"item_id": 999999, "quantity": 1, "location_id": wh.ambient},
            {"item_id": wh.milk, "quantity": 1, "expiry": days(-1), "location_id": wh.chilled},
            {"item_id": wh.milk, "quantity": 1, "expiry": days(3), "location_id": wh.ambient},
            {"item_id": wh.canned, "quantity": 1, "location_id": wh.ambient},
        ],
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"lines.1.item_id", "lines.2.expiry", "lines.3.location_id", "lines.4.expiry"}
    assert "passed" in errors["lines.2.expiry"]
    assert "chilled" in errors["lines.3.location_id"]
    stock = await client.get("/api/stock", headers=wh.warehouse.headers)
    assert stock.json() == [], "nothing of the refused receipt was saved"


async def test_short_best_before_is_a_warning_or_a_refusal_per_setting(
    client: AsyncClient, wh: Warehouse, settings, database
) -> None:
    line = {"item_id": wh.canned, "quantity": 5, "expiry": days(10), "location_id": wh.ambient}
    warned = await wh.receive(client, [line])
    assert warned.status_code == 201
    assert warned.json()["warnings"][0]["field"] == "lines.0.expiry"

    from dataclasses import replace

    from foodbank.app import create_app
    from tests.conftest import client_for

    strict = replace(settings, stock=replace(settings.stock, short_date_at_receipt="refuse"))
    async with client_for(create_app(strict, database)) as strict_client:
        refused = await wh.receive(strict_client, [line])
    assert refused.status_code == 422
    assert "30" in refused.json()["errors"][0]["message"]


async def test_a_donation_needs_a_donor_and_dates_follow_the_item(client: AsyncClient, wh: Warehouse) -> None:
    no_donor = await client.post(
        "/api/receipts",
        json={"lines": [{"item_id": wh.rice, "quantity": 1, "crop_year": TODAY.year, "location_id": wh.ambient}]},
        headers=wh.warehouse.headers,
    )
    assert no_donor.status_code == 422 and no_donor.json()["errors"][0]["field"] == "donor_id"
    wrong = await wh.receive(
        client,
        [
            {"item_id": wh.rice, "quantity": 1, "expiry": days(35), "location_id": wh.ambient},
            {
                "item_id": wh.canned,
                "quantity": 1,
                "crop_year": TODAY.year - 1,
                "expiry": month(2),
                "location_id": wh.ambient,
            },
        ],
    )
    assert {e["field"] for e in wrong.json()["errors"]} == {"lines.0.crop_year", "lines.0.expiry", "lines.1.crop_year"}


async def test_receipts_honour_idempotency_keys(client: AsyncClient, wh: Warehouse) -> None:
    body = {
        "donor_id": wh.donor,
        "received_date": TODAY.isoformat(),
        "lines": [{"item_id": wh.canned, "quantity": 12, "expiry": month(7), "location_id": wh.ambient}],
    }
    headers = {**wh.warehouse.headers, "Idempotency-Key": "scan-session-7"}
    first = await client.post("/api/receipts", json=body, headers=headers)
    again = await client.post("/api/receipts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    stock = (await client.get("/api/stock", headers=wh.warehouse.headers)).json()
    assert [row["on_hand"] for row in stock] == [12]


async def test_barcode_lookup_accepts_what_scanners_type(client: AsyncClient, wh: Warehouse) -> None:
    found = await client.get("/api/items/by-barcode/４９０１２３４５６７８９４", headers=wh.warehouse.headers)
    assert found.status_code == 200 and found.json()["id"] == wh.canned
    bad = await client.get("/api/items/by-barcode/4901234567890", headers=wh.warehouse.headers)
    assert bad.status_code == 422
    unknown = await client.get("/api/items/by-barcode/4901234567887", headers=wh.warehouse.headers)
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    "typed",
    [
        "４９０１－２３４５６７－８９４",  # full-width digits and hyphens (U+FF0D)
        "４９０１ー２３４５６７ー８９４",  # the long vowel mark an IME in kana mode types for "-"
        "4901−234567―894",  # minus sign and horizontal bar, as labels and spreadsheets print them
    ],
)
async def test_full_width_hyphens_and_dashes_are_read_past_wherever_a_barcode_is_read(
    client: AsyncClient, wh: Warehouse, typed: str
) -> None:
    found = await client.get(f"/api/items/by-barcode/{typed}", headers=wh.warehouse.headers)
    assert found.status_code == 200 and found.json()["id"] == wh.canned
    searched = await client.get("/api/items", params={"q": typed}, headers=wh.warehouse.headers)
    assert searched.status_code == 200 and [item["id"] for item in searched.json()] == [wh.canned]
    received = await wh.receive(
        client, [{"barcode": typed, "quantity": 3, "expiry": month(7), "location_id": wh.ambient}]
    )
    assert received.status_code == 201, received.text
    assert [(lot["item_id"], lot["on_hand"]) for lot in received.json()["lots"]] == [(wh.canned, 3)]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE stock_movement SET on_hand_delta = 1000", "DELETE FROM stock_movement", "TRUNCATE stock_movement CASCADE"],
)
async def test_movements_cannot_be_changed_even_in_sql(
    client: AsyncClient, wh: Warehouse, database_url: str, statement: str
) -> None:
    await wh.lot(client, wh.canned, 5, month(6))
    name = database_url.rsplit("/", 1)[-1].split("?")[0]
    conn = await asyncpg.connect(_asyncpg_dsn(database_url, name))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement)
        assert await conn.fetchval("SELECT sum(on_hand_delta) FROM stock_movement") == 5
    finally:
        await conn.close()


async def test_the_database_refuses_negative_stock(client: AsyncClient, wh: Warehouse, database_url: str) -> None:
    lot = await wh.lot(client, wh.canned, 5, month(6))
    name = database_url.rsplit("/", 1)[-1].split("?")[0]
    conn = await asyncpg.connect(_asyncpg_dsn(database_url, name))
    try:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("UPDATE lot SET on_hand = -1 WHERE id = $1", lot)
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("UPDATE lot SET reserved = 6 WHERE id = $1", lot)
    finally:
        await conn.close()


async def test_a_received_date_in_the_future_is_refused(client: AsyncClient, wh: Warehouse) -> None:
    line = {"item_id": wh.canned, "quantity": 5, "expiry": month(38), "location_id": wh.ambient}
    response = await wh.receive(client, [line], received_date=day(1))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "received_date"


async def test_items_with_a_wrong_check_digit_are_refused_by_the_service(database) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from foodbank.catalogue import services as catalogue
    from foodbank.lib.errors import InvalidInput
    from foodbank.models import Unit, Zone
    from foodbank.picking.fefo import DateKind

    async with database.transaction() as session:
        category = await catalogue.create_category(session, actor_id=None, code="x", name_ja="x", name_en="x")
        with pytest.raises(InvalidInput):
            await catalogue.create_item(
                session,
                actor_id=None,
                name_ja="x",
                name_en=None,
                category_id=category.id,
                unit=Unit.piece,
                unit_weight_kg=Decimal("1"),
                barcode="4901001000015",
                zone=Zone.ambient,
                date_kind=DateKind.best_before,
                allergens=[],
                allergens_known=True,
            )


async def test_a_past_best_before_donation_is_refused_and_odd_dates_are_warnings_until_confirmed(
    client: AsyncClient, wh: Warehouse
) -> None:
    past = await wh.receive(
        client, [{"item_id": wh.canned, "quantity": 5, "expiry": days(-700), "location_id": wh.ambient}]
    )
    assert past.status_code == 422
    (error,) = past.json()["errors"]
    assert error["field"] == "lines.0.expiry" and "can no longer be handed out" in error["message"]

    far = TODAY.replace(year=TODAY.year + 7, day=1).isoformat()
    odd = [{"item_id": wh.canned, "quantity": 5, "expiry": far, "location_id": wh.ambient}]
    warned = await wh.receive(client, odd, received_date=day(-20))
    assert warned.status_code == 201, warned.text
    assert {w["field"] for w in warned.json()["warnings"]} == {"received_date", "lines.0.expiry"}
    assert "is this date right?" in warned.json()["warnings"][0]["message"]
    confirmed = await wh.receive(
        client, [{**odd[0], "date_confirmed": True}], received_date=day(-20), received_date_confirmed=True
    )
    assert confirmed.status_code == 201 and confirmed.json()["warnings"] == []


async def test_a_receipt_is_written_in_one_statement_per_table_with_schemas_made_once(
    client: AsyncClient, wh: Warehouse, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 lines: one INSERT of lots (already holding what was received) and one of movements, no UPDATE of
    a lot, no Lot object loaded back; no schema is made again for a second receipt; the ledger agrees."""
    lines = [
        {"item_id": wh.canned, "quantity": n + 1, "expiry": month(10), "location_id": wh.ambient} for n in range(20)
    ]
    first = await wh.receive(client, lines)
    assert first.status_code == 201, first.text
    statements: list[str] = []
    made: list[str] = []
    loaded: list[int] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split()[:3]).lower())

    def count(lot: Lot, _: object) -> None:
        loaded.append(lot.id)

    make = marshmallow.Schema.__init__

    def making(self: marshmallow.Schema, *args: Any, **kwargs: Any) -> None:
        made.append(type(self).__name__)
        make(self, *args, **kwargs)

    monkeypatch.setattr(marshmallow.Schema, "__init__", making)
    sa_event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    sa_event.listen(Lot, "load", count)
    try:
        second = await wh.receive(client, lines)
    finally:
        sa_event.remove(Lot, "load", count)
        sa_event.remove(database.engine.sync_engine, "before_cursor_execute", seen)
    assert second.status_code == 201, second.text
    receipt = second.json()
    assert [(lot["on_hand"], lot["reserved"], lot["available"]) for lot in receipt["lots"]] == [
        (n + 1, 0, n + 1) for n in range(20)
    ]
    assert len({lot["id"] for lot in receipt["lots"]}) == 20
    assert (statements.count("insert into lot"), statements.count("insert into stock_movement")) == (1, 1)
    assert not [s for s in statements if s.startswith("update lot")]
    assert (loaded, made) == ([], [])
    async with database.transaction() as s:
        assert await ledger.verify(s) == []
        lots = (await s.scalars(select(Lot).where(Lot.receipt_id == receipt["id"]).order_by(Lot.id))).all()
        assert [(lot.receipt_line_no, lot.on_hand) for lot in lots] == [(n + 1, n + 1) for n in range(20)]
