"""The warehouse volunteer's whole receive job on a phone, in Japanese, in a real browser: scan lines,
register an unknown item in place and go on with its line, a bad date refused as it is typed, a line
corrected in place with its error announced at the top, the sign-in expiring mid-way without losing a
line, then saving once and following the links to the receipt, its donor receipt PDF and its lots."""

from __future__ import annotations

import re
from datetime import timedelta

from httpx import AsyncClient
from playwright.async_api import Page, expect

from foodbank.lib.clock import today
from tests.e2e.conftest import LiveServer, go, menu, screenshot, sign_in
from tests.integration.stock.conftest import Warehouse

UNKNOWN = "4901234567887"
STEPS = "receive-walk"


async def scan(page: Page, code: str, then: str = "#new-date") -> None:
    """Type a code and Enter as a scanner does, and wait for the page to move on to `then`."""
    barcode = page.locator("#new-barcode")
    await barcode.focus()
    await page.keyboard.type(code)
    await page.keyboard.press("Enter")
    await expect(page.locator(then)).to_be_focused()


async def test_a_volunteer_receives_a_donation_from_start_to_end(
    page: Page, live_server: LiveServer, wh: Warehouse, client: AsyncClient
) -> None:
    await sign_in(page, live_server, wh.warehouse)
    await go(page, "受入")
    await expect(page.get_by_role("heading", name="寄贈品の受入")).to_be_visible()
    await page.select_option("#donor_id", str(wh.donor))
    await page.select_option("#location_id", str(wh.ambient))
    rows = page.locator("#lines li.line")

    # 0. The goods came in ten days ago: an unusual received date is asked about once, and taken when ticked.
    ten_days_ago = today() - timedelta(days=10)
    await page.fill("#received_date", ten_days_ago.isoformat())
    await page.locator("#received_date").blur()
    await expect(page.locator("#received_date-note")).to_have_text(
        f"受入日 {ten_days_ago.isoformat()} は 10 日前です。この日付で正しいですか。"
    )
    confirm = page.get_by_label("はい、この日付で正しい").first
    await expect(confirm).to_be_visible()
    await expect(page.locator("#problems")).to_be_visible()
    await screenshot(page, f"{STEPS}-0-received-date-asked")
    await confirm.check()
    await expect(page.locator("#problems")).to_be_hidden()

    # 1. A known item with the scanner: code Enter, date Enter, quantity Enter.
    await scan(page, "4901234567894")
    await expect(page.locator("#entry-item")).to_have_text("さば缶")
    await page.keyboard.type((today() + timedelta(days=400)).strftime("%Y%m"))
    await page.keyboard.press("Enter")
    await expect(page.locator("#new-quantity")).to_be_focused()
    await page.keyboard.type("24")
    await page.keyboard.press("Enter")
    await expect(rows).to_have_count(1)
    await screenshot(page, f"{STEPS}-1-first-line")

    # 2. A bad date is refused as it is typed, before any save: at the field and at the top, with a link.
    await scan(page, "4901234567894")
    await page.keyboard.type("2027-13-45")
    await page.keyboard.press("Enter")
    await expect(page.locator("#new-date-note")).to_have_text("13 月はありません。")
    await expect(page.locator("#new-date")).to_be_focused()
    await expect(page.locator("#problems")).to_be_visible()
    await expect(page.locator("#problems a[href='#new-date']")).to_have_text("13 月はありません。")
    await screenshot(page, f"{STEPS}-2-bad-date")
    past = (today() - timedelta(days=700)).isoformat()  # 23 months past: never "a few days left"
    await page.locator("#new-date").fill(past)
    await page.locator("#new-date").press("Enter")
    await expect(page.locator("#new-date-note")).to_contain_text("もう配布できません")
    await page.locator("#new-quantity").fill("3")
    await page.locator("#add-line").click()
    await expect(rows).to_have_count(1)  # not added
    await screenshot(page, f"{STEPS}-2b-past-best-before")
    await page.locator("#new-date").fill((today() + timedelta(days=300)).strftime("%Y%m"))
    await page.locator("#new-date").press("Enter")
    await expect(page.locator("#new-date-note")).to_have_text("")
    await expect(page.locator("#problems")).to_be_hidden()
    await page.locator("#new-quantity").fill("6")
    await page.locator("#new-quantity").press("Enter")
    await expect(rows).to_have_count(2)

    # 3. An unknown barcode: the item is registered right here, and its line goes on.
    await scan(page, UNKNOWN, then="#item-name_ja")
    await expect(page.locator("#register")).to_be_visible()
    await expect(page.locator("#entry-item")).to_contain_text("まだありません")
    await expect(page.locator("#item-name_ja")).to_be_focused()
    await page.keyboard.type("ツナ缶")
    categories = (await client.get("/api/categories", headers=wh.warehouse.headers)).json()
    staples = next(c for c in categories if c["code"] == "staples")
    await page.select_option("#item-category_id", str(staples["id"]))
    await page.select_option("#item-unit", "can")
    await page.fill("#item-unit_weight_kg", "0.07")
    await expect(page.locator("#item-zone")).to_have_value("ambient")  # from the location chosen
    await page.locator("#item-allergens summary").click()
    await page.get_by_label("大豆").check()
    await page.fill("#new-date", (today() + timedelta(days=500)).strftime("%Y%m"))
    await page.fill("#new-quantity", "10")
    await screenshot(page, f"{STEPS}-3-register-item")
    await page.get_by_role("button", name="品目を登録して行を追加").click()
    await expect(rows).to_have_count(3)
    await expect(rows.nth(2)).to_contain_text("ツナ缶")
    await expect(rows.nth(2).locator("input[name$='-quantity']")).to_have_value("10")
    await expect(page.locator("#entry-item")).to_have_text("✓ ツナ缶")
    await expect(page.locator("#register")).to_be_hidden()
    await screenshot(page, f"{STEPS}-3b-registered-line-added")

    # 4. A line corrected in place: a quantity, then a date that is refused next to the line and at the top.
    first = rows.nth(0)
    await first.locator("input[name$='-quantity']").fill("20")
    second_date = rows.nth(1).locator("input[data-check-date]")
    await second_date.fill(past)
    await second_date.blur()
    await expect(rows.nth(1).locator(".date-note")).to_contain_text("もう配布できません")
    alert = page.locator("#problems")
    await expect(alert).to_have_attribute("role", "alert")
    link = alert.get_by_role("link", name=re.compile("2 行目"))
    await expect(link).to_contain_text("もう配布できません")
    await screenshot(page, f"{STEPS}-4-line-error")
    await link.click()
    await expect(second_date).to_be_focused()
    await second_date.fill((today() + timedelta(days=250)).isoformat())
    await second_date.blur()
    await expect(rows.nth(1).locator(".date-note")).to_have_text("")
    await expect(alert).to_be_hidden()

    # 5. One more line, then the sign-in expires: saving sends to sign-in, and afterwards every line is back.
    await scan(page, "4901234567894")
    await page.keyboard.type((today() + timedelta(days=420)).isoformat())
    await page.keyboard.press("Enter")
    await expect(page.locator("#new-quantity")).to_be_focused()
    await page.keyboard.type("5")
    await page.keyboard.press("Enter")
    await expect(rows).to_have_count(4)
    await page.context.clear_cookies(name="fb_session")
    fourth_date = rows.nth(3).locator("input[data-check-date]")
    await fourth_date.fill((today() + timedelta(days=430)).isoformat())
    await fourth_date.blur()  # the date check finds the sign-in gone and says so
    await expect(page.locator("#status")).to_contain_text("ログインの有効期限が切れました")
    await screenshot(page, f"{STEPS}-5-sign-in-expired")
    await page.get_by_role("button", name="受入を登録").click()
    await page.wait_for_url(re.compile(r"/sign-in\?next="))
    await screenshot(page, f"{STEPS}-5b-sign-in-again")
    await page.fill("#username", wh.warehouse.username)
    await page.fill("#password", wh.warehouse.password)
    await page.click("button[type=submit]")
    await page.wait_for_url(live_server.url("/warehouse/receive"))
    await expect(page.locator("#status")).to_contain_text("ログインし直す前に入力した行を戻しました")
    await expect(rows).to_have_count(4)
    await expect(rows.nth(0).locator("input[name$='-quantity']")).to_have_value("20")  # the correction too
    await expect(rows.nth(2)).to_contain_text("ツナ缶")
    await expect(page.locator("#donor_id")).to_have_value(str(wh.donor))
    await screenshot(page, f"{STEPS}-5c-lines-back")

    # 6. Save (a double tap makes one receipt), then the receipt, its donor receipt PDF and its lots.
    await page.get_by_role("button", name="受入を登録").dblclick()
    await expect(page.locator(".flash")).to_have_text(re.compile(r"受入 \d+ を登録しました: 4 行、41 個。"))
    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_have_text(re.compile(r"受入 \d+"))
    receipt_id = (await heading.text_content() or "").split()[-1]
    lots = page.locator("#receipt-lots li a")
    await expect(lots).to_have_count(4)
    await screenshot(page, f"{STEPS}-6-receipt")
    stock = (await client.get("/api/lots", headers=wh.warehouse.headers)).json()
    assert sorted(lot["on_hand"] for lot in stock) == [5, 6, 10, 20], "one receipt, every line as corrected"
    assert {lot["received_date"] for lot in stock} == {ten_days_ago.isoformat()}
    pdf = page.get_by_role("link", name="寄贈受領書（PDF）")
    href = await pdf.get_attribute("href")
    assert href == f"/api/receipts/{receipt_id}/donor-receipt.pdf"
    answer = await page.request.get(live_server.url(href))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert (await answer.body()).startswith(b"%PDF")
    await lots.filter(has_text="ツナ缶").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("ツナ缶")
    await screenshot(page, f"{STEPS}-7-lot")
    await page.go_back()
    await page.get_by_role("link", name="次の寄贈品を受け入れる").click()
    await expect(page.locator("#donor_id")).to_have_value(str(wh.donor))
    await expect(rows).to_have_count(0)  # the draft went with the save
    await screenshot(page, f"{STEPS}-8-next-receipt")


async def test_signing_out_drops_the_draft_of_the_lines(page: Page, live_server: LiveServer, wh: Warehouse) -> None:
    await sign_in(page, live_server, wh.warehouse)
    await page.goto(live_server.url("/warehouse/receive"))
    await page.select_option("#location_id", str(wh.ambient))
    await scan(page, "4901234567894")
    await page.keyboard.type((today() + timedelta(days=400)).strftime("%Y%m"))
    await page.keyboard.press("Enter")
    await expect(page.locator("#new-quantity")).to_be_focused()
    await page.keyboard.type("3")
    await page.keyboard.press("Enter")
    await expect(page.locator("#lines li.line")).to_have_count(1)
    await page.goto(live_server.url("/warehouse/receive"))
    await expect(page.locator("#lines li.line")).to_have_count(1)  # kept while signed in
    await go(page, "在庫")
    await menu(page)
    await page.get_by_role("button", name="サインアウト").click()
    await page.wait_for_url(re.compile("/sign-in"))
    assert await page.evaluate("Object.keys(sessionStorage).length") == 0
    await sign_in(page, live_server, wh.warehouse)
    await page.goto(live_server.url("/warehouse/receive"))
    await expect(page.locator("#lines li.line")).to_have_count(0)
