"""The frame of every page: language (cookie, Accept-Language, default Japanese), navigation per role,
error pages in the reader's language, CSRF on forms."""

from __future__ import annotations

import re

from httpx import AsyncClient

from foodbank.models import Role
from tests.conftest import Actors
from tests.integration.pages.conftest import HTML, Browser


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


async def test_a_mistyped_address_answers_a_page_in_the_readers_language(client: AsyncClient) -> None:
    """Paths that no router knows: a page for a browser, Japanese by default, English on request or by the
    cookie; the status is kept."""
    for path in ("/warehouse/stok", "/no/such/page", "/referrals/abc", "/static/nothing.css"):
        missing = await client.get(path, headers={"Accept": HTML})
        assert missing.status_code == 404, path
        assert missing.headers["content-type"].startswith("text/html"), path
        assert '<html lang="ja">' in missing.text and "このページはありません。" in missing.text, path
        assert "Not Found" not in missing.text and "problems/" not in missing.text, path
        assert "Project-Id-Version" not in missing.text, path  # gettext("") is the catalog's header
    english = await client.get("/warehouse/stok", headers={"Accept": HTML, "Accept-Language": "en"})
    assert '<html lang="en">' in english.text and "There is nothing here." in english.text
    client.cookies.set("fb_lang", "en")
    by_cookie = await client.get("/no/such/page", headers={"Accept": HTML, "Accept-Language": "ja"})
    assert '<html lang="en">' in by_cookie.text and "There is nothing here." in by_cookie.text


async def test_a_method_a_page_does_not_take_answers_a_page_with_allow(client: AsyncClient) -> None:
    refused = await client.get("/sign-out", headers={"Accept": HTML})
    assert refused.status_code == 405 and refused.headers["content-type"].startswith("text/html")
    assert "POST" in refused.headers["allow"]
    assert "このページはその方法では使えません。" in refused.text and "Project-Id-Version" not in refused.text


async def test_the_api_and_clients_that_do_not_ask_for_html_keep_problem_details(client: AsyncClient) -> None:
    for path, accept in (
        ("/api/no-such-thing", HTML),
        ("/api", HTML),
        ("/no/such/page", "*/*"),
        ("/x", "application/json"),
    ):
        response = await client.get(path, headers={"Accept": accept})
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json"), path
        body = response.json()
        assert body["type"] == "/problems/not-found" and body["detail"] == f"There is nothing at {path}."
    wrong_method = await client.delete("/api/session/nothing", headers={"Accept": HTML})
    assert wrong_method.headers["content-type"].startswith("application/problem+json")
    not_allowed = await client.put("/api/agencies", headers={"Accept": HTML})
    assert not_allowed.status_code == 405
    assert not_allowed.headers["content-type"].startswith("application/problem+json")


async def test_a_consultants_menu_holds_the_consultants_work(browser: Browser, actors: Actors) -> None:
    """世帯 is not under コーディネート for a consultant: their referrals, a new referral, the appliance waiting
    list of their agency and the households they may see, in one section."""
    await browser.sign_in(await actors.make(Role.consultant))
    page = (await browser.get("/")).text
    nav = page[page.index('<nav class="nav"') : page.index("</nav>")]
    assert "コーディネート" not in nav
    sections = nav.split('<div class="nav-section">')[1:]
    referrals = next(section for section in sections if "/referrals" in section)
    links = re.findall(r'href="([^"]+)"', referrals)
    assert links == ["/referrals", "/new-referral", "/coordinator/appliances/waiting-list", "/households"]


async def test_a_coordinators_menu_keeps_households_under_coordination(browser: Browser, actors: Actors) -> None:
    await browser.sign_in(await actors.make(Role.coordinator))
    page = (await browser.get("/")).text
    nav = page[page.index('<nav class="nav"') : page.index("</nav>")]
    coordination = next(s for s in nav.split('<div class="nav-section">')[1:] if "コーディネート" in s)
    assert 'href="/households"' in coordination


async def test_a_mistyped_address_keeps_the_menu_of_whoever_is_signed_in(browser: Browser, actors: Actors) -> None:
    await browser.sign_in(await actors.make(Role.consultant))
    missing = await browser.get("/referals")
    assert missing.status_code == 404 and "このページはありません。" in missing.text
    assert 'href="/referrals"' in missing.text and "サインアウト" in missing.text
    api = await browser.get("/api/referals")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")
