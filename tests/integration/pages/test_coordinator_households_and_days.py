"""The coordinator's household and pantry-day pages: a household is booked by part of its code (`0010`,
as the list takes it) or by name; the search is audited and its term reaches no log, URL or audit row;
a hand-out starts on the allocation's day and referral; odd dates ask once; past days stay listed; a
creating form sent twice creates once."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from litestar import Litestar
from sqlalchemy import func, select

from foodbank.lib.db import Database
from foodbank.models import Distribution, Household, PantryEvent, PantryRegistration, Reservation, Role
from tests.conftest import Actors
from tests.dates import days, month
from tests.integration.households.test_households_and_referrals import IDENTITY, referral, register
from tests.integration.lib.test_logs_carry_no_personal_data import capture
from tests.integration.pages.conftest import Browser
from tests.integration.pages.test_coordinator_pages import community, pantry, signed_in, stocked_day, text_of, wh
from tests.integration.pantry.conftest import EVENT_DAY, TODAY, Pantry

__all__ = ["community", "pantry", "wh"]


async def once(person: Browser, path: str) -> str:
    """A fresh `_once` key from the page that holds the form."""
    keys = re.findall(r'name="_once" value="([A-Za-z0-9_-]+)"', (await person.get(path)).text)
    assert keys, f"no _once key on {path}"
    return keys[0]


async def accepted_referral(client: AsyncClient, p: Pantry, household_id: int, **extra: Any) -> int:
    """A referral the coordinator records for the household (named to the consultant's agency), accepted."""
    made = await client.post(
        "/api/referrals",
        json=referral(household_id, agency_id=p.c.consultant.agency_id, **extra),
        headers=p.coordinator.headers,
    )
    assert made.status_code == 201, made.text
    decided = await client.post(
        f"/api/referrals/{made.json()['id']}/decision", json={"decision": "accept"}, headers=p.coordinator.headers
    )
    assert decided.status_code in (200, 201), decided.text
    return int(made.json()["id"])


async def count(database: Database, model: type, *where: object) -> int:
    async with database.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_a_household_is_booked_by_part_of_its_code_as_the_list_finds_it(
    client: AsyncClient, app: Litestar, pantry: Pantry
) -> None:
    day = await stocked_day(client, pantry)
    household = await pantry.c.household()
    code = await pantry.c.code(household)  # H-2026-00NN
    part = code[-4:]
    coordinator = await signed_in(app, pantry.coordinator)
    listed = await coordinator.get("/households", params={"code": part})
    assert code in listed.text, "the list finds it by the part"
    found = await coordinator.post("/households/search", {"q": "０" * (4 - len(part.lstrip("0"))) + part.lstrip("0")})
    assert code in found.text, "full-width digits are the same part"

    path = f"/coordinator/pantry/{day['event']['id']}"
    booked = await coordinator.post(
        f"{path}/registrations", {"household": f" {part} ", "slot_id": day["event"]["slots"][1]["id"]}
    )
    assert booked.status_code == 303, text_of(booked)[:2000]
    assert f"{code} を登録しました。" in (await coordinator.follow(booked)).text


async def test_booking_by_name_offers_the_households_found_and_books_the_one_chosen(
    client: AsyncClient, app: Litestar, pantry: Pantry, actors: Actors, database: Database
) -> None:
    day = await stocked_day(client, pantry)
    hanako = await register(client, pantry.coordinator)
    other = await register(client, pantry.coordinator, identity={**IDENTITY, "name": "山田 太郎", "phone": None})
    coordinator = await signed_in(app, pantry.coordinator)
    path = f"/coordinator/pantry/{day['event']['id']}"

    offered = await coordinator.post(f"{path}/registrations", {"household": "やまだ"})
    assert offered.status_code == 200 and "どの世帯ですか？" in offered.text
    assert hanako["code"] in offered.text and other["code"] in offered.text and "山田 花子" in offered.text
    assert await count(database, PantryRegistration) == 0, "nothing is booked by a search"

    no_slot = await coordinator.post(f"{path}/registrations", {"household": "やまだ", "household_id": hanako["id"]})
    assert no_slot.status_code == 422 and "時間枠を選んでください。" in no_slot.text
    assert f'value="{hanako["id"]}" checked' in no_slot.text, "the choice is kept"

    key = await once(coordinator, path)
    chosen = {"household": "やまだ", "household_id": hanako["id"], "slot_id": day["event"]["slots"][1]["id"]}
    first = await coordinator.post(f"{path}/registrations", {**chosen, "_once": key})
    again = await coordinator.post(f"{path}/registrations", {**chosen, "_once": key})
    assert first.status_code == again.status_code == 303 and first.headers["location"] == again.headers["location"]
    assert "保存済みです" in (await coordinator.follow(again)).text
    assert await count(database, PantryRegistration) == 1

    nobody = await coordinator.post(f"{path}/registrations", {"household": "鈴木", "slot_id": "1"})
    assert nobody.status_code == 422 and "入力に当てはまる世帯はありません。" in nobody.text

    volunteer = await signed_in(app, await actors.make(Role.warehouse))
    assert (await volunteer.post(f"{path}/registrations", {"household": "やまだ"})).status_code == 403


async def test_check_in_finds_the_days_households_and_a_volunteer_by_code_only(
    client: AsyncClient, app: Litestar, pantry: Pantry
) -> None:
    day = await stocked_day(client, pantry)
    hanako = await register(client, pantry.coordinator)
    plain = await pantry.c.household()
    for household, slot in ((hanako["id"], 1), (plain, 1)):
        await pantry.booked(day["event"], household, slot=slot)
    path = f"/coordinator/pantry/{day['event']['id']}/check-in"

    coordinator = await signed_in(app, pantry.coordinator)
    found = await coordinator.post(f"{path}/find", {"q": "ﾊﾅｺ"})
    assert found.status_code == 200 and "山田 花子" in found.text and hanako["code"] in found.text
    assert await pantry.c.code(plain) not in found.text, "only the one that matches"
    assert "当てはまる予約: 1 件。" in text_of(found)

    volunteer = await signed_in(app, pantry.warehouse)
    by_name = await volunteer.post(f"{path}/find", {"q": "ﾊﾅｺ"})
    assert by_name.status_code == 200 and "山田" not in by_name.text and "当てはまる予約: 0 件。" in text_of(by_name)
    by_code = await volunteer.post(f"{path}/find", {"q": hanako["code"][-4:]})
    assert hanako["code"] in by_code.text and "山田" not in by_code.text


async def test_searches_are_audited_and_their_terms_reach_no_log(
    client: AsyncClient, app: Litestar, pantry: Pantry, actors: Actors, caplog: pytest.LogCaptureFixture
) -> None:
    day = await stocked_day(client, pantry)
    hanako = await register(client, pantry.coordinator)
    await pantry.booked(day["event"], hanako["id"], slot=1)
    coordinator = await signed_in(app, pantry.coordinator)
    terms = ["ヤマダハナコ", "０４７５－１２－３４５６", "花子"]
    with capture(caplog) as logs:
        await coordinator.post("/households/search", {"q": terms[0]})
        await coordinator.post(f"/coordinator/pantry/{day['event']['id']}/registrations", {"household": terms[1]})
        await coordinator.post(f"/coordinator/pantry/{day['event']['id']}/check-in/find", {"q": terms[2]})
        api = await client.post("/api/households/search", json={"q": terms[0]}, headers=pantry.coordinator.headers)
        assert api.status_code == 200 and api.json()[0]["name"] == IDENTITY["name"]
    logs.assert_clean(*terms, IDENTITY["name"], "0475-12-3456", "0475123456")
    admin = await actors.make(Role.admin)
    events = (
        await client.get("/api/audit-events", params={"action": "household.search"}, headers=admin.headers)
    ).json()
    assert len(events) == 4 and all(e["details"]["identity_shown"] == [hanako["id"]] for e in events)
    assert not any(term in str(events) for term in terms)


async def test_a_hand_out_starts_on_the_allocations_day_and_its_referral(
    client: AsyncClient, app: Litestar, pantry: Pantry, database: Database
) -> None:
    wh = pantry.c.wh
    await wh.lot(client, wh.canned, 30, month(9))
    hanako = await register(client, pantry.coordinator)
    await accepted_referral(client, pantry, hanako["id"], valid_until=(TODAY + timedelta(days=120)).isoformat())
    sooner = await accepted_referral(client, pantry, hanako["id"], valid_until=(TODAY + timedelta(days=30)).isoformat())
    coordinator = await signed_in(app, pantry.coordinator)
    path = f"/households/{hanako['id']}"
    planned = days(5)
    key = await once(coordinator, path)
    allocation = {"distribution_date": planned, "source": "items", "items-0-item_id": wh.canned, "items-0-quantity": 2}
    first = await coordinator.post(f"{path}/allocations", {**allocation, "_once": key})
    again = await coordinator.post(f"{path}/allocations", {**allocation, "_once": key})
    assert first.status_code == again.status_code == 303 and first.headers["location"] == again.headers["location"]
    assert await count(database, Reservation) == 1, "a double tap sets stock aside once"

    page = (await coordinator.get(path)).text
    reservation = int(re.search(r'id="allocation-(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert f'id="a{reservation}-distributed_on" name="distributed_on" type="date" value="{planned}"' in page
    assert re.search(rf'<option value="{sooner}" selected>', page), "the referral that ends first"

    hand_out = {"channel": "pickup", "distributed_on": planned, "referral_id": sooner}
    key = await once(coordinator, path)
    first = await coordinator.post(f"{path}/allocations/{reservation}/hand-out", {**hand_out, "_once": key})
    again = await coordinator.post(f"{path}/allocations/{reservation}/hand-out", {**hand_out, "_once": key})
    assert first.status_code == again.status_code == 303, text_of(first)[:2000]
    assert await count(database, Distribution) == 1


async def test_odd_dates_ask_once_on_the_api(client: AsyncClient, pantry: Pantry, database: Database) -> None:
    body = {
        "venue_id": pantry.venue,
        "slots": [{"start_time": "10:00", "end_time": "11:00", "capacity": 5}],
        "template_ids": [],
    }
    headers = pantry.coordinator.headers
    for odd, reason in ((days(-1), "past"), ((TODAY + timedelta(days=91)).isoformat(), "far_ahead")):
        refused = await client.post("/api/pantry-events", json={**body, "event_date": odd}, headers=headers)
        assert refused.status_code == 409 and refused.json()["type"] == "/problems/pantry-day-unusual-date"
        assert refused.json()["reasons"] == [reason]
    assert await count(database, PantryEvent) == 0, "nothing planned without the confirmation"
    for fine in (TODAY.isoformat(), (TODAY + timedelta(days=90)).isoformat()):
        planned = await client.post("/api/pantry-events", json={**body, "event_date": fine}, headers=headers)
        assert planned.status_code == 201, planned.text
    confirmed = await client.post(
        "/api/pantry-events", json={**body, "event_date": days(-1)}, params={"confirm": "true"}, headers=headers
    )
    assert confirmed.status_code == 201

    template = await pantry.template("標準セット", [{"item_id": pantry.c.wh.canned, "quantity": 1}])
    ahead = await pantry.event([template], on=EVENT_DAY)
    await pantry.act(ahead["id"], "allocate")
    start = f"/api/pantry-events/{ahead['id']}/start"
    not_today = await client.post(start, headers=pantry.warehouse.headers)
    assert not_today.status_code == 409 and not_today.json()["reasons"] == ["not_today"]
    assert (await client.post(start, params={"confirm": "true"}, headers=pantry.warehouse.headers)).status_code == 201
    close = f"/api/pantry-events/{ahead['id']}/close"
    early = await client.post(close, headers=headers)
    assert early.status_code == 409 and early.json()["reasons"] == ["before_the_day"]
    moved = await client.patch(
        f"/api/pantry-events/{confirmed.json()['id']}", json={"event_date": days(-2)}, headers=headers
    )
    assert moved.status_code == 409, "moving a day into the past asks too"


async def test_planning_in_the_past_asks_once_on_the_page_and_past_days_stay_listed(
    app: Litestar, pantry: Pantry, database: Database
) -> None:
    coordinator = await signed_in(app, pantry.coordinator)
    plan = {
        "venue_id": pantry.venue,
        "event_date": days(-40),
        "slots-0-start_time": "10:00",
        "slots-0-end_time": "11:00",
        "slots-0-capacity": "10",
    }
    asked = await coordinator.post("/coordinator/pantry", plan)
    assert asked.status_code == 409 and "は過去の日付です（40 日前）。" in text_of(asked)
    assert f'name="confirm_date" value="{days(-40)}"' in asked.text
    moved = await coordinator.post("/coordinator/pantry", {**plan, "event_date": days(-41), "confirm_date": days(-40)})
    assert moved.status_code == 409, "a changed date is asked about again"
    key = await once(coordinator, "/coordinator/pantry/new")
    confirmed = {**plan, "confirm_date": days(-40), "_once": key}
    first = await coordinator.post("/coordinator/pantry", confirmed)
    again = await coordinator.post("/coordinator/pantry", confirmed)
    assert first.status_code == again.status_code == 303 and first.headers["location"] == again.headers["location"]
    assert await count(database, PantryEvent) == 1

    for n in range(21):  # more past days than a page holds
        created = await coordinator.post(
            "/coordinator/pantry", {**plan, "event_date": days(-100 - n), "confirm_date": days(-100 - n)}
        )
        assert created.status_code == 303
    listing = text_of(await coordinator.get("/coordinator/pantry"))
    assert "終了していない過去のパントリー" in listing and "1 / 2 ページ（全 22 日）" in listing
    second = await coordinator.get("/coordinator/pantry", params={"page": "2"})
    assert second.status_code == 200 and "2 / 2 ページ" in text_of(second)
    assert (await coordinator.get("/coordinator/pantry", params={"page": "0"})).status_code == 400


async def test_a_walk_in_and_a_template_sent_twice_are_recorded_once(
    client: AsyncClient, app: Litestar, pantry: Pantry, database: Database
) -> None:
    day = await stocked_day(client, pantry, walk_in_people=6)
    await pantry.act(day["event"]["id"], "allocate")
    await pantry.act(day["event"]["id"], "start", pantry.warehouse)
    coordinator = await signed_in(app, pantry.coordinator)
    path = f"/coordinator/pantry/{day['event']['id']}/check-in"
    screen = await coordinator.get(path)
    assert re.search(r'id="parcels" name="parcels" type="number" value=""', screen.text), "no pre-filled 1"
    key = await once(coordinator, path)
    for _ in range(2):
        served = await coordinator.post(
            f"/coordinator/pantry/{day['event']['id']}/walk-ins", {"people": "2", "_once": key}
        )
        assert served.status_code == 303
    assert await count(database, Distribution, Distribution.walk_in.is_(True)) == 1

    key = await once(coordinator, "/coordinator/pantry/templates")
    template = {
        "name": "二人セット",
        "min_people": "1",
        "max_people": "2",
        "lines-0-item_id": pantry.c.wh.canned,
        "lines-0-quantity": "1",
        "_once": key,
    }
    first = await coordinator.post("/coordinator/pantry/templates", template)
    again = await coordinator.post("/coordinator/pantry/templates", template)
    assert first.status_code == again.status_code == 303
    assert "保存済みです" in (await coordinator.follow(again)).text


async def test_registering_a_household_twice_by_a_double_tap_registers_it_once(
    app: Litestar, pantry: Pantry, database: Database
) -> None:
    coordinator = await signed_in(app, pantry.coordinator)
    key = await once(coordinator, "/households/new")
    typed = {"municipality": "sammu", "adults": "1", "name": "鈴木 一郎", "phone": "0475-00-1111", "_once": key}
    first = await coordinator.post("/households", typed)
    again = await coordinator.post("/households", typed)
    assert first.status_code == again.status_code == 303 and first.headers["location"] == again.headers["location"]
    assert await count(database, Household) == 1


async def test_a_check_in_sent_twice_by_one_tap_hands_out_once(
    client: AsyncClient, app: Litestar, pantry: Pantry, database: Database
) -> None:
    day = await stocked_day(client, pantry)
    registration = await pantry.booked(day["event"], await pantry.c.household(), slot=1)
    await pantry.act(day["event"]["id"], "allocate")
    await pantry.act(day["event"]["id"], "start", pantry.warehouse)
    volunteer = await signed_in(app, pantry.warehouse)
    path = f"/coordinator/pantry/{day['event']['id']}/check-in"
    key = await once(volunteer, path)
    sent = f"/coordinator/pantry/{day['event']['id']}/registrations/{registration}/check-in"

    first = await volunteer.post(sent, {"people": "2", "_once": key})
    again = await volunteer.post(sent, {"people": "2", "_once": key})

    assert first.status_code == again.status_code == 303, "not a refusal: where the first tap went"
    assert again.headers["location"] == first.headers["location"]
    assert "保存済みです" in (await volunteer.follow(again)).text
    assert await count(database, Distribution, Distribution.walk_in.is_(False)) == 1
