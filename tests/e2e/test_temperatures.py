"""Temperature records in a real browser at phone size: a volunteer types an out-of-range reading and is
told at once; the coordinator sees the alert on the home page, reviews the reading and holds the lots."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient
from playwright.async_api import Page, expect

from tests.e2e.conftest import LiveServer, assert_work_first, go, screenshot, sign_in
from tests.integration.stock.conftest import TODAY, Warehouse


async def test_an_out_of_range_reading_is_reviewed_and_its_lots_held(
    page: Page, live_server: LiveServer, client: AsyncClient, wh: Warehouse
) -> None:
    lot = await wh.lot(client, wh.milk, 6, (TODAY + timedelta(days=3)).isoformat(), location_id=wh.chilled)

    await sign_in(page, live_server, wh.warehouse)
    await go(page, "温度記録")
    await expect(page.get_by_role("heading", name="温度記録", exact=True)).to_be_visible()
    await assert_work_first(page)
    await page.select_option("#location_id", str(wh.chilled))
    await page.fill("#min_celsius", "4.0")
    await page.fill("#max_celsius", "12.5")
    await page.get_by_role("button", name="記録する").click()
    await expect(page.locator(".flash-warning")).to_contain_text("温度逸脱: C-01 が 12.5 °C")
    await expect(page.locator("#todays-readings")).to_contain_text("逸脱（上限 10.0 °C）")
    await screenshot(page, "temperature-reading")

    await page.context.clear_cookies()
    await sign_in(page, live_server, wh.coordinator)
    alerts = page.locator("#temperature-alerts")
    await expect(alerts).to_contain_text("C-01 温度逸脱: 12.5 °C（上限 10.0 °C）")
    await alerts.get_by_role("link", name="C-01 温度逸脱").click()
    await expect(page.get_by_role("heading", name="C-01 のロットを保留にする")).to_be_visible()
    await page.get_by_role("button", name="C-01 のロットをすべて保留にする").click()
    await expect(page.locator(".flash-ok")).to_contain_text("1 ロットを保留にしました")
    await page.fill("#decision", "扉の閉め忘れ。牛乳を確認し問題なし")
    await page.get_by_role("button", name="確認を記録する").click()
    await expect(page.locator("#review")).to_contain_text("扉の閉め忘れ")
    await screenshot(page, "temperature-review")

    held = await client.get(f"/api/lots/{lot}", headers=wh.warehouse.headers)
    assert held.json()["status"] == "on_hold"
    await page.goto(live_server.url("/"))
    await expect(page.locator("#temperature-alerts")).not_to_contain_text("12.5")
