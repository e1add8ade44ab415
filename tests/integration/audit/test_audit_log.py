"""Writes leave audit rows (who, what, which record, request id); admins read them."""

from __future__ import annotations

from httpx import AsyncClient

from foodbank.models import Role
from tests.conftest import Actors


async def test_writes_are_audited_with_actor_and_request_id(client: AsyncClient, actors: Actors) -> None:
    admin = await actors.make(Role.admin)
    created = await client.post(
        "/api/agencies",
        json={"name": "東金市役所 社会福祉課", "kind": "municipal_office"},
        headers={**admin.headers, "X-Request-ID": "req-test-0001"},
    )
    assert created.status_code == 201

    events = await client.get("/api/audit-events", params={"entity": "agency"}, headers=admin.headers)
    assert events.status_code == 200
    (event,) = [e for e in events.json() if e["entity_id"] == str(created.json()["id"])]
    assert event["action"] == "agency.create"
    assert event["actor_id"] == admin.id
    assert event["request_id"] == "req-test-0001"
    # No personal data: the agency's name is not copied into the log.
    assert "東金" not in str(event)


async def test_audit_filters_and_limits(client: AsyncClient, actors: Actors) -> None:
    admin = await actors.make(Role.admin)
    for i in range(3):
        await client.post("/api/agencies", json={"name": f"Agency {i}", "kind": "other"}, headers=admin.headers)
    page = await client.get("/api/audit-events", params={"action": "agency.create", "limit": 2}, headers=admin.headers)
    assert [e["action"] for e in page.json()] == ["agency.create", "agency.create"]
    older = await client.get(
        "/api/audit-events",
        params={"action": "agency.create", "before_id": page.json()[-1]["id"]},
        headers=admin.headers,
    )
    assert len(older.json()) == 1

    bad = await client.get("/api/audit-events", params={"limit": "lots"}, headers=admin.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "limit"
    unknown = await client.get("/api/audit-events", params={"colour": "red"}, headers=admin.headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [
        {"field": "colour", "message": "Unknown field.", "message_id": "Unknown field.", "params": {}}
    ]


async def test_only_admins_read_the_audit_log(client: AsyncClient, actors: Actors) -> None:
    coordinator = await actors.make(Role.coordinator)
    assert (await client.get("/api/audit-events", headers=coordinator.headers)).status_code == 403
