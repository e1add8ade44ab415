"""Helpers for page tests: sign in through the form, read hidden fields, follow a redirect."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient, Response

from tests.conftest import Actor


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


HTML = "text/html,application/xhtml+xml,*/*;q=0.8"
"""What a browser asks for: errors of pages then come as pages, not problem details."""


class Browser:
    """An httpx client that signs in like a person and posts forms with the session's CSRF token."""

    def __init__(self, client: AsyncClient) -> None:
        client.headers["Accept"] = HTML
        self.client = client
        self.csrf = ""

    async def sign_in(self, actor: Actor) -> None:
        form = await self.client.get("/sign-in")
        response = await self.client.post(
            "/sign-in",
            data={"username": actor.username, "password": actor.password, "_csrf": hidden(form.text, "_csrf")},
        )
        assert response.status_code in (302, 303), response.text
        self.csrf = hidden((await self.client.get("/")).text, "_csrf")

    async def get(self, path: str, **kwargs: object) -> Response:
        return await self.client.get(path, **kwargs)  # type: ignore[arg-type]

    async def post(self, path: str, data: dict[str, object], **kwargs: object) -> Response:
        fields = {"_csrf": self.csrf, **{key: str(value) for key, value in data.items()}}
        return await self.client.post(path, data=fields, **kwargs)  # type: ignore[arg-type]

    async def follow(self, response: Response) -> Response:
        assert response.status_code == 303, (response.status_code, response.text[:2000])
        return await self.client.get(response.headers["location"])


@pytest.fixture
def browser(client: AsyncClient) -> Browser:
    return Browser(client)
