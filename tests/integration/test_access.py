"""Deny by default: every route declares its roles, and the guard enforces them on all of them."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient
from litestar import Litestar, get
from litestar.handlers import HTTPRouteHandler

from foodbank.lib.access import undeclared_routes
from foodbank.models import Role
from tests.conftest import Actors


def declared_routes(app: Litestar) -> list[tuple[str, str, frozenset[Role], bool]]:
    """(method, path with ids filled in, allowed roles, is a page) for every route that needs sign-in."""
    routes = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and "roles" in handler.opt:
                path = re.sub(r"\{[^}]+\}", "1", route.path)
                is_page = bool(handler.opt.get("page"))
                routes.extend((method, path, handler.opt["roles"], is_page) for method in handler.http_methods)
    return sorted(routes, key=lambda r: (r[1], r[0]))


async def test_every_declared_route_answers_401_without_credentials(app: Litestar, client: AsyncClient) -> None:
    routes = declared_routes(app)
    assert len(routes) >= 8
    for method, path, _, is_page in routes:
        response = await client.request(method, path, json={})
        if is_page:  # a person is sent to the sign-in page instead
            assert response.status_code == 302, (method, path)
            assert response.headers["location"].startswith("/sign-in?next=")
            continue
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"] == "/problems/not-authenticated"


async def test_every_declared_route_answers_403_to_the_wrong_role(
    app: Litestar, client: AsyncClient, actors: Actors
) -> None:
    by_role = {role: await actors.make(role) for role in Role}
    checked = 0
    for method, path, allowed, _ in declared_routes(app):
        for role in set(Role) - allowed:
            response = await client.request(method, path, json={}, headers=by_role[role].headers)
            assert response.status_code == 403, (role, method, path, response.text)
            assert response.json()["type"] == "/problems/forbidden"
            checked += 1
    assert checked > 10


async def test_a_bad_token_is_refused_with_401(client: AsyncClient) -> None:
    response = await client.get("/api/session", headers={"Authorization": "Bearer fbt_not-a-real-token"})
    assert response.status_code == 401
    assert "token" in response.json()["detail"]


def test_create_app_refuses_a_route_without_a_declaration(app: Litestar) -> None:
    @get("/undeclared")
    async def undeclared() -> str:
        return "nobody said who may call this"

    app.register(undeclared)
    assert undeclared_routes(app) == ["GET /undeclared"]


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_can_reach_its_own_profile(client: AsyncClient, actors: Actors, role: Role) -> None:
    actor = await actors.make(role)
    response = await client.get("/api/session", headers=actor.headers)
    assert response.status_code == 200
    assert response.json()["roles"] == [role.value]
    assert response.json()["via"] == "token"
