"""The session cookie is Secure when the client's request was https: directly, or as a trusted proxy's
X-Forwarded-Proto says (FOODBANK_COOKIE_SECURE=auto); true and false override it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from foodbank.app import create_app
from foodbank.config import Settings
from foodbank.lib.db import Database
from foodbank.models import Role
from tests.conftest import Actors, client_for, with_settings

PROXY = ("127.0.0.1", 40000)


def behind_proxy(settings: Settings, cookie_secure: bool | None = None) -> Settings:
    proxied = replace(settings, http=replace(settings.http, trusted_proxies=("127.0.0.1",)))
    return with_settings(proxied, cookie_secure=cookie_secure)


@pytest.mark.parametrize(
    ("cookie_secure", "peer", "headers", "base", "secure"),
    [
        (None, PROXY, {"X-Forwarded-Proto": "https"}, "http://testserver", True),  # TLS ended at the proxy
        (None, PROXY, {"X-Forwarded-Proto": "http"}, "http://testserver", False),
        (None, PROXY, {}, "http://testserver", False),
        (None, ("203.0.113.5", 50000), {"X-Forwarded-Proto": "https"}, "http://testserver", False),  # not a proxy
        (None, ("203.0.113.5", 50000), {}, "https://testserver", True),  # TLS to us directly
        (True, PROXY, {}, "http://testserver", True),
        (False, PROXY, {"X-Forwarded-Proto": "https"}, "https://testserver", False),
    ],
)
async def test_the_session_cookie_is_secure_when_the_client_used_https(
    settings: Settings,
    database: Database,
    actors: Actors,
    cookie_secure: bool | None,
    peer: tuple[str, int],
    headers: dict[str, str],
    base: str,
    secure: bool,
) -> None:
    actor = await actors.make(Role.warehouse)
    async with client_for(create_app(behind_proxy(settings, cookie_secure), database)) as client:
        client._transport.client = peer  # type: ignore[attr-defined]
        client.base_url = base  # type: ignore[assignment]
        response = await client.post(
            "/api/session", json={"username": actor.username, "password": actor.password}, headers=headers
        )
        assert response.status_code == 201, response.text
        assert ("secure" in response.headers["set-cookie"].lower().split("; ")) is secure
        client.cookies.clear()
        page = await client.get("/sign-in", headers=headers)  # its form's one-time cookie follows the same rule
        login_cookies = [c for c in page.headers.get_list("set-cookie") if c.startswith("fb_login_csrf=")]
        assert login_cookies and ("secure" in login_cookies[0].lower().split("; ")) is secure
