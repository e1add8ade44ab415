"""A coordinator in a real browser, at phone size and in Japanese: plans a pantry day, registers a
household, allocates the stock, downloads the picking list PDF (no household in it), checks the
household in on the day, serves a walk-in and closes the day. Then the other coordinator pages are
captured at phone and laptop width (nothing may stick out sideways)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from httpx import AsyncClient
from playwright.async_api import Page, expect
from pypdf import PdfReader

from foodbank.lib.clock import today
from foodbank.models import Role
from foodbank.reports.rules import fiscal_year_bounds, fiscal_year_of
from tests.conftest import Actors
from tests.dates import TODAY, day
from tests.e2e.conftest import PHONE, LiveServer, screenshot, sign_in
from tests.integration.appliances import conftest as appliance_fixtures
from tests.integration.appliances.conftest import Bank
from tests.integration.households.test_households_and_referrals import IDENTITY, register
from tests.integration.pantry import conftest as pantry_fixtures
from tests.integration.pantry.conftest import Pantry

# The pantry and appliance tests' fixtures (people in every role, a venue, the appliance bank), used as they are.
community, pantry, bank = pantry_fixtures.community, pantry_fixtures.pantry, appliance_fixtures.bank

# The day planned: a week ahead, but in this fiscal year, whose report the test reads at the end.
EVENT_DAY = min(day(7), fiscal_year_bounds(fiscal_year_of(TODAY))[1])


async def stock_and_template(client: AsyncClient, p: Pantry) -> None:
    wh = p.c.wh
    await wh.lot(client, wh.canned, 30, (today() + timedelta(days=300)).strftime("%Y-%m"))
    await wh.lot(client, wh.rice, 10, None, crop_year=today().year, location_id=wh.ambient_b)
    await p.template("標準セット", [{"item_id": wh.canned, "quantity": 2}, {"item_id": wh.rice, "quantity": 1}])


async def test_a_coordinator_plans_registers_allocates_prints_checks_in_and_closes_a_pantry_day(
    page: Page, live_server: LiveServer, client: AsyncClient, pantry: Pantry
) -> None:
    await stock_and_template(client, pantry)
    household = await register(client, pantry.coordinator)  # 1 adult, 2 children, with a name
    code = household["code"]
    await sign_in(page, live_server, pantry.coordinator)

    # A coordinator's menu is long, so on a phone it starts folded under the main-menu button.
    await expect(page.get_by_role("navigation").get_by_role("link", name="パントリー", exact=True)).to_be_hidden()
    await page.locator("details.menu > summary").click()
    await page.get_by_role("navigation").get_by_role("link", name="パントリー", exact=True).click()
    await expect(page.get_by_role("heading", name="パントリー", exact=True)).to_be_visible()
    await page.get_by_role("link", name="パントリーを計画する").click()
    await page.select_option("#venue_id", label="東金市中央公民館")
    await page.fill("#event_date", EVENT_DAY.isoformat())
    await expect(page.locator("#slots-0-start_time")).to_have_value("10:00")  # a first slot is offered
    await page.fill("#slots-1-start_time", "11:00")
    await page.fill("#slots-1-end_time", "12:00")
    await page.fill("#slots-1-capacity", "15")
    await page.fill("#expected_walk_in_people", "3")
    await screenshot(page, "40-pantry-plan")
    await page.get_by_role("button", name="この内容で計画する").click()
    await expect(page.locator(".flash")).to_contain_text("パントリーを計画しました。")

    await page.get_by_role("button", name="予約の受付を始める").click()
    await expect(page.locator(".flash")).to_have_text("予約の受付を始めました。世帯を登録できます。")
    await page.fill("#household", code.lower())
    await page.select_option("#slot_id", index=1)
    await page.get_by_role("button", name="探して登録する", exact=True).click()
    await expect(page.locator(".flash")).to_have_text(f"{code} を登録しました。")

    await page.get_by_role("button", name="在庫を引き当てる").click()
    report = page.locator("#allocation")
    await expect(report).to_contain_text("在庫を引き当てました: 世帯分 1 箱、当日参加分 1 箱、6 個。")
    await expect(report).to_contain_text("不足はありません。")
    await screenshot(page, "42-pantry-day-allocated")
    event_url = page.url.removesuffix("/allocate")  # the report answers the POST
    await page.goto(live_server.url("/coordinator/pantry"))
    await expect(page.locator("article.day")).to_contain_text("東金市中央公民館")
    await screenshot(page, "41-pantry-days")
    await page.goto(event_url)

    link = page.get_by_role("link", name="ピッキングリスト（PDF）")
    pdf = await page.context.request.get(live_server.url(str(await link.get_attribute("href"))))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    body = await pdf.body()
    assert body.startswith(b"%PDF")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages))
    assert "さば缶" in text and "A-01" in text and "米5kg" in text
    assert code not in text and IDENTITY["name"].replace(" ", "") not in text  # households stay off the list

    # The day is a week ahead: the page says so by the button, and starting it today is one tick.
    await expect(page.locator("#next")).to_contain_text("本日ではありません")
    await page.get_by_label("予定日ではありませんが、本日始めます。").check()
    await screenshot(page, "86-pantry-start-not-today")
    await page.get_by_role("button", name="当日を始める").click()
    await expect(page).to_have_url(re.compile(r"/check-in$"))
    await expect(page.locator(".flash")).to_contain_text("当日を始めました。")
    card = page.locator("article.checkin", has_text=code)
    await expect(card).to_contain_text("予約済み")
    await screenshot(page, "43-check-in")
    await card.get_by_label("来た人数").fill("4")
    await card.get_by_role("button", name=f"{code} をチェックイン").click()
    await expect(page.locator(".flash")).to_have_text(f"{code} をチェックインしました: 4 人、3 個をお渡ししました。")
    await expect(page.locator("article.checkin", has_text=code)).to_contain_text("チェックイン済み")

    await page.fill("#people", "2")
    await page.get_by_role("button", name="当日参加の方にお渡し").click()
    await expect(page.locator(".flash")).to_have_text("当日参加の方にお渡ししました: 2 人、1 箱、3 個。")

    await page.get_by_role("link", name="終わったら: この日を終了する").click()
    await page.get_by_role("button", name="この日を終了する").click()
    await expect(page.locator("#close")).to_contain_text("チェックを入れて確認してください。")
    await page.get_by_label("この日を終了します。", exact=False).check()
    await page.get_by_label("予定日の前ですが、終了します。").check()
    await page.get_by_role("button", name="この日を終了する").click()
    await expect(page.locator(".flash")).to_have_text("当日を終了しました: 1 世帯、6 人にお渡ししました。")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("この日の数値")
    await screenshot(page, "44-pantry-summary")

    this_year = fiscal_year_of(EVENT_DAY)
    await page.goto(live_server.url(f"/reports/annual?year={this_year}"))
    await page.locator("#section-pantry summary").click()
    await expect(page.locator("#section-pantry")).to_contain_text("東金市中央公民館")
    await screenshot(page, "51-annual-report-this-year")


async def test_screenshots_of_the_coordinator_pages(
    page: Page,
    live_server: LiveServer,
    client: AsyncClient,
    pantry: Pantry,
    bank: Bank,
) -> None:
    await stock_and_template(client, pantry)
    for status in ("received", "available", "available", "reserved", "delivered", "to_dispose"):
        await bank.in_status(status, "refrigerator" if status == "available" else "microwave")
    household = await register(client, pantry.coordinator, allergens=["wheat"])  # numbered after those above
    await sign_in(page, live_server, pantry.coordinator)

    await page.goto(live_server.url("/households"))
    await expect(page.locator("#households")).to_contain_text(household["code"])
    await screenshot(page, "45-households")
    await page.goto(live_server.url("/households/new"))
    await page.fill("#name", "佐藤 一郎")
    await page.fill("#phone", "abc")
    await page.get_by_role("button", name="登録する", exact=True).click()
    await expect(page.locator(".error")).to_be_visible()
    await expect(page.locator("#name")).to_have_value("佐藤 一郎")
    await screenshot(page, "46-household-new-errors")

    await page.goto(live_server.url(f"/households/{household['id']}"))
    await page.get_by_label("次の品目:").check()
    await page.select_option("#items-0-item_id", label="さば缶")
    await page.fill("#items-0-quantity", "50")
    await page.get_by_role("button", name="在庫を取り置く").click()
    await expect(page.locator(".shortages")).to_contain_text("さば缶: 20 個不足")
    await screenshot(page, "47-household-shortage")
    await page.fill("#items-0-quantity", "2")
    await page.get_by_role("button", name="在庫を取り置く").click()
    await expect(page.locator(".flash")).to_contain_text("を作りました")
    await page.get_by_role("button", name="お渡しを記録する").click()
    await expect(page.locator(".flash")).to_contain_text("お渡しを記録しました")
    await expect(page.get_by_role("link", name="PDF", exact=True)).to_be_visible()
    await screenshot(page, "48-household-handed-out")

    await page.goto(live_server.url("/coordinator/appliances"))
    await expect(page.locator("#status-available")).to_contain_text("2")
    await screenshot(page, "49-appliance-board")

    await page.goto(live_server.url("/reports/annual"))
    await expect(page.locator("#key-figures")).to_be_visible()
    await page.locator("#section-pantry summary").click()
    await screenshot(page, "50-annual-report")

    await page.get_by_role("link", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.goto(live_server.url(f"/households/{household['id']}"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Household {household['code']}")
    await screenshot(page, "52-household-english")


async def test_a_long_menu_folds_on_a_phone_and_shows_on_a_wider_screen(
    page: Page, live_server: LiveServer, actors: Actors
) -> None:
    await sign_in(page, live_server, await actors.make(Role.coordinator))
    link = page.get_by_role("navigation").get_by_role("link", name="パントリー", exact=True)
    await expect(link).to_be_hidden()
    await page.set_viewport_size({"width": 1280, "height": 800})  # a tablet turned sideways
    await expect(link).to_be_visible()
    await expect(page.locator("details.menu > summary")).to_be_hidden()


async def test_a_coordinator_adds_a_parcel_template_and_sees_it_was_added(
    page: Page, live_server: LiveServer, client: AsyncClient, pantry: Pantry
) -> None:
    await sign_in(page, live_server, pantry.coordinator)
    await page.goto(live_server.url("/coordinator/pantry/templates"))
    await page.fill("#name", "1〜2人セット")
    await page.fill("#min_people", "1")
    await page.fill("#max_people", "2")
    await page.select_option("#lines-0-item_id", label="さば缶")
    await page.fill("#lines-0-quantity", "2")
    await page.select_option("#lines-1-category_id", label="主食")
    await page.fill("#lines-1-quantity", "1")
    await page.get_by_role("button", name="この内容で追加する").click()
    # The page opens again at the form (to add the next one); the message that it worked stays in sight.
    flash = page.locator(".flash")
    await expect(flash).to_contain_text("1〜2人セット")
    await expect(flash).to_be_in_viewport()
    await expect(page.locator("main")).to_contain_text("さば缶 2 個")
    await screenshot(page, "53-parcel-template-added")


async def test_cancelling_a_booking_takes_a_second_tap(
    page: Page, live_server: LiveServer, client: AsyncClient, pantry: Pantry
) -> None:
    from tests.integration.pages.test_coordinator_pages import stocked_day

    day = await stocked_day(client, pantry)
    household = await pantry.c.household()
    code = await pantry.c.code(household)
    await pantry.booked(day["event"], household, slot=1)
    await sign_in(page, live_server, pantry.coordinator)
    await page.goto(live_server.url(f"/coordinator/pantry/{day['event']['id']}"))
    registration = page.locator("li.registration", has_text=code)
    confirm = registration.get_by_role("button", name=f"{code} の登録を取り消す")
    await expect(confirm).to_be_hidden()
    await registration.get_by_text("登録を取り消す", exact=True).click()  # a slip of the thumb changes nothing
    await expect(registration).to_contain_text("予約済み")
    await screenshot(page, "54-registration-cancel-asks-again")
    await page.set_viewport_size(PHONE)
    await confirm.click()
    await expect(page.locator(".flash")).to_be_in_viewport()
    await expect(page.locator("li.registration", has_text=code)).to_have_count(0)  # cancelled ones are not listed
