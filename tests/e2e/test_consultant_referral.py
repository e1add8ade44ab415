"""A consultant in a real browser refers a new household with its consent and finds the referral in the
agency's list; a coordinator accepts it in the inbox, and the consultant sees the new status. Screenshots
of the referral pages at phone and laptop width, in Japanese and English."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from foodbank.lib.clock import today
from foodbank.models import Role
from tests.conftest import Actors
from tests.e2e.conftest import LAPTOP, TIMEOUT_MS, LiveServer, assert_work_first, go, menu, screenshot, sign_in


@pytest.fixture
async def laptop(browser: Browser) -> AsyncIterator[Page]:
    """A second person's browser (a coordinator at a laptop), with its own cookies."""
    context = await browser.new_context(viewport=LAPTOP, locale="ja-JP", extra_http_headers={"Accept-Language": "ja"})
    context.set_default_timeout(TIMEOUT_MS)
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        await context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


async def test_a_consultant_refers_a_household_and_sees_the_coordinators_decision(
    page: Page, laptop: Page, live_server: LiveServer, actors: Actors
) -> None:
    consultant = await actors.make(Role.consultant, agency="基幹相談支援センター")
    await sign_in(page, live_server, consultant)
    # The menu, behind its button on a phone, is a consultant's: referrals, a new one, the agency's
    # appliance waiting list, the households they may see, in one group (世帯 is not under コーディネート).
    navigation = await menu(page)
    await expect(navigation).not_to_contain_text("コーディネート")
    group = navigation.locator(".nav-section", has=page.get_by_text("紹介", exact=True))
    await expect(group.get_by_role("link")).to_have_text(["紹介一覧", "世帯を紹介する", "家電の順番待ち", "世帯"])
    await screenshot(page, "19-consultant-menu")  # (a laptop-width capture in between: the menu is opened again)
    await menu(page)
    await group.get_by_role("link", name="世帯を紹介する").click()
    await expect(page.get_by_role("heading", name="世帯を紹介する")).to_be_visible()
    await assert_work_first(page, work="#household_mode-new")
    await screenshot(page, "20-refer-form")

    # A new household: the parts for an existing one, and for an appliance, are hidden.
    await expect(page.locator("#household_code")).to_be_hidden()
    await expect(page.locator("#appliance_category")).to_be_hidden()
    await page.select_option("#municipality", "togane")
    await page.fill("#adults", "2")
    await page.fill("#children", "1")
    await page.fill("#name", "山田 花子")
    await page.fill("#phone", "0475-12-3456")
    await page.fill("#address", "東金市東岩崎1-1")
    # Allergies are safety information: open on the form, nothing to unfold.
    allergens = page.locator("#allergens")
    await expect(allergens.get_by_label("卵")).to_be_visible()
    await expect(allergens).to_contain_text("特定原材料")
    await allergens.get_by_label("卵").check()
    await allergens.get_by_label("えび").check()
    await expect(page.get_by_label("ハラール")).to_be_visible()
    await page.get_by_label("家族", exact=True).first.check()
    await page.get_by_label("食料不足").check()
    await page.get_by_label("失業").check()
    await page.get_by_label("至急").check()
    await page.get_by_label("食料と家電").check()
    await expect(page.locator("#appliance_category")).to_be_visible()
    await page.select_option("#appliance_category", "refrigerator")
    await page.fill("#handouts_allowed", "2")

    # Consent: forgotten at first, which the page says, keeping everything typed.
    await page.get_by_role("button", name="紹介を送る").click()
    await expect(page.locator("#consent_given-error")).to_have_text(
        "世帯が情報提供に同意したかどうかを選んでください。"
    )
    await expect(page.locator("#name")).to_have_value("山田 花子")
    await expect(page.get_by_label("食料不足")).to_be_checked()
    await expect(page.locator("#appliance_category")).to_have_value("refrigerator")
    await screenshot(page, "21-refer-form-errors")

    await page.get_by_label("はい、同意を得ました").check()
    consent = page.locator("#consent_by")
    await consent.get_by_label("本人").check()
    await page.fill("#consent_on", today().isoformat())
    await page.get_by_label("書面").check()
    await page.fill("#consent_scope", "氏名・住所・電話・アレルギーをフードバンクさんぶへ（食料と家電の支援のため）")
    await page.get_by_role("button", name="紹介を送る").click()

    flash = page.locator(".flash")
    await expect(flash).to_contain_text(re.compile(r"紹介 \d+ を送りました（世帯 H-\d{4}-\d{4}）"))
    reference = re.search(r"紹介 (\d+)", await flash.inner_text())
    assert reference
    referral_id = reference[1]
    await expect(page.locator("h1")).to_contain_text("判断待ち")
    await expect(page.locator("#consent")).to_contain_text("書面")
    await expect(page.locator("#referral-facts")).to_contain_text("冷蔵庫")
    await screenshot(page, "22-referral-sent")

    await go(page, "紹介一覧")
    row = page.locator("#referrals").get_by_role("row", name=re.compile(f"紹介 {referral_id}"))
    await expect(row).to_contain_text("判断待ち")
    await screenshot(page, "23-referral-list")

    # The coordinator, at a laptop, accepts it from the inbox with a note.
    await sign_in(laptop, live_server, await actors.make(Role.coordinator))
    await laptop.get_by_role("link", name="届いた紹介").first.click()
    card = laptop.locator(f"#referral-{referral_id}")
    await expect(card).to_contain_text("基幹相談支援センター")
    await expect(card).not_to_contain_text("山田")
    await screenshot(laptop, "24-referral-inbox")
    await card.get_by_label("相談員へのメモ（任意）").fill("12月2日の午前に配達します")
    await card.get_by_role("button", name="受理する").click()
    await expect(laptop.locator(".flash")).to_contain_text(f"紹介 {referral_id} を受理しました")
    await expect(laptop.locator(f"#referral-{referral_id}")).to_have_count(0)

    # The consultant sees the new status and the note.
    await page.reload()
    await expect(row).to_contain_text("受理")
    await expect(row).to_contain_text("12月2日の午前に配達します")
    await row.get_by_role("link", name=f"紹介 {referral_id}").click()
    await expect(page.locator("#outcome")).to_contain_text("受理")
    await expect(page.locator("#outcome")).to_contain_text("まだ配布はありません")
    await screenshot(page, "25-referral-accepted")

    await page.get_by_role("link", name="English").click()
    await expect(page.locator("h1")).to_contain_text("Accepted")
    await screenshot(page, "26-referral-english")
    await page.goto(live_server.url("/new-referral"))
    await expect(page.get_by_role("heading", name="Refer a household")).to_be_visible()
    await screenshot(page, "27-refer-form-english")
