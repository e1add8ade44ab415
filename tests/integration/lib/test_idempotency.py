"""Idempotency-Key: replay, mismatch (422) and in-flight (409), scoped to the caller."""

from __future__ import annotations

import asyncio
import json

import asyncpg
from httpx import AsyncClient

from foodbank.accounts import services
from foodbank.models import Role
from tests.conftest import Actors, _asyncpg_dsn

AGENCY = {"name": "基幹相談支援センター", "kind": "core_consultation"}


async def count_agencies(client: AsyncClient, headers: dict[str, str]) -> int:
    return len((await client.get("/api/agencies", headers=headers)).json())


async def test_a_retry_with_the_same_key_and_body_replays_the_first_response(
    client: AsyncClient, actors: Actors
) -> None:
    admin = await actors.make(Role.admin)
    headers = {**admin.headers, "Idempotency-Key": "create-agency-1"}
    first = await client.post("/api/agencies", json=AGENCY, headers=headers)
    assert first.status_code == 201
    # Same JSON with other key order and spacing is the same request.
    again = await client.post(
        "/api/agencies",
        content=json.dumps({"kind": AGENCY["kind"], "name": AGENCY["name"]}, indent=3).encode(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await count_agencies(client, admin.headers) == 1
    audit = (await client.get("/api/audit-events", params={"action": "agency.create"}, headers=admin.headers)).json()
    assert len(audit) == 1


async def test_the_same_key_with_another_body_is_422(client: AsyncClient, actors: Actors) -> None:
    admin = await actors.make(Role.admin)
    headers = {**admin.headers, "Idempotency-Key": "k-2"}
    assert (await client.post("/api/agencies", json=AGENCY, headers=headers)).status_code == 201
    other = await client.post("/api/agencies", json={**AGENCY, "name": "別の機関"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"] == "/problems/validation"
    assert await count_agencies(client, admin.headers) == 1


async def test_keys_are_scoped_to_the_caller(client: AsyncClient, actors: Actors) -> None:
    one, two = await actors.make(Role.admin), await actors.make(Role.coordinator)
    r1 = await client.post("/api/agencies", json=AGENCY, headers={**one.headers, "Idempotency-Key": "shared"})
    r2 = await client.post(
        "/api/agencies",
        json={**AGENCY, "name": "二つ目"},
        headers={**two.headers, "Idempotency-Key": "shared"},
    )
    assert (r1.status_code, r2.status_code) == (201, 201)
    assert "idempotent-replayed" not in r2.headers


async def test_a_failed_request_does_not_claim_its_key(client: AsyncClient, actors: Actors) -> None:
    admin = await actors.make(Role.admin)
    await client.post("/api/agencies", json=AGENCY, headers=admin.headers)
    headers = {**admin.headers, "Idempotency-Key": "k-3"}
    duplicate = await client.post("/api/agencies", json=AGENCY, headers=headers)
    assert duplicate.status_code == 409
    fixed = await client.post("/api/agencies", json={**AGENCY, "name": "新しい名前"}, headers=headers)
    assert fixed.status_code == 201, "the key was not taken by the failed attempt"


async def test_a_retry_while_the_first_is_running_is_409(client: AsyncClient, actors: Actors, monkeypatch) -> None:
    admin = await actors.make(Role.admin)
    real = services.create_agency
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_create(*args, **kwargs):  # type: ignore[no-untyped-def]
        # Holds the first request inside its transaction until the second has been answered, however
        # slow the machine: a fixed sleep let a loaded CI runner finish the first before the second began.
        started.set()
        await release.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(services, "create_agency", slow_create)
    headers = {**admin.headers, "Idempotency-Key": "k-4"}
    first = asyncio.create_task(client.post("/api/agencies", json=AGENCY, headers=headers))
    await asyncio.wait_for(started.wait(), timeout=30)
    try:
        second = await asyncio.wait_for(client.post("/api/agencies", json=AGENCY, headers=headers), timeout=30)
    finally:
        release.set()
    assert second.status_code == 409
    assert second.json()["type"] == "/problems/conflict"
    assert "still being processed" in second.json()["detail"]
    assert (await first).status_code == 201
    third = await client.post("/api/agencies", json=AGENCY, headers=headers)
    assert third.status_code == 201 and third.headers["idempotent-replayed"] == "true"
    assert await count_agencies(client, admin.headers) == 1


async def test_the_in_flight_check_uses_a_lock_other_processes_see(
    client: AsyncClient, actors: Actors, database_url: str
) -> None:
    """Another server process working on the key holds the same advisory lock."""
    admin = await actors.make(Role.admin)
    conn = await asyncpg.connect(_asyncpg_dsn(database_url, database_url.rsplit("/", 1)[-1].split("?")[0]))
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", f"idempotency:{admin.id}:k-5")
        busy = await client.post("/api/agencies", json=AGENCY, headers={**admin.headers, "Idempotency-Key": "k-5"})
        assert busy.status_code == 409
    finally:
        await conn.close()
    done = await client.post("/api/agencies", json=AGENCY, headers={**admin.headers, "Idempotency-Key": "k-5"})
    assert done.status_code == 201
