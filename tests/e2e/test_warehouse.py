"""A warehouse volunteer in a real browser: receiving a donation with a scanner and by item search,
finding it in the stock list; and identity pages stay closed to volunteers."""

from __future__ import annotations

import re
from datetime import timedelta

from httpx import AsyncClient
from playwright.async_api import Page, expect

from foodbank.lib.clock import today
from foodbank.models import Role
from tests.conftest import Actors
from tests.e2e.conftest import LiveServer, go, menu, sign_in
from tests.integration.households.test_households_and_referrals import IDENTITY, register
from tests.integration.stock.conftest import Warehouse


async def test_a_volunteer_receives_two_lines_and_finds_them_in_the_stock_list(
    page: Page, live_server: LiveServer, wh: Warehouse
) -> None:
    await sign_in(page, live_server, wh.warehouse)
    await go(page, "受入")
    await expect(page.get_by_role("heading", name="寄贈品の受入")).to_be_visible()
    await page.select_option("#donor_id", str(wh.donor))
    await page.select_option("#location_id", str(wh.ambient))

    # Line 1 with a scanner: the scanner types the code and Enter (1), then date + Enter (2), quantity + Enter (3).
    barcode = page.locator("#new-barcode")
    await barcode.focus()
    best_before = today() + timedelta(days=400)
    await page.keyboard.type("4901234567894")
    await page.keyboard.press("Enter")
    await expect(page.locator("#entry-item")).to_have_text("さば缶")
    await expect(page.locator("#new-date")).to_be_focused()
    await page.keyboard.type(best_before.strftime("%Y%m"))
    await page.keyboard.press("Enter")
    await expect(page.locator("#new-quantity")).to_be_focused()
    await page.keyboard.type("24")
    await page.keyboard.press("Enter")
    rows = page.locator("#lines li.line")
    await expect(rows).to_have_count(1)
    await expect(rows.nth(0)).to_contain_text("さば缶")
    await expect(rows.nth(0).locator("input[name$='-expiry']")).to_have_value(best_before.strftime("%Y-%m"))
    await expect(barcode).to_be_focused()  # ready for the next scan

    # Line 2 by item search, for a product without a barcode.
    await page.get_by_text("バーコードがない場合は品名で検索").click()
    await page.fill("#new-item_query", "カップ")
    await page.get_by_role("option", name="カップ麺").click()
    await expect(page.locator("#new-date")).to_be_focused()
    await page.keyboard.type((today() + timedelta(days=200)).isoformat())
    await page.keyboard.press("Enter")
    await page.keyboard.type("12")
    await page.keyboard.press("Enter")
    await expect(rows).to_have_count(2)
    await expect(page.locator("#line-count")).to_have_text("2")

    await page.get_by_role("button", name="受入を登録").click()
    await expect(page.locator(".flash")).to_have_text(re.compile(r"受入 \d+ を登録しました: 2 行、36 個。"))
    await expect(page.locator("#receipt-lots li")).to_have_count(2)

    await go(page, "在庫")
    stock = page.locator("#stock")
    await expect(stock.get_by_role("link", name=re.compile("さば缶"))).to_contain_text("24")
    await expect(stock.get_by_role("link", name=re.compile("カップ麺"))).to_contain_text("12")


async def test_a_refused_line_is_explained_and_nothing_is_saved(
    page: Page, live_server: LiveServer, wh: Warehouse
) -> None:
    await sign_in(page, live_server, wh.warehouse)
    await page.goto(live_server.url("/warehouse/receive"))
    await page.locator("#new-barcode").fill("4901234567887")
    await page.locator("#new-barcode").press("Enter")
    await expect(page.locator("#entry-item")).to_have_text(
        "このバーコードの品目はまだありません。下で登録すると、そのまま行を追加できます。"
    )
    await expect(page.locator("#register")).to_be_visible()
    await page.get_by_role("button", name="受入を登録").click()
    await expect(page.locator("#problems")).to_contain_text("下の印のついた項目を確認してください。")
    await expect(page.locator("#donor_id-error")).to_have_text("寄付者を選んでください。")
    await expect(page.locator("#new-barcode-error")).to_contain_text("バーコード 4901234567887 の品目はまだありません")
    await expect(page.locator("#new-barcode")).to_have_value("4901234567887")  # what was typed is kept


async def test_a_volunteer_cannot_open_a_households_identity(
    page: Page, live_server: LiveServer, client: AsyncClient, actors: Actors
) -> None:
    household = await register(client, await actors.make(Role.coordinator))
    volunteer = await actors.make(Role.warehouse)
    await sign_in(page, live_server, volunteer)
    await expect(await menu(page)).not_to_contain_text("世帯")

    response = await page.goto(live_server.url(f"/households/{household['id']}/identity"))
    assert response is not None and response.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("あなたの役割では、このページや操作は使えません。")
    await expect(page.locator("body")).not_to_contain_text(IDENTITY["name"])

    api = await page.goto(live_server.url(f"/api/households/{household['id']}/identity"))
    assert api is not None and api.status == 403
    await expect(page.locator("body")).not_to_contain_text(IDENTITY["name"])
