"""What a person or a client can send never reaches a 500: NUL characters, lone surrogates, deep JSON,
dates no calendar of ours holds, bodies that are not JSON, and a database that is away."""

from __future__ import annotations

import json
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from foodbank.app import create_app
from foodbank.config import Settings
from foodbank.lib.db import Database
from foodbank.models import Household, Receipt, Referral, Role
from tests.conftest import Actors, client_for
from tests.dates import TODAY, days, month_end
from tests.integration.households.test_households_and_referrals import household, referral
from tests.integration.lib.test_problem_details import assert_problem
from tests.integration.stock.conftest import Warehouse


@pytest.fixture
async def admin_headers(actors: Actors) -> dict[str, str]:
    return (await actors.make(Role.admin)).headers


async def count(database: Database, model: Any) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def post_raw(client: AsyncClient, url: str, body: str, headers: dict[str, str]) -> Any:
    return await client.post(
        url, content=body.encode("utf-8", "surrogatepass"), headers={**headers, "Content-Type": "application/json"}
    )


@pytest.mark.parametrize("bad", ["\x00", "\ud800"], ids=["nul", "lone-surrogate"])
async def test_nul_and_lone_surrogates_in_a_body_are_field_errors(
    client: AsyncClient, database: Database, actors: Actors, bad: str
) -> None:
    coordinator = await actors.make(Role.coordinator)
    body = household(identity={"name": "山田 花子", "address": f"山武市{bad}殿台"})
    # json.dumps escapes both as \u0000 and \ud800, as any client's JSON library would.
    response = await post_raw(client, "/api/households", json.dumps(body), coordinator.headers)
    problem = assert_problem(response, 422, "validation")
    assert [e["field"] for e in problem["errors"]] == ["identity.address"]
    assert "山武市" not in response.text  # the value is not echoed back
    assert await count(database, Household) == 0


async def test_nul_in_an_object_key_and_a_list_item_are_refused(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    response = await post_raw(client, "/api/agencies", '{"name": "x", "kind": "other", "a\\u0000": 1}', admin_headers)
    assert_problem(response, 422, "validation")
    response = await post_raw(client, "/api/referrals", '{"reasons": ["food\\u0000"]}', admin_headers)
    problem = assert_problem(response, 422, "validation")
    assert "reasons.0" in {e["field"] for e in problem["errors"]}


async def test_nul_in_a_query_string_is_a_field_error(client: AsyncClient, admin_headers: dict[str, str]) -> None:
    for url, field in (
        ("/api/households?code=ab%00", "code"),
        ("/api/audit-events?action=x%00", "action"),
        ("/api/audit-events?entity=a%00", "entity"),
    ):
        problem = assert_problem(await client.get(url, headers=admin_headers), 422, "validation")
        assert [e["field"] for e in problem["errors"]] == [field]


@pytest.mark.parametrize("bad", ["%ED%A0%80", "%FF"], ids=["encoded-surrogate", "not-utf8"])
async def test_bytes_that_are_no_utf8_in_a_query_string_are_no_server_error(
    client: AsyncClient, admin_headers: dict[str, str], bad: str
) -> None:
    # Decoded with replacement characters (U+FFFD), which are text like any other: a search finds nothing.
    for url in (f"/api/households?code=ab{bad}", f"/api/audit-events?entity=a{bad}"):
        response = await client.get(url, headers=admin_headers)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])


