"""The warehouse volunteer's stock and picking pages through HTTP, and the rules the server keeps on its
own (without the pages' script): searching lots (page and API, one query), a held or expired lot read in
plain words, holds in a lot's history, no default disposal reason, a pick confirmed only when every
line is ticked or marked short, a scan without JavaScript, units as on the picking-list PDF."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from foodbank.catalogue import services as catalogue
from foodbank.lib.db import Database
from foodbank.models import LotStatusChange, StockMovement, Unit, Zone
from foodbank.picking.fefo import DateKind
from foodbank.stock.documents import UNIT_LABELS
from tests.dates import day
from tests.integration.pages.conftest import Browser
from tests.integration.pages.test_warehouse_pages import set_today
from tests.integration.stock.conftest import TODAY, Warehouse, days


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    set_today(monkeypatch, TODAY)


async def tofu_item(database: Database) -> int:
    """An item counted in packs (パック), with a barcode."""
    async with database.transaction() as s:
        category = await catalogue.create_category(s, actor_id=None, code="soy", name_ja="大豆製品", name_en="Soy")
        item = await catalogue.create_item(
            s,
            actor_id=None,
            name_ja="豆腐",
            name_en="Tofu",
            category_id=category.id,
            unit=Unit.pack,
            unit_weight_kg=Decimal("0.3"),
            barcode="4512345678906",
            zone=Zone.ambient,
            date_kind=DateKind.best_before,
            allergens=["soybean"],
            allergens_known=True,
        )
    return item.id


def listed_lots(html: str) -> list[int]:
    """The lot ids of the stock list, in order."""
    return [int(n) for n in re.findall(r'class="lot-row[^"]*" href="/warehouse/lots/(\d+)"', html)]


async def test_lots_are_found_by_name_barcode_lot_number_lot_code_and_received_date(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    await browser.sign_in(wh.warehouse)
    canned = await wh.lot(client, wh.canned, 10, days(90), lot_code="SB-77")
    noodles = await wh.lot(client, wh.noodles, 5, days(120))
    line = {"item_id": wh.noodles, "quantity": 3, "location_id": wh.ambient, "expiry": days(200)}
    earlier = (await wh.receive(client, [line], received_date=day(-3))).json()["lots"][0]["id"]

    async def found(**params: str) -> list[int]:
        page = await browser.get("/warehouse/stock", params=params)
        assert page.status_code == 200, page.text
        api = await client.get("/api/lots", params=params, headers=wh.warehouse.headers)
        assert api.status_code == 200, api.text
        assert [lot["id"] for lot in api.json()] == listed_lots(page.text)  # one query for both
        return listed_lots(page.text)

    assert await found() == [canned, noodles, earlier]
    assert await found(q="カップ") == [noodles, earlier]
    assert await found(q="4901-234567-894") == [canned]  # a barcode as typed with hyphens
    assert await found(q="４９０１２３４５６７８９４") == [canned]  # or full-width
    assert await found(q=str(noodles)) == [noodles]
    assert await found(q=f"L-{earlier}") == [earlier]
    assert await found(q="sb-77") == [canned]  # the lot code printed on the label
    assert await found(received_date=day(-3).isoformat()) == [earlier]
    assert await found(q="カップ", received_date=TODAY.isoformat()) == [noodles]
    assert await found(q="100%_") == []  # wildcards are text

    bad = await browser.get("/warehouse/stock", params={"received_date": "2027-13-45", "q": "さば"})
    assert bad.status_code == 422 and 'value="2027-13-45"' in bad.text and 'value="さば"' in bad.text
    assert "日付は YYYY-MM-DD の形で入力してください。" in bad.text
    api_bad = await client.get("/api/lots", params={"received_date": "2027-13-45"}, headers=wh.warehouse.headers)
    assert api_bad.status_code == 422 and api_bad.json()["errors"][0]["field"] == "received_date"


async def test_a_held_lot_has_nothing_available_and_its_hold_and_release_are_in_its_history(
    browser: Browser, wh: Warehouse, client: AsyncClient, database: Database
) -> None:
    await browser.sign_in(wh.warehouse)
    lot = await wh.lot(client, wh.canned, 24, days(90))
    held = await browser.follow(
        await browser.post(f"/warehouse/lots/{lot}/hold", {"status": "on_hold", "reason": "缶のへこみ"})
    )
    available = re.search(r'<dd id="lot-available">(.*?)</dd>', held.text, re.S)
    assert available and available.group(1).startswith("0 個"), held.text
    assert "保留中は引当できません。" in held.text
    history = held.text[held.text.index('id="lot-history"') :]
    assert "保留にした" in history and "缶のへこみ" in history

    stock = await browser.get("/warehouse/stock")
    row = re.search(rf'href="/warehouse/lots/{lot}">(.*?)</a>', stock.text, re.S)
    assert row and "保留中" in row.group(1) and "<b>0</b>" in row.group(1) and "引当可能" not in row.group(1)

    released = await client.post(f"/api/lots/{lot}/release-hold", headers=wh.coordinator.headers)
    assert released.status_code == 201, released.text
    page = await browser.get(f"/warehouse/lots/{lot}")
    history = page.text[page.text.index('id="lot-history"') :]
    assert history.index("保留にした") < history.index("保留を解除")
    assert re.search(r'<dd id="lot-available">24 個', page.text)
    async with database.transaction() as s:
        changes = (await s.scalars(select(LotStatusChange).order_by(LotStatusChange.id))).all()
    assert [(c.lot_id, c.status.value, c.reason) for c in changes] == [
        (lot, "on_hold", "缶のへこみ"),
        (lot, "active", None),
    ]
    api = (await client.get(f"/api/lots/{lot}/holds", headers=wh.warehouse.headers)).json()
    assert [(h["status"], h["reason"]) for h in api] == [("on_hold", "缶のへこみ"), ("active", None)]
    missing = await client.get("/api/lots/999999/holds", headers=wh.warehouse.headers)
    assert missing.status_code == 404


async def test_an_expired_lot_never_reads_as_usable(
    browser: Browser, wh: Warehouse, client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await browser.sign_in(wh.warehouse)
    lot = await wh.lot(client, wh.canned, 6, days(40))
    set_today(monkeypatch, day(41))
    stock = await browser.get("/warehouse/stock")
    row = re.search(rf'href="/warehouse/lots/{lot}">(.*?)</a>', stock.text, re.S)
    assert row and "期限切れ" in row.group(1) and "使用可" not in row.group(1) and "<b>0</b>" in row.group(1)
    page = await browser.get(f"/warehouse/lots/{lot}")
    status = re.search(r'<dd id="lot-status">(.*?)</dd>', page.text, re.S)
    assert status and "期限切れ" in status.group(1) and "使用可" not in status.group(1)
    assert re.search(r'<dd id="lot-available">0 個', page.text)


async def test_a_disposal_has_no_default_reason(browser: Browser, wh: Warehouse, client: AsyncClient) -> None:
    await browser.sign_in(wh.warehouse)
    lot = await wh.lot(client, wh.canned, 10, days(60))
    page = await browser.get(f"/warehouse/lots/{lot}")
    disposal = page.text[page.text.index(f'action="/warehouse/lots/{lot}/dispose"') :]
    assert 'name="reason"' in disposal and " checked" not in disposal.split("</form>")[0]

    refused = await browser.post(f"/warehouse/lots/{lot}/dispose", {"quantity": "2"})
    assert refused.status_code == 422 and "理由を選んでください。" in refused.text
    assert 'value="2"' in refused.text  # what was typed stays
    movements = (await client.get(f"/api/lots/{lot}/history", headers=wh.warehouse.headers)).json()
    assert [m["kind"] for m in movements] == ["receipt"]  # nothing was disposed of

    api = await client.post(f"/api/lots/{lot}/disposals", json={"quantity": 2}, headers=wh.warehouse.headers)
    assert api.status_code == 422 and api.json()["errors"][0]["field"] == "reason"


async def reserve(client: AsyncClient, wh: Warehouse, lines: list[dict[str, int]]) -> dict[str, Any]:
    reserved = await client.post(
        "/api/reservations",
        json={
            "purpose": "household",
            "purpose_ref": "H-2026-0001",
            "channel": "individual",
            "distribution_date": days(1),
            "lines": lines,
        },
        headers=wh.warehouse.headers,
    )
    assert reserved.status_code == 201, reserved.text
    result: dict[str, Any] = reserved.json()
    return result


async def test_a_pick_is_confirmed_only_when_every_line_is_ticked_or_marked_short(
    browser: Browser, wh: Warehouse, client: AsyncClient, database: Database
) -> None:
    await browser.sign_in(wh.warehouse)
    tofu = await tofu_item(database)
    await wh.lot(client, tofu, 8, days(90))
    await wh.lot(client, wh.canned, 10, days(90))
    reservation = await reserve(client, wh, [{"item_id": tofu, "quantity": 4}, {"item_id": wh.canned, "quantity": 3}])
    path = f"/warehouse/picking/{reservation['id']}"
    lines = {line["item_id"]: line["line_id"] for line in reservation["picking_list"]}
    tofu_line, canned_line = lines[tofu], lines[wh.canned]

    page = await browser.get(path)
    assert f"<b>4</b> {UNIT_LABELS[Unit.pack]}" in page.text  # パック, as on the PDF
    assert f'name="line-{tofu_line}-state" value="picked">' in page.text  # nothing ticked yet
    assert " checked" not in page.text

    async def count_movements() -> int:
        async with database.transaction() as s:
            return int(await s.scalar(select(func.count()).select_from(StockMovement)) or 0)

    before = await count_movements()
    one_undone = await browser.post(
        path, {f"line-{tofu_line}-state": "picked", f"line-{tofu_line}-picked": "4", "action": "confirm"}
    )
    assert one_undone.status_code == 422
    assert "1 行がチェックも不足の印もついていません。" in one_undone.text
    assert (
        f'<p class="field-error" id="line-{canned_line}-state-error">この行をチェックするか、不足の印をつけてください。'
        in (one_undone.text)
    )
    assert f'name="line-{tofu_line}-state" value="picked" checked>' in one_undone.text  # what was ticked stays

    not_short = await browser.post(
        path,
        {
            f"line-{tofu_line}-state": "picked",
            f"line-{canned_line}-state": "short",
            f"line-{canned_line}-picked": "3",
            "action": "confirm",
        },
    )
    assert not_short.status_code == 422 and "不足は 3 より少ない数です" in not_short.text
    assert await count_movements() == before  # refused forms changed nothing
    after = (await client.get(f"/api/reservations/{reservation['id']}", headers=wh.warehouse.headers)).json()
    assert after["status"] == "open"

    done = await browser.follow(
        await browser.post(
            path,
            {
                f"line-{tofu_line}-state": "picked",
                f"line-{tofu_line}-picked": "",  # ticked: the whole quantity
                f"line-{canned_line}-state": "short",
                f"line-{canned_line}-picked": "1",
                "action": "confirm",
            },
        )
    )
    assert f"ピッキングリスト {reservation['id']} を確定しました: 5 個。" in done.text
    after = (await client.get(f"/api/reservations/{reservation['id']}", headers=wh.warehouse.headers)).json()
    assert after["status"] == "picked"
    assert {line["line_id"]: line["picked_quantity"] for line in after["picking_list"]} == {
        tofu_line: 4,
        canned_line: 1,
    }


async def test_without_javascript_a_scan_ticks_its_line(
    browser: Browser, wh: Warehouse, client: AsyncClient, database: Database
) -> None:
    await browser.sign_in(wh.warehouse)
    tofu = await tofu_item(database)
    tofu_lot = await wh.lot(client, tofu, 8, days(90))
    canned_lot = await wh.lot(client, wh.canned, 10, days(90))
    reservation = await reserve(client, wh, [{"item_id": tofu, "quantity": 2}, {"item_id": wh.canned, "quantity": 3}])
    path = f"/warehouse/picking/{reservation['id']}"
    lines = {line["lot_id"]: line["line_id"] for line in reservation["picking_list"]}

    by_barcode = await browser.post(path, {"scan": "4512345678906", "action": "scan"})
    assert by_barcode.status_code == 200
    assert f'name="line-{lines[tofu_lot]}-state" value="picked" checked>' in by_barcode.text
    by_label = await browser.post(
        path, {f"line-{lines[tofu_lot]}-state": "picked", "scan": f"L-{canned_lot}", "action": "scan"}
    )
    assert f'name="line-{lines[canned_lot]}-state" value="picked" checked>' in by_label.text
    assert f'name="line-{lines[tofu_lot]}-state" value="picked" checked>' in by_label.text  # kept
    unknown = await browser.post(path, {"scan": "4901234567887", "action": "scan"})
    assert unknown.status_code == 422 and "このリストには、そのバーコードやロットの行がありません。" in unknown.text

    await client.post(
        "/api/holds", json={"lot_id": canned_lot, "status": "on_hold", "reason": "点検"}, headers=wh.warehouse.headers
    )
    held = await browser.post(path, {"scan": str(canned_lot), "action": "scan"})
    assert held.status_code == 422 and "保留中かリコール" in held.text
    page = await browser.get(path)
    assert "保留中: 取らないでください。不足にして 0 と入力します" in page.text


async def test_a_picking_list_is_listed_and_confirmed_with_fewer_than_reserved(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    await browser.sign_in(wh.warehouse)
    await wh.lot(client, wh.canned, 10, days(90))
    reservation = await reserve(client, wh, [{"item_id": wh.canned, "quantity": 4}])
    line = reservation["picking_list"][0]["line_id"]
    path = f"/warehouse/picking/{reservation['id']}"

    listing = await browser.get("/warehouse/picking")
    assert f'href="{path}"' in listing.text and "H-2026-0001" in listing.text
    page = await browser.get(path)
    assert f'name="line-{line}-picked" value="4"' in page.text and "A-01" in page.text

    ticked = {f"line-{line}-state": "picked"}
    too_many = await browser.post(path, {**ticked, f"line-{line}-picked": "5"})
    assert too_many.status_code == 422 and "引当は 4 個だけです" in too_many.text
    done = await browser.follow(await browser.post(path, {**ticked, f"line-{line}-picked": "3"}))
    assert f"ピッキングリスト {reservation['id']} を確定しました: 3 個。" in done.text
    after = (await client.get(f"/api/reservations/{reservation['id']}", headers=wh.warehouse.headers)).json()
    assert after["status"] == "picked" and after["picking_list"][0]["picked_quantity"] == 3
    closed = await browser.get(path)
    assert "このピッキングリストはすでに確定または解除されています。" in closed.text and "pick-form" not in closed.text


async def test_a_double_tap_disposes_of_units_and_confirms_a_pick_once(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    await browser.sign_in(wh.warehouse)
    lot = await wh.lot(client, wh.canned, 10, days(90))
    disposal = {"quantity": "2", "reason": "damaged", "_once": "dispose-once-key-0001"}
    first = await browser.post(f"/warehouse/lots/{lot}/dispose", disposal)
    second = await browser.post(f"/warehouse/lots/{lot}/dispose", disposal)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert "保存済みです。二重には保存していません。" in (await browser.follow(second)).text
    after = (await client.get(f"/api/lots/{lot}", headers=wh.warehouse.headers)).json()
    assert after["on_hand"] == 8  # disposed of once

    reservation = await reserve(client, wh, [{"item_id": wh.canned, "quantity": 3}])
    line = reservation["picking_list"][0]["line_id"]
    confirm = {f"line-{line}-state": "picked", "action": "confirm", "_once": "pick-once-key-000001"}
    path = f"/warehouse/picking/{reservation['id']}"
    first = await browser.post(path, confirm)
    second = await browser.post(path, confirm)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == "/warehouse/picking"
    after = (await client.get(f"/api/lots/{lot}", headers=wh.warehouse.headers)).json()
    assert after["on_hand"] == 5 and after["reserved"] == 0  # issued once
