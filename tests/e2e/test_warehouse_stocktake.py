"""A stocktake (棚卸) on a phone (390 px, Japanese): open a count of the ambient zone, count blind (the
expected figure is never on the counting page) by scanning an item barcode with two lots there (the page
asks which) and a lot label, recount one lot, then review the differences, give a reason and approve."""

from __future__ import annotations

from httpx import AsyncClient
from playwright.async_api import Page, expect

from foodbank.lib.db import Database
from foodbank.stock import ledger
from tests.dates import month
from tests.e2e.conftest import LiveServer, go, screenshot, sign_in
from tests.integration.stock.conftest import Warehouse


async def test_open_count_review_and_approve_a_stocktake_on_a_phone(
    page: Page, live_server: LiveServer, client: AsyncClient, wh: Warehouse, database: Database
) -> None:
    early = await wh.lot(client, wh.canned, 12, month(3))
    late = await wh.lot(client, wh.canned, 7, month(9))
    noodles = await wh.lot(client, wh.noodles, 5, month(6), location_id=wh.ambient_b)
    await sign_in(page, live_server, wh.coordinator)

    await go(page, "棚卸")
    await page.select_option("#zone", "ambient")
    await page.get_by_role("button", name="棚卸を始める").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("棚卸")
    await screenshot(page, "stocktake-01-count")

    await page.select_option("#location_id", str(wh.ambient))
    await page.fill("#code", "4901234567894")  # the scanner types the barcode
    await page.fill("#counted", "11")
    await page.get_by_role("button", name="数を記録する").click()
    await expect(page.locator("#lot-choices")).to_be_visible()
    await screenshot(page, "stocktake-02-which-lot")
    await page.locator(f'#lot-choices input[value="{early}"]').check()
    await page.get_by_role("button", name="数を記録する").click()
    await expect(page.locator("#my-counts")).to_contain_text("11")
    await expect(page.locator("#location_id")).to_have_value(str(wh.ambient))  # the location stays chosen

    for lot, units in ((late, "5"), (late, "7")):  # a recount: the latest is kept
        await page.fill("#code", f"L-{lot}")
        await page.fill("#counted", units)
        await page.get_by_role("button", name="数を記録する").click()
        await expect(page.locator("#my-counts li").first).to_contain_text(units)
    await page.select_option("#location_id", str(wh.ambient_b))
    await page.fill("#code", f"L-{noodles}")
    await page.fill("#counted", "5")
    await page.get_by_role("button", name="数を記録する").click()
    await expect(page.locator("#my-counts li")).to_have_count(4)
    main = await page.locator("main").inner_text()
    assert "帳簿数" not in main and "12" not in main.split()  # blind
    await screenshot(page, "stocktake-03-counted")

    await page.goto(live_server.url("/warehouse/stocktakes"))
    await page.get_by_role("link", name="確認").first.click()
    row = page.locator(f"#review-lot-{early}")
    await expect(row.locator(".expected")).to_have_text("12")
    await expect(row.locator(".difference")).to_have_text("-1")
    await expect(page.locator(f"#review-lot-{late} .difference")).to_have_text("+0")
    await screenshot(page, "stocktake-04-review")
    await row.locator("select").select_option("damaged")
    await page.get_by_role("button", name="承認して差異を在庫に反映する").click()
    await expect(page.locator("h1 .meta")).to_have_text("承認済み")
    await expect(page.locator(f"#review-lot-{early}")).to_contain_text("破損")
    await screenshot(page, "stocktake-05-approved")

    lots = {lot["id"]: lot["on_hand"] for lot in (await client.get("/api/lots", headers=wh.warehouse.headers)).json()}
    assert (lots[early], lots[late], lots[noodles]) == (11, 7, 5)
    async with database.transaction() as session:
        assert await ledger.verify(session) == []
