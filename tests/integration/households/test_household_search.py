"""Finding a household: by any part of its code for everyone who works with households; by name, kana
or phone for those who may read its identity, kana and widths folded, phone separators ignored; every
such search audited without its term."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from foodbank.models import Role
from tests.conftest import Actor, Actors
from tests.integration.households.test_households_and_referrals import IDENTITY, referral, register

SATO = {"name": "佐藤 一郎", "name_kana": "さとう いちろう", "phone": "0475-99-0000", "address": "東金市1"}
SECRET = {"name": "山田 太郎", "name_kana": "ヤマダ タロウ", "phone": "0479-11-2222", "address": "横芝光町2"}


async def search(client: AsyncClient, actor: Actor, term: str, **extra: Any) -> list[dict[str, Any]]:
    response = await client.post("/api/households/search", json={"q": term, **extra}, headers=actor.headers)
    assert response.status_code == 200, response.text
    return list(response.json())


def names(found: list[dict[str, Any]]) -> list[str | None]:
    return [f["name"] for f in found]


async def test_coordinators_find_households_by_name_kana_phone_or_part_of_the_code(
    client: AsyncClient, actors: Actors
) -> None:
    coordinator = await actors.make(Role.coordinator)
    hanako = await register(client, coordinator)  # 山田 花子, ヤマダ ハナコ, 0475-12-3456
    sato = await register(client, coordinator, identity=SATO)

    for term in ("山田", "花子", "山田花子", "やまだ", "ヤマダ", "ﾔﾏﾀﾞ ﾊﾅｺ", "やまだはなこ", "ハナ"):
        assert names(await search(client, coordinator, term)) == [IDENTITY["name"]], term
    for term in ("サトウ", "ｲﾁﾛｳ", "佐藤　一郎"):
        assert names(await search(client, coordinator, term)) == [SATO["name"]], term
    for term in ("0475123456", "0475-12-3456", "0475 12 3456", "０４７５－１２－３４５６", "1234", "3456"):
        assert names(await search(client, coordinator, term)) == [IDENTITY["name"]], term
    assert sorted(names(await search(client, coordinator, "0475"))) == sorted([IDENTITY["name"], SATO["name"]])

    by_code = await search(client, coordinator, sato["code"][-4:])  # "0002"
    assert [f["household"]["code"] for f in by_code] == [sato["code"]] and by_code[0]["by_code"]
    assert by_code[0]["name"] == SATO["name"] and by_code[0]["phone"] == SATO["phone"]
    exact_first = await search(client, coordinator, hanako["code"].lower())
    assert exact_first[0]["household"]["id"] == hanako["id"]
    for term in ("%", "_", "田%", "鈴木"):
        assert await search(client, coordinator, term) == [], term


async def test_the_search_never_looks_at_identity_the_searcher_may_not_read(
    client: AsyncClient, actors: Actors
) -> None:
    coordinator, volunteer = await actors.make(Role.coordinator), await actors.make(Role.warehouse)
    consultant = await actors.make(Role.consultant, agency="基幹相談支援センター")
    stranger = await actors.make(Role.consultant, agency="社会福祉協議会")
    hanako = await register(client, coordinator)
    secret = await register(client, consultant, identity=SECRET)  # no consent given to the food bank yet

    assert names(await search(client, coordinator, "山田")) == [IDENTITY["name"]], "not the unconsented one"
    coded = await search(client, coordinator, secret["code"])
    assert [(f["household"]["id"], f["name"], f["phone"]) for f in coded] == [(secret["id"], None, None)]

    assert await search(client, volunteer, "山田") == [] and await search(client, volunteer, "0475") == []
    seen = await search(client, volunteer, hanako["code"][-4:])
    assert [(f["household"]["id"], f["name"]) for f in seen] == [(hanako["id"], None)]

    assert names(await search(client, consultant, "やまだ")) == [SECRET["name"]], "its own agency's only"
    assert await search(client, stranger, "やまだ") == [] and await search(client, stranger, secret["code"]) == []

    consent = await client.post("/api/referrals", json=referral(secret["id"]), headers=consultant.headers)
    assert consent.status_code == 201, consent.text
    assert sorted(names(await search(client, coordinator, "やまだ"))) == sorted([IDENTITY["name"], SECRET["name"]])


async def test_a_search_is_audited_as_an_identity_read_without_its_term(client: AsyncClient, actors: Actors) -> None:
    coordinator, volunteer = await actors.make(Role.coordinator), await actors.make(Role.warehouse)
    admin = await actors.make(Role.admin)
    hanako = await register(client, coordinator)
    await search(client, coordinator, "ヤマダ")
    await search(client, coordinator, "0475-12-3456")
    await search(client, coordinator, "鈴木")
    await search(client, volunteer, hanako["code"])

    response = await client.get("/api/audit-events", params={"action": "household.search"}, headers=admin.headers)
    events = sorted(response.json(), key=lambda e: e["id"])
    assert [(e["actor_id"], e["details"]["results"], e["details"]["identity_shown"]) for e in events] == [
        (coordinator.id, 1, [hanako["id"]]),
        (coordinator.id, 1, [hanako["id"]]),
        (coordinator.id, 0, []),
    ], "the volunteer's search by code reads no identity"
    stored = str(events)
    for term in ("ヤマダ", "やまだ", "0475", "3456", "鈴木"):
        assert term not in stored


async def test_a_search_term_is_checked_like_any_input(client: AsyncClient, actors: Actors) -> None:
    coordinator = await actors.make(Role.coordinator)
    for body in ({}, {"q": ""}, {"q": "x" * 101}, {"q": "山田", "limit": 0}, {"q": "山田\x00"}):
        response = await client.post("/api/households/search", json=body, headers=coordinator.headers)
        assert response.status_code in (400, 422), (body, response.text)
