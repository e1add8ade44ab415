"""Warehouse pages through HTTP: receiving (with and without JavaScript), the stock list, a lot's
hold, release and disposal, expired lots (picking: test_stock_and_picking_pages.py). The same services as
the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from httpx import AsyncClient
from litestar import Litestar

from tests.conftest import client_for
from tests.dates import month, month_end, month_start
from tests.integration.pages.conftest import Browser
from tests.integration.stock.conftest import TODAY, Warehouse, days


def set_today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """The pages' idea of today (the API's receipts in these tests give their own dates)."""
    for module in (
        "foodbank.pages.receive",
        "foodbank.pages.stock_pages",
        "foodbank.pages.layout",
        "foodbank.pages.home",
    ):
        monkeypatch.setattr(f"{module}.today", lambda: day)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    set_today(monkeypatch, TODAY)


def header(wh: Warehouse, **extra: object) -> dict[str, object]:
    return {"donor_id": wh.donor, "location_id": wh.ambient, "received_date": TODAY.isoformat(), **extra}


async def test_receiving_two_lines_redirects_with_a_message_and_the_lots_are_in_stock(
    browser: Browser, wh: Warehouse
) -> None:
    await browser.sign_in(wh.warehouse)
    form = await browser.get("/warehouse/receive")
    assert form.status_code == 200 and 'id="new-barcode"' in form.text and "受入を登録" in form.text
    saved = await browser.post(
        "/warehouse/receive",
        {
            **header(wh),
            "lines-0-barcode": "4901234567894",
            "lines-0-expiry": month(14).replace("-", ""),  # typed without the dash
            "lines-0-quantity": "24",
            "lines-0-location_id": wh.ambient,
            "lines-1-item_id": wh.noodles,
            "lines-1-expiry": month_end(16).isoformat(),
            "lines-1-quantity": "12",
            "lines-1-location_id": wh.ambient_b,
            "action": "save",
        },
    )
    receipt_id = int(saved.headers["location"].split("/")[-1].split("?")[0])
    page = await browser.follow(saved)
    assert "を登録しました: 2 行、36 個。" in page.text
    assert "fb_flash=" in page.headers.get("set-cookie", "")  # shown once, then cleared
    # The receipt as saved: its donor receipt, its lots, and the next receipt with the same donor.
    assert f'href="/api/receipts/{receipt_id}/donor-receipt.pdf"' in page.text
    lots = (await browser.client.get("/api/lots", headers=wh.warehouse.headers)).json()
    assert len(lots) == 2 and all(f'href="/warehouse/lots/{lot["id"]}"' in page.text for lot in lots)
    assert f'href="/warehouse/receive?donor_id={wh.donor}"' in page.text
    following = await browser.get(f"/warehouse/receive?donor_id={wh.donor}")
    assert f'<option value="{wh.donor}" selected>' in following.text  # the next receipt starts with the same donor

    stock = await browser.get("/warehouse/stock", params={"zone": "ambient"})
    assert "さば缶" in stock.text and month(14) in stock.text and "カップ麺" in stock.text
    assert "2 ロット" in stock.text


async def test_without_javascript_add_line_brings_the_page_back_with_the_line(browser: Browser, wh: Warehouse) -> None:
    await browser.sign_in(wh.warehouse)
    added = await browser.post(
        "/warehouse/receive",
        {**header(wh), "new-barcode": "4901234567894", "new-date": month(14), "new-quantity": "5", "action": "add"},
    )
    assert added.status_code == 200, added.text
    assert f'name="lines-0-item_id" value="{wh.canned}"' in added.text
    assert f'name="lines-0-expiry" value="{month(14)}"' in added.text
    assert 'id="new-barcode" name="new-barcode" type="text" value=""' in added.text

    by_name = await browser.post(
        "/warehouse/receive",
        {
            **header(wh),
            "lines-0-item_id": wh.canned,
            "lines-0-expiry": month(14),
            "lines-0-quantity": "5",
            "lines-0-location_id": wh.ambient,
            "new-item_query": "カップ",
            "new-date": f"{month_start(16):%Y%m%d}",
            "new-quantity": "3",
            "action": "add",
        },
    )
    assert f'name="lines-1-item_id" value="{wh.noodles}"' in by_name.text
    assert f'name="lines-1-expiry" value="{month_start(16).isoformat()}"' in by_name.text

    unknown = await browser.post(
        "/warehouse/receive", {**header(wh), "new-barcode": "4901234567887", "new-quantity": "1", "action": "add"}
    )
    assert unknown.status_code == 422
    assert "バーコード 4901234567887 の品目はまだありません。下で登録してください。" in unknown.text
    assert 'value="4901234567887"' in unknown.text


async def test_the_receiving_page_reads_barcodes_typed_with_full_width_hyphens(browser: Browser, wh: Warehouse) -> None:
    await browser.sign_in(wh.warehouse)
    entry = {"new-barcode": "４９０１－２３４５６７－８９４", "new-date": month(14), "new-quantity": "5"}
    added = await browser.post("/warehouse/receive", {**header(wh), **entry, "action": "add"})
    assert added.status_code == 200, added.text
    assert f'name="lines-0-item_id" value="{wh.canned}"' in added.text
    # A line posted with its barcode (the page's script keeps what was scanned) is read the same way.
    saved = await browser.post(
        "/warehouse/receive",
        {
            **header(wh),
            "lines-0-barcode": "４９０１ー２３４５６７ー８９４",
            "lines-0-expiry": month(14),
            "lines-0-quantity": "2",
            "lines-0-location_id": wh.ambient,
            "action": "save",
        },
    )
    assert saved.status_code in (302, 303), saved.text
    stock = await browser.get("/warehouse/stock", params={"zone": "ambient"})
    assert "さば缶" in stock.text and month(14) in stock.text


async def test_a_refused_receipt_keeps_what_was_typed_and_says_why_per_line(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    await browser.sign_in(wh.warehouse)
    lines = {
        "lines-0-item_id": wh.canned,
        "lines-0-expiry": "2028-13",
        "lines-0-quantity": "4",
        "lines-0-location_id": wh.ambient,
        "lines-1-item_id": wh.milk,
        "lines-1-expiry": days(-1),
        "lines-1-quantity": "2",
        "lines-1-location_id": wh.chilled,
        "lines-2-item_id": wh.noodles,
        "lines-2-expiry": month(15),
        "lines-2-quantity": "",
        "lines-2-location_id": wh.ambient,
    }
    refused = await browser.post("/warehouse/receive", {**header(wh), **lines, "action": "save"})
    assert refused.status_code == 422
    assert "13 月はありません。" in refused.text
    assert "数量を入力してください。" in refused.text
    assert 'name="lines-0-expiry" value="2028-13"' in refused.text

    # Rules only the service knows come back per line, translated.
    lines["lines-0-expiry"] = month(25)
    lines["lines-2-quantity"] = "6"
    refused = await browser.post("/warehouse/receive", {**header(wh), **lines, "action": "save"})
    assert refused.status_code == 422
    assert f"消費期限 {days(-1)} が過ぎています。この食品は受け入れられません。" in refused.text
    english = await browser.post(
        "/warehouse/receive", {**header(wh), **lines, "action": "save"}, headers={"Accept-Language": "en"}
    )
    assert f"The use-by date {days(-1)} has passed: this food must not be accepted." in english.text
    assert (await client.get("/api/lots", headers=wh.warehouse.headers)).json() == []  # nothing was saved

    empty = await browser.post("/warehouse/receive", {**header(wh), "action": "save"})
    assert "登録する前に1行以上追加してください。" in empty.text


async def test_the_stock_list_filters_and_says_what_is_wrong_with_a_filter(browser: Browser, wh: Warehouse) -> None:
    await browser.sign_in(wh.warehouse)
    await wh.lot(browser.client, wh.canned, 10, days(5))
    await wh.lot(browser.client, wh.noodles, 10, days(90))
    soon = await browser.get("/warehouse/stock", params={"expiring_within_days": "14"})
    assert "さば缶" in soon.text and "カップ麺" not in soon.text
    bad = await browser.get("/warehouse/stock", params={"expiring_within_days": "soon"})
    assert bad.status_code == 422 and "0 から 3650 までの日数を入力してください。" in bad.text
    assert 'value="soon"' in bad.text


async def test_hold_release_and_dispose_a_lot(browser: Browser, wh: Warehouse, app: Litestar) -> None:
    await browser.sign_in(wh.warehouse)
    lot = await wh.lot(browser.client, wh.canned, 10, days(60))
    page = await browser.get(f"/warehouse/lots/{lot}")
    assert "受入" in page.text and "保留・リコール" in page.text
    assert f"/warehouse/lots/{lot}/release" not in page.text

    missing_reason = await browser.post(f"/warehouse/lots/{lot}/hold", {"status": "on_hold"})
    assert missing_reason.status_code == 422 and "理由を入力してください" in missing_reason.text
    held = await browser.follow(
        await browser.post(f"/warehouse/lots/{lot}/hold", {"status": "on_hold", "reason": "箱つぶれ"})
    )
    assert f"ロット {lot} を保留にしました" in held.text and "保留中" in held.text
    assert f"/warehouse/lots/{lot}/release" not in held.text  # volunteers cannot release

    too_many = await browser.post(f"/warehouse/lots/{lot}/dispose", {"quantity": "11", "reason": "damaged"})
    assert too_many.status_code == 409
    assert f"ロット {lot} で廃棄できるのは 10 個だけです" in too_many.text
    disposed = await browser.follow(
        await browser.post(f"/warehouse/lots/{lot}/dispose", {"quantity": "3", "reason": "damaged"})
    )
    assert f"ロット {lot} を 3 個廃棄しました。" in disposed.text and "破損" in disposed.text

    async with client_for(app) as other:
        coordinator = Browser(other)
        await coordinator.sign_in(wh.coordinator)
        released = await coordinator.follow(await coordinator.post(f"/warehouse/lots/{lot}/release", {}))
        assert f"ロット {lot} の保留を解除しました" in released.text
        again = await coordinator.post(f"/warehouse/lots/{lot}/release", {})
        assert again.status_code == 409 and "このロットは保留中ではありません。" in again.text


async def test_expired_lots_are_disposed_of_after_confirming(
    browser: Browser, wh: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    await browser.sign_in(wh.warehouse)
    lot = await wh.lot(browser.client, wh.canned, 4, days(40))
    set_today(monkeypatch, TODAY + timedelta(days=41))
    page = await browser.get("/warehouse/expired")
    assert f"/warehouse/lots/{lot}" in page.text
    unconfirmed = await browser.post("/warehouse/expired", {})
    assert unconfirmed.status_code == 422 and "チェックを入れて確認してください。" in unconfirmed.text
    done = await browser.follow(await browser.post("/warehouse/expired", {"confirm": "true"}))
    assert "期限切れとして 1 ロットを廃棄しました（4 個）。" in done.text
    assert "期限切れのロットはありません。" in done.text


async def test_adding_a_line_before_choosing_the_location_says_so(browser: Browser, wh: Warehouse) -> None:
    await browser.sign_in(wh.warehouse)
    added = await browser.post(
        "/warehouse/receive",
        {
            **header(wh, location_id=""),
            "new-barcode": "4901234567894",
            "new-date": month(14),
            "new-quantity": "5",
            "action": "add",
        },
    )
    assert added.status_code == 422 and "保管場所を選んでください。" in added.text
    assert 'name="lines-0-item_id"' not in added.text and 'value="4901234567894"' in added.text
