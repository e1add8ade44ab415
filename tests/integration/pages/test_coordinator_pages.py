"""Coordinator pages through HTTP: households (list, registration, allocation for individual support,
hand-out and receipt), a pantry day from its plan to its figures (registrations, allocation with
shortages in words, check-in, walk-ins, closing), the appliance board and the annual report page.
The same services as the API; every refusal a person can cause is said in their language, and the
form comes back with what was typed."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response
from litestar import Litestar

from foodbank.models import Role
from tests.conftest import Actor, Actors, client_for
from tests.dates import month
from tests.integration.appliances import conftest as appliance_fixtures
from tests.integration.appliances.conftest import Bank
from tests.integration.pages.conftest import Browser
from tests.integration.pantry import conftest as pantry_fixtures
from tests.integration.pantry.conftest import EVENT_DAY, TODAY, Pantry

# The pantry and appliance tests' fixtures (a stocked warehouse, people in every role, a venue), used as they are.
wh, community, pantry, bank = (
    pantry_fixtures.wh,
    pantry_fixtures.community,
    pantry_fixtures.pantry,
    appliance_fixtures.bank,
)

PAGE_MODULES = ("households", "pantry_planning", "pantry_day", "coordinator", "layout", "home")


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages' idea of today: the day the warehouse fixtures' stock was received."""
    for module in PAGE_MODULES:
        monkeypatch.setattr(f"foodbank.pages.{module}.today", lambda: TODAY)


