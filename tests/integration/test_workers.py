"""Several app processes on one database share everything that must be shared: two `foodbank serve`
processes (real subprocesses on free loopback ports) take each other's sessions, count each other's
failed sign-ins, and replay each other's idempotent answers; `serve --workers 2` starts two workers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from foodbank.models import Role
from tests.conftest import Actors
from tests.served import Served, serving

CHEAP = {"FOODBANK_ARGON2_TIME_COST": "1", "FOODBANK_ARGON2_MEMORY_KIB": "1024", "FOODBANK_SIGN_IN_ATTEMPTS": "3"}
TIMEOUT = httpx.Timeout(20.0)


@pytest.fixture
def two(database_url: str) -> Iterator[tuple[Served, Served]]:
    with serving(database_url, env=CHEAP) as one, serving(database_url, env=CHEAP) as other:
        yield one, other


async def test_a_session_made_through_one_worker_is_valid_on_the_other(
    two: tuple[Served, Served], actors: Actors
) -> None:
    one, other = two
    actor = await actors.make(Role.coordinator)
    async with httpx.AsyncClient(timeout=TIMEOUT) as a, httpx.AsyncClient(timeout=TIMEOUT) as b:
        signed_in = await a.post(one.url("/api/session"), json={"username": actor.username, "password": actor.password})
        assert signed_in.status_code == 201, signed_in.text
        csrf = signed_in.json()["user"]["csrf_token"]
        b.cookies.set("fb_session", signed_in.cookies["fb_session"])  # the browser's cookie, sent to the other
        me = await b.get(other.url("/api/session"))
        assert me.status_code == 200 and me.json()["id"] == actor.id
        signed_out = await b.delete(other.url("/api/session"), headers={"X-CSRF-Token": csrf})
        assert signed_out.status_code == 204
        assert (await a.get(one.url("/api/session"))).status_code == 401


async def test_failed_sign_ins_are_counted_across_workers(two: tuple[Served, Served], actors: Actors) -> None:
    one, other = two
    actor = await actors.make(Role.warehouse)
    guess = {"username": actor.username, "password": "wrong-guess"}
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        for served in (one, other, one):  # 3 failures, the free ones, split between the workers
            assert (await client.post(served.url("/api/session"), json=guess)).status_code == 401
        # The other worker saw one failure itself; it waits because it counts all three.
        throttled = await client.post(
            other.url("/api/session"), json={"username": actor.username, "password": actor.password}
        )
    assert throttled.status_code == 429, throttled.text
    assert int(throttled.headers["retry-after"]) >= 1


async def test_an_idempotent_retry_sent_to_the_other_worker_gets_the_saved_answer(
    two: tuple[Served, Served], actors: Actors
) -> None:
    one, other = two
    admin = await actors.make(Role.admin)
    headers = {**admin.headers, "Idempotency-Key": "two-workers-1"}
    agency = {"name": "二つのワーカーの相談室", "kind": "consultation_office"}
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        first = await client.post(one.url("/api/agencies"), json=agency, headers=headers)
        assert first.status_code == 201, first.text
        again = await client.post(other.url("/api/agencies"), json=agency, headers=headers)
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        listed = (await client.get(other.url("/api/agencies"), headers=admin.headers)).json()
    assert [a["name"] for a in listed].count(agency["name"]) == 1


def test_serve_workers_starts_that_many_processes_behind_one_port(database_url: str) -> None:
    with serving(database_url, workers=2, env=CHEAP) as served:
        assert len(served.worker_pids()) == 2
        for _ in range(4):
            assert httpx.get(served.url("/health"), timeout=TIMEOUT).status_code == 200
