"""Sign-in with a session cookie (HttpOnly, SameSite, CSRF on changes), sign-out, rate limits and tokens."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import func, select

from foodbank.app import create_app
from foodbank.config import Settings
from foodbank.lib.db import Database
from foodbank.models import Role, SignInAttempt
from tests.conftest import Actors, client_for, with_settings


async def sign_in(client: AsyncClient, username: str, password: str) -> tuple[int, dict]:
    response = await client.post("/api/session", json={"username": username, "password": password})
    return response.status_code, response.json()


async def test_sign_in_sets_a_secure_cookie_and_sign_out_ends_it(client: AsyncClient, actors: Actors) -> None:
    actor = await actors.make(Role.coordinator)
    response = await client.post("/api/session", json={"username": actor.username.upper(), "password": actor.password})
    assert response.status_code == 201, response.text
    cookie_header = response.headers["set-cookie"]
    assert "fb_session=" in cookie_header
    assert "HttpOnly" in cookie_header
    assert "SameSite=lax" in cookie_header or "SameSite=Lax" in cookie_header
    user = response.json()["user"]
    assert user["username"] == actor.username and user["roles"] == ["coordinator"] and user["via"] == "session"
    csrf = user["csrf_token"]

    me = await client.get("/api/session")
    assert me.status_code == 200 and me.json()["id"] == actor.id

    # A change made with the cookie alone (as a forged cross-site form would) is refused.
    refused = await client.delete("/api/session")
    assert refused.status_code == 403
    assert "form" in refused.json()["detail"]

    signed_out = await client.delete("/api/session", headers={"X-CSRF-Token": csrf})
    assert signed_out.status_code == 204
    client.cookies.clear()
    client.cookies.set("fb_session", "the-old-value-is-gone")
    assert (await client.get("/api/session")).status_code == 401


async def test_the_old_cookie_no_longer_works_after_sign_out(client: AsyncClient, actors: Actors) -> None:
    actor = await actors.make(Role.warehouse)
    response = await client.post("/api/session", json={"username": actor.username, "password": actor.password})
    secret = response.cookies["fb_session"]
    csrf = response.json()["user"]["csrf_token"]
    assert (await client.delete("/api/session", headers={"X-CSRF-Token": csrf})).status_code == 204
    client.cookies.clear()
    client.cookies.set("fb_session", secret)
    assert (await client.get("/api/session")).status_code == 401


async def test_wrong_password_is_401_and_recorded(client: AsyncClient, actors: Actors, database: Database) -> None:
    actor = await actors.make(Role.warehouse)
    status, body = await sign_in(client, actor.username, "wrong password")
    assert status == 401
    assert body["type"] == "/problems/invalid-credentials"
    status, _ = await sign_in(client, "nobody-by-this-name", "whatever")
    assert status == 401
    async with database.transaction() as session:
        failures = await session.scalar(select(func.count()).where(SignInAttempt.succeeded.is_(False)))
    assert failures == 2


async def test_sign_in_attempts_are_rate_limited(settings: Settings, database: Database, actors: Actors) -> None:
    limited = with_settings(settings, sign_in_attempts=3)
    actor = await actors.make(Role.warehouse)
    async with client_for(create_app(limited, database)) as client:
        for _ in range(3):
            status, _ = await sign_in(client, actor.username, "wrong password")
            assert status == 401
        response = await client.post("/api/session", json={"username": actor.username, "password": actor.password})
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) > 0
        assert response.json()["type"] == "/problems/too-many-requests"


async def test_tokens_are_created_listed_used_and_revoked(client: AsyncClient, actors: Actors) -> None:
    actor = await actors.make(Role.reporter)
    created = await client.post(
        "/api/tokens", json={"name": "monthly export", "expires_in_days": 30}, headers=actor.headers
    )
    assert created.status_code == 201, created.text
    token = created.json()
    assert token["token"].startswith("fbt_") and token["prefix"] == token["token"][:10]
    assert token["expires_at"] is not None

    new_headers = {"Authorization": f"Bearer {token['token']}"}
    assert (await client.get("/api/session", headers=new_headers)).json()["username"] == actor.username

    listed = await client.get("/api/tokens", headers=actor.headers)
    assert {t["name"] for t in listed.json()} == {"tests", "monthly export"}
    assert all("token" not in t for t in listed.json()), "the secret is shown once only"

    assert (await client.delete(f"/api/tokens/{token['id']}", headers=actor.headers)).status_code == 204
    assert (await client.get("/api/session", headers=new_headers)).status_code == 401
    assert (await client.delete(f"/api/tokens/{token['id']}", headers=actor.headers)).status_code == 404


async def test_a_user_cannot_revoke_another_users_token(client: AsyncClient, actors: Actors) -> None:
    alice = await actors.make(Role.warehouse)
    bob = await actors.make(Role.warehouse)
    bobs = (await client.get("/api/tokens", headers=bob.headers)).json()[0]
    assert (await client.delete(f"/api/tokens/{bobs['id']}", headers=alice.headers)).status_code == 404
    assert (await client.get("/api/session", headers=bob.headers)).status_code == 200


async def test_admin_creates_users_and_consultants_need_an_agency(client: AsyncClient, actors: Actors) -> None:
    admin = await actors.make(Role.admin)
    agency_id = await actors.agency("山武市社会福祉協議会")
    no_agency = await client.post(
        "/api/users",
        json={
            "username": "suzuki",
            "display_name": "鈴木",
            "password": "long enough pw",
            "roles": ["consultant"],
        },
        headers=admin.headers,
    )
    assert no_agency.status_code == 422
    required = "Required for the consultant role."
    assert no_agency.json()["errors"] == [
        {"field": "agency_id", "message": required, "message_id": required, "params": {}}
    ]

    created = await client.post(
        "/api/users",
        json={
            "username": "suzuki",
            "display_name": "鈴木",
            "password": "long enough pw",
            "roles": ["consultant", "reporter"],
            "agency_id": agency_id,
        },
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == ["consultant", "reporter"]
    assert "password" not in created.json() and "password_hash" not in created.json()

    duplicate = await client.post(
        "/api/users",
        json={"username": "SUZUKI", "display_name": "x", "roles": ["warehouse"]},
        headers=admin.headers,
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["type"] == "/problems/username-taken"
