"""The receive page through HTTP, as a browser without JavaScript sends it (and as receive.js asks it):
an unknown barcode registered in place, dates checked by the service's rules as typed and at save,
lines corrected in place, nothing half-written, and the receipt page after saving."""

from __future__ import annotations

import re
from datetime import timedelta

from httpx import AsyncClient

from foodbank.models import Role
from tests.conftest import Actors
from tests.dates import TODAY, days, month
from tests.integration.pages.conftest import Browser
from tests.integration.stock.conftest import Warehouse

UNKNOWN = "4901234567887"


def header(wh: Warehouse, **extra: object) -> dict[str, object]:
    return {"donor_id": wh.donor, "location_id": wh.ambient, "received_date": TODAY.isoformat(), **extra}


def line(index: int, item: int, expiry: str, quantity: int, location: int, **extra: object) -> dict[str, object]:
    fields = {"item_id": item, "expiry": expiry, "quantity": quantity, "location_id": location, **extra}
    return {f"lines-{index}-{name}": value for name, value in fields.items()}


async def lots(client: AsyncClient, wh: Warehouse) -> list[dict[str, object]]:
    response = await client.get("/api/lots", headers=wh.warehouse.headers)
    assert response.status_code == 200
    result: list[dict[str, object]] = response.json()
    return result