async def test_json_nested_a_thousand_deep_is_refused(client: AsyncClient, admin_headers: dict[str, str]) -> None:
    for deep in ("[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000):
        response = await post_raw(
            client, "/api/agencies", f'{{"name": "x", "kind": "other", "notes": {deep}}}', admin_headers
        )
        problem = assert_problem(response, 400, "bad-request")
        assert "deep" in problem["detail"]
        response = await post_raw(client, "/api/agencies", deep, admin_headers)
        assert_problem(response, 400, "bad-request")


async def test_far_dates_in_reads_are_refused_not_overflowed(
    client: AsyncClient, admin_headers: dict[str, str]
) -> None:
    for url, field in (
        ("/api/stock/as-of?date=9999-12-31", "date"),
        ("/api/stock/as-of?date=0001-01-01", "date"),
        ("/api/lots?as_of=9999-12-31&expiring_within_days=30", "as_of"),
    ):
        problem = assert_problem(await client.get(url, headers=admin_headers), 422, "validation")
        assert [e["field"] for e in problem["errors"]] == [field], url
    for year in (9999, 1226226, 2**31 - 1, 1, 0, 1900):
        response = await client.get(f"/api/reports/annual/{year}", headers=admin_headers)
        assert response.status_code in {404, 422}, (year, response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_implausible_dates_for_their_meaning_are_refused(
    client: AsyncClient, database: Database, wh: Warehouse, actors: Actors
) -> None:
    line = {"item_id": wh.canned, "quantity": 3, "location_id": wh.ambient, "expiry": month_end(6).isoformat()}
    for received, expiry, field in (
        ("0001-01-01", month_end(6).isoformat(), "received_date"),
        (TODAY.isoformat(), "9999-12-31", "lines.0.expiry"),
        (TODAY.isoformat(), "9999-12", "lines.0.expiry"),
        (days(3), month_end(6).isoformat(), "received_date"),
        ("1999-12-31", month_end(6).isoformat(), "received_date"),
    ):
        body = {"donor_id": wh.donor, "received_date": received, "lines": [{**line, "expiry": expiry}]}
        response = await client.post("/api/receipts", json=body, headers=wh.warehouse.headers)
        problem = assert_problem(response, 422, "validation")
        assert field in {e["field"] for e in problem["errors"]}, (received, expiry, problem)
    assert await count(database, Receipt) == 0

    coordinator = await actors.make(Role.coordinator)
    created = await client.post("/api/households", json=household(), headers=coordinator.headers)
    assert created.status_code == 201, created.text
    for changes, field in (
        ({"referred_on": "0001-01-01"}, "referred_on"),
        ({"valid_until": "9999-12-31"}, "valid_until"),
    ):
        body = referral(created.json()["id"], **changes)
        response = await client.post("/api/referrals", json=body, headers=coordinator.headers)
        problem = assert_problem(response, 422, "validation")
        assert field in {e["field"] for e in problem["errors"]}, problem
    assert await count(database, Referral) == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None])
async def test_a_body_that_is_not_json_is_415(
    client: AsyncClient, admin_headers: dict[str, str], content_type: str | None
) -> None:
    headers = dict(admin_headers)
    if content_type:
        headers["Content-Type"] = content_type
    response = await client.post("/api/agencies", content=b'{"name": "x", "kind": "other"}', headers=headers)
    problem = assert_problem(response, 415, "unsupported-media-type")
    assert "application/json" in problem["detail"]
    listed = await client.get("/api/agencies", headers=admin_headers)
    assert listed.json() == []
    ok = await client.post(
        "/api/agencies",
        content=b'{"name": "x", "kind": "other"}',
        headers={**admin_headers, "Content-Type": "application/json; charset=utf-8"},
    )
    assert ok.status_code == 201, ok.text


async def test_api_routes_answer_503_while_the_database_is_unreachable(
    settings: Settings, actors: Actors, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await actors.make(Role.admin)
    unreachable = Database.connect("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    async with client_for(create_app(settings, unreachable)) as client:
        for method, url in (("GET", "/api/lots"), ("POST", "/api/agencies"), ("GET", "/api/session")):
            response = await client.request(
                method, url, headers=admin.headers, json={"name": "x", "kind": "other"} if method == "POST" else None
            )
            problem = assert_problem(response, 503, "unavailable")
            assert int(response.headers["retry-after"]) > 0
            assert "try again" in problem["detail"].lower()
        page = await client.get("/warehouse/stock", headers={**admin.headers, "Accept": "text/html"})
        assert page.status_code == 503
        assert int(page.headers["retry-after"]) > 0
    assert not [r for r in caplog.records if r.exc_info], "an unreachable database is not a traceback per request"


@pytest.mark.parametrize("cell", ["A-01\x00", "lot\x00code"], ids=["location", "lot-code"])
async def test_nul_in_a_csv_cell_is_a_row_error(
    client: AsyncClient, database: Database, wh: Warehouse, cell: str
) -> None:
    location, lot_code = (cell, "L1") if cell.startswith("A-01") else ("A-01", cell)
    body = f"JANコード,数量,期限,棚,ロット\r\n4901234567894,7,{month_end(10).isoformat()},{location},{lot_code}\r\n"
    response = await client.post(
        "/api/stock/imports?kind=opening_balance",
        content=body.encode(),
        headers={**wh.warehouse.headers, "Content-Type": "text/csv"},
    )
    problem = assert_problem(response, 422, "validation")
    assert problem["errors"][0]["row"] == 2, problem
    assert await count(database, Receipt) == 0


async def test_nul_in_the_sign_in_form_is_a_refusal_not_a_server_error(client: AsyncClient, actors: Actors) -> None:
    from tests.integration.pages.test_sign_in_pages import hidden

    actor = await actors.make(Role.coordinator)
    for username, password in ((f"{actor.username}\x00", actor.password), (actor.username, "pw\x00")):
        form = await client.get("/sign-in")
        response = await client.post(
            "/sign-in", data={"username": username, "password": password, "_csrf": hidden(form.text, "_csrf")}
        )
        assert response.status_code == 422, response.text[:300]
        assert "fb_session=" not in response.headers.get("set-cookie", "")
