"""The stocktake pages through HTTP: open a count, count blind (a barcode with two lots asks which one,
a lot label finds its lot), review with reason codes, approve; abandon needs a tick."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from tests.dates import month
from tests.integration.pages.conftest import Browser
from tests.integration.pages.test_warehouse_pages import set_today
from tests.integration.stock.conftest import TODAY, Warehouse


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    set_today(monkeypatch, TODAY)


async def on_hand(client: AsyncClient, wh: Warehouse, lot: int) -> int:
    response = await client.get(f"/api/lots/{lot}", headers={**wh.warehouse.headers, "Accept": "application/json"})
    return int(response.json()["on_hand"])


async def test_open_count_blind_review_and_approve(browser: Browser, wh: Warehouse, client: AsyncClient) -> None:
    early = await wh.lot(client, wh.canned, 12, month(3))
    late = await wh.lot(client, wh.canned, 7, month(9))
    noodles = await wh.lot(client, wh.noodles, 5, month(6), location_id=wh.ambient_b)
    await browser.sign_in(wh.warehouse)
    listed = await browser.get("/warehouse/stocktakes")
    assert listed.status_code == 200 and "棚卸" in listed.text
    warehouse_id = re.search(r'<option value="(\d+)" selected>', listed.text)
    assert warehouse_id is not None
    opened = await browser.post("/warehouse/stocktakes", {"warehouse_id": warehouse_id[1], "zone": "ambient"})
    page = await browser.follow(opened)
    stocktake = int(re.search(r"/warehouse/stocktakes/(\d+)/count", page.text)[1])  # type: ignore[index]
    # Blind: the counting page never says how many there should be.
    assert "12" not in re.sub(r"<[^>]+>", " ", page.text.split("<main", 1)[1]).split()

    asked = await browser.post(
        f"/warehouse/stocktakes/{stocktake}/count", {"location_id": wh.ambient, "code": "4901234567894", "counted": 11}
    )
    assert asked.status_code == 422 and 'id="lot-choices"' in asked.text
    assert f'value="{early}"' in asked.text and f'value="{late}"' in asked.text
    chosen = await browser.post(
        f"/warehouse/stocktakes/{stocktake}/count", {"location_id": wh.ambient, "lot_id": early, "counted": 11}
    )
    assert "11" in (await browser.follow(chosen)).text
    for lot, location, units in ((late, wh.ambient, 7), (noodles, wh.ambient_b, 5)):
        done = await browser.post(
            f"/warehouse/stocktakes/{stocktake}/count", {"location_id": location, "code": f"L-{lot}", "counted": units}
        )
        assert done.status_code == 303, done.text
    unknown = await browser.post(
        f"/warehouse/stocktakes/{stocktake}/count", {"location_id": wh.ambient, "code": "L-999", "counted": 1}
    )
    assert unknown.status_code == 422

    review = await browser.get(f"/warehouse/stocktakes/{stocktake}/review")
    assert review.status_code == 200
    row = review.text.split(f'id="review-lot-{early}"', 1)[1].split("</li>", 1)[0]
    assert '<b class="expected">12</b>' in row and '<b class="difference">-1</b>' in row
    index = re.search(rf'name="lines-(\d+)-lot_id" value="{early}"', review.text)
    assert index is not None
    refused = await browser.post(
        f"/warehouse/stocktakes/{stocktake}/review", {f"lines-{index[1]}-lot_id": early, "then": "approve"}
    )
    assert refused.status_code == 422 and "理由" in refused.text
    approved = await browser.post(
        f"/warehouse/stocktakes/{stocktake}/review",
        {f"lines-{index[1]}-lot_id": early, f"lines-{index[1]}-reason": "damaged", "then": "approve"},
    )
    assert approved.status_code == 303, approved.text
    assert "承認" in (await browser.follow(approved)).text
    assert await on_hand(client, wh, early) == 11 and await on_hand(client, wh, late) == 7


async def test_abandoning_needs_a_tick_and_changes_nothing(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    lot = await wh.lot(client, wh.canned, 4, month(3))
    await browser.sign_in(wh.coordinator)
    listed = await browser.get("/warehouse/stocktakes")
    warehouse_id = re.search(r'<option value="(\d+)" selected>', listed.text)
    assert warehouse_id is not None
    page = await browser.follow(await browser.post("/warehouse/stocktakes", {"warehouse_id": warehouse_id[1]}))
    stocktake = int(re.search(r"/warehouse/stocktakes/(\d+)/count", page.text)[1])  # type: ignore[index]
    await browser.post(
        f"/warehouse/stocktakes/{stocktake}/count", {"location_id": wh.ambient, "code": f"L-{lot}", "counted": 0}
    )
    assert (await browser.post(f"/warehouse/stocktakes/{stocktake}/abandon", {})).status_code == 422
    done = await browser.post(f"/warehouse/stocktakes/{stocktake}/abandon", {"confirm": "true"})
    assert done.status_code == 303
    assert await on_hand(client, wh, lot) == 4
