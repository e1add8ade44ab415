"""A warehouse volunteer on a phone (390 px, Japanese) finds lots and picks a list: the stock list is
dense (many lots per screen, every row one tap target), lots are found by name, barcode, lot number and
received date, a held lot reads 0 available with its hold in the history, and a picking list is ticked
by tap and by scanning a lot label, one line marked short, confirmed once every line is done."""

from __future__ import annotations

import re
from typing import Any

from httpx import AsyncClient
from playwright.async_api import Locator, Page, expect

from foodbank.lib.db import Database
from tests.dates import day
from tests.e2e.conftest import PHONE, LiveServer, go, screenshot, sign_in
from tests.integration.pages.test_stock_and_picking_pages import reserve, tofu_item
from tests.integration.stock.conftest import TODAY, Warehouse, days

TAP = 44
"""The smallest tap target, in CSS pixels."""


async def assert_tappable(locator: Locator) -> None:
    """Every element of `locator` is at least TAP pixels high (and wide)."""
    boxes = [await locator.nth(i).bounding_box() for i in range(await locator.count())]
    assert boxes, "nothing to tap"
    small = [box for box in boxes if box is None or box["height"] < TAP or box["width"] < TAP]
    assert not small, f"tap targets under {TAP}px: {small}"


async def stock_many_lots(client: AsyncClient, wh: Warehouse, tofu: int) -> dict[str, Any]:
    """40 lots, as a food bank's shelves hold: cans, noodles and tofu of many dates, one with a lot code,
    one received five days ago, one held."""
    lines = [
        {
            "item_id": (wh.canned, wh.noodles, tofu)[n % 3],
            "quantity": 6 + n,
            "expiry": days(60 + n),
            "location_id": (wh.ambient, wh.ambient_b)[n % 2],
        }
        for n in range(39)
    ]
    lines[2]["lot_code"] = "TF-2611"
    received = await wh.receive(client, lines, received_date=TODAY)
    assert received.status_code == 201, received.text
    lots = [lot["id"] for lot in received.json()["lots"]]
    earlier = {"item_id": wh.noodles, "quantity": 5, "expiry": days(300), "location_id": wh.ambient}
    old = await wh.receive(client, [earlier], received_date=day(-5))
    assert old.status_code == 201, old.text
    held = lots[0]  # a can
    hold = await client.post(
        "/api/holds",
        json={"lot_id": held, "status": "on_hold", "reason": "缶のへこみ"},
        headers=wh.warehouse.headers,
    )
    assert hold.status_code == 201, hold.text
    return {"lots": lots, "earlier": old.json()["lots"][0]["id"], "held": held}


async def search(page: Page, **fields: str) -> None:
    for name in ("q", "received_date"):
        await page.locator(f"#{name}").fill(fields.get(name, ""))
    await page.get_by_role("button", name="検索").click()
    await page.wait_for_load_state()


def rows(page: Page) -> Locator:
    return page.locator("#stock a.lot-row")


