"""Operations endpoints and the OpenAPI document generated from the marshmallow schemas."""

from __future__ import annotations

import marshmallow
from httpx import AsyncClient
from litestar import Litestar

from foodbank.app import create_app
from foodbank.config import Settings
from foodbank.lib.db import Database
from foodbank.lib.validation import Dump
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


def test_the_document_says_what_decimals_and_extra_fields_really_are(app: Litestar) -> None:
    """Decimals leave as exact strings ("0.500") and the document says so; what a schema refuses
    (unknown fields) the document refuses too; bounds are numbers, never strings."""
    outputs: set[type[marshmallow.Schema]] = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            dto = handler.resolve_return_dto() if hasattr(handler, "resolve_return_dto") else None
            if dto is not None and issubclass(dto, Dump):
                outputs.add(dto.model_type)
    seen: set[type[marshmallow.Schema]] = set()
    pending = list(outputs)
    while pending:
        schema_cls = pending.pop()
        if schema_cls in seen:
            continue
        seen.add(schema_cls)
        for name, field in schema_cls().fields.items():
            inner = field.inner if isinstance(field, marshmallow.fields.List) else field
            if isinstance(inner, marshmallow.fields.Nested):
                nested = inner.schema
                pending.append(type(nested))
            if isinstance(inner, marshmallow.fields.Decimal):
                assert inner.as_string, f"{schema_cls.__name__}.{name} would leave as a string documented as a number"
    assert len(seen) > 50
    doc = app.openapi_schema.to_schema()
    for name, component in doc["components"]["schemas"].items():
        for key, prop in (component.get("properties") or {}).items():
            for bound in ("minimum", "maximum"):
                assert not isinstance(prop.get(bound), str), (name, key, bound)
    assert doc["components"]["schemas"]["ItemIn"]["additionalProperties"] is False
    assert doc["components"]["schemas"]["ItemOut"]["properties"]["unit_weight_kg"]["type"] == "string"
    problem_statuses = doc["paths"]["/api/items"]["post"]["responses"]
    assert {"413", "415", "422", "503"} <= set(problem_statuses)
    assert "429" in doc["paths"]["/api/session"]["post"]["responses"]


def test_the_problem_schema_documents_message_ids_and_params(app: Litestar) -> None:
    schemas = app.openapi_schema.to_schema()["components"]["schemas"]
    problem = next(s for name, s in schemas.items() if name.startswith("Problem"))
    field_error = next(s for name, s in schemas.items() if name.startswith("FieldError"))
    assert {"detail", "message_id", "params"} <= set(problem["properties"])
    assert {"message", "message_id", "params"} <= set(field_error["properties"])
    assert {"message", "message_id", "params"} <= set(field_error["required"])


async def test_a_problem_carries_its_message_id_and_params_in_english_or_japanese(client: AsyncClient) -> None:
    english = await client.get("/api/no-such-thing")
    assert english.status_code == 404 and english.headers["content-language"] == "en"
    body = english.json()
    assert body["detail"] == "There is nothing at /api/no-such-thing."
    assert (body["message_id"], body["params"]) == ("There is nothing at %(path)s.", {"path": "/api/no-such-thing"})

    japanese = await client.get("/api/no-such-thing", headers={"Accept-Language": "ja,en;q=0.8"})
    assert japanese.headers["content-language"] == "ja"
    body = japanese.json()
    assert body["detail"] == "/api/no-such-thing には何もありません。"
    assert body["title"] == "このページはありません。"
    assert body["message_id"] == "There is nothing at %(path)s."

    refused = await client.post("/api/session", json={"username": 5}, headers={"Accept-Language": "ja"})
    assert refused.status_code == 422 and refused.headers["content-language"] == "ja"
    errors = {e["field"]: e for e in refused.json()["errors"]}
    assert errors["password"]["message_id"] == "Missing data for required field."
    assert errors["password"]["message"] == "入力してください。"


def test_the_document_says_what_a_lots_available_units_are(app: Litestar) -> None:
    available = app.openapi_schema.to_schema()["components"]["schemas"]["LotOut"]["properties"]["available"]
    assert available["type"] == "integer"
    assert "0 for a lot on hold, recalled or past its best-before or use-by date" in available["description"]
