"""Page forms that create something are idempotent: a double tap, or the same form sent again after a
lost answer, goes where the first one went and creates nothing more (foodbank/pages/forms.py `_once`).
Shown on the venue form of planning a pantry day, which uses `attempt`, `replayed` and `remember`."""

from __future__ import annotations

import asyncio
import re

from httpx import AsyncClient
from litestar import Litestar
from sqlalchemy import func, select

from foodbank.lib.db import Database
from foodbank.models import IdempotencyKey, PantryVenue
from tests.integration.pages.conftest import Browser
from tests.integration.pages.test_coordinator_pages import community, pantry, signed_in, wh
from tests.integration.pantry.conftest import Pantry

__all__ = ["community", "pantry", "wh"]

VENUE = {"name": "大網白里市農村環境改善センター", "address": "大網白里市", "municipality": "oamishirasato"}


async def venues_named(database: Database, name: str) -> int:
    async with database.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(PantryVenue).where(PantryVenue.name == name)) or 0)


async def once_key(person: Browser) -> str:
    page = await person.get("/coordinator/pantry/new")
    keys = re.findall(r'name="_once" value="([A-Za-z0-9_-]+)"', page.text)
    assert len(keys) >= 2 and len(set(keys)) == len(keys), "every form on the page gets a key of its own"
    return keys[0]


async def test_a_second_tap_goes_where_the_first_went_and_creates_nothing(
    app: Litestar, pantry: Pantry, database: Database
) -> None:
    person = await signed_in(app, pantry.coordinator)
    key = await once_key(person)

    first = await person.post("/coordinator/pantry/venues", {**VENUE, "_once": key})
    again = await person.post("/coordinator/pantry/venues", {**VENUE, "_once": key})

    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert "venue_id=" in first.headers["location"]
    assert await venues_named(database, VENUE["name"]) == 1
    followed = await person.follow(again)
    assert "保存済みです" in followed.text  # said, not silently
    async with database.transaction() as s:
        record = await s.get(IdempotencyKey, (pantry.coordinator.id, f"page:{key}"))
        assert record is not None and record.response_body == first.headers["location"].encode()
        assert VENUE["name"].encode() not in (record.response_body or b"")  # where it went, not what was typed


async def test_two_taps_at_once_create_one_venue(app: Litestar, pantry: Pantry, database: Database) -> None:
    person = await signed_in(app, pantry.coordinator)
    key = await once_key(person)

    answers = await asyncio.gather(
        *(person.post("/coordinator/pantry/venues", {**VENUE, "_once": key}) for _ in range(4))
    )

    assert {a.status_code for a in answers} == {303}
    assert len({a.headers["location"] for a in answers}) == 1
    assert await venues_named(database, VENUE["name"]) == 1


async def test_a_refused_form_keeps_no_key_and_can_be_sent_again_corrected(
    app: Litestar, pantry: Pantry, database: Database
) -> None:
    person = await signed_in(app, pantry.coordinator)
    key = await once_key(person)

    refused = await person.post("/coordinator/pantry/venues", {**VENUE, "municipality": "", "_once": key})
    assert refused.status_code == 422
    corrected = await person.post("/coordinator/pantry/venues", {**VENUE, "_once": key})
    assert corrected.status_code == 303
    assert await venues_named(database, VENUE["name"]) == 1


async def test_a_key_is_the_users_own(app: Litestar, pantry: Pantry, database: Database, client: AsyncClient) -> None:
    first = await signed_in(app, pantry.coordinator)
    key = await once_key(first)
    assert (await first.post("/coordinator/pantry/venues", {**VENUE, "_once": key})).status_code == 303

    admin = await signed_in(app, pantry.c.admin)
    other = await admin.post("/coordinator/pantry/venues", {**VENUE, "name": "山武市成東文化会館", "_once": key})
    assert other.status_code == 303  # not the coordinator's answer: the admin's own venue
    assert await venues_named(database, "山武市成東文化会館") == 1


async def test_a_time_slot_added_twice_by_one_tap_is_added_once(app: Litestar, pantry: Pantry) -> None:
    event = await pantry.event([], slots=[("10:00", "11:00", 5)], open_it=False)
    person = await signed_in(app, pantry.coordinator)
    page = await person.get(f"/coordinator/pantry/{event['id']}")
    key = re.findall(r'name="_once" value="([A-Za-z0-9_-]+)"', page.text)[0]
    slot = {"start_time": "13:00", "end_time": "14:00", "capacity": "8", "_once": key}

    first = await person.post(f"/coordinator/pantry/{event['id']}/slots", slot)
    again = await person.post(f"/coordinator/pantry/{event['id']}/slots", slot)

    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    listed = await pantry.client.get(f"/api/pantry-events/{event['id']}", headers=pantry.coordinator.headers)
    assert [s["start_time"][:5] for s in listed.json()["slots"]] == ["10:00", "13:00"]
