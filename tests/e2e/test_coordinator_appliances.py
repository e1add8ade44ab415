"""The appliance bank in a real browser, at phone size and in Japanese: a coordinator takes a fridge in
(refused first as too old, the age shown as the year is typed), records its checks, reserves it for a
household of the waiting list through its referral, prints the hand-over sheet (a PDF) and records the
delivery; a volunteer takes a TV in and its power-on test fails, and a coordinator disposes of it under
the home appliance recycling law with its recycling ticket."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from playwright.async_api import Page, expect
from pypdf import PdfReader

from foodbank.lib.clock import today
from foodbank.models import Household
from tests.conftest import Actor
from tests.e2e.conftest import LiveServer, assert_work_first, go, menu, screenshot, sign_in
from tests.integration.appliances import conftest as appliance_fixtures
from tests.integration.appliances.conftest import Bank

# The appliance tests' fixtures (a warehouse with locations and a donor, people in every role), as they are.
community, bank = appliance_fixtures.community, appliance_fixtures.bank


async def household_code(bank: Bank, household_id: int) -> str:
    async with bank.c.database.transaction() as s:
        household = await s.get(Household, household_id)
        assert household is not None
        return household.code


async def take_in(page: Page, live_server: LiveServer, bank: Bank, *, kind: str, year: int, model: str) -> None:
    await page.goto(live_server.url("/coordinator/appliances"))
    await page.get_by_role("link", name="家電を受け入れる").click()
    await expect(page.get_by_role("heading", name="家電を受け入れる")).to_be_visible()
    await assert_work_first(page)  # the kind to choose is on the first screen
    await page.select_option("#category", kind)
    await page.fill("#maker", "シャープ")
    await page.fill("#model", model)
    await page.fill("#manufacture_year", str(year))
    await page.get_by_label("PSE マークあり", exact=True).check()
    await page.get_by_label("B（使用感あり）").check()
    await page.select_option("#donor_id", str(bank.c.wh.donor))
    await page.select_option("#location_id", str(bank.c.wh.ambient))


async def sign_out_and_in(page: Page, live_server: LiveServer, actor: Actor) -> None:
    await menu(page)
    await page.get_by_role("button", name="サインアウト").click()
    await sign_in(page, live_server, actor)


async def test_a_fridge_from_intake_through_its_checks_and_a_reservation_to_its_delivery(
    page: Page, live_server: LiveServer, bank: Bank
) -> None:
    household = await bank.c.household()
    code = await household_code(bank, household)
    referral = await bank.referral(household, category="refrigerator", referred_on=today() - timedelta(days=10))
    await sign_in(page, live_server, bank.coordinator)
    await go(page, "家電ボード")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("家電ボード")

    # Intake: the age is said as the year is typed; the service refuses a fridge over ten years old.
    await take_in(page, live_server, bank, kind="refrigerator", year=today().year - 12, model="SJ-17E")
    await expect(page.locator("#age")).to_have_text(
        "受入時に製造から 12 年: 古すぎます。この種類は 10 年まで受け入れます。"
    )
    await page.get_by_role("button", name="受け入れる").click()
    await expect(page.locator("#manufacture_year-error")).to_contain_text("12 年経っています")
    await expect(page.locator("#model")).to_have_value("SJ-17E")  # what was typed stays
    await screenshot(page, "appliance-01-intake-refused")
    await page.fill("#manufacture_year", str(today().year - 3))
    await expect(page.locator("#age")).to_have_text("受入時に製造から 3 年。この種類は 10 年まで受け入れます。")
    await page.fill("#size", "170L")
    await screenshot(page, "appliance-02-intake")
    await page.get_by_role("button", name="受け入れる").click()
    await expect(page.locator(".flash")).to_contain_text("を受け入れました。この番号を札に書いてください。")
    unit_code = (await page.get_by_role("heading", level=1).inner_text()).split()[0]
    assert re.fullmatch(r"AP-\d{4}-\d{4}", unit_code), unit_code
    await expect(page.locator(".facts")).to_contain_text("受入時 3 年（この種類は 10 年まで）")
    await screenshot(page, "appliance-03-received")

    # Inspection: every check recorded, none failed: ready to give.
    for check in ("外観", "通電", "絶縁抵抗", "リコール照合（型番をリコール情報と照らす）"):
        await page.locator("fieldset", has_text=check).get_by_label("合格", exact=True).check()
    await page.locator("fieldset", has_text="清掃").get_by_label("対象外").check()
    await screenshot(page, "appliance-04-inspection")
    await page.get_by_role("button", name="点検を記録する").click()
    await expect(page.locator(".flash")).to_have_text(f"{unit_code} はすべての点検に合格しました。提供できます。")

    # The waiting list has the household; the reservation form offers it, oldest referral first.
    await page.goto(live_server.url("/coordinator/appliances/waiting-list"))
    await expect(page.locator(".waiting-group")).to_contain_text(code)
    await screenshot(page, "appliance-05-waiting-list")
    await page.get_by_role("link", name=unit_code).click()
    entry = page.locator("label.waiting-entry", has_text=code)
    await expect(entry.locator("input")).to_be_checked()
    await expect(entry).to_contain_text(f"紹介 {referral}")
    await page.fill("#planned_delivery_date", (today() + timedelta(days=3)).isoformat())
    await page.get_by_label("設置が必要").check()
    await screenshot(page, "appliance-06-reserve")
    await page.get_by_role("button", name="この世帯に予約する").click()
    await expect(page.locator(".flash")).to_contain_text(f"{unit_code} を {code} に予約しました。")
    await screenshot(page, "appliance-07-reserved")

    # Delivery: without a signed sheet or a receipt number it is refused at the field; then recorded.
    await page.get_by_role("button", name="お届けを記録する").click()
    await expect(page.locator("#receipt_number-error")).to_contain_text("署名をもらったことにチェック")
    await expect(page.get_by_label("はい、設置した")).to_be_checked()  # as the reservation needed
    await page.get_by_label("世帯がお渡し確認書に署名した").check()
    await page.get_by_role("button", name="お届けを記録する").click()
    await expect(page.locator(".flash")).to_contain_text(f"{unit_code} をお届けしました。")
    await expect(page.locator("#history")).to_contain_text("お届け済み")
    await screenshot(page, "appliance-08-delivered")

    link = page.get_by_role("link", name="お渡し確認書（PDF）")
    pdf = await page.context.request.get(live_server.url(str(await link.get_attribute("href"))))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    body = await pdf.body()
    assert body.startswith(b"%PDF")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages))
    assert unit_code in text and code in text and "SJ-17E" in text

    await page.goto(live_server.url("/coordinator/appliances/waiting-list"))
    await expect(page.locator("main")).to_contain_text("家電を待っている世帯はありません。")
    await page.goto(live_server.url("/coordinator/appliances"))
    await expect(page.locator("#status-delivered")).to_contain_text(unit_code)
    await screenshot(page, "appliance-08b-board")


async def test_a_tv_that_fails_its_check_is_disposed_of_with_its_recycling_ticket(
    page: Page, live_server: LiveServer, bank: Bank
) -> None:
    await sign_in(page, live_server, bank.warehouse)
    await take_in(page, live_server, bank, kind="tv", year=today().year - 2, model="4T-C32")
    await page.get_by_role("button", name="受け入れる").click()
    await expect(page.locator(".flash")).to_contain_text("を受け入れました。")
    unit_code = (await page.get_by_role("heading", level=1).inner_text()).split()[0]
    await page.locator("fieldset", has_text="外観").get_by_label("合格", exact=True).check()
    await page.locator("fieldset", has_text="通電").get_by_label("不合格").check()
    await page.fill("#power_on-note", "電源が入らない")
    await page.get_by_role("button", name="点検を記録する").click()
    await expect(page.locator(".flash")).to_have_text(f"{unit_code} は点検で不合格でした。お渡しせず、廃棄を待ちます。")
    await expect(page.locator("#next")).to_contain_text("点検で不合格になりました。お渡しせず、廃棄してください。")
    await expect(page.locator("#dispose")).to_have_count(0)  # a volunteer does not dispose
    await screenshot(page, "appliance-09-failed")

    await sign_out_and_in(page, live_server, bank.coordinator)
    await page.goto(live_server.url("/coordinator/appliances"))
    await page.locator("#status-to_dispose").get_by_role("link", name=unit_code).click()
    await expect(page.locator("#dispose")).to_contain_text("家電リサイクル法の対象です")
    await expect(page.get_by_label("点検で不合格", exact=True)).to_be_checked()
    await page.get_by_role("button", name="廃棄を記録する").click()
    await expect(page.locator("#recycling_ticket_number-error")).to_have_text(
        "テレビ は家電リサイクル法の対象です。家電リサイクル券の番号を入力してください。"
    )
    await screenshot(page, "appliance-10-dispose-refused")
    await page.fill("#recycling_ticket_number", "1234567890123")
    await page.get_by_role("button", name="廃棄を記録する").click()
    await expect(page.locator(".flash")).to_have_text(
        f"{unit_code} を家電リサイクル法に沿って廃棄しました（リサイクル券 1234567890123）。"
    )
    await expect(page.locator("#next")).to_contain_text("1234567890123")
    await expect(page.locator("#history")).to_contain_text("廃棄予定")
    await screenshot(page, "appliance-11-disposed")
