"""CSV import and export: encodings, Japanese headers, all rows or none with every error by row and
column, stock counts booked as adjustments, the `stock` commands and the API endpoints."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from httpx import AsyncClient

from foodbank.catalogue import services as catalogue
from foodbank.cli import main
from foodbank.config import Settings
from foodbank.lib.db import Database
from foodbank.models import Receipt, ReceiptKind, Role, Zone
from foodbank.stock import csvio, ledger
from tests.conftest import Actors
from tests.dates import day, month, month_end, month_start
from tests.formulas import FORMULAS, assert_inert_csv, csv_cells
from tests.integration.stock.conftest import TODAY, Warehouse, days, named_item

BOM = b"\xef\xbb\xbf"


def csv_text(*rows: str) -> str:
    return "\r\n".join(rows) + "\r\n"


async def import_csv(
    database: Database, settings: Settings, data: bytes, kind: csvio.ImportKind, **extra: Any
) -> csvio.ImportResult:
    async with database.transaction() as session:
        return await csvio.import_csv(
            session, data, kind=kind, actor_id=None, settings=settings.stock, on_date=TODAY, **extra
        )


async def lots(client: AsyncClient, wh: Warehouse) -> list[dict[str, Any]]:
    response = await client.get("/api/lots", headers=wh.warehouse.headers)
    assert response.status_code == 200, response.text
    return sorted(response.json(), key=lambda lot: lot["id"])


async def verify_clean(database: Database) -> None:
    async with database.transaction() as session:
        assert await ledger.verify(session) == []


def cli(database_url: str, *args: str) -> Result:
    """The real command, in a thread: it runs its own event loop, as it does from a shell."""
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": database_url}, catch_exceptions=False)


async def test_an_opening_balance_in_utf8_with_bom_becomes_lots_of_one_receipt(
    client: AsyncClient, wh: Warehouse, database: Database, settings: Settings
) -> None:
    fifteenth = month_start(11).replace(day=15)
    data = (
        BOM
        + csv_text(
            "barcode,quantity,expiry,location,lot_code",
            f"4901234567894,24,{month(10)},A-01,L1",
            f"4901234567894,12,{fifteenth:%Y/%m/%d},A-02,",
            ",,,,",  # spreadsheets leave empty rows behind
        ).encode()
    )
    result = await import_csv(database, settings, data, csvio.ImportKind.opening_balance)
    assert (result.encoding, result.rows, result.lots_created, result.units_delta) == ("utf-8-sig", 2, 2, 36)
    assert result.warnings == [] and result.ignored_columns == []

    found = await lots(client, wh)
    assert [(lot["item_id"], lot["on_hand"], lot["location_code"]) for lot in found] == [
        (wh.canned, 24, "A-01"),
        (wh.canned, 12, "A-02"),
    ]
    assert {lot["receipt_id"] for lot in found} == {result.receipt_id}
    assert [(lot["expiry"], lot["expiry_date"], lot["lot_code"]) for lot in found] == [
        (month(10), month_end(10).isoformat(), "L1"),
        (fifteenth.isoformat(), fifteenth.isoformat(), None),
    ]
    async with database.transaction() as session:
        receipt = await session.get(Receipt, result.receipt_id)
        assert receipt is not None and receipt.kind is ReceiptKind.opening_balance and receipt.donor_id is None
    await verify_clean(database)


async def test_an_opening_balance_from_japanese_excel_in_cp932_with_japanese_headers(
    client: AsyncClient, wh: Warehouse, database: Database, settings: Settings
) -> None:
    best_before, use_by = month_start(10), day(4)
    text = csv_text(
        "品名,JANコード,品目ID,数量,賞味期限,産年,棚,ロット",
        f"さば缶,4901234567894,,10,{best_before.year}年{best_before.month}月,,A-01,ロットＡ",
        f"米 5kg,,{wh.rice},3,,{TODAY.year},A-02,",
        f"牛乳,,{wh.milk},6,{use_by.year}/{use_by.month}/{use_by.day},,Ｃ－０１,",
    )
    data = text.encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = await import_csv(database, settings, data, csvio.ImportKind.opening_balance)
    assert result.encoding == "cp932"
    assert result.ignored_columns == ["品名"], "unknown columns are read past, and said so"

    found = await lots(client, wh)
    assert [(lot["item_name"], lot["on_hand"], lot["location_code"]) for lot in found] == [
        ("さば缶", 10, "A-01"),
        ("米 5kg", 3, "A-02"),
        ("牛乳", 6, "C-01"),
    ]
    assert found[0]["expiry"] == month(10) and found[0]["lot_code"] == "ロットＡ"
    assert found[1]["crop_year"] == TODAY.year
    assert found[2]["expiry"] == use_by.isoformat()


async def test_barcodes_typed_with_full_width_hyphens_or_the_long_vowel_mark_are_read(
    client: AsyncClient, wh: Warehouse, database: Database, settings: Settings
) -> None:
    # What Japanese Excel holds when the codes were typed with an IME: full-width digits, the
    # full-width hyphen (U+FF0D, 0x817C in CP932) and ー (U+30FC, the "-" key in kana mode).
    text = csv_text(
        "JANコード,数量,賞味期限,棚",
        f"４９０１－２３４５６７－８９４,4,{month(10)},A-01",
        f"4901ー234567ー894,5,{month(10)},A-01",
    )
    result = await import_csv(database, settings, text.encode("cp932"), csvio.ImportKind.opening_balance)
    assert (result.encoding, result.rows, result.units_delta) == ("cp932", 2, 9)
    assert [(lot["item_id"], lot["on_hand"]) for lot in await lots(client, wh)] == [(wh.canned, 4), (wh.canned, 5)]


async def test_a_file_with_errors_writes_nothing_and_names_every_row_and_column(
    client: AsyncClient, wh: Warehouse, database: Database, settings: Settings
) -> None:
    data = csv_text(
        "barcode,item_id,quantity,expiry,crop_year,location",
        f"4901234567894,,10,{month(10)},,A-01",  # row 2: fine
        "4901234567894,,many,2027-13,,A-01",  # row 3: quantity and expiry
        f"4901234567887,,1,{month(10)},,A-01",  # row 4: no item has this barcode
        f"4901234567894,,1,{month(10)},,Z-99",  # row 5: no such location
        f",{wh.milk},1,{days(-1)},,A-01",  # row 6: use-by passed, and chilled stock on an ambient shelf
        f",{wh.rice},1,,,A-02",  # row 7: rice needs its crop year
        f"4.90123E+12,,1,{month(10)},,A-01",  # row 8: what Excel does to a barcode
        f"4901234567894,{wh.canned},1,{month(10)},,A-01",  # row 9: barcode and item_id both
    ).encode()
    with pytest.raises(csvio.ImportRefused) as refused:
        await import_csv(database, settings, data, csvio.ImportKind.opening_balance)
    problems = refused.value.problems
    assert {(p["row"], p["column"]) for p in problems} == {
        (3, "quantity"),
        (3, "expiry"),
        (4, "barcode"),
        (5, "location"),
        (6, "location"),
        (6, "expiry"),
        (7, "crop_year"),
        (8, "barcode"),
        (9, "item_id"),
    }
    assert [p["row"] for p in problems] == sorted(p["row"] for p in problems), "in the order of the file"
    messages = {(p["row"], p["column"]): p["message"] for p in problems}
    assert "passed" in messages[(6, "expiry")]
    assert "chilled" in messages[(6, "location")]
    assert "Excel" in messages[(8, "barcode")]
    assert csvio.describe(problems[0]).startswith("row 3, ")
    assert refused.value.extra["error_count"] == len(problems)
    assert await lots(client, wh) == [], "not even row 2 was written"

    missing = csv_text("JANコード,数量", "4901234567894,1").encode()
    with pytest.raises(csvio.ImportRefused) as refused:
        await import_csv(database, settings, missing, csvio.ImportKind.opening_balance)
    assert [(p["row"], p["column"]) for p in refused.value.problems] == [(1, "location")]

    with pytest.raises(csvio.ImportRefused, match="neither UTF-8 nor Shift_JIS"):
        await import_csv(database, settings, b"barcode,quantity\n\x82\xff,1\n", csvio.ImportKind.opening_balance)


async def test_a_stock_count_books_the_differences_as_adjustments(
    client: AsyncClient, wh: Warehouse, database: Database, settings: Settings
) -> None:
    fewer = await wh.lot(client, wh.canned, 10, month(9))
    same = await wh.lot(client, wh.canned, 5, month(10))
    more = await wh.lot(client, wh.noodles, 3, month(8))
    data = BOM + csv_text("ロットID,品名,実数", f"{more},カップ麺,７", f"{fewer},さば缶,8", f"{same},さば缶,5").encode()
    result = await import_csv(database, settings, data, csvio.ImportKind.stock_count)
    assert (result.rows, result.lots_adjusted, result.units_delta) == (3, 2, 2)

    on_hand = {lot["id"]: lot["on_hand"] for lot in await lots(client, wh)}
    assert on_hand == {fewer: 8, same: 5, more: 7}
    history = await client.get(f"/api/lots/{fewer}/history", headers=wh.warehouse.headers)
    assert [(m["kind"], m["on_hand_delta"], m["reason"]) for m in history.json()] == [
        ("receipt", 10, None),
        ("adjustment", -2, f"stock count {TODAY.isoformat()}"),
    ]
    await verify_clean(database)


async def test_a_stock_count_refuses_unknown_repeated_blank_and_reserved_lots(
    client: AsyncClient, wh: Warehouse, database: Database, settings: Settings
) -> None:
    lot = await wh.lot(client, wh.canned, 10, month(9))
    other = await wh.lot(client, wh.canned, 4, month(10))
    body = {
        "purpose": "household",
        "channel": "individual",
        "distribution_date": TODAY.isoformat(),
        "lines": [{"item_id": wh.canned, "quantity": 6}],
    }
    reserved = await client.post("/api/reservations", json=body, headers=wh.warehouse.headers)
    assert reserved.status_code == 201, reserved.text
    data = csv_text(
        "lot_id,counted",
        f"{lot},3",  # row 2: 6 are reserved
        "999999,1",  # row 3: no such lot
        f"{other},2",  # row 4: fine
        f"{other},2",  # row 5: counted twice
        f"{other},",  # row 6: no count
        f"{other},-1",  # row 7: not a count
        f"{2**63},1",  # row 8: no id is this large
        f"{other},99999999999",  # row 9: nor any count
    ).encode()
    with pytest.raises(csvio.ImportRefused) as refused:
        await import_csv(database, settings, data, csvio.ImportKind.stock_count)
    assert [(p["row"], p["column"]) for p in refused.value.problems] == [
        (2, "counted"),
        (3, "lot_id"),
        (5, "lot_id"),
        (6, "counted"),
        (7, "counted"),
        (8, "lot_id"),
        (9, "counted"),
    ]
    assert "reserved" in refused.value.problems[0]["message"]
    assert {lot["on_hand"] for lot in await lots(client, wh)} == {10, 4}, "nothing was adjusted"


async def test_the_stock_commands_verify_import_and_export(
    client: AsyncClient, wh: Warehouse, database_url: str, tmp_path: Path
) -> None:
    lot = await wh.lot(client, wh.canned, 5, month(9))

    verified = await asyncio.to_thread(cli, database_url, "stock", "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.output.strip() == "No differences."

    bad = tmp_path / "opening.csv"
    bad.write_bytes(csv_text("JANコード,数量,賞味期限,棚", "4901234567894,3,2027-13,A-01").encode("cp932"))
    refused = await asyncio.to_thread(cli, database_url, "stock", "import", str(bad), "--kind", "opening_balance")
    assert refused.exit_code == 1
    assert "row 2, 賞味期限: There is no month 13." in refused.output
    assert "nothing was imported" in refused.output

    count = tmp_path / "count.csv"
    count.write_bytes(csv_text("lot_id,counted", f"{lot},4").encode())
    args = ("stock", "import", str(count), "--kind", "stock_count", "--warehouse", "山武倉庫")
    imported = await asyncio.to_thread(cli, database_url, *args, "--as-user", wh.warehouse.username)
    assert imported.exit_code == 0, imported.output
    assert "1 adjusted" in imported.output
    history = await client.get(f"/api/lots/{lot}/history", headers=wh.warehouse.headers)
    assert history.json()[-1]["actor_id"] == wh.warehouse.id

    exported = await asyncio.to_thread(cli, database_url, "stock", "export", "stock")
    assert exported.exit_code == 0
    assert exported.stdout_bytes.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(exported.stdout_bytes[len(BOM) :].decode())))
    assert [(int(r["lot_id"]), r["item"], r["on_hand"]) for r in rows] == [(lot, "さば缶", "4")]

    target = tmp_path / "ledger.csv"
    written = await asyncio.to_thread(cli, database_url, "stock", "export", "ledger", "--output", str(target))
    assert written.exit_code == 0, written.output
    ledger_rows = list(csv.DictReader(io.StringIO(target.read_bytes()[len(BOM) :].decode())))
    assert [(r["kind"], r["on_hand_delta"]) for r in ledger_rows] == [("receipt", "5"), ("adjustment", "-1")]


async def test_the_api_imports_and_exports_csv(client: AsyncClient, wh: Warehouse, actors: Actors) -> None:
    headers = {**wh.warehouse.headers, "Content-Type": "text/csv"}
    body = (
        BOM
        + csv_text(
            "JANコード,数量,期限,棚", f"4901234567894,7,{month(10)},A-01", f"4901234567894,=1+1,{month(10)},A-01"
        ).encode()
    )
    refused = await client.post("/api/stock/imports?kind=opening_balance", content=body, headers=headers)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"] == "/problems/validation"
    assert [(e["row"], e["column"]) for e in problem["errors"]] == [(3, "数量")]
    assert problem["error_count"] == 1

    body = body.rsplit(b"\r\n", 2)[0] + b"\r\n"
    url = f"/api/stock/imports?kind=opening_balance&date={TODAY.isoformat()}"
    created = await client.post(url, content=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json() | {"receipt_id": None} == {
        "kind": "opening_balance",
        "encoding": "utf-8-sig",
        "rows": 1,
        "receipt_id": None,
        "lots_created": 1,
        "lots_adjusted": 0,
        "units_delta": 7,
        "warnings": [],
        "ignored_columns": [],
    }
    lot = (await lots(client, wh))[0]["id"]

    unknown_kind = await client.post("/api/stock/imports?kind=guess", content=body, headers=headers)
    assert unknown_kind.status_code == 422 and unknown_kind.json()["errors"][0]["field"] == "kind"

    count = csv_text("lot_id,counted", f"{lot},9").encode("cp932")
    counted = await client.post("/api/stock/imports?kind=stock_count", content=count, headers=headers)
    assert counted.status_code == 201, counted.text
    assert (counted.json()["lots_adjusted"], counted.json()["units_delta"]) == (1, 2)

    reporter = await actors.make(Role.reporter)
    forbidden = await client.post("/api/stock/imports?kind=stock_count", content=count, headers=reporter.headers)
    assert forbidden.status_code == 403

    export = await client.get("/api/stock/export.csv", headers=reporter.headers)
    assert export.status_code == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert export.headers["content-disposition"].startswith('attachment; filename="stock-')
    assert export.content.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(export.content[len(BOM) :].decode())))
    assert len(rows) == 1
    assert {k: rows[0][k] for k in ("lot_id", "item", "category", "zone", "location", "expiry", "on_hand")} == {
        "lot_id": str(lot),
        "item": "さば缶",
        "category": "主食",
        "zone": "ambient",
        "location": "A-01",
        "expiry": month(10),
        "on_hand": "9",
    }
    assert (rows[0]["reserved"], rows[0]["available"], rows[0]["status"]) == ("0", "9", "active")

    ledger_csv = await client.get("/api/stock/ledger.csv", headers=reporter.headers)
    assert ledger_csv.status_code == 200 and ledger_csv.content.startswith(BOM)
    movements = list(csv.DictReader(io.StringIO(ledger_csv.content[len(BOM) :].decode())))
    assert [(m["kind"], m["on_hand_delta"], m["reason"]) for m in movements] == [
        ("receipt", "7", ""),
        ("adjustment", "2", f"stock count {TODAY.isoformat()}"),
    ]
    since = await client.get("/api/stock/ledger.csv?since=2099-01-01", headers=reporter.headers)
    assert since.content.count(b"\n") == 1, "the header only"


async def test_five_thousand_rows_import_and_count(
    client: AsyncClient, wh: Warehouse, database: Database, settings: Settings
) -> None:
    rows = [f"4901234567894,{n % 50 + 1},{month(n % 12 + 2)},A-0{n % 2 + 1},B{n}" for n in range(5000)]
    data = BOM + csv_text("barcode,quantity,expiry,location,lot_code", *rows).encode()
    done: list[int] = []
    result = await import_csv(database, settings, data, csvio.ImportKind.opening_balance, progress=done.append)
    assert result.lots_created == 5000
    assert done[-1] == 5000 and done == sorted(done)

    async with database.transaction() as session:
        export = b"".join([chunk async for chunk in csvio.export_stock(session, on=TODAY)])
    exported = list(csv.DictReader(io.StringIO(export[len(BOM) :].decode())))
    assert len(exported) == 5000
    # The export is a count sheet: add the counted column and import it back.
    counted = csv_text("lot_id,on_hand,counted", *(f"{r['lot_id']},{r['on_hand']},1" for r in exported))
    result = await import_csv(database, settings, counted.encode(), csvio.ImportKind.stock_count)
    assert result.rows == 5000 and result.ignored_columns == ["on_hand"]
    summary = (await client.get("/api/stock", headers=wh.warehouse.headers)).json()
    assert [row["on_hand"] for row in summary] == [5000]
    await verify_clean(database)


async def test_exports_show_names_like_formulas_as_text(client: AsyncClient, wh: Warehouse, database: Database) -> None:
    """Item, category, warehouse and location names, lot codes and reasons come from people and
    labels: in the exports each is text that a spreadsheet shows, never a formula it runs."""
    items: list[tuple[int, int]] = []
    async with database.transaction() as s:
        for i, name in enumerate(FORMULAS):
            depot = await catalogue.create_warehouse(s, actor_id=None, name=name, address=None)
            location = await catalogue.create_location(
                s, actor_id=None, warehouse_id=depot.id, code=name, zone=Zone.ambient
            )
            item = await named_item(s, name, f"formula{i}")
            items.append((item, location.id))
    for (item, location), name in zip(items, FORMULAS, strict=True):
        line = {"item_id": item, "quantity": 3, "expiry": month(6), "location_id": location, "lot_code": name}
        received = await wh.receive(client, [line])
        assert received.status_code == 201, received.text
        lot = received.json()["lots"][0]["id"]
        counted = await client.post(
            f"/api/lots/{lot}/adjustments", json={"counted": 2, "reason": name}, headers=wh.coordinator.headers
        )
        assert counted.status_code in (200, 201), counted.text

    stock = await client.get("/api/stock/export.csv", headers=wh.warehouse.headers)
    assert stock.status_code == 200
    assert_inert_csv(stock.content)
    ledger_csv = await client.get("/api/stock/ledger.csv", headers=wh.warehouse.headers)
    assert ledger_csv.status_code == 200
    assert_inert_csv(ledger_csv.content)
    assert "-1" in csv_cells(ledger_csv.content), "a negative number stays a number"