async def test_a_volunteer_finds_lots_and_picks_a_list_on_a_phone(
    page: Page, live_server: LiveServer, client: AsyncClient, wh: Warehouse, database: Database
) -> None:
    tofu = await tofu_item(database)
    stocked = await stock_many_lots(client, wh, tofu)
    await sign_in(page, live_server, wh.warehouse)

    # The stock list: 40 lots, dense enough that a phone screen shows many of them.
    await go(page, "在庫")
    await expect(rows(page)).to_have_count(40)
    await screenshot(page, "stock-01-list")
    await assert_tappable(rows(page))
    first = await rows(page).first.bounding_box()
    assert first is not None
    tops = [box["y"] for box in [await rows(page).nth(i).bounding_box() for i in range(40)] if box]
    on_one_screen = sum(1 for top in tops if first["y"] <= top < first["y"] + PHONE["height"] - 60)
    assert on_one_screen >= 12, f"only {on_one_screen} lots on one phone screen"
    await assert_tappable(page.locator(".stock-search input, .stock-search button, .stock-search summary"))

    # By name, by barcode (as the scanner types it), by lot number, by received date.
    await search(page, q="豆腐")
    await expect(rows(page)).to_have_count(13)
    await expect(rows(page).first).to_contain_text("豆腐")
    await expect(rows(page).first).to_contain_text("パック")
    await screenshot(page, "stock-02-by-name")
    await search(page, q="4901234567894")
    await expect(rows(page)).to_have_count(13)
    for text in await rows(page).locator(".lot-name").all_inner_texts():
        assert text == "さば缶"
    await search(page, q=f"L-{stocked['lots'][5]}")
    await expect(rows(page)).to_have_count(1)
    await expect(rows(page).first).to_contain_text(f"ロット {stocked['lots'][5]}")
    await search(page, q="tf-2611")
    await expect(rows(page)).to_have_count(1)
    await expect(rows(page).first).to_contain_text("TF-2611")
    await search(page, received_date=day(-5).isoformat())
    await expect(rows(page)).to_have_count(1)
    await expect(rows(page).first).to_contain_text(f"ロット {stocked['earlier']}")
    await screenshot(page, "stock-03-by-received-date")

    # A held lot: nothing available, and its hold in the history.
    await search(page, q=f"#{stocked['held']}")
    held_row = rows(page).first
    await expect(held_row).to_contain_text("保留中")
    await expect(held_row.locator(".lot-free b")).to_have_text("0")
    await held_row.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("さば缶")
    await expect(page.locator("#lot-available")).to_contain_text(re.compile(r"^0 個"))
    await expect(page.locator("#lot-status")).to_contain_text("保留中")
    history = page.locator("#lot-history")
    await expect(history).to_contain_text("保留にした")
    await expect(history).to_contain_text("缶のへこみ")
    await expect(page.locator('input[name="reason"]:checked')).to_have_count(0)  # no disposal reason chosen
    await screenshot(page, "stock-04-held-lot")

    # A picking list of three lines, in shelf order.
    reservation = await reserve(
        client,
        wh,
        [
            {"item_id": tofu, "quantity": 3},
            {"item_id": wh.canned, "quantity": 2},
            {"item_id": wh.noodles, "quantity": 4},
        ],
    )
    by_item = {line["item_id"]: line for line in reservation["picking_list"]}
    await go(page, "ピッキング")
    await page.get_by_role("link", name=re.compile(f"ピッキングリスト {reservation['id']}")).click()
    confirm = page.get_by_role("button", name="ピッキングを確定")
    await expect(confirm).to_be_disabled()
    await expect(page.locator("#done-count")).to_have_text("0")
    await screenshot(page, "pick-01-list")
    await assert_tappable(page.locator(".pick-state label, #scan, #scan-button, #confirm-pick"))

    def line(item_id: int) -> Locator:
        return page.locator(f"#line-{by_item[item_id]['line_id']}")

    # Tofu by a tap; its unit as on the PDF.
    await expect(line(tofu).locator(".need")).to_have_text("3 パック")
    await line(tofu).get_by_text("全部取った").click()
    await expect(line(tofu)).to_have_class(re.compile("is-picked"))
    await expect(page.locator("#done-count")).to_have_text("1")

    # The cans by scanning the lot label.
    await page.locator("#scan").fill(f"L-{by_item[wh.canned]['lot_id']}")
    await page.locator("#scan").press("Enter")
    await expect(line(wh.canned)).to_have_class(re.compile("is-picked"))
    await expect(page.locator("#scan-result")).to_contain_text("チェックしました: さば缶")
    await expect(page.locator("#scan")).to_have_value("")
    await expect(page.locator("#scan")).to_be_focused()  # ready for the next scan
    await expect(confirm).to_be_disabled()
    await screenshot(page, "pick-02-ticked-and-scanned")

    # The noodles are short: one found of four.
    await line(wh.noodles).get_by_text("不足").click()
    quantity = line(wh.noodles).locator("input[inputmode=numeric]")
    await expect(quantity).to_be_focused()
    await quantity.fill("1")
    await expect(confirm).to_be_enabled()
    await expect(page.locator("#done-count")).to_have_text("3")
    await screenshot(page, "pick-03-all-done")

    await confirm.click()
    await expect(page.locator(".flash")).to_have_text(f"ピッキングリスト {reservation['id']} を確定しました: 6 個。")
    await screenshot(page, "pick-04-confirmed")
    after = (await client.get(f"/api/reservations/{reservation['id']}", headers=wh.warehouse.headers)).json()
    picked = {line["item_id"]: line["picked_quantity"] for line in after["picking_list"]}
    assert after["status"] == "picked" and picked == {tofu: 3, wh.canned: 2, wh.noodles: 1}
