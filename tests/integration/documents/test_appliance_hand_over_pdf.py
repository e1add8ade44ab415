"""The appliance hand-over sheet (家電お渡し確認書): the unit and its checks, the household by code, the
delivery, the recycling-law note for the four categories of 家電リサイクル法, and signature lines."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from tests.integration.appliances.conftest import Bank, bank, community, wh
from tests.integration.documents.pdfs import assert_shows, named_household, pages_of

__all__ = ["bank", "community", "wh"]

NAME = "鈴木次郎"


async def test_the_sheet_shows_the_unit_checks_household_code_and_the_recycling_law_note(
    client: AsyncClient, bank: Bank
) -> None:
    b = bank
    household = await named_household(client, b.coordinator, NAME)
    unit = await b.unit(
        "refrigerator",
        maker="シャープ",
        model="SJ-D17H",
        serial_number="SN-REF-0042",
        manufacture_year=b.today.year - 3,
        size="167L",
    )
    assert (await b.inspect(unit)).status_code == 201
    planned = b.today + timedelta(days=7)
    reserved = await b.reserve(
        unit, household_id=household["id"], planned_delivery_date=planned, installation_needed=True
    )
    assert reserved.status_code == 201, reserved.text
    code = (await b.get(unit))["code"]

    path = f"/api/appliances/{unit}/hand-over.pdf"
    [text] = pages_of(await client.get(path, headers=b.warehouse.headers))
    assert_shows(
        text,
        "家電お渡し確認書",
        f"管理番号 {code}",
        f"世帯 {household['code']}",
        "品目 Category 冷蔵庫・冷凍庫",
        "メーカー Maker シャープ",
        "型番 Model SJ-D17H",
        "製造番号 Serial SN-REF-0042",
        f"製造年 Made in {b.today.year - 3}年",
        "167L",
        "PSEマークあり",
        "B（使用感あり）",
        f"外観 Visual 合格 Pass {b.today.isoformat()}",
        f"リコール照合 Recall check 合格 Pass {b.today.isoformat()} 型番をリコール情報と照合済み",
        f"お渡し予定日 Planned {planned.isoformat()}",
        "設置 Installation あり（予定）",
        "□ した □ しない",
        "家電リサイクル法の対象品目です",
        "リサイクル料金",
        "Home Appliance Recycling Law",
        "受取人署名",
        "お渡しした者",
        "1 / 1",
    )
    assert NAME not in text

    delivered = await b.deliver(unit, delivered_on=b.today, installed=True, receipt_number="R-0042")
    assert delivered.status_code == 201, delivered.text
    [text] = pages_of(await client.get(path, headers=b.coordinator.headers))
    assert_shows(text, f"お渡し日 Delivered {b.today.isoformat()}", "設置の実施 Installed した Yes", "R-0042")
    assert NAME not in text


async def test_other_categories_have_no_recycling_law_note(client: AsyncClient, bank: Bank) -> None:
    unit = await bank.in_status("reserved", "microwave")
    [text] = pages_of(await client.get(f"/api/appliances/{unit}/hand-over.pdf", headers=bank.warehouse.headers))
    assert_shows(text, "電子レンジ", "設置 Installation なし")
    assert "家電リサイクル法" not in text


async def test_a_unit_nobody_is_to_receive_has_no_sheet_and_only_staff_print_one(
    client: AsyncClient, bank: Bank
) -> None:
    available = await bank.in_status("available")
    refused = await client.get(f"/api/appliances/{available}/hand-over.pdf", headers=bank.warehouse.headers)
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["type"] == "/problems/appliance-status"
    assert (problem["current_status"], problem["action"]) == ("available", "hand_over_sheet")
    assert "Reserve it first" in problem["detail"]
    missing = await client.get("/api/appliances/999999/hand-over.pdf", headers=bank.warehouse.headers)
    assert missing.status_code == 404

    reserved = await bank.in_status("reserved")
    for actor in (bank.c.consultant, bank.c.reporter):
        response = await client.get(f"/api/appliances/{reserved}/hand-over.pdf", headers=actor.headers)
        assert response.status_code == 403, response.text
