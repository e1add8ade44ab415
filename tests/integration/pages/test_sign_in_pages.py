"""The web sign-in: a form with a CSRF token, the session cookie, redirects, and sign-out by form."""

from __future__ import annotations

import re

from httpx import AsyncClient

from foodbank.models import Role
from tests.conftest import Actors


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


async def test_a_page_sends_visitors_to_sign_in_and_back(client: AsyncClient, actors: Actors) -> None:
    actor = await actors.make(Role.coordinator)
    home = await client.get("/")
    assert home.status_code == 302
    assert home.headers["location"] == "/sign-in?next=%2F"

    form = await client.get("/sign-in", params={"next": "/"})
    assert form.status_code == 200 and 'name="password"' in form.text
    signed_in = await client.post(
        "/sign-in",
        data={"username": actor.username, "password": actor.password, "_csrf": hidden(form.text, "_csrf"), "next": "/"},
    )
    assert signed_in.status_code in (302, 303)
    assert signed_in.headers["location"] == "/"
    cookie = signed_in.headers["set-cookie"]
    assert "fb_session=" in cookie and "HttpOnly" in cookie

    page = await client.get("/")
    assert page.status_code == 200
    assert actor.username.title() in page.text
    csrf = hidden(page.text, "_csrf")

    forged = await client.post("/sign-out", data={})
    assert forged.status_code == 403
    out = await client.post("/sign-out", data={"_csrf": csrf})
    assert out.status_code in (302, 303) and out.headers["location"] == "/sign-in"
    assert (await client.get("/")).status_code == 302


async def test_the_sign_in_form_needs_its_csrf_token_and_keeps_the_username(
    client: AsyncClient, actors: Actors
) -> None:
    actor = await actors.make(Role.warehouse)
    await client.get("/sign-in")
    forged = await client.post(
        "/sign-in", data={"username": actor.username, "password": actor.password, "_csrf": "guessed"}
    )
    assert forged.status_code == 403
    assert "有効期限" in forged.text

    form = await client.get("/sign-in")
    wrong = await client.post(
        "/sign-in", data={"username": actor.username, "password": "nope", "_csrf": hidden(form.text, "_csrf")}
    )
    assert wrong.status_code == 401
    assert "パスワードが違います" in wrong.text
    assert f'value="{actor.username}"' in wrong.text


async def test_sign_in_never_redirects_off_site(client: AsyncClient, actors: Actors) -> None:
    actor = await actors.make(Role.warehouse)
    form = await client.get("/sign-in")
    response = await client.post(
        "/sign-in",
        data={
            "username": actor.username,
            "password": actor.password,
            "_csrf": hidden(form.text, "_csrf"),
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/"


async def test_the_stylesheet_is_served(client: AsyncClient) -> None:
    response = await client.get("/static/base.css")
    assert response.status_code == 200 and "font" in response.text
