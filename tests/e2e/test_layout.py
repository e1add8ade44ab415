"""The frame of every page on a phone (390x844, Japanese): the header is one line and the menu sits behind
a button, so that each role's first screen shows the page's title and its work; a mistyped address
answers a page in the reader's language. Screenshots of each at phone and laptop width."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from foodbank.models import Role
from tests.conftest import Actors
from tests.e2e.conftest import LiveServer, assert_work_first, go, menu, screenshot, sign_in

CARD = "main .card h2"
FORM = "main :is(form input:not([type=hidden]), form select, form textarea, form button, details > summary):visible"

FIRST_SCREENS = {
    Role.warehouse: [("/", CARD), ("/warehouse/receive", "#donor_id"), ("/warehouse/stock", FORM)],
    Role.coordinator: [("/", CARD), ("/coordinator/pantry", "main a.button, main .card"), ("/households", FORM)],
    Role.consultant: [("/", CARD), ("/new-referral", "#household_mode-new"), ("/referrals", "main .filters-row a")],
    Role.reporter: [("/", "#year-so-far .buttons a"), ("/reports/annual", "#year")],
    Role.admin: [("/", CARD)],
}


@pytest.mark.parametrize("role", list(FIRST_SCREENS), ids=lambda role: role.value)
async def test_every_roles_first_screen_shows_the_title_and_the_work(
    page: Page, live_server: LiveServer, actors: Actors, role: Role
) -> None:
    person = await actors.make(role, agency="地域包括支援センター" if role is Role.consultant else None)
    await sign_in(page, live_server, person)
    for path, work in FIRST_SCREENS[role]:
        await page.goto(live_server.url(path))
        await assert_work_first(page, work=work)
        await screenshot(page, f"60-first-screen-{role.value}{path.replace('/', '-').rstrip('-')}")
    # The menu opens over the page, and closes again; the sign-out is in it.
    navigation = await menu(page)
    await expect(navigation.get_by_role("link", name="ホーム", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="サインアウト")).to_be_visible()
    await screenshot(page, f"61-menu-open-{role.value}")
    await page.keyboard.press("Escape")
    await expect(navigation).to_be_hidden()


async def test_a_mistyped_address_answers_a_page_in_japanese_and_in_english(
    page: Page, live_server: LiveServer, actors: Actors
) -> None:
    await page.goto(live_server.url("/warehouse/stok"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("このページはありません。")
    await expect(page.locator("html")).to_have_attribute("lang", "ja")
    await expect(page.locator("main")).not_to_contain_text("Project-Id-Version")  # gettext("") is a header
    await assert_work_first(page, work="main a.button")
    await screenshot(page, "62-not-found-signed-out")

    await sign_in(page, live_server, await actors.make(Role.consultant, agency="地域包括支援センター"))
    response = await page.goto(live_server.url("/referals"))
    assert response is not None and response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("このページはありません。")
    await assert_work_first(page, work="main a.button")
    await screenshot(page, "63-not-found")
    await go(page, "紹介一覧")  # the menu is there, as on every page
    await expect(page.get_by_role("heading", level=1)).to_contain_text("紹介")

    await page.get_by_role("link", name="English").click()
    await page.goto(live_server.url("/no/such/page"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("There is nothing here.")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await screenshot(page, "64-not-found-english")
