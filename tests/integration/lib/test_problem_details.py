"""Every error is RFC 9457 problem details, and bad input is a 4xx that changes nothing."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from litestar import Litestar

from foodbank.accounts import services
from foodbank.models import Role
from tests.conftest import Actors

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response, status: int, slug: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"] == f"/problems/{slug}"
    assert body["request_id"] == response.headers["x-request-id"]
    return body


@pytest.fixture
async def admin_headers(actors: Actors) -> dict[str, str]:
    return (await actors.make(Role.admin)).headers


async def agencies(client: AsyncClient, headers: dict[str, str]) -> list[dict]:
    return (await client.get("/api/agencies", headers=headers)).json()


async def test_malformed_json_is_400(client: AsyncClient, admin_headers: dict[str, str]) -> None:
    response = await client.post(
        "/api/agencies",
        content=b'{"name": "x", ',
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    body = assert_problem(response, 400, "bad-request")
    assert body["detail"] == "The body is not valid JSON."
    assert await agencies(client, admin_headers) == []


@pytest.mark.parametrize("payload", [[1, 2], "text", 42, None])
async def test_a_body_that_is_not_an_object_is_422(
    client: AsyncClient, admin_headers: dict[str, str], payload: object
) -> None:
    response = await client.post("/api/agencies", json=payload, headers=admin_headers)
    body = assert_problem(response, 422, "validation")
    assert body["errors"][0]["field"] == "(body)"


async def test_wrong_types_and_unknown_fields_are_422_with_field_errors(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    response = await client.post(
        "/api/users",
        json={
            "username": 5,
            "display_name": "x",
            "roles": ["superuser"],
            "agency_id": "one",
            "shoe_size": 27,
        },
        headers=admin_headers,
    )
    body = assert_problem(response, 422, "validation")
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"username", "roles.0", "agency_id", "shoe_size"}
    unknown = {"field": "shoe_size", "message": "Unknown field.", "message_id": "Unknown field.", "params": {}}
    assert unknown in body["errors"]


async def test_missing_required_fields_are_listed(client: AsyncClient, admin_headers: dict[str, str]) -> None:
    body = assert_problem(await client.post("/api/agencies", json={}, headers=admin_headers), 422, "validation")
    assert {e["field"] for e in body["errors"]} == {"name", "kind"}


async def test_an_oversized_body_is_413(client: AsyncClient, admin_headers: dict[str, str]) -> None:
    huge = {"name": "x" * (3 * 1024 * 1024), "kind": "other"}
    assert_problem(await client.post("/api/agencies", json=huge, headers=admin_headers), 413, "too-large")


async def test_unknown_routes_methods_and_bad_path_parameters(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    assert_problem(await client.get("/api/no-such-thing", headers=admin_headers), 404, "not-found")
    assert_problem(await client.put("/api/agencies", json={}, headers=admin_headers), 405, "method-not-allowed")
    assert_problem(await client.delete("/api/tokens/not-a-number", headers=admin_headers), 404, "not-found")


async def test_an_unexpected_error_is_a_500_problem_without_internals(
    client: AsyncClient, admin_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(services, "create_agency", explode)
    response = await client.post("/api/agencies", json={"name": "x", "kind": "other"}, headers=admin_headers)
    body = assert_problem(response, 500, "internal")
    assert "secret" not in response.text
    assert "Nothing was saved" in body["detail"]


HUGE = (2**31, 2**63, 10**30, -(2**40))  # past PostgreSQL's integer, past bigint, past anything, below


async def test_numbers_no_column_can_hold_are_refused_in_bodies_and_queries(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    for number in HUGE:
        body = {"household_id": number, "channel": "pickup", "lines": [{"lot_id": number, "quantity": 1}]}
        response = await client.post("/api/distributions", json=body, headers=admin_headers)
        problem = assert_problem(response, 422, "validation")
        fields = {error["field"] for error in problem["errors"]}
        assert {"household_id", "lines.0.lot_id"} <= fields, problem
        listing = await client.get("/api/lots", params={"item_id": str(number)}, headers=admin_headers)
        assert_problem(listing, 422, "validation")


async def test_a_path_id_no_record_can_have_is_not_a_server_error(
    app: Litestar, client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    urls = []
    for route in app.routes:
        ids = [name for name, param in route.path_parameters.items() if param.type is int]
        if ids and "GET" in getattr(route, "methods", ()):
            for number in (2**31, 2**63):
                url = route.path_format
                for name in ids:
                    url = url.replace("{" + name + "}", str(number))
                urls.append(url)
    assert f"/api/lots/{2**63}" in urls and len(urls) > 20
    for url in urls:
        response = await client.get(url, headers=admin_headers)
        assert response.status_code == 404, (url, response.status_code, response.text[:300])
