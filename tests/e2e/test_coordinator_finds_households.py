"""A coordinator at phone size, in Japanese, finds households the way people are known: by name, by kana
typed any way, by phone, never having to know the code. They find a household on the list, book it on
today's pantry day by typing its name, find it again on the check-in screen and check it in, then hand
out individual support with the defaults that fit (the allocation's planned day, the referral that
covers it). Planning a day in the past asks once, and past days stay listed."""

from __future__ import annotations

import re

from httpx import AsyncClient
from playwright.async_api import Page, expect

from tests.dates import TODAY, day
from tests.e2e.conftest import LiveServer, screenshot, sign_in
from tests.e2e.test_coordinator_pantry import stock_and_template
from tests.integration.households.test_households_and_referrals import IDENTITY, register
from tests.integration.pages.test_coordinator_households_and_days import accepted_referral
from tests.integration.pantry import conftest as pantry_fixtures
from tests.integration.pantry.conftest import Pantry

community, pantry = pantry_fixtures.community, pantry_fixtures.pantry

SATO = {"name": "佐藤 一郎", "name_kana": "サトウ イチロウ", "phone": "0475-99-0000", "address": "東金市1"}


async def test_a_coordinator_finds_books_checks_in_and_hands_out_by_name(
    page: Page, live_server: LiveServer, client: AsyncClient, pantry: Pantry
) -> None:
    await stock_and_template(client, pantry)
    templates = await client.get("/api/parcel-templates", headers=pantry.coordinator.headers)
    hanako = await register(client, pantry.coordinator)  # 山田 花子, ヤマダ ハナコ, 0475-12-3456
    await register(client, pantry.coordinator, identity=SATO)
    referred = await accepted_referral(client, pantry, hanako["id"])
    today = await pantry.event([t["id"] for t in templates.json()], on=TODAY)
    await sign_in(page, live_server, pantry.coordinator)

    # The list: by name in hiragana, by half-width katakana, by phone without hyphens.
    await page.goto(live_server.url("/households"))
    for term in ("やまだ", "ﾊﾅｺ", "0475123456"):
        await page.fill("#q", term)
        await page.get_by_role("button", name="検索", exact=True).click()
        found = page.locator("#found")
        await expect(found).to_contain_text(IDENTITY["name"])
        await expect(found).to_contain_text(hanako["code"])
        await expect(found).not_to_contain_text(SATO["name"])
        assert term not in page.url, "the term stays out of the address"
    await screenshot(page, "80-households-found-by-phone")

    # Booking today's day by typing the name: the household found is offered, chosen, registered.
    await page.goto(live_server.url(f"/coordinator/pantry/{today['id']}"))
    await page.fill("#household", "山田")
    await page.get_by_role("button", name="探して登録する").click()
    candidates = page.locator("#candidates")
    await expect(candidates).to_contain_text(IDENTITY["name"])
    await expect(candidates.get_by_role("radio")).to_be_checked()  # the only one found
    await page.select_option("#slot_id", index=1)
    await screenshot(page, "81-pantry-book-by-name")
    await page.get_by_role("button", name="選んだ世帯を登録する").click()
    await expect(page.locator(".flash")).to_have_text(f"{hanako['code']} を登録しました。")

    await page.get_by_role("button", name="在庫を引き当てる").click()
    await expect(page.locator("#allocation")).to_contain_text("不足はありません。")
    await page.goto(live_server.url(f"/coordinator/pantry/{today['id']}"))
    await expect(page.locator("#next")).not_to_contain_text("本日ではありません")  # today is its day
    await page.get_by_role("button", name="当日を始める").click()
    await expect(page).to_have_url(re.compile(r"/check-in$"))

    # Check-in: found by kana, with the name beside the code, and checked in.
    await page.fill("#q", "はなこ")
    await page.get_by_role("button", name="検索", exact=True).click()
    card = page.locator("article.checkin", has_text=hanako["code"])
    await expect(card).to_contain_text(IDENTITY["name"])
    await expect(page.locator("article.checkin")).to_have_count(1)
    await expect(page.locator("#parcels")).to_have_value("")  # typing 2 gives 2, not 12
    await screenshot(page, "82-check-in-found")
    await card.get_by_role("button", name=f"{hanako['code']} をチェックイン").click()
    await expect(page.locator(".flash")).to_contain_text(f"{hanako['code']} をチェックインしました")

    # Individual support: the hand-out starts on the allocation's planned day, under the referral.
    planned = day(3)
    await page.goto(live_server.url(f"/households/{hanako['id']}"))
    await page.fill("#distribution_date", planned.isoformat())
    await page.get_by_role("button", name="在庫を取り置く").click()
    await expect(page.locator(".flash")).to_contain_text("を作りました")
    allocation = page.locator("article.allocation").first
    await expect(allocation.locator("input[name=distributed_on]")).to_have_value(planned.isoformat())
    chosen = allocation.locator("select[name=referral_id] option:checked")
    await expect(chosen).to_contain_text(f"紹介 {referred}")
    await screenshot(page, "83-hand-out-defaults")
    await allocation.get_by_role("button", name="お渡しを記録する").click()
    await expect(page.locator(".flash")).to_contain_text("お渡しを記録しました")
    await expect(page.locator("#distributions")).to_contain_text(f"紹介 {referred}")


async def test_planning_a_day_in_the_past_asks_once_and_past_days_stay_listed(
    page: Page, live_server: LiveServer, client: AsyncClient, pantry: Pantry
) -> None:
    last_month = day(-30)
    await sign_in(page, live_server, pantry.coordinator)
    await page.goto(live_server.url("/coordinator/pantry/new"))
    await page.select_option("#venue_id", label="東金市中央公民館")
    await page.fill("#event_date", last_month.isoformat())
    await page.get_by_role("button", name="この内容で計画する").click()
    await expect(page.locator(".field.has-error")).to_contain_text("過去の日付です（30 日前）")
    await screenshot(page, "84-pantry-plan-in-the-past")
    await page.get_by_label(re.compile("で計画します。$")).check()
    await page.get_by_role("button", name="この内容で計画する").click()
    await expect(page.locator(".flash")).to_contain_text("パントリーを計画しました。")

    await page.goto(live_server.url("/coordinator/pantry"))
    await expect(page.locator("#unfinished")).to_contain_text("東金市中央公民館")
    await expect(page.locator("#past + section")).to_contain_text("東金市中央公民館")
    await screenshot(page, "85-pantry-days-past")