async def test_an_unknown_barcode_is_registered_in_place_and_the_line_goes_on(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    await browser.sign_in(wh.warehouse)
    kept = line(0, wh.canned, month(14), 5, wh.ambient)
    entry = {"new-barcode": UNKNOWN, "new-date": month(12), "new-quantity": "7"}
    unknown = await browser.post("/warehouse/receive", {**header(wh), **kept, **entry, "action": "add"})
    assert unknown.status_code == 422
    assert f"バーコード {UNKNOWN} の品目はまだありません。下で登録してください。" in unknown.text
    assert 'id="register"' in unknown.text and 'id="register" hidden' not in unknown.text
    assert f'name="lines-0-item_id" value="{wh.canned}"' in unknown.text  # nothing typed is lost
    assert 'name="new-quantity" type="text" value="7"' in unknown.text

    item = {
        "item-name_ja": "ツナ缶",
        "item-category_id": "",
        "item-unit": "can",
        "item-unit_weight_kg": "0.07",
        "item-zone": "ambient",
        "item-date_kind": "best_before",
    }
    incomplete = await browser.post(
        "/warehouse/receive", {**header(wh), **kept, **entry, **item, "action": "register-item"}
    )
    assert incomplete.status_code == 422 and "分類を選んでください。" in incomplete.text
    assert 'value="ツナ缶"' in incomplete.text and 'value="0.07"' in incomplete.text
    lookup = await client.get(f"/api/items/by-barcode/{UNKNOWN}", headers=wh.warehouse.headers)
    assert lookup.status_code == 404, "nothing was registered"

    categories = (await client.get("/api/categories", headers=wh.warehouse.headers)).json()
    staples = next(c["id"] for c in categories if c["code"] == "staples")
    item["item-category_id"] = str(staples)
    fields = {**header(wh), **kept, **entry, **item, "action": "register-item"}
    registered = await browser.client.post(
        "/warehouse/receive",
        data={"_csrf": browser.csrf, **{k: str(v) for k, v in fields.items()}, "item-allergens": ["wheat", "soybean"]},
    )
    assert registered.status_code == 200, registered.text
    found = await client.get(f"/api/items/by-barcode/{UNKNOWN}", headers=wh.warehouse.headers)
    assert found.status_code == 200
    tuna = found.json()
    assert tuna["name_ja"] == "ツナ缶" and tuna["unit"] == "can" and tuna["allergens"] == ["soybean", "wheat"]
    # The line goes on: the new item with the date and quantity typed before registering it.
    assert f'name="lines-1-item_id" value="{tuna["id"]}"' in registered.text
    assert f'name="lines-1-expiry" value="{month(12)}"' in registered.text
    assert 'name="lines-1-quantity" value="7"' in registered.text
    assert f'name="lines-0-item_id" value="{wh.canned}"' in registered.text


async def test_a_label_that_cannot_be_read_registers_an_item_with_unknown_allergens(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    await browser.sign_in(wh.warehouse)
    categories = (await client.get("/api/categories", headers=wh.warehouse.headers)).json()
    registered = await browser.post(
        "/warehouse/receive",
        {
            **header(wh),
            "new-barcode": UNKNOWN,
            "new-date": month(10),
            "new-quantity": "2",
            "item-name_ja": "外国のクッキー",
            "item-category_id": categories[0]["id"],
            "item-unit": "box",
            "item-unit_weight_kg": "0.3",
            "item-zone": "ambient",
            "item-date_kind": "best_before",
            "item-label_unreadable": "1",
            "action": "register-item",
        },
    )
    assert registered.status_code == 200, registered.text
    item = (await client.get(f"/api/items/by-barcode/{UNKNOWN}", headers=wh.warehouse.headers)).json()
    assert item["allergens_known"] is False and item["allergens"] == []


async def test_only_roles_that_may_register_items_reach_the_page(browser: Browser, actors: Actors) -> None:
    await browser.sign_in(await actors.make(Role.reporter))
    refused = await browser.post("/warehouse/receive", {"new-barcode": UNKNOWN, "action": "register-item"})
    assert refused.status_code == 403


async def test_dates_are_checked_as_typed_by_the_services_rules(browser: Browser, wh: Warehouse) -> None:
    await browser.sign_in(wh.warehouse)

    async def check(**params: object) -> dict[str, object]:
        response = await browser.get("/warehouse/receive/check", params={"received_date": TODAY.isoformat(), **params})
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
        answer: dict[str, object] = response.json()
        return answer

    impossible = await check(item_id=wh.canned, typed="2027-13-45")
    assert impossible["date"] == {"level": "refuse", "message": "13 月はありません。"}
    past = await check(item_id=wh.canned, typed=(TODAY - timedelta(days=700)).strftime("%Y%m%d"))
    assert past["date"]["level"] == "refuse"  # type: ignore[index]
    assert "賞味期限" in past["date"]["message"] and "過ぎています" in past["date"]["message"]  # type: ignore[index]
    use_by = await check(item_id=wh.milk, typed=days(-1))
    assert use_by["date"]["level"] == "refuse"  # type: ignore[index]
    short = await check(item_id=wh.canned, typed=days(10))
    assert short["date"]["level"] == "warn"  # type: ignore[index]
    far = await check(item_id=wh.canned, typed=str(TODAY.year + 7))
    assert far["date"]["level"] == "refuse"  # type: ignore[index]  # not a date at all
    far = await check(item_id=wh.canned, typed=f"{TODAY.year + 7}-01")
    assert far["date"]["level"] == "ask" and far["value"] == f"{TODAY.year + 7}-01"  # type: ignore[index]
    fine = await check(item_id=wh.canned, typed=month(14).replace("-", ""))
    assert fine == {"received_date": None, "date": None, "value": month(14)}
    old = await check(received_date="2020-04-01")
    assert old["received_date"]["level"] == "ask"  # type: ignore[index]
    assert "この日付で正しいですか" in old["received_date"]["message"]  # type: ignore[index]
    ahead = await check(received_date=days(1))
    assert ahead["received_date"]["level"] == "refuse"  # type: ignore[index]
    english = await browser.get(
        "/warehouse/receive/check",
        params={"received_date": "2020-04-01"},
        headers={"Accept-Language": "en", "Accept": "application/json"},
    )
    assert english.json()["received_date"]["message"].startswith("Received on 2020-04-01")


async def test_a_refused_entry_date_is_said_at_once_and_an_odd_one_is_asked_once(
    browser: Browser, wh: Warehouse
) -> None:
    await browser.sign_in(wh.warehouse)
    past = (TODAY - timedelta(days=700)).isoformat()
    refused = await browser.post(
        "/warehouse/receive",
        {**header(wh), "new-barcode": "4901234567894", "new-date": past, "new-quantity": "3", "action": "add"},
    )
    assert refused.status_code == 422 and "もう配布できません" in refused.text
    assert 'name="lines-0-item_id"' not in refused.text

    far = f"{TODAY.year + 7}-01"
    entry = {"new-barcode": "4901234567894", "new-date": far, "new-quantity": "3", "action": "add"}
    asked = await browser.post("/warehouse/receive", {**header(wh), **entry})
    assert asked.status_code == 422 and "この日付で正しいですか" in asked.text
    assert 'id="new-date-confirm" hidden' not in asked.text and 'name="lines-0-item_id"' not in asked.text
    confirmed = await browser.post("/warehouse/receive", {**header(wh), **entry, "new-date_confirmed": "1"})
    assert confirmed.status_code == 200, confirmed.text
    assert 'name="lines-0-date_confirmed" value="1" checked' in confirmed.text


async def test_saving_asks_about_an_old_received_date_once_and_refuses_past_dates(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    await browser.sign_in(wh.warehouse)
    lines = {**line(0, wh.canned, month(14), 4, wh.ambient), **line(1, wh.noodles, month(15), 6, wh.ambient_b)}
    old = header(wh, received_date=days(-10))
    asked = await browser.post("/warehouse/receive", {**old, **lines, "action": "save"})
    assert asked.status_code == 422
    assert (
        f"受入日 {days(-10)} は 10 日前です。この日付で正しいですか。" in asked.text
        and 'id="received_date-confirm" hidden' not in asked.text
    )
    assert await lots(client, wh) == []

    lines.update(line(1, wh.noodles, (TODAY - timedelta(days=700)).isoformat(), 6, wh.ambient_b))
    refused = await browser.post("/warehouse/receive", {**header(wh), **lines, "action": "save"})
    assert refused.status_code == 422 and "もう配布できません" in refused.text
    # The error is next to its line and listed at the top with a link to the field.
    assert 'id="lines-1-expiry-error"' in refused.text and 'href="#lines-1-date"' in refused.text
    assert 'role="alert"' in refused.text
    assert await lots(client, wh) == [], "nothing of a refused receipt is written"

    # Corrected in place: the same line, another date; the old received date confirmed.
    lines["lines-1-expiry"] = month(15)
    saved = await browser.post("/warehouse/receive", {**old, "received_date_confirmed": "1", **lines, "action": "save"})
    assert saved.status_code == 303, saved.text
    received = await lots(client, wh)
    assert {(lot["item_id"], lot["on_hand"], lot["received_date"]) for lot in received} == {
        (wh.canned, 4, days(-10)),
        (wh.noodles, 6, days(-10)),
    }


async def test_a_refusal_the_service_finds_leaves_no_receipt_and_points_at_its_line(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    await browser.sign_in(wh.warehouse)
    lines = {**line(0, wh.canned, month(14), 4, wh.ambient), **line(3, wh.milk, days(3), 2, wh.ambient)}
    refused = await browser.post("/warehouse/receive", {**header(wh), **lines, "action": "save"})
    assert refused.status_code == 422
    assert 'id="lines-3-location_id-error"' in refused.text and 'href="#lines-3-location_id"' in refused.text
    assert "2 行目" in refused.text  # named by its place on the page, not its index
    assert await lots(client, wh) == []
    assert (await browser.get("/warehouse/receipts/1")).status_code == 404, "no receipt row either"


async def test_the_receipt_page_links_its_donor_receipt_and_lots(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    await browser.sign_in(wh.warehouse)
    saved = await browser.post(
        "/warehouse/receive", {**header(wh), **line(0, wh.canned, month(14), 24, wh.ambient), "action": "save"}
    )
    assert saved.status_code == 303
    location = saved.headers["location"]
    assert location.startswith("/warehouse/receipts/") and location.endswith("?saved=1")
    page = await browser.follow(saved)
    receipt_id = location.split("/")[-1].split("?")[0]
    assert 'data-saved-receipt="' in page.text  # the page's script drops the draft
    (lot,) = await lots(client, wh)
    assert f'href="/warehouse/lots/{lot["id"]}"' in page.text and "24 個" in page.text
    pdf = await browser.get(f"/api/receipts/{receipt_id}/donor-receipt.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    again = await browser.get(f"/warehouse/receipts/{receipt_id}")
    assert "data-saved-receipt" not in again.text
    missing = await browser.get("/warehouse/receipts/999999")
    assert missing.status_code == 404


async def test_an_expired_sign_in_sends_to_sign_in_and_back_to_the_form(
    browser: Browser, wh: Warehouse, client: AsyncClient
) -> None:
    await browser.sign_in(wh.warehouse)
    browser.client.cookies.clear()
    lost = await browser.post("/warehouse/receive", {**header(wh), **line(0, wh.canned, month(14), 2, wh.ambient)})
    assert lost.status_code in (302, 303) and lost.headers["location"] == "/sign-in?next=%2Fwarehouse%2Freceive"
    assert await lots(client, wh) == []
    checking = await browser.get("/warehouse/receive/check", params={"received_date": TODAY.isoformat()})
    assert checking.status_code in (302, 303)  # receive.js reads this as "sign in again"


async def test_a_double_tap_on_save_makes_one_receipt(browser: Browser, wh: Warehouse, client: AsyncClient) -> None:
    await browser.sign_in(wh.warehouse)
    form = await browser.get("/warehouse/receive")
    (key,) = re.findall(r'name="_once" value="([A-Za-z0-9_-]+)"', form.text)
    fields = {**header(wh), **line(0, wh.canned, month(14), 24, wh.ambient), "action": "save", "_once": key}
    first = await browser.post("/warehouse/receive", fields)
    again = await browser.post("/warehouse/receive", fields)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert len(await lots(client, wh)) == 1
    followed = await browser.follow(again)
    assert "保存済みです" in followed.text

    # Adding a line is no save: the key stays usable for the form it belongs to.
    fresh = re.findall(r'name="_once" value="([A-Za-z0-9_-]+)"', (await browser.get("/warehouse/receive")).text)[0]
    entry = {"new-barcode": "4901234567894", "new-date": month(14), "new-quantity": "2", "action": "add"}
    added = await browser.post("/warehouse/receive", {**header(wh), **entry, "_once": fresh})
    assert added.status_code == 200
    saved = await browser.post(
        "/warehouse/receive", {**header(wh), **line(0, wh.canned, month(14), 2, wh.ambient), "_once": fresh}
    )
    assert saved.status_code == 303 and saved.headers["location"] != first.headers["location"]
    assert len(await lots(client, wh)) == 2
