"""The temperature pages: a volunteer types a reading and is told at once whether it is in range; the
coordinator sees the alert on the home page, reviews the reading and holds the location's lots; limits."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from tests.conftest import Actors
from tests.integration.pages.conftest import Browser
from tests.integration.stock.conftest import TODAY, Warehouse


async def test_a_volunteer_types_readings_and_is_told_at_once(browser: Browser, wh: Warehouse) -> None:
    await browser.sign_in(wh.warehouse)
    page = await browser.get("/warehouse/temperatures")
    assert page.status_code == 200
    assert "C-01" in page.text and "10.0" in page.text
    done = await browser.follow(
        await browser.post(
            "/warehouse/temperatures", {"location_id": wh.chilled, "min_celsius": "3", "max_celsius": "7.5"}
        )
    )
    assert "flash-ok" in done.text and "7.5" in done.text
    warm = await browser.follow(
        await browser.post(
            "/warehouse/temperatures", {"location_id": wh.chilled, "min_celsius": "3", "max_celsius": "12"}
        )
    )
    assert "flash-warning" in warm.text and "todays-readings" in warm.text
    wrong = await browser.post(
        "/warehouse/temperatures", {"location_id": wh.chilled, "min_celsius": "8", "max_celsius": "4,5"}
    )
    assert wrong.status_code == 422
    assert 'id="max_celsius-error"' in wrong.text
    upside_down = await browser.post(
        "/warehouse/temperatures", {"location_id": wh.chilled, "min_celsius": "8", "max_celsius": "4"}
    )
    assert upside_down.status_code == 422 and 'id="min_celsius-error"' in upside_down.text


async def test_the_coordinator_reviews_and_holds_from_the_home_page(
    client: AsyncClient, app: object, wh: Warehouse
) -> None:
    lot = await wh.lot(client, wh.milk, 4, (TODAY + timedelta(days=3)).isoformat(), location_id=wh.chilled)
    response = await client.post(
        "/api/temperature-readings",
        json={"location_id": wh.chilled, "min_celsius": "5", "max_celsius": "13.5"},
        headers=wh.warehouse.headers,
    )
    reading = response.json()["id"]
    browser = Browser(client)
    await browser.sign_in(wh.coordinator)
    home = await browser.get("/")
    assert 'id="temperature-alerts"' in home.text and f"/coordinator/temperatures/{reading}" in home.text
    held = await browser.follow(await browser.post(f"/coordinator/temperatures/{reading}/hold", {}))
    assert "flash-ok" in held.text
    release = await browser.post(f"/warehouse/lots/{lot}/release", {})
    assert release.status_code == 409
    reviewed = await browser.follow(
        await browser.post(f"/coordinator/temperatures/{reading}/review", {"decision": "扉の閉め忘れ。牛乳は廃棄"})
    )
    assert "扉の閉め忘れ" in reviewed.text
    assert (await browser.post(f"/warehouse/lots/{lot}/release", {})).status_code == 303
    overview = await browser.get("/coordinator/temperatures")
    assert "/api/temperature-record.pdf" in overview.text
    limit = await browser.follow(
        await browser.post(
            "/coordinator/temperatures/limits/frozen", {"max_celsius": "-18", "daily_reading_required": "true"}
        )
    )
    assert "-18.0" in limit.text


async def test_volunteers_do_not_see_the_coordinator_pages(browser: Browser, wh: Warehouse, actors: Actors) -> None:
    await browser.sign_in(wh.warehouse)
    assert (await browser.get("/coordinator/temperatures")).status_code == 403
