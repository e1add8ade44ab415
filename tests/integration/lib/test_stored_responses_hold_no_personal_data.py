"""The idempotency records keep no personal data and no secrets (docs/decisions/0011): a retried API
token is 409 `secret-not-replayable` naming the token; a retried household, referral, hand-out,
donor, user or reservation answers the resource as it is now, read again through the route's own
query and schema. Afterwards nothing typed is found in the idempotency or audit tables."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from httpx import AsyncClient
from sqlalchemy.engine import make_url

from foodbank.models import Role
from tests.conftest import Actors, _asyncpg_dsn
from tests.dates import TODAY, month
from tests.integration.distributions.conftest import Community, community  # noqa: F401 - a fixture
from tests.integration.lib.test_logs_carry_no_personal_data import (
    ADDRESS,
    IDENTITY,
    KANA,
    NAME,
    NOTES,
    PASSWORD,
    PHONE,
    USERNAME,
    household,
    referral,
)

PERSONAL = [NAME, KANA, PHONE, ADDRESS, NOTES, PASSWORD, USERNAME]


async def stored_text(database_url: str) -> str:
    """Everything the idempotency and audit tables hold, as text (response bodies decoded)."""
    conn = await asyncpg.connect(_asyncpg_dsn(database_url, make_url(database_url).database or ""))
    try:
        keys = await conn.fetch(
            "SELECT key, method, path, request_hash, status_code, media_type,"
            " convert_from(coalesce(response_body, ''), 'UTF8') AS body FROM idempotency_key"
        )
        audit = await conn.fetch("SELECT row_to_json(a)::text AS row FROM audit_event a")
    finally:
        await conn.close()
    assert keys, "the requests were recorded"
    return "\n".join([*(str(dict(k)) for k in keys), *(a["row"] for a in audit)])


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


async def test_a_retried_token_is_409_and_its_secret_is_never_stored(
    client: AsyncClient, actors: Actors, database_url: str
) -> None:
    user = await actors.make(Role.warehouse)
    first = await client.post("/api/tokens", json={"name": "scanner"}, headers=keyed(user.headers, "tok-1"))
    assert first.status_code == 201
    created = first.json()
    again = await client.post("/api/tokens", json={"name": "scanner"}, headers=keyed(user.headers, "tok-1"))
    assert again.status_code == 409
    problem = again.json()
    assert problem["type"] == "/problems/secret-not-replayable"
    assert problem["created_id"] == created["id"]
    assert f"DELETE /api/tokens/{created['id']}" in problem["detail"]
    assert created["token"] not in again.text
    tokens = (await client.get("/api/tokens", headers=user.headers)).json()
    assert [t["name"] for t in tokens].count("scanner") == 1, "the retry created nothing"
    assert (await client.get("/api/tokens", headers={"Authorization": f"Bearer {created['token']}"})).status_code == 200
    stored = await stored_text(database_url)
    assert created["token"] not in stored and created["token"][8:] not in stored


async def test_retries_answer_the_resource_as_it_is_now_and_nothing_personal_is_stored(
    client: AsyncClient, actors: Actors, database_url: str
) -> None:
    coordinator, admin = await actors.make(Role.coordinator), await actors.make(Role.admin)
    consultant = await actors.make(Role.consultant)

    first = await client.post("/api/households", json=household(), headers=keyed(coordinator.headers, "hh-1"))
    assert first.status_code == 201
    again = await client.post("/api/households", json=household(), headers=keyed(coordinator.headers, "hh-1"))
    assert (again.status_code, again.headers["idempotent-replayed"]) == (201, "true")
    assert again.json() == first.json()
    household_id = first.json()["id"]
    lookalike = await client.post("/api/households", json=household(), headers=keyed(coordinator.headers, "hh-2"))
    assert lookalike.json()["warnings"], "the same phone again"
    patched = await client.patch(
        f"/api/households/{household_id}", json={"notes": NOTES + "(更新)"}, headers=coordinator.headers
    )
    assert patched.status_code == 200
    now = await client.post("/api/households", json=household(), headers=keyed(coordinator.headers, "hh-1"))
    assert now.json() == {**first.json(), "notes": NOTES + "(更新)"}, "a replay shows the household as it is now"
    warned = await client.post("/api/households", json=household(), headers=keyed(coordinator.headers, "hh-2"))
    assert warned.json()["warnings"] == lookalike.json()["warnings"], "the first answer's warnings are kept"

    own = await client.post("/api/households", json=household(), headers=consultant.headers)
    body = referral(own.json()["id"])
    sent = await client.post("/api/referrals", json=body, headers=keyed(consultant.headers, "ref-1"))
    assert sent.status_code == 201, sent.text
    resent = await client.post("/api/referrals", json=body, headers=keyed(consultant.headers, "ref-1"))
    assert (resent.status_code, resent.json()) == (201, sent.json())
    reads = await client.get(
        "/api/audit-events", params={"action": "referral.read", "entity_id": sent.json()["id"]}, headers=admin.headers
    )
    assert len(reads.json()) == 1, "the replay read the referral again, and that read is audited"

    donor = {"kind": "individual", "name": NAME, "contact": f"{PHONE} {ADDRESS}"}
    given = await client.post("/api/donors", json=donor, headers=keyed(coordinator.headers, "donor-1"))
    regiven = await client.post("/api/donors", json=donor, headers=keyed(coordinator.headers, "donor-1"))
    assert (given.status_code, regiven.json()) == (201, given.json())

    user = {"username": USERNAME, "display_name": NAME, "password": PASSWORD, "roles": ["warehouse"]}
    made = await client.post("/api/users", json=user, headers=keyed(admin.headers, "user-1"))
    remade = await client.post("/api/users", json=user, headers=keyed(admin.headers, "user-1"))
    assert (made.status_code, remade.status_code, remade.json()) == (201, 201, made.json())

    stored = await stored_text(database_url)
    assert not [value for value in [*PERSONAL, *IDENTITY.values()] if value in stored], stored


async def test_a_retried_hand_out_and_reservation_keep_no_notes_about_the_household(
    client: AsyncClient,
    community: Community,  # noqa: F811 - the imported fixture
    database_url: str,
) -> None:
    wh = community.wh
    household_id = await community.household()
    line = [{"lot_id": await wh.lot(client, wh.canned, 30, month(9)), "quantity": 1}]
    # A hand-out today, so that the next one, in two days, needs the frequency rule overridden.
    assert (await community.hand_out(client, household_id=household_id, lines=line)).status_code == 201
    hand_out = {
        "household_id": household_id,
        "channel": "pickup",
        "distributed_on": (TODAY + timedelta(days=2)).isoformat(),
        "lines": line,
        "frequency_override": NOTES,
    }
    headers = keyed(wh.coordinator.headers, "dist-1")
    first = await client.post("/api/distributions", json=hand_out, headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/api/distributions", json=hand_out, headers=headers)
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.json()["frequency_override"] == NOTES

    allocation = {
        "distribution_date": (TODAY + timedelta(days=9)).isoformat(),
        "lines": [{"item_id": wh.canned, "quantity": 1}],
        "note": NOTES,
    }
    path = f"/api/households/{household_id}/allocations"
    reserved = await client.post(path, json=allocation, headers=keyed(wh.coordinator.headers, "alloc-1"))
    assert reserved.status_code == 201, reserved.text
    rereserved = await client.post(path, json=allocation, headers=keyed(wh.coordinator.headers, "alloc-1"))
    assert (rereserved.status_code, rereserved.json()) == (201, reserved.json())
    stored = await stored_text(database_url)
    assert NOTES not in stored, stored
