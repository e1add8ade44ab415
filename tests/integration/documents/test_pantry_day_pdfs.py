"""The pantry day's PDFs: one picking list for every parcel of the day, and a packing page per
household (its code, never its name; what to keep out of its parcel) plus one for the walk-in parcels."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient

from foodbank.lib.clock import today
from tests.dates import TODAY, month
from tests.integration.documents.pdfs import assert_shows, named_household, pages_of
from tests.integration.pantry.conftest import EVENT_DAY, Pantry, community, pantry, wh

__all__ = ["community", "pantry", "wh"]

NAMES = ("山田花子", "佐藤一郎")


async def allocated_day(client: AsyncClient, p: Pantry) -> dict[str, Any]:
    """Two households that registered through the API (one avoiding wheat, one halal) in two slots,
    6 walk-in people (2 parcels of 3), and parcels of canned fish, rice, milk and any staple."""
    wh = p.c.wh
    await wh.lot(client, wh.canned, 40, month(9))
    await wh.lot(client, wh.rice, 10, None, crop_year=TODAY.year, location_id=wh.ambient_b)
    await wh.lot(client, wh.milk, 10, (EVENT_DAY + timedelta(days=20)).isoformat(), location_id=wh.chilled)
    staples = await p.category("staples")
    template = await p.template(
        "3人用セット",
        [
            {"item_id": wh.canned, "quantity": 2},
            {"item_id": wh.rice, "quantity": 1},
            {"item_id": wh.milk, "quantity": 1},
            {"category_id": staples, "quantity": 1},
        ],
    )
    event = await p.event([template], slots=[("10:00", "11:00", 5), ("11:00", "12:00", 5)], walk_in_people=6)
    yamada = await named_household(client, p.coordinator, NAMES[0], children=1, allergens=["wheat"])
    sato = await named_household(client, p.coordinator, NAMES[1], adults=1, halal=True)
    await p.booked(event, yamada["id"])
    await p.booked(event, sato["id"], slot=1)
    allocation = await p.act(event["id"], "allocate")
    assert allocation["complete"] is True, allocation
    return {"event": event, "codes": (yamada["code"], sato["code"])}


async def test_the_day_picking_list_sums_every_parcel_by_zone_and_location(client: AsyncClient, pantry: Pantry) -> None:
    p = pantry
    day = await allocated_day(client, p)
    event_id = day["event"]["id"]
    response = await client.get(f"/api/pantry-events/{event_id}/picking-list.pdf", headers=p.warehouse.headers)
    [text] = pages_of(response)
    # 4 parcels (2 households, 2 walk-in): canned 2 + 1 as the staple each, rice 1, milk 1.
    assert_shows(
        text,
        "ピッキングリスト",
        f"パントリー No. {event_id}",
        "フードパントリー（東金市中央公民館）",
        f"配布日 {EVENT_DAY.isoformat()}",
        "パーセル 4 個分",
        "合計 20 点",
        "常温 Ambient",
        "冷蔵 Chilled",
        "A-01さば缶",
        f"{month(9)} 12 個",
        "A-02米 5kg",
        f"{TODAY.year}年産 4 袋",
        "C-01牛乳",
        (EVENT_DAY + timedelta(days=20)).isoformat() + " 4 個",
        "ピッキング担当",
        "フードバンクさんぶ",
        f"印刷日 {today().isoformat()}",
        "1 / 1",
    )
    assert text.index("常温") < text.index("A-01") < text.index("A-02") < text.index("冷蔵") < text.index("C-01")
    assert not any(name in text for name in NAMES)


async def test_packing_lists_give_a_page_per_household_by_code_and_one_for_walk_ins(
    client: AsyncClient, pantry: Pantry
) -> None:
    p = pantry
    day = await allocated_day(client, p)
    yamada, sato = day["codes"]
    response = await client.get(
        f"/api/pantry-events/{day['event']['id']}/packing-lists.pdf", headers=p.warehouse.headers
    )
    pages = pages_of(response)
    assert len(pages) == 3
    first, second, walk_ins = pages
    assert_shows(
        first,
        "パッキングリスト",
        yamada,
        "10:00–11:00",
        "3 人",
        "3人用セット",
        "入れないもの",
        "小麦なし",
        "さば缶 常温 3 個",
        "米 5kg 常温 1 袋",
        "牛乳 冷蔵 1 個",
        "合計 Total 5 点",
        "詰めた人",
        "1 / 3",
    )
    assert_shows(second, sato, "11:00–12:00", "1 人", "ハラール（豚肉・ゼラチンなし）", "合計 Total 5 点", "2 / 3")
    assert sato not in first and yamada not in second and "小麦なし" not in second
    assert_shows(
        walk_ins,
        "当日来場者用",
        "2 個（3 人世帯 想定）",
        "1 パーセルの中身",
        "さば缶 2",
        "主食（どれでも） 1",
        "さば缶 常温 6 個",
        "米 5kg 常温 2 袋",
        "牛乳 冷蔵 2 個",
        "合計 Total 10 点",
        "3 / 3",
    )
    assert not any(name in page for name in NAMES for page in pages)


async def test_the_lists_wait_for_the_allocation_and_an_unknown_day_is_404(client: AsyncClient, pantry: Pantry) -> None:
    p = pantry
    event = await p.event([await p.template("1人用", [{"item_id": p.c.wh.canned, "quantity": 1}])])
    for document in ("picking-list.pdf", "packing-lists.pdf"):
        response = await client.get(f"/api/pantry-events/{event['id']}/{document}", headers=p.warehouse.headers)
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["type"] == "/problems/pantry-event-status"
        assert problem["current_status"] == "open"
        assert "Allocate the stock first" in problem["detail"]
        missing = await client.get(f"/api/pantry-events/999999/{document}", headers=p.warehouse.headers)
        assert missing.status_code == 404
        assert missing.json()["type"] == "/problems/pantry-event-not-found"


@pytest.mark.parametrize("document", ["picking-list.pdf", "packing-lists.pdf"])
async def test_consultants_and_reporters_may_not_print_them(client: AsyncClient, pantry: Pantry, document: str) -> None:
    p = pantry
    day = await allocated_day(client, p)
    for actor in (p.c.consultant, p.c.reporter):
        response = await client.get(f"/api/pantry-events/{day['event']['id']}/{document}", headers=actor.headers)
        assert response.status_code == 403, response.text