def text_of(response: Response) -> str:
    """The page's text without tags, spaces collapsed (to read messages that span elements)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


async def signed_in(app: Litestar, actor: Actor, *, lang: str = "ja") -> Browser:
    client = client_for(app)
    client.cookies.set("fb_lang", lang)
    person = Browser(client)
    await person.sign_in(actor)
    return person


async def stocked_day(client: AsyncClient, p: Pantry, *, cans: int = 30, walk_in_people: int = 0) -> dict[str, Any]:
    """Stock, a parcel template (2 cans and 1 rice) and an open pantry day with two slots, through the API."""
    wh = p.c.wh
    await wh.lot(client, wh.canned, cans, month(9))
    await wh.lot(client, wh.rice, 10, None, crop_year=TODAY.year, location_id=wh.ambient_b)
    template = await p.template(
        "標準セット", [{"item_id": wh.canned, "quantity": 2}, {"item_id": wh.rice, "quantity": 1}]
    )
    event = await p.event(
        [template], slots=[("10:00", "11:00", 1), ("11:00", "12:00", 5)], walk_in_people=walk_in_people
    )
    return {"event": event, "template": template}


# --- pantry days -------------------------------------------------------------------------------------


async def test_a_pantry_day_from_its_plan_to_its_figures(client: AsyncClient, app: Litestar, pantry: Pantry) -> None:
    p, wh = pantry, pantry.c.wh
    await wh.lot(client, wh.canned, 30, month(9))
    await wh.lot(client, wh.rice, 10, None, crop_year=TODAY.year, location_id=wh.ambient_b)
    template = await p.template(
        "標準セット", [{"item_id": wh.canned, "quantity": 2}, {"item_id": wh.rice, "quantity": 1}]
    )
    household = await p.c.household(adults=3, children=0)
    code = await p.c.code(household)
    coordinator = await signed_in(app, p.coordinator)

    listing = await coordinator.get("/coordinator/pantry")
    assert listing.status_code == 200 and "パントリーを計画する" in listing.text
    form = await coordinator.get("/coordinator/pantry/new")
    assert form.status_code == 200 and "東金市中央公民館" in form.text
    assert f'name="template-{template}" value="on" checked' in form.text  # every template offered, ticked

    planned = await coordinator.post(
        "/coordinator/pantry",
        {
            "venue_id": p.venue,
            "event_date": EVENT_DAY.isoformat(),
            "slots-0-start_time": "10:00",
            "slots-0-end_time": "11:00",
            "slots-0-capacity": "10",
            "slots-1-start_time": "11:00",
            "slots-1-end_time": "12:00",
            "slots-1-capacity": "10",
            f"template-{template}": "on",
            "expected_walk_in_people": "3",
            "walk_in_household_size": "3",
        },
    )
    page = await coordinator.follow(planned)
    event_path = planned.headers["location"]
    event_id = int(event_path.rsplit("/", 1)[1])
    assert "パントリーを計画しました" in page.text and "計画中" in page.text

    page = await coordinator.follow(await coordinator.post(f"{event_path}/open", {}))
    assert "登録を受け付けています" in page.text or "受付中" in page.text

    slots = (await p.get(event_id))["slots"]
    registered = await coordinator.post(
        f"{event_path}/registrations", {"household": code.lower(), "slot_id": slots[0]["id"]}
    )
    page = await coordinator.follow(registered)
    assert f"{code} を登録しました" in page.text

    again = await coordinator.post(f"{event_path}/registrations", {"household": code, "slot_id": slots[1]["id"]})
    assert again.status_code == 409
    assert "この世帯はこのパントリーにすでに登録されています。" in again.text
    assert f'value="{code}"' in again.text  # what was typed is kept

    allocated = await coordinator.post(f"{event_path}/allocate", {})
    assert allocated.status_code == 200, allocated.text
    report = text_of(allocated)
    assert "在庫を引き当てました: 世帯分 1 箱、当日参加分 1 箱、6 個。" in report and "不足はありません。" in report
    assert f"/api/pantry-events/{event_id}/picking-list.pdf" in allocated.text
    assert f"/api/pantry-events/{event_id}/packing-lists.pdf" in allocated.text
    pdf = await coordinator.get(f"/api/pantry-events/{event_id}/picking-list.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    day_page = text_of(await coordinator.get(event_path))
    assert "この日は" in day_page and "本日ではありません" in day_page, "said before the button is pressed"
    asked = await coordinator.post(f"{event_path}/start", {})
    assert asked.status_code == 409 and "チェックを入れると、このまま進めます。" in text_of(asked)
    assert (await p.get(event_id))["status"] == "allocated", "nothing changed"
    started = await coordinator.post(f"{event_path}/start", {"confirm_date": EVENT_DAY.isoformat()})
    assert started.headers["location"] == f"{event_path}/check-in"
    screen = await coordinator.follow(started)
    assert code in screen.text and f"{code} をチェックイン" in screen.text

    registration = (await p.get(event_id, "registrations"))[0]["id"]
    bad = await coordinator.post(f"{event_path}/registrations/{registration}/check-in", {"people": "99"})
    assert bad.status_code == 422 and "人数は 1 から 50 で入力してください。" in bad.text
    assert 'value="99"' in bad.text

    checked = await coordinator.post(f"{event_path}/registrations/{registration}/check-in", {"people": "4"})
    screen = await coordinator.follow(checked)
    assert f"{code} をチェックインしました: 4 人、3 個をお渡ししました。" in screen.text
    twice = await coordinator.post(f"{event_path}/registrations/{registration}/check-in", {})
    assert twice.status_code == 409 and "この登録はすでに「チェックイン済み」です。" in text_of(twice)

    walk_in = await coordinator.post(f"{event_path}/walk-ins", {"people": "2", "parcels": "1"})
    screen = await coordinator.follow(walk_in)
    assert "当日参加の方にお渡ししました: 2 人、1 箱、3 個。" in screen.text
    empty = await coordinator.post(f"{event_path}/walk-ins", {"people": "1"})
    assert empty.status_code == 409 and "当日参加の方にお渡しできるものが残っていません。" in empty.text

    refused = await coordinator.post(f"{event_path}/close", {})
    assert refused.status_code == 422 and "チェックを入れて確認してください。" in refused.text
    early = await coordinator.post(f"{event_path}/close", {"confirm": "on"})
    assert early.status_code == 409 and "まだ行われていません" in text_of(early)
    closed = await coordinator.post(f"{event_path}/close", {"confirm": "on", "confirm_date": EVENT_DAY.isoformat()})
    assert closed.headers["location"] == f"{event_path}/summary"
    figures = text_of(await coordinator.follow(closed))
    assert "終了しました: 1 世帯、6 人にお渡ししました。" in figures
    assert "6 お渡しした人数" in figures and "6 個" in figures


async def test_planning_mistakes_are_explained_and_what_was_typed_is_kept(
    client: AsyncClient, app: Litestar, pantry: Pantry
) -> None:
    coordinator = await signed_in(app, pantry.coordinator)
    refused = await coordinator.post(
        "/coordinator/pantry",
        {
            "event_date": "2026-13-01",
            "slots-0-start_time": "11:00",
            "slots-0-end_time": "10:00",
            "slots-0-capacity": "0",
            "expected_walk_in_people": "many",
        },
    )
    assert refused.status_code == 422
    page = refused.text
    assert "会場を選んでください。" in page and "日付は YYYY-MM-DD の形で入力してください。" in page
    assert "終了は開始より後にしてください。" in page and "受け入れる世帯数は 1 から 1,000 で入力してください。" in page
    assert "整数で入力してください。" in page
    assert 'value="2026-13-01"' in page and 'value="many"' in page and 'value="11:00"' in page

    same_time = await coordinator.post(
        "/coordinator/pantry",
        {
            "venue_id": pantry.venue,
            "event_date": EVENT_DAY.isoformat(),
            "slots-0-start_time": "10:00",
            "slots-0-end_time": "11:00",
            "slots-0-capacity": "5",
            "slots-2-start_time": "10:00",
            "slots-2-end_time": "10:30",
            "slots-2-capacity": "5",
        },
    )
    assert same_time.status_code == 422
    assert re.search(r'id="slots-2-start_time-error">同じ時刻に始まる枠がすでにあります。', same_time.text)

    venue = await coordinator.post("/coordinator/pantry/venues", {"name": "東金市中央公民館", "address": "東金市"})
    assert venue.status_code == 422 and "市町村を選んでください。" in venue.text
    duplicate = await coordinator.post(
        "/coordinator/pantry/venues", {"name": "東金市中央公民館", "address": "東金市", "municipality": "togane"}
    )
    assert duplicate.status_code == 409 and "その名前またはコードはすでに使われています。" in duplicate.text

    english = await signed_in(app, pantry.coordinator, lang="en")
    refused = await english.post("/coordinator/pantry", {"event_date": EVENT_DAY.isoformat()})
    assert refused.status_code == 422
    assert "Choose the venue." in refused.text and "Add at least one time slot." in refused.text


async def test_a_full_slot_and_a_missing_code_are_explained(client: AsyncClient, app: Litestar, pantry: Pantry) -> None:
    day = await stocked_day(client, pantry)
    event = day["event"]
    first, second = await pantry.c.household(), await pantry.c.household()
    await pantry.booked(event, first, slot=0)
    coordinator = await signed_in(app, pantry.coordinator)
    path = f"/coordinator/pantry/{event['id']}/registrations"

    full = await coordinator.post(path, {"household": await pantry.c.code(second), "slot_id": event["slots"][0]["id"]})
    assert full.status_code == 409
    assert "この時間枠は満員です。" in full.text and "ほかの枠には空きがあります: 11:00（残り 5）。" in full.text

    unknown = await coordinator.post(path, {"household": "H-1999-9999", "slot_id": event["slots"][1]["id"]})
    assert unknown.status_code == 422 and "入力に当てはまる世帯はありません。" in unknown.text
    assert 'value="H-1999-9999"' in unknown.text

    too_small = await coordinator.post(
        f"/coordinator/pantry/{event['id']}/slots/{event['slots'][0]['id']}", {"capacity": "0"}
    )
    assert too_small.status_code == 422 and "受け入れる世帯数は 1 から 1,000 で入力してください。" in too_small.text


async def test_shortages_are_said_in_words_and_all_or_nothing_changes_nothing(
    client: AsyncClient, app: Litestar, pantry: Pantry
) -> None:
    day = await stocked_day(client, pantry, cans=3)
    event = day["event"]
    for slot in (0, 1, 1):
        await pantry.booked(event, await pantry.c.household(), slot=slot)
    coordinator = await signed_in(app, pantry.coordinator)
    path = f"/coordinator/pantry/{event['id']}/allocate"

    refused = await coordinator.post(path, {"all_or_nothing": "on"})
    assert refused.status_code == 409
    words = text_of(refused)
    assert "何も引き当てていません: 足りない在庫があります（下記）。" in words
    assert "さば缶: 3 個不足（4 個中 1 個を確保）。 2 箱に不足しています。" in words
    assert await pantry.reserved_everywhere() == 0

    partial = await coordinator.post(path, {})
    assert partial.status_code == 200
    words = text_of(partial)
    assert "足りないもの" in words and "さば缶: 3 個不足（4 個中 1 個を確保）。" in words
    assert "代わりに使えるもの: 米 5kg" in words


async def test_the_day_page_says_which_units_were_held_recalled_or_avoided(app: Litestar, pantry: Pantry) -> None:
    day = await pantry.short_of_bread()
    coordinator = await signed_in(app, pantry.coordinator)
    allocated = await coordinator.post(f"/coordinator/pantry/{day['event']}/allocate", {})
    assert allocated.status_code == 200
    assert (
        "食パン: 2 個不足（2 個中 0 個を確保）。 1 箱に不足しています。 棚にはあるが使えないもの: "
        "世帯が避けるもの（小麦）を含む 4 個, 保留中の 3 個, リコール中の 2 個。 代わりに使えるもの: さば缶 (8)。"
    ) in text_of(allocated)
    assert "寄贈品（表示不明）" not in text_of(allocated)

    in_english = await signed_in(app, pantry.coordinator, lang="en")
    again = await in_english.post(f"/coordinator/pantry/{day['event']}/allocate", {})
    assert "4 containing what the household avoids (wheat), 3 on hold, 2 recalled." in text_of(again)


async def test_volunteers_run_the_day_but_do_not_plan_it(client: AsyncClient, app: Litestar, pantry: Pantry) -> None:
    day = await stocked_day(client, pantry)
    event = day["event"]
    await pantry.booked(event, await pantry.c.household(), slot=1)
    await pantry.act(event["id"], "allocate")
    volunteer = await signed_in(app, pantry.warehouse)

    page = await volunteer.get(f"/coordinator/pantry/{event['id']}")
    assert page.status_code == 200 and "当日を始める" in page.text and "在庫を引き当て直す" not in page.text
    assert (await volunteer.get("/coordinator/pantry/new")).status_code == 403
    refused = await volunteer.post(f"/coordinator/pantry/{event['id']}/allocate", {})
    assert refused.status_code == 403 and "あなたの役割では" in refused.text
    started = await volunteer.post(f"/coordinator/pantry/{event['id']}/start", {"confirm_date": event["event_date"]})
    assert started.status_code == 303
    assert (await volunteer.get(f"/coordinator/pantry/{event['id']}/summary")).status_code == 403

    reporter = await signed_in(app, pantry.c.reporter)
    assert (await reporter.get(f"/coordinator/pantry/{event['id']}/summary")).status_code == 200
    assert (await reporter.get(f"/coordinator/pantry/{event['id']}/check-in")).status_code == 403


async def test_an_unknown_pantry_day_is_a_page_in_the_readers_language(app: Litestar, pantry: Pantry) -> None:
    coordinator = await signed_in(app, pantry.coordinator)
    missing = await coordinator.get("/coordinator/pantry/999999")
    assert missing.status_code == 404 and "そのパントリーはありません。" in missing.text


# --- households ------------------------------------------------------------------------------------------


async def test_registering_a_household_keeps_what_was_typed_and_gives_it_a_code(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    coordinator = await signed_in(app, await actors.make(Role.coordinator))
    form = await coordinator.get("/households/new")
    assert form.status_code == 200 and "小麦" in form.text

    refused = await coordinator.post(
        "/households",
        {"name": "山田 花子", "phone": "abc", "adults": "0", "postal_code": "2830802x", "allergen-wheat": "on"},
    )
    assert refused.status_code == 422
    assert (
        "市町村を選んでください。" in refused.text
        and "電話番号は 0475-12-3456 のように数字で入力してください。" in refused.text
    )
    assert "郵便番号は 283-0802 のように入力してください。" in refused.text
    assert "世帯の人数を 1 人以上にしてください（乳幼児・子ども・大人・高齢者）。" in refused.text
    assert 'value="山田 花子"' in refused.text and 'name="allergen-wheat" value="on" checked' in refused.text

    saved = await coordinator.post(
        "/households",
        {
            "name": "山田 花子",
            "phone": "0475-12-3456",
            "municipality": "sammu",
            "adults": "1",
            "children": "2",
            "allergen-wheat": "on",
            "halal": "on",
        },
    )
    page = await coordinator.follow(saved)
    code = re.search(r"世帯 (H-\d{4}-\d{4}) を登録しました。", page.text)
    assert code, page.text
    assert "小麦" in page.text and "ハラール" in page.text and "山田 花子" not in page.text

    twin = await coordinator.post(
        "/households", {"name": "山田 花子", "phone": "0475123456", "municipality": "sammu", "adults": "1"}
    )
    page = await coordinator.follow(twin)
    assert f"既存の世帯 {code[1]} と同じ可能性があります" in page.text

    listing = await coordinator.get("/households", params={"code": code[1][-4:]})
    assert code[1] in listing.text and "山田" not in listing.text


async def test_individual_support_says_what_the_household_avoids_and_what_is_held(
    client: AsyncClient, app: Litestar, pantry: Pantry
) -> None:
    c = pantry.c
    await c.wh.lot(client, c.wh.noodles, 5, month(9))  # wheat, soybean; needs cooking
    await pantry.hold(await c.wh.lot(client, c.wh.noodles, 2, month(10)), "on_hold")
    household = await c.household(allergens=["wheat"], ready_to_eat_only=True)
    coordinator = await signed_in(app, c.wh.coordinator)
    short = await coordinator.post(
        f"/households/{household}/allocations",
        {
            "distribution_date": TODAY.isoformat(),
            "source": "items",
            "items-0-item_id": c.wh.noodles,
            "items-0-quantity": "1",
        },
    )
    assert short.status_code == 409
    assert (
        "カップ麺: 1 個不足（1 個中 0 個を確保）。 棚にはあるが使えないもの: "
        "世帯が避けるもの（調理が必要なもの, 小麦）を含む 5 個, 保留中の 2 個。"
    ) in text_of(short)


async def test_individual_support_from_allocation_to_receipt(
    client: AsyncClient, app: Litestar, pantry: Pantry
) -> None:
    c = pantry.c
    await c.wh.lot(client, c.wh.canned, 4, month(9))
    household = await c.household(adults=1, children=0)
    referral = await c.referral(household, valid_from=TODAY - timedelta(days=1))
    coordinator = await signed_in(app, c.wh.coordinator)
    path = f"/households/{household}"

    page = await coordinator.get(path)
    assert page.status_code == 200 and "個別支援: 在庫を取り置く" in page.text

    no_template = await coordinator.post(f"{path}/allocations", {"distribution_date": TODAY.isoformat()})
    assert no_template.status_code == 409
    assert "1 人の世帯に合う箱の内容がありません" in no_template.text

    short = await coordinator.post(
        f"{path}/allocations",
        {
            "distribution_date": TODAY.isoformat(),
            "source": "items",
            "items-0-item_id": c.wh.canned,
            "items-0-quantity": "6",
        },
    )
    assert short.status_code == 409
    words = text_of(short)
    assert "何も取り置いていません: 使える在庫が足りません。" in words
    assert "さば缶: 2 個不足（6 個中 4 個を確保）。" in words
    assert 'name="items-0-quantity" type="text" value="6"' in short.text

    kept = await coordinator.post(
        f"{path}/allocations",
        {
            "distribution_date": TODAY.isoformat(),
            "source": "items",
            "items-0-item_id": c.wh.canned,
            "items-0-quantity": "2",
        },
    )
    page = await coordinator.follow(kept)
    reservation = int(re.search(r"取り置き (\d+) を作りました", page.text)[1])  # type: ignore[index]
    assert f"/api/reservations/{reservation}/picking-list.pdf" in page.text

    handed = await coordinator.post(
        f"{path}/allocations/{reservation}/hand-out",
        {"channel": "pickup", "distributed_on": TODAY.isoformat(), "referral_id": referral},
    )
    page = await coordinator.follow(handed)
    distribution = int(re.search(r"お渡しを記録しました（記録 (\d+)）", page.text)[1])  # type: ignore[index]
    assert f"/api/distributions/{distribution}/receipt.pdf" in page.text
    receipt = await coordinator.get(f"/api/distributions/{distribution}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")

    second = await coordinator.post(
        f"{path}/allocations",
        {
            "distribution_date": TODAY.isoformat(),
            "source": "items",
            "items-0-item_id": c.wh.canned,
            "items-0-quantity": "1",
        },
    )
    again = int(re.search(r"取り置き (\d+) を作りました", (await coordinator.follow(second)).text)[1])  # type: ignore[index]
    too_soon = await coordinator.post(
        f"{path}/allocations/{again}/hand-out", {"channel": "delivery", "distributed_on": TODAY.isoformat()}
    )
    assert too_soon.status_code == 409
    assert "前回のお渡しから日が浅すぎます。" in too_soon.text and "例外の理由を書いてください" in too_soon.text
    used_up = await coordinator.post(
        f"{path}/allocations/{again}/hand-out",
        {
            "channel": "pickup",
            "distributed_on": TODAY.isoformat(),
            "referral_id": referral,
            "frequency_override": "急な失業",
        },
    )
    assert used_up.status_code == 303  # the override is a coordinator's, with a reason

    released = await coordinator.post(
        f"{path}/allocations",
        {
            "distribution_date": TODAY.isoformat(),
            "source": "items",
            "items-0-item_id": c.wh.canned,
            "items-0-quantity": "1",
        },
    )
    last = int(re.search(r"取り置き (\d+) を作りました", (await coordinator.follow(released)).text)[1])  # type: ignore[index]
    page = await coordinator.follow(await coordinator.post(f"{path}/allocations/{last}/release", {}))
    assert f"取り置き {last} を解除しました" in page.text

    other = await c.household()
    stranger = await coordinator.post(f"/households/{other}/allocations/{last}/hand-out", {"channel": "pickup"})
    assert stranger.status_code == 404


async def test_consultants_see_the_household_but_not_its_stock_and_volunteers_see_neither(
    client: AsyncClient, app: Litestar, pantry: Pantry, actors: Actors
) -> None:
    c = pantry.c
    household = await c.household()
    await c.referral(household)  # the consultant's agency referred it
    consultant = await signed_in(app, c.consultant)
    page = await consultant.get(f"/households/{household}")
    assert page.status_code == 200 and "個別支援" not in page.text
    refused = await consultant.post(f"/households/{household}/allocations", {"distribution_date": TODAY.isoformat()})
    assert refused.status_code == 403

    volunteer = await signed_in(app, c.wh.warehouse)
    assert (await volunteer.get("/households")).status_code == 403
    assert (await volunteer.get(f"/households/{household}")).status_code == 403


# --- the appliance board and the annual report -----------------------------------------------------------


async def test_the_appliance_board_shows_every_status_with_its_count(app: Litestar, bank: Bank) -> None:
    await bank.in_status("available")
    await bank.in_status("available", "refrigerator")
    reserved = await bank.in_status("reserved")
    coordinator = await signed_in(app, bank.coordinator)

    board = await coordinator.get("/coordinator/appliances")
    assert board.status_code == 200
    words = text_of(board)
    assert "提供可能 2" in words and "予約済み 1" in words and "受入 0" in words
    assert f"/api/appliances/{reserved}/hand-over.pdf" in board.text
    only_fridges = text_of(await coordinator.get("/coordinator/appliances", params={"category": "refrigerator"}))
    assert "提供可能 1" in only_fridges and "予約済み 0" in only_fridges
    wrong = await coordinator.get("/coordinator/appliances", params={"category": "toaster"})
    assert wrong.status_code == 422 and "選択肢から選んでください。" in wrong.text

    consultant = await signed_in(app, bank.c.consultant)
    assert (await consultant.get("/coordinator/appliances")).status_code == 403


async def test_the_annual_report_page_defaults_to_the_last_complete_year(app: Litestar, actors: Actors) -> None:
    current = TODAY.year if TODAY.month >= 4 else TODAY.year - 1  # fiscal years start in April
    last = current - 1  # the last complete year: the default; 令和N年度 is FY2018+N
    reporter = await signed_in(app, await actors.make(Role.reporter))
    page = await reporter.get("/reports/annual")
    assert page.status_code == 200
    assert f"令和{last - 2018}年度（FY{last}）" in page.text and "主な数値" in page.text
    for fmt in ("pdf", "xlsx", "csv", "html"):
        for lang in ("ja", "en"):
            assert f"/api/reports/annual/{last}/summary.{fmt}?lang={lang}" in page.text
    this_year = await reporter.get("/reports/annual", params={"year": str(current)})
    assert this_year.status_code == 200 and "年度の途中です" in this_year.text
    future = await reporter.get("/reports/annual", params={"year": str(current + 1)})
    assert future.status_code == 422 and "この年度はまだ始まっていません。" in future.text
    nonsense = await reporter.get("/reports/annual", params={"year": "soon"})
    assert nonsense.status_code == 422 and "一覧から年度を選んでください。" in nonsense.text

    english = await signed_in(app, await actors.make(Role.reporter), lang="en")
    page = await english.get("/reports/annual")
    assert f"FY{last} (令和{last - 2018}年度)" in page.text and "Key figures" in page.text

    volunteer = await signed_in(app, await actors.make(Role.warehouse))
    assert (await volunteer.get("/reports/annual")).status_code == 403


async def test_nothing_a_person_can_post_is_a_server_error(client: AsyncClient, app: Litestar, pantry: Pantry) -> None:
    day = await stocked_day(client, pantry)
    event, slot = day["event"]["id"], day["event"]["slots"][0]["id"]
    household = await pantry.c.household()
    registration = await pantry.booked(day["event"], household, slot=1)
    coordinator = await signed_in(app, pantry.coordinator)
    garbage = {
        "venue_id": "x",
        "event_date": "soon",
        "slot_id": "-1",
        "people": "many",
        "capacity": "1e9",
        "start_time": "25:99",
        "household": "💥" * 101,
        "referral_id": "999999",
        "distribution_date": "2026-02-30",
        "source": "magic",
        "items-0-item_id": "999999",
        "items-0-quantity": "3",
        "channel": "partner",
        "municipality": "atlantis",
        "parcels": "0",
        "confirm": "maybe",
        "year": "20x5",
    }
    paths = [
        "/coordinator/pantry",
        "/coordinator/pantry/venues",
        f"/coordinator/pantry/{event}/open",
        f"/coordinator/pantry/{event}/plan",
        f"/coordinator/pantry/{event}/slots",
        f"/coordinator/pantry/{event}/slots/{slot}",
        f"/coordinator/pantry/{event}/slots/999999",
        f"/coordinator/pantry/{event}/registrations",
        f"/coordinator/pantry/{event}/registrations/{registration}/check-in",
        f"/coordinator/pantry/{event}/registrations/{registration}/no-show",
        f"/coordinator/pantry/{event}/registrations/999999/cancel",
        f"/coordinator/pantry/{event}/walk-ins",
        f"/coordinator/pantry/{event}/start",
        f"/coordinator/pantry/{event}/close",
        f"/coordinator/pantry/{event}/cancel",
        "/coordinator/pantry/999999/allocate",
        "/households",
        f"/households/{household}/allocations",
        f"/households/{household}/allocations/999999/hand-out",
        f"/households/{household}/allocations/999999/release",
        "/households/999999/allocations",
        "/coordinator/pantry/templates",
        f"/households/{2**63}/allocations",
        f"/coordinator/pantry/{2**63}/open",
    ]
    numbers = ("venue_id", "slot_id", "people", "capacity", "referral_id", "parcels", "expected_walk_in_people")
    rows = ("items-0-item_id", "items-0-quantity", "lines-0-item_id", "lines-0-category_id", "lines-0-quantity")
    huge = {key: str(2**63) for key in (*numbers, *rows)}  # past what any column holds
    for path in paths:
        for body in ({}, garbage, huge):
            response = await coordinator.post(path, body)
            assert response.status_code < 500, (path, body, response.text[-2000:])
            if response.status_code != 303:
                assert '<html lang="ja">' in response.text, path
    for path in ("/reports/annual?year=20x5", "/coordinator/appliances?category=1", "/households?code=" + "x" * 50):
        response = await coordinator.get(path)
        assert response.status_code == 422, path
    assert await pantry.reserved_everywhere() == 0  # nothing above reserved anything
