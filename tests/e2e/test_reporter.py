"""A reporter on a phone: the home page shows this fiscal year's figures so far and leads to this year's
report with its charts, and to last year's report."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient
from playwright.async_api import Page, expect

from foodbank.lib.clock import today
from foodbank.models import Role
from foodbank.reports import rules
from tests.conftest import Actors
from tests.e2e.conftest import LiveServer, assert_work_first, screenshot, sign_in
from tests.integration.stock.conftest import Warehouse


async def test_a_reporter_sees_this_years_figures_and_reaches_the_charts_and_last_years_report(
    page: Page, live_server: LiveServer, client: AsyncClient, actors: Actors, wh: Warehouse
) -> None:
    received = await wh.receive(
        client,
        [
            {
                "item_id": wh.canned,
                "quantity": 12,
                "expiry": (today() + timedelta(days=400)).isoformat(),
                "location_id": wh.ambient,
            }
        ],
    )
    assert received.status_code == 201, received.text
    current = rules.fiscal_year_of(today(), 4)
    this_year, last_year = rules.japanese_year_label(current), rules.japanese_year_label(current - 1)

    await sign_in(page, live_server, await actors.make(Role.reporter))
    figures = page.locator("#year-so-far")
    await expect(figures.get_by_role("heading")).to_contain_text(f"今年度これまで: {this_year}")
    received_kg = figures.locator(".key-figures > div", has_text="食品の受入: 寄贈者から")
    await expect(received_kg.locator("dd")).not_to_have_text("0.000")
    await assert_work_first(page, work="#year-so-far .buttons a")
    await screenshot(page, "70-reporter-home")

    await figures.get_by_role("link", name="今年度の報告とグラフ").click()
    await expect(page.locator("h1")).to_contain_text(this_year)
    await expect(page.locator("h1 + .year-form, .year-form")).to_be_visible()
    charts = page.locator("#charts figure.chart svg")
    await expect(charts).to_have_count(2)
    for index in range(2):
        chart = charts.nth(index)
        await chart.scroll_into_view_if_needed()
        await expect(chart).to_be_visible()
        box = await chart.bounding_box()
        assert box is not None and box["width"] >= 300 and 120 <= box["height"] <= 600, box
    # This month's bar of kg received stands: the donation above, drawn from the same summary as the PDF.
    bar = page.locator("#charts svg").first.locator(
        "rect", has=page.locator("title", has_text=f"{today().month}月 受入")
    )
    assert float(await bar.get_attribute("height") or 0) > 0
    await page.locator("#charts").scroll_into_view_if_needed()
    await screenshot(page, "71-annual-report-charts")

    await page.go_back()
    await page.locator("#year-so-far").get_by_role("link", name=f"昨年度の報告: {last_year}", exact=False).click()
    await expect(page.locator("h1")).to_contain_text(last_year)
    await expect(page.locator("#key-figures")).to_be_visible()
    await expect(page.locator("#charts figure.chart svg")).to_have_count(2)
    await screenshot(page, "72-annual-report-last-year")
