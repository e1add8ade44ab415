"""The frame of every page: language (cookie, Accept-Language, default Japanese), navigation per role,
error pages in the reader's language, CSRF on forms."""

from __future__ import annotations

from httpx import AsyncClient

from foodbank.models import Role
from tests.conftest import Actors
from tests.integration.pages.conftest import Browser


async def test_japanese_by_default_english_from_the_header_or_the_switch(
    client: AsyncClient, browser: Browser, actors: Actors
) -> None:
    await browser.sign_in(await actors.make(Role.warehouse))
    page = await client.get("/")
    assert '<html lang="ja">' in page.text and "ホーム" in page.text and "サインアウト" in page.text

    english = await client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,ja;q=0.5"})
    assert '<html lang="en">' in english.text and "Sign out" in english.text

    assert 'href="/language/en?next=%2F"' in page.text
    switched = await client.get("/language/en", params={"next": "/warehouse/stock"})
    assert switched.status_code == 302 and switched.headers["location"] == "/warehouse/stock"
    assert "fb_lang=en" in switched.headers["set-cookie"]
    stock = await client.get("/warehouse/stock")
    assert '<html lang="en">' in stock.text and "Stock" in stock.text
    # The cookie wins over the header; unknown languages are ignored and never leave the site.
    back = await client.get("/language/xx", params={"next": "//evil.example/"})
    assert back.headers["location"] == "/" and "set-cookie" not in back.headers
    assert '<html lang="en">' in (await client.get("/", headers={"Accept-Language": "ja"})).text


async def test_the_navigation_shows_only_what_the_role_may_open(browser: Browser, actors: Actors) -> None:
    await browser.sign_in(await actors.make(Role.warehouse))
    page = (await browser.get("/")).text
    for path in ("/warehouse/receive", "/warehouse/stock", "/warehouse/picking", "/warehouse/expired"):
        assert f'href="{path}"' in page


async def test_a_role_without_access_gets_a_page_in_its_language(
    client: AsyncClient, browser: Browser, actors: Actors
) -> None:
    await browser.sign_in(await actors.make(Role.consultant))
    home = (await browser.get("/")).text
    assert 'href="/warehouse/receive"' not in home and "倉庫" not in home
    refused = await browser.get("/warehouse/receive")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "あなたの役割では、このページや操作は使えません。" in refused.text
    english = await client.get("/warehouse/receive", headers={"Accept-Language": "en"})
    assert "Your role does not allow this page or action." in english.text


async def test_a_missing_page_record_and_a_form_without_csrf_get_pages(browser: Browser, actors: Actors) -> None:
    await browser.sign_in(await actors.make(Role.warehouse))
    missing = await browser.get("/warehouse/lots/999999")
    assert missing.status_code == 404 and "ロット 999999 はありません。" in missing.text
    assert "そのロットはありません。" in missing.text
    forged = await browser.client.post("/warehouse/expired", data={"confirm": "true"})
    assert forged.status_code == 403
    assert "画面の有効期限が切れました" in forged.text


async def test_pages_send_visitors_to_sign_in(client: AsyncClient) -> None:
    response = await client.get("/warehouse/stock")
    assert response.status_code == 302
    assert response.headers["location"] == "/sign-in?next=%2Fwarehouse%2Fstock"


async def test_scripts_that_do_not_ask_for_html_get_problem_details_from_pages(
    client: AsyncClient, actors: Actors
) -> None:
    consultant = await actors.make(Role.consultant)
    response = await client.get("/warehouse/receive", headers={**consultant.headers, "Accept": "*/*"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/forbidden"
