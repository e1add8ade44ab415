"""Security headers on every response (pages, API, static files, errors, unknown paths), no inline script
in any page, and API documentation served from the package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from httpx import AsyncClient

from foodbank.lib.headers import CONTENT_SECURITY_POLICY
from foodbank.models import Role
from tests.conftest import Actors

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(
    ("path", "authenticated"),
    [
        ("/sign-in", False),
        ("/", True),
        ("/api/lots", True),
        ("/api/lots", False),  # 401
        ("/api/lots/99999", True),  # 404 problem
        ("/nowhere", False),  # unrouted
        ("/health", False),
        ("/static/base.css", False),
        ("/schema/openapi.json", False),
    ],
)
async def test_every_response_carries_the_security_headers(
    client: AsyncClient, actors: Actors, path: str, authenticated: bool
) -> None:
    headers = (await actors.make(Role.admin)).headers if authenticated else {}
    response = await client.get(path, headers=headers)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    policy = response.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe" not in policy
    if path.startswith("/static/"):
        assert "no-store" not in response.headers.get("cache-control", "")
    else:
        assert response.headers["cache-control"] == "no-store", path


async def test_identity_pages_and_answers_are_never_stored(client: AsyncClient, actors: Actors) -> None:
    coordinator = await actors.make(Role.coordinator)
    body = {"municipality": "sammu", "adults": 1, "identity": {"name": "山田 花子", "phone": "000-1111-2222"}}
    created = await client.post("/api/households", json=body, headers=coordinator.headers)
    assert created.status_code == 201
    household = created.json()["id"]
    for path in (f"/api/households/{household}/identity", f"/households/{household}/identity"):
        response = await client.get(path, headers={**coordinator.headers, "Accept": "text/html"})
        assert response.status_code == 200, (path, response.text[:200])
        assert response.headers["cache-control"] == "no-store"


def test_no_page_template_has_an_inline_script_or_style() -> None:
    """The policy allows scripts and stylesheets from /static only: an inline one would not run."""
    offenders = []
    for template in (TEMPLATES / "pages").rglob("*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or "<style" in text or re.search(r"\sstyle=\"", text):
            offenders.append(str(template.relative_to(TEMPLATES)))
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{template.relative_to(TEMPLATES)} (event handler attribute)")
    assert offenders == []


async def test_the_api_documentation_loads_nothing_from_elsewhere(client: AsyncClient) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "<script>" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for source in sources:
        assert (await client.get(source)).status_code == 200, source


async def test_the_standalone_html_summary_runs_no_script(client: AsyncClient, actors: Actors) -> None:
    from tests.dates import TODAY

    reporter = await actors.make(Role.reporter)
    year = (TODAY.year if TODAY.month >= 4 else TODAY.year - 1) - 1
    response = await client.get(f"/api/reports/annual/{year}/summary.html", headers=reporter.headers)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "<script" not in response.text
