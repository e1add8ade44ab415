"""Sign-in throttling slows a guesser, never the right person elsewhere; proxies are trusted only when
configured; an admin can end a wait."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from foodbank.accounts import services
from foodbank.accounts.throttle import Failures, wait
from foodbank.app import create_app
from foodbank.config import Settings
from foodbank.lib.db import Database
from foodbank.lib.proxies import client_address
from foodbank.models import Role
from tests.conftest import Actors, client_for, with_settings

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def test_waits_start_after_the_free_failures_and_double_up_to_the_cap() -> None:
    cap = timedelta(minutes=15)
    assert wait(Failures(4, NOW), free=5, cap=cap, now=NOW) == timedelta(0)
    assert [wait(Failures(n, NOW), free=5, cap=cap, now=NOW).total_seconds() for n in (5, 6, 7, 8)] == [1, 2, 4, 8]
    assert wait(Failures(40, NOW), free=5, cap=cap, now=NOW) == cap
    assert wait(Failures(8, NOW - timedelta(seconds=5)), free=5, cap=cap, now=NOW) == timedelta(seconds=3)


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    trusted = ("127.0.0.1", "10.0.0.0/8")
    assert client_address("203.0.113.9", "198.51.100.1", trusted) == "203.0.113.9"  # not a proxy: header ignored
    assert client_address("127.0.0.1", "198.51.100.1", trusted) == "198.51.100.1"
    # a client's own forged entry lies left of what the proxies appended
    assert client_address("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.1.2.3", trusted) == "198.51.100.1"
    assert client_address("127.0.0.1", "not-an-ip", trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", "198.51.100.1", ()) == "127.0.0.1"


async def test_a_guesser_elsewhere_does_not_keep_the_right_person_out(
    settings: Settings, database: Database, actors: Actors
) -> None:
    proxied = replace(
        with_settings(settings, sign_in_attempts=3), http=replace(settings.http, trusted_proxies=("127.0.0.1",))
    )
    actor = await actors.make(Role.warehouse)
    attacker = {"X-Forwarded-For": "198.51.100.66"}
    volunteer = {"X-Forwarded-For": "203.0.113.7"}
    app = create_app(proxied, database)
    async with client_for(app) as client:
        client._transport.client = ("127.0.0.1", 40000)  # type: ignore[attr-defined]  # the proxy is the peer
        for _ in range(6):
            await client.post("/api/session", json={"username": actor.username, "password": "guess"}, headers=attacker)
        throttled = await client.post(
            "/api/session", json={"username": actor.username, "password": actor.password}, headers=attacker
        )
        assert throttled.status_code == 429, throttled.text
        assert throttled.json()["type"] == "/problems/too-many-requests"
        assert int(throttled.headers["retry-after"]) >= 1
        ok = await client.post(
            "/api/session", json={"username": actor.username, "password": actor.password}, headers=volunteer
        )
        assert ok.status_code == 201, ok.text

        async with database.transaction() as session:
            assert await services.unlock(session, actor_id=None, username=actor.username) >= 3
        unlocked = await client.post(
            "/api/session", json={"username": actor.username, "password": actor.password}, headers=attacker
        )
        assert unlocked.status_code == 201, unlocked.text
