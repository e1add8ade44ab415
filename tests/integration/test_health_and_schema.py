"""Operations endpoints and the OpenAPI document generated from the marshmallow schemas."""

from __future__ import annotations

from httpx import AsyncClient

from foodbank.app import create_app
from foodbank.config import Settings
from foodbank.lib.db import Database
from tests.conftest import client_for


async def test_health_checks_the_database(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["x-request-id"]


async def test_health_reports_503_when_the_database_is_unreachable(settings: Settings) -> None:
    unreachable = Database.connect("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    async with client_for(create_app(settings, unreachable)) as client:
        response = await client.get("/health")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/unavailable"


async def test_openapi_shows_marshmallow_schemas(client: AsyncClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    paths = doc["paths"]
    assert {
        "/api/session",
        "/api/tokens",
        "/api/users",
        "/api/agencies",
        "/api/audit-events",
        "/health",
    } <= set(paths)

    components = doc["components"]["schemas"]
    user_in = next(v for k, v in components.items() if k.endswith("UserIn"))
    assert set(user_in["required"]) == {"username", "display_name", "roles"}
    assert user_in["properties"]["roles"]["type"] == "array"
    assert user_in["properties"]["roles"]["items"]["enum"] == [
        "admin",
        "coordinator",
        "warehouse",
        "consultant",
        "reporter",
    ]
    assert user_in["properties"]["password"]["minLength"] == 10
    assert user_in["properties"]["password"]["writeOnly"] is True

    body = paths["/api/users"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("UserIn")
    listed = paths["/api/users"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["type"] == "array" and listed["items"]["$ref"].endswith("UserOut")

    # Nested schemas become references to their own components.
    signed_in = next(v for k, v in components.items() if k.endswith("SignedInOut"))
    assert signed_in["properties"]["user"]["$ref"].endswith("PrincipalOut")

    # Query parameters come from the marshmallow query schema.
    params = {p["name"]: p for p in paths["/api/audit-events"]["get"]["parameters"]}
    assert {"entity", "actor_id", "since", "limit"} <= set(params)
    assert params["limit"]["schema"]["type"] == "integer"
    assert params["limit"]["schema"]["maximum"] == 500
