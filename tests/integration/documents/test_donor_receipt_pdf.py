"""The donor receipt (寄贈受領書): what the donor gave as received (lines, units, kg), the donor's name or
匿名, a thank-you in Japanese and English, and a line for the organisation's stamp."""

from __future__ import annotations

from decimal import Decimal

from httpx import AsyncClient

from tests.dates import month
from tests.integration.distributions.conftest import Community, community
from tests.integration.documents.pdfs import assert_shows, pages_of
from tests.integration.stock.conftest import TODAY, Warehouse, days, wh

__all__ = ["community", "wh"]


async def test_the_donor_receipt_lists_the_donation_with_totals_and_thanks(client: AsyncClient, wh: Warehouse) -> None:
    received = await wh.receive(
        client,
        [
            {"item_id": wh.canned, "quantity": 24, "expiry": month(9), "location_id": wh.ambient},
            {"item_id": wh.milk, "quantity": 6, "expiry": days(5), "location_id": wh.chilled},
            {"item_id": wh.rice, "quantity": 2, "crop_year": TODAY.year, "location_id": wh.ambient_b},
        ],
    )
    assert received.status_code == 201, received.text
    receipt = received.json()
    # Moving part of a lot later splits it; the receipt still shows what was given.
    moved = await client.post(
        f"/api/lots/{receipt['lots'][0]['id']}/transfers",
        json={"quantity": 4, "to_location_id": wh.ambient_b},
        headers=wh.warehouse.headers,
    )
    assert moved.status_code == 201, moved.text

    response = await client.get(f"/api/receipts/{receipt['id']}/donor-receipt.pdf", headers=wh.warehouse.headers)
    [text] = pages_of(response)
    kg = 24 * Decimal("0.5") + 6 * Decimal("1") + 2 * Decimal("5")
    assert_shows(
        text,
        "寄贈受領書",
        "株式会社さんぶ食品 様",
        "寄贈者区分 企業",
        f"受領日 {TODAY.year}年{TODAY.month}月{TODAY.day}日",
        f"さば缶 24 個 賞味 {month(9)} 12",
        f"牛乳 6 個 消費 {days(5)} 6",
        f"米 5kg 2 袋 {TODAY.year}年産 10",
        f"合計 Total {24 + 6 + 2} 点",
        f"{kg:.0f} kg",
        "誠にありがとうございました",
        "Thank you very much for your generous donation.",
        "フードバンクさんぶ 受領担当",
        "印",
        "1 / 1",
    )
    assert text.count("さば缶") == 1


async def test_an_anonymous_donor_is_shown_as_tokumei(client: AsyncClient, wh: Warehouse) -> None:
    donor = await client.post(
        "/api/donors", json={"kind": "individual", "is_anonymous": True}, headers=wh.warehouse.headers
    )
    assert donor.status_code == 201, donor.text
    received = await wh.receive(
        client,
        [{"item_id": wh.canned, "quantity": 3, "expiry": month(9), "location_id": wh.ambient}],
        donor_id=donor.json()["id"],
    )
    response = await client.get(
        f"/api/receipts/{received.json()['id']}/donor-receipt.pdf", headers=wh.warehouse.headers
    )
    [text] = pages_of(response)
    assert_shows(text, "匿名", "寄贈者区分 個人", "さば缶 3 個", "1.5 kg")
    assert "匿名様" not in text


async def test_only_a_donation_has_a_donor_receipt_and_only_staff_print_it(
    client: AsyncClient, community: Community
) -> None:
    wh = community.wh
    opening = await wh.receive(
        client,
        [{"item_id": wh.canned, "quantity": 5, "expiry": month(9), "location_id": wh.ambient}],
        kind="opening_balance",
        donor_id=None,
    )
    assert opening.status_code == 201, opening.text
    refused = await client.get(f"/api/receipts/{opening.json()['id']}/donor-receipt.pdf", headers=wh.warehouse.headers)
    assert refused.status_code == 409 and "not a donation" in refused.json()["detail"]
    missing = await client.get("/api/receipts/999999/donor-receipt.pdf", headers=wh.warehouse.headers)
    assert missing.status_code == 404 and missing.json()["type"] == "/problems/receipt-not-found"

    donation = await wh.receive(
        client, [{"item_id": wh.canned, "quantity": 5, "expiry": month(9), "location_id": wh.ambient}]
    )
    for actor in (community.consultant, community.reporter):
        response = await client.get(f"/api/receipts/{donation.json()['id']}/donor-receipt.pdf", headers=actor.headers)
        assert response.status_code == 403, response.text
    allowed = await client.get(
        f"/api/receipts/{donation.json()['id']}/donor-receipt.pdf", headers=wh.coordinator.headers
    )
    assert allowed.status_code == 200
