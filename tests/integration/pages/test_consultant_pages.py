"""Referral pages: a consultant refers a household with its consent recorded and follows the agency's
referrals; coordinators decide in the inbox; another agency's consultant gets 404 pages and a warehouse
volunteer 403; refused forms keep what was typed; one form makes one referral."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from litestar import Litestar

from foodbank.lib.clock import today
from foodbank.models import Role
from tests.conftest import Actor, Actors, client_for
from tests.dates import month
from tests.integration.appliances.conftest import Bank
from tests.integration.distributions.conftest import Community, community, wh  # noqa: F401 - fixtures
from tests.integration.households.test_households_and_referrals import IDENTITY, referral, register
from tests.integration.pages.conftest import Browser, hidden


def new_household_form(**extra: Any) -> dict[str, object]:
    """What a consultant types for a new household asking for food, with consent."""
    on = today()
    return {
        "household_mode": "new",
        "municipality": "sammu",
        "adults": "1",
        "children": "2",
        "name": "山田 花子",
        "name_kana": "ヤマダ ハナコ",
        "phone": "０４７５ー１２ー３４５６",  # as a Japanese keyboard types it
        "postal_code": "289-1324",
        "address": "山武市殿台1-2",
        "allergen-egg": "on",
        "referred_on": on.isoformat(),
        "who_consulted": "family",
        "reason-food_shortage": "on",
        "reason-unemployment": "on",
        "urgency": "urgent",
        "request": "food",
        "handouts_allowed": "2",
        "valid_until": (on + timedelta(days=30)).isoformat(),
        "note": "平日午前の受け取り希望",
        "consent_given": "yes",
        "consent_by": "self",
        "consent_on": on.isoformat(),
        "consent_method": "written",
        "consent_scope": "氏名・住所・電話・アレルギーをフードバンクさんぶへ（食料支援のため）",
        **extra,
    }


async def signed_in(app: Litestar, actor: Actor) -> Browser:
    person = Browser(client_for(app))
    await person.sign_in(actor)
    return person


async def open_form(person: Browser) -> str:
    """The refer page's one-time key (a new one each time the page is opened)."""
    page = await person.get("/new-referral")
    assert page.status_code == 200, page.text
    return hidden(page.text, "_once")


async def refer(person: Browser, **extra: Any) -> int:
    sent = await person.post("/new-referral", {"_once": await open_form(person), **new_household_form(**extra)})
    assert sent.status_code == 303, sent.text
    match = re.fullmatch(r"/referrals/(\d+)", sent.headers["location"])
    assert match, sent.headers["location"]
    return int(match[1])


