"""Every main page in a real browser at phone and laptop width: rendered without JavaScript errors,
nothing wider than the screen, and captured to FOODBANK_SCREENSHOTS for a person to look at."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from playwright.async_api import Page, expect

from foodbank.lib.clock import today
from foodbank.models import Role
from tests.conftest import Actors
from tests.e2e.conftest import LiveServer, screenshot, sign_in
from tests.integration.households.test_households_and_referrals import register
from tests.integration.stock.conftest import Warehouse


async def stock_a_warehouse(client: AsyncClient, wh: Warehouse) -> dict[str, Any]:
    def later(days: int) -> str:
        return (today() + timedelta(days=days)).isoformat()

    lines = [
        {"item_id": wh.canned, "quantity": 24, "expiry": later(10), "location_id": wh.ambient},
        {"item_id": wh.noodles, "quantity": 12, "expiry": later(200)[:7], "location_id": wh.ambient_b},
        {"item_id": wh.milk, "quantity": 6, "expiry": later(3), "location_id": wh.chilled},
        {"item_id": wh.rice, "quantity": 10, "crop_year": today().year - 1, "location_id": wh.ambient},
    ]
    received = await wh.receive(client, lines, received_date=today())
    assert received.status_code == 201, received.text
    # Received five days ago with three days left, past its best-before now: an expired lot to show.
    expired = {"item_id": wh.canned, "quantity": 3, "expiry": later(-2), "location_id": wh.ambient_b}
    old = await wh.receive(client, [expired], received_date=today() - timedelta(days=5))
    assert old.status_code == 201, old.text
    lots = [lot["id"] for lot in received.json()["lots"]]
    held = await client.post(
        "/api/holds",
        json={"lot_id": lots[1], "status": "on_hold", "reason": "外箱がつぶれている"},
        headers=wh.warehouse.headers,
    )
    assert held.status_code == 201, held.text
    reserved = await client.post(
        "/api/reservations",
        json={
            "purpose": "household",
            "purpose_ref": "H-2026-0007",
            "channel": "partner",
            "distribution_date": later(1),
            "lines": [{"item_id": wh.canned, "quantity": 4}, {"item_id": wh.milk, "quantity": 2}],
        },
        headers=wh.warehouse.headers,
    )
    assert reserved.status_code == 201, reserved.text
    return {"lots": lots, "reservation": reserved.json()["id"]}


async def test_screenshots_of_the_main_pages(
    page: Page, live_server: LiveServer, client: AsyncClient, actors: Actors, wh: Warehouse
) -> None:
    seeded = await stock_a_warehouse(client, wh)
    person = await actors.make(Role.coordinator, Role.warehouse, username="sato")
    household = await register(client, person)

    await page.goto(live_server.url("/sign-in"))
    await screenshot(page, "01-sign-in")
    await sign_in(page, live_server, person)
    await expect(page.get_by_role("heading", name="14 日以内に期限")).to_be_visible()
    await screenshot(page, "02-home")

    await page.goto(live_server.url("/warehouse/receive"))
    await page.select_option("#donor_id", str(wh.donor))
    await page.select_option("#location_id", str(wh.ambient))
    await page.locator("#new-barcode").fill("4901234567894")
    await page.locator("#new-barcode").press("Enter")
    await expect(page.locator("#entry-item")).to_have_text("さば缶")
    await page.locator("#new-date").fill((today() + timedelta(days=300)).strftime("%Y%m"))
    await page.locator("#new-date").press("Enter")
    await page.locator("#new-quantity").fill("48")
    await page.locator("#new-quantity").press("Enter")
    await expect(page.locator("#lines li.line")).to_have_count(1)
    await page.locator("#new-barcode").fill("4901234567887")
    await page.locator("#new-barcode").press("Enter")
    await expect(page.locator("#entry-item")).to_have_class("found bad")
    await screenshot(page, "03-receive")

    await page.locator("#lines li.line").first.locator("input[name$='-expiry']").fill("2027-13")
    await page.get_by_role("button", name="受入を登録").click()
    await expect(page.locator("#problems")).to_be_visible()
    await screenshot(page, "04-receive-errors")

    await page.goto(live_server.url("/warehouse/stock"))
    await expect(page.locator("#stock")).to_be_visible()
    await screenshot(page, "05-stock")
    await page.goto(live_server.url("/warehouse/stock?expiring_within_days=14&zone=ambient"))
    await screenshot(page, "06-stock-filtered")

    await page.goto(live_server.url(f"/warehouse/lots/{seeded['lots'][1]}"))
    await expect(page.get_by_role("heading", name="履歴")).to_be_visible()
    await screenshot(page, "07-lot-on-hold")

    await page.goto(live_server.url("/warehouse/expired"))
    await screenshot(page, "08-expired")
    await page.goto(live_server.url("/warehouse/picking"))
    await screenshot(page, "09-picking-lists")
    await page.goto(live_server.url(f"/warehouse/picking/{seeded['reservation']}"))
    await expect(page.get_by_role("button", name="ピッキングを確定")).to_be_visible()
    await screenshot(page, "10-pick")

    await page.goto(live_server.url(f"/households/{household['id']}/identity"))
    await screenshot(page, "11-household-identity")
    await page.goto(live_server.url("/warehouse/lots/999999"))
    await screenshot(page, "12-not-found")

    await page.get_by_role("link", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.goto(live_server.url("/"))
    await screenshot(page, "13-home-english")
    await page.goto(live_server.url(f"/warehouse/lots/{seeded['lots'][0]}"))
    await screenshot(page, "14-lot-english")


async def test_the_api_documentation_draws_under_the_security_policy(page: Page, live_server: LiveServer) -> None:
    """RapiDoc comes from /static and draws the document; the policy refuses nothing (the fixture checks)."""
    await page.goto(live_server.url("/schema"))
    await expect(page.locator("rapi-doc")).to_be_attached()
    await expect(page.get_by_text("/api/receipts").first).to_be_visible(
        timeout=60_000
    )  # RapiDoc draws a large document: slow on a loaded machine