async def test_a_consultant_refers_a_new_household_with_its_consent(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    consultant = await actors.make(Role.consultant)
    person = await signed_in(app, consultant)
    form = await person.get("/new-referral")
    assert "世帯を紹介する" in form.text and "本人" in form.text and "関係機関" in form.text
    assert "同意" in form.text and "書面" in form.text

    sent = await person.post("/new-referral", {"_once": hidden(form.text, "_once"), **new_household_form()})
    page = await person.follow(sent)
    referral_id = int(sent.headers["location"].rsplit("/", 1)[1])
    created = (await client.get(f"/api/referrals/{referral_id}", headers=consultant.headers)).json()
    code = created["household_code"]
    assert f"紹介 {referral_id} を送りました（世帯 {code}）" in page.text  # the confirmation, with the reference
    assert "判断待ち" in page.text and "至急" in page.text and "失業" in page.text
    assert "書面" in page.text and "フードバンクさんぶへ" in page.text

    assert created["status"] == "submitted" and created["who_consulted"] == "family"
    assert created["reasons"] == ["food_shortage", "unemployment"] and created["handouts_allowed"] == 2
    assert (created["consent_given"], created["consent_by"], created["consent_method"]) == (True, "self", "written")
    assert created["consent_on"] == today().isoformat() and created["appliance_category"] is None
    household = (await client.get(f"/api/households/{created['household_id']}", headers=consultant.headers)).json()
    assert (household["adults"], household["children"], household["allergens"]) == (1, 2, ["egg"])
    identity = (
        await client.get(f"/api/households/{created['household_id']}/identity", headers=consultant.headers)
    ).json()
    assert identity["phone"] == "0475-12-3456" and identity["name"] == "山田 花子"

    listed = await person.get("/referrals")
    assert listed.status_code == 200 and f"/referrals/{referral_id}" in listed.text and code in listed.text
    assert "自機関の紹介" in listed.text and "0 / 2 回" in listed.text
    assert IDENTITY["name"] not in listed.text  # lists show codes, never names
    waiting = await person.get("/referrals", params={"status": "submitted"})
    assert f"/referrals/{referral_id}" in waiting.text
    none = await person.get("/referrals", params={"status": "accepted"})
    assert f"/referrals/{referral_id}" not in none.text and "この状態の紹介はありません" in none.text
    bad = await person.get("/referrals", params={"status": "lost"})
    assert bad.status_code == 422 and "選択肢から選んでください" in bad.text

    home = await person.get("/")
    assert f'href="/referrals/{referral_id}"' in home.text


async def test_a_refused_form_says_why_in_japanese_keeps_what_was_typed_and_saves_nothing(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    consultant = await actors.make(Role.consultant)
    person = await signed_in(app, consultant)
    token = await open_form(person)
    typed = new_household_form(
        phone="0475-1x",
        consent_scope="",
        consent_method="",
        **{"reason-food_shortage": "", "reason-unemployment": ""},
    )
    refused = await person.post("/new-referral", {"_once": token, **typed})
    assert refused.status_code == 422
    page = refused.text
    assert "0475-12-3456 のように" in page  # the phone
    assert "少なくとも一つの理由" in page
    assert "同意の方法を選んでください" in page and "何を誰に提供してよいか" in page
    # What was typed is still there, the consent included.
    assert 'value="山田 花子"' in page and 'value="0475-1x"' in page and "平日午前の受け取り希望" in page
    assert re.search(r'name="consent_by" id="consent_by-self" value="self" checked', page)
    assert re.search(r'name="who_consulted" id="who_consulted-family" value="family" checked', page)
    assert re.search(r'name="allergen-egg" id="allergen-egg" checked', page)
    assert hidden(page, "_once") != token  # a new key for the corrected form; the refused one saved nothing
    assert (await client.get("/api/referrals", headers=consultant.headers)).json() == []
    assert (await client.get("/api/households", headers=consultant.headers)).json() == []

    # Rules of the services come back the same way: the end before the start, an appliance without its
    # category, a household without members.
    on = today()
    refused = await person.post(
        "/new-referral",
        {
            "_once": token,
            **new_household_form(
                adults="0",
                children="0",
                request="both",
                valid_from=(on + timedelta(days=10)).isoformat(),
                valid_until=(on + timedelta(days=5)).isoformat(),
            ),
        },
    )
    assert refused.status_code == 422
    assert "1 人以上" in refused.text
    refused = await person.post(
        "/new-referral",
        {
            "_once": token,
            **new_household_form(
                request="both",
                valid_from=(on + timedelta(days=10)).isoformat(),
                valid_until=(on + timedelta(days=5)).isoformat(),
            ),
        },
    )
    assert refused.status_code == 422 and "開始日以降" in refused.text
    refused = await person.post("/new-referral", {"_once": token, **new_household_form(request="both")})
    assert refused.status_code == 422 and "家電を依頼するときは" in refused.text
    assert re.search(r'name="request" id="request-both" value="both" checked', refused.text)
    assert (await client.get("/api/households", headers=consultant.headers)).json() == []

    # Consent not given: nothing about it is required, and nothing of it is recorded.
    referral_id = await refer(person, consent_given="no", consent_method="verbal")
    created = (await client.get(f"/api/referrals/{referral_id}", headers=consultant.headers)).json()
    assert created["consent_given"] is False and created["consent_method"] is None and created["consent_by"] is None


async def test_one_form_makes_one_referral_however_often_it_is_sent(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    consultant = await actors.make(Role.consultant)
    person = await signed_in(app, consultant)
    token = await open_form(person)
    first = await person.post("/new-referral", {"_once": token, **new_household_form()})
    again = await person.post("/new-referral", {"_once": token, **new_household_form()})
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    shown = await person.follow(again)
    assert "保存済みです。二重には保存していません。" in shown.text
    assert len((await client.get("/api/referrals", headers=consultant.headers)).json()) == 1
    assert len((await client.get("/api/households", headers=consultant.headers)).json()) == 1
    # A freshly opened form is a new referral; two posts of it at the same moment still make one.
    token = await open_form(person)
    both = await asyncio.gather(
        *(person.post("/new-referral", {"_once": token, **new_household_form(name="佐藤 一郎")}) for _ in range(2))
    )
    assert [r.status_code for r in both] == [303, 303]
    assert both[0].headers["location"] == both[1].headers["location"] != first.headers["location"]
    assert len((await client.get("/api/referrals", headers=consultant.headers)).json()) == 2
    assert len((await client.get("/api/households", headers=consultant.headers)).json()) == 2


async def test_a_household_the_agency_already_referred_is_found_by_its_code(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    consultant = await actors.make(Role.consultant, agency="基幹相談支援センター")
    other = await actors.make(Role.consultant, agency="社会福祉協議会")
    mine = await register(client, consultant)
    theirs = await register(client, other, identity={**IDENTITY, "name": "佐藤 一郎", "phone": "0475-99-0000"})
    person = await signed_in(app, consultant)

    form = await person.get("/new-referral", params={"household_code": mine["code"]})
    assert re.search(r'id="household_mode-existing" value="existing" checked', form.text)
    existing = {"household_mode": "existing", "name": "", "municipality": ""}
    typed_code = mine["code"].lower().replace("-", "－")  # lower case, full-width dashes
    sent = await person.post(
        "/new-referral",
        {"_once": hidden(form.text, "_once"), **new_household_form(household_code=typed_code, **existing)},
    )
    assert sent.status_code == 303, sent.text
    referral_id = int(sent.headers["location"].rsplit("/", 1)[1])
    created = (await client.get(f"/api/referrals/{referral_id}", headers=consultant.headers)).json()
    assert created["household_id"] == mine["id"]
    assert len((await client.get("/api/households", headers=consultant.headers)).json()) == 1

    for code, message in (
        (theirs["code"], f"{theirs['code']} の世帯は、あなたの機関が紹介した世帯にありません"),
        ("H-1999-0001", "H-1999-0001 の世帯は、あなたの機関が紹介した世帯にありません"),
        ("", "世帯コードを入力してください"),
    ):
        refused = await person.post(
            "/new-referral",
            {"_once": await open_form(person), **new_household_form(household_code=code, **existing)},
        )
        assert refused.status_code == 422 and message in refused.text, code
    assert len((await client.get("/api/referrals", headers=other.headers)).json()) == 0


async def test_another_agency_gets_404_pages_and_a_volunteer_403(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    consultant = await actors.make(Role.consultant, agency="基幹相談支援センター")
    referral_id = await refer(await signed_in(app, consultant))

    stranger = await signed_in(app, await actors.make(Role.consultant, agency="社会福祉協議会"))
    for response in (
        await stranger.get(f"/referrals/{referral_id}"),
        await stranger.post(f"/referrals/{referral_id}/withdraw", {}),
    ):
        assert response.status_code == 404 and "その紹介はありません" in response.text
        assert "山田" not in response.text
    assert f"/referrals/{referral_id}" not in (await stranger.get("/referrals")).text
    assert (await stranger.get("/coordinator/referrals")).status_code == 403
    decided = await stranger.post(f"/referrals/{referral_id}/decision", {"decision": "accept"})
    assert decided.status_code == 403
    stranger.client.cookies.set("fb_lang", "en")
    english = await stranger.get(f"/referrals/{referral_id}")
    assert english.status_code == 404 and "There is no such referral." in english.text

    volunteer = await signed_in(app, await actors.make(Role.warehouse))
    for path in ("/new-referral", "/referrals", f"/referrals/{referral_id}", "/coordinator/referrals"):
        refused = await volunteer.get(path)
        assert refused.status_code == 403 and "あなたの役割では" in refused.text, path
    assert (await volunteer.post("/new-referral", new_household_form())).status_code == 403
    assert (await volunteer.post(f"/referrals/{referral_id}/withdraw", {})).status_code == 403
    menu = (await volunteer.get("/")).text
    assert "/new-referral" not in menu and 'href="/referrals"' not in menu
    still = (await client.get(f"/api/referrals/{referral_id}", headers=consultant.headers)).json()
    assert still["status"] == "submitted"


async def test_a_coordinator_decides_in_the_inbox_and_the_consultant_sees_the_outcome(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    consultant = await actors.make(Role.consultant)
    person = await signed_in(app, consultant)
    urgent = await refer(person)
    normal = await refer(person, urgency="normal", name="佐藤 一郎", phone="0475-99-0000")
    emergency = await refer(person, urgency="emergency", name="鈴木 次郎", phone="0475-88-0000")

    coordinator = await signed_in(app, await actors.make(Role.coordinator))
    home = (await coordinator.get("/")).text
    assert f'href="/referrals/{urgent}"' in home and 'href="/coordinator/referrals"' in home
    inbox = await coordinator.get("/coordinator/referrals")
    assert inbox.status_code == 200 and "届いた紹介" in inbox.text
    order = [int(i) for i in re.findall(r'<section class="card decision" id="referral-(\d+)"', inbox.text)]
    assert order == [emergency, urgent, normal]  # most urgent first
    assert "山田" not in inbox.text  # codes, not names

    accepted = await coordinator.post(
        f"/referrals/{urgent}/decision", {"decision": "accept", "note": "12月2日に配達します", "return_to": "inbox"}
    )
    assert accepted.headers["location"] == "/coordinator/referrals"
    shown = await coordinator.follow(accepted)
    assert f"紹介 {urgent} を受理しました" in shown.text and f'id="referral-{urgent}"' not in shown.text
    declined = await coordinator.post(
        f"/referrals/{normal}/decision", {"decision": "decline", "note": "市の窓口へ", "return_to": "referral"}
    )
    assert declined.headers["location"] == f"/referrals/{normal}"
    assert f"紹介 {normal} を見送りました" in (await coordinator.follow(declined)).text

    # Deciding again: refused, said in words, nothing changes.
    again = await coordinator.post(f"/referrals/{urgent}/decision", {"decision": "decline", "return_to": "inbox"})
    assert again.status_code == 409 and "すでに「受理」" in again.text
    again = await coordinator.post(f"/referrals/{normal}/decision", {"decision": "accept", "return_to": "referral"})
    assert again.status_code == 409 and "すでに「見送り」" in again.text
    nothing = await coordinator.post(f"/referrals/{emergency}/decision", {"note": "x", "return_to": "inbox"})
    assert nothing.status_code == 422 and "受理か見送りを選んでください" in nothing.text
    assert 'value="x"' in nothing.text or ">x</textarea>" in nothing.text

    mine = (await person.get("/referrals")).text
    assert "受理" in mine and "12月2日に配達します" in mine and "見送り" in mine and "市の窓口へ" in mine
    page = (await person.get(f"/referrals/{urgent}")).text
    assert "12月2日に配達します" in page and "まだ配布はありません" in page
    api = (await client.get(f"/api/referrals/{urgent}", headers=consultant.headers)).json()
    assert api["status"] == "accepted" and api["decision_note"] == "12月2日に配達します"


async def test_a_referral_that_ran_out_cannot_be_accepted(client: AsyncClient, app: Litestar, actors: Actors) -> None:
    consultant = await actors.make(Role.consultant)
    household = await register(client, consultant)
    past = today() - timedelta(days=40)
    body = referral(household["id"], referred_on=past.isoformat(), valid_until=(past + timedelta(days=30)).isoformat())
    created = await client.post("/api/referrals", json=body, headers=consultant.headers)
    assert created.status_code == 201, created.text
    coordinator = await signed_in(app, await actors.make(Role.coordinator))
    refused = await coordinator.post(
        f"/referrals/{created.json()['id']}/decision", {"decision": "accept", "return_to": "inbox"}
    )
    assert refused.status_code == 409
    assert (
        f"紹介 {created.json()['id']} は {(past + timedelta(days=30)).isoformat()} で期限が切れています" in refused.text
    )


async def test_a_consultant_withdraws_an_open_referral(client: AsyncClient, app: Litestar, actors: Actors) -> None:
    consultant = await actors.make(Role.consultant)
    person = await signed_in(app, consultant)
    referral_id = await refer(person)
    page = (await person.get(f"/referrals/{referral_id}")).text
    assert "この紹介を取り下げる" in page
    withdrawn = await person.post(f"/referrals/{referral_id}/withdraw", {})
    shown = await person.follow(withdrawn)
    assert f"紹介 {referral_id} を取り下げました" in shown.text and "取り下げ" in shown.text
    assert "この紹介を取り下げる" not in shown.text
    again = await person.post(f"/referrals/{referral_id}/withdraw", {})
    assert again.status_code == 409 and "取り下げることはできません" in again.text
    api = (await client.get(f"/api/referrals/{referral_id}", headers=consultant.headers)).json()
    assert api["status"] == "withdrawn"


async def test_the_pages_in_english(app: Litestar, actors: Actors) -> None:
    person = await signed_in(app, await actors.make(Role.consultant))
    person.client.cookies.set("fb_lang", "en")
    form = (await person.get("/new-referral")).text
    assert "Refer a household" in form and "Who came to the consultation" in form and "In writing" in form
    referral_id = await refer(person)
    page = (await person.get(f"/referrals/{referral_id}")).text
    assert "Waiting for a decision" in page and "Unemployment" in page and "Family" in page


@pytest.fixture
def appliance_bank(client: AsyncClient, community: Community) -> Bank:  # noqa: F811 - the imported fixture
    return Bank(community, client, today())


async def test_what_became_of_a_referral_hand_outs_and_an_appliance(
    client: AsyncClient, app: Litestar, appliance_bank: Bank
) -> None:
    bank = appliance_bank
    c = bank.c
    household = await c.household()
    food = await c.referral(household, allowed=2)
    lot = await c.wh.lot(client, c.wh.canned, 20, month(9))
    handed = await c.hand_out(client, household_id=household, referral_id=food, lines=[{"lot_id": lot, "quantity": 3}])
    assert handed.status_code == 201, handed.text
    fridge = await bank.referral(household, category="refrigerator")
    unit = await bank.unit("refrigerator")
    assert (await bank.inspect(unit)).status_code == 201
    assert (await bank.reserve(unit, referral_id=fridge)).status_code == 201
    assert (await bank.deliver(unit)).status_code == 201

    person = await signed_in(app, c.consultant)
    page = (await person.get(f"/referrals/{food}")).text
    assert "1 / 2 回" in page and "受け取り" in page and "3 点" in page
    page = (await person.get(f"/referrals/{fridge}")).text
    assert "冷蔵庫" in page and "お届け済み" in page and "まだ配布はありません" not in page
    listed = (await person.get("/referrals")).text
    assert "配布 1 / 2 回" in listed and "家電は" in listed and "お届け済み" in listed
    assert "さば缶" not in listed + page  # no warehouse detail for the agency


async def test_a_coordinator_refers_for_an_agency_it_chooses(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    agency = await actors.agency("中核地域生活支援センター")
    coordinator = await actors.make(Role.coordinator)
    person = await signed_in(app, coordinator)
    refused = await person.post("/new-referral", {"_once": await open_form(person), **new_household_form()})
    assert refused.status_code == 422 and "紹介する機関を選んでください" in refused.text
    refused = await person.post(
        "/new-referral", {"_once": await open_form(person), **new_household_form(agency_id=agency, name="")}
    )
    assert refused.status_code == 422 and "紹介する機関を選んでください" not in refused.text
    assert "支援を受ける方の氏名を入力してください" in refused.text
    referral_id = await refer(person, agency_id=agency)
    created = (await client.get(f"/api/referrals/{referral_id}", headers=coordinator.headers)).json()
    assert created["agency_id"] == agency and created["consultant_id"] == coordinator.id
    listed = (await person.get("/referrals")).text
    assert "中核地域生活支援センター" in listed and "<h1>紹介</h1>" in listed


async def test_consent_a_coordinator_records_does_not_open_identity_to_the_agency_it_names(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    coordinator = await actors.make(Role.coordinator)
    named = await actors.make(Role.consultant, agency="相談支援事業所あおば")
    staff = await signed_in(app, coordinator)
    form = (await staff.get("/new-referral")).text
    assert "フードバンク自身が得た同意" in form, "the coordinator is told whose consent it records"
    referral_id = await refer(staff, agency_id=named.agency_id)
    created = (await client.get(f"/api/referrals/{referral_id}", headers=coordinator.headers)).json()
    assert created["consent_through"] == "food_bank"
    shown = (await staff.get(f"/referrals/{referral_id}")).text
    assert "フードバンク（自身の同意。氏名・連絡先は機関に共有されません）" in shown

    agency = await signed_in(app, named)
    assert (await agency.get(f"/referrals/{referral_id}")).status_code == 200, "the agency follows it"
    identity = await agency.get(f"/households/{created['household_id']}/identity")
    assert identity.status_code == 403
    assert "氏名・連絡先はあなたの機関に共有されていません" in identity.text
    assert "山田" not in identity.text and "3456" not in identity.text
    assert "山田 花子" in (await staff.get(f"/households/{created['household_id']}/identity")).text


async def test_the_page_keeps_the_api_rules_in_its_own_words(
    client: AsyncClient, app: Litestar, actors: Actors
) -> None:
    """The form is the API's schema: hand-outs a whole number from 1 to 52 (typed on a Japanese keyboard
    too); what the page hides by a choice is not recorded (an appliance when food is asked for)."""
    consultant = await actors.make(Role.consultant)
    person = await signed_in(app, consultant)
    for typed in ("53", "2.5", "二"):
        refused = await person.post(
            "/new-referral", {"_once": await open_form(person), **new_household_form(handouts_allowed=typed)}
        )
        assert refused.status_code == 422 and "1 から 52 までの数を入力してください" in refused.text, typed
        assert f'value="{typed}"' in refused.text
    refused = await person.post(
        "/new-referral", {"_once": await open_form(person), **new_household_form(consent_on="2027-13-45")}
    )
    assert refused.status_code == 422 and "YYYY-MM-DD" in refused.text and 'value="2027-13-45"' in refused.text
    assert (await client.get("/api/referrals", headers=consultant.headers)).json() == []

    referral_id = await refer(person, handouts_allowed="１２", appliance_category="refrigerator")
    created = (await client.get(f"/api/referrals/{referral_id}", headers=consultant.headers)).json()
    assert created["handouts_allowed"] == 12 and created["request"] == "food"
    assert created["appliance_category"] is None
