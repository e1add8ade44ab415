"""Who can read and change what: codes for volunteers, identity for coordinators and the referring
agency only, consent before sharing, and a consultant never sees another agency's households."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from foodbank.models import Role
from tests.conftest import Actor, Actors
from tests.dates import TODAY, day, days, month, month_end

IDENTITY = {"name": "山田 花子", "name_kana": "ヤマダ ハナコ", "phone": "0475-12-3456", "address": "山武市殿台1-2"}


def household(**extra: Any) -> dict[str, Any]:
    return {"municipality": "sammu", "adults": 1, "children": 2, "identity": IDENTITY, **extra}


def referral(household_id: int, *, consent: bool = True, **extra: Any) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "referred_on": days(-7),
        "who_consulted": "self",
        "reasons": ["food_shortage", "unemployment"],
        "request": "food",
        "consent": (
            {
                "given": True,
                "by": "self",
                "on": days(-7),
                "method": "written",
                "scope": "氏名・住所・アレルギーをフードバンクへ",
            }
            if consent
            else {"given": False}
        ),
        "valid_until": month_end(3).isoformat(),
        "handouts_allowed": 3,
        **extra,
    }


async def register(client: AsyncClient, actor: Actor, **extra: Any) -> dict[str, Any]:
    response = await client.post("/api/households", json=household(**extra), headers=actor.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_codes_are_numbered_per_year_and_identity_is_not_in_the_household(
    client: AsyncClient, actors: Actors
) -> None:
    coordinator = await actors.make(Role.coordinator)
    first = await register(client, coordinator)
    second = await register(
        client, coordinator, identity={**IDENTITY, "name": "佐藤 一郎", "phone": "0475-99-0000", "name_kana": None}
    )
    assert first["code"].startswith("H-") and first["code"].endswith("-0001")
    assert second["code"].endswith("-0002")
    assert "name" not in first and "identity" not in first and first["size"] == 3


async def test_a_lookalike_registration_warns_the_coordinator(client: AsyncClient, actors: Actors) -> None:
    coordinator = await actors.make(Role.coordinator)
    first = await register(client, coordinator)
    again = await register(client, coordinator, identity={**IDENTITY, "phone": "0475123456", "name_kana": None})
    assert [w["message"] for w in again["warnings"]] == [
        f"Looks like the existing household {first['code']}: check before using both."
    ]


async def test_a_volunteer_sees_codes_and_never_identity(client: AsyncClient, actors: Actors) -> None:
    coordinator, volunteer = await actors.make(Role.coordinator), await actors.make(Role.warehouse)
    created = await register(client, coordinator, allergens=["egg"], notes="夜間のみ連絡可")
    listed = (await client.get("/api/households", headers=volunteer.headers)).json()
    assert [h["code"] for h in listed] == [created["code"]]
    assert listed[0]["allergens"] == ["egg"] and "notes" not in listed[0]
    assert "山田" not in str(listed)
    identity = await client.get(f"/api/households/{created['id']}/identity", headers=volunteer.headers)
    assert identity.status_code == 403
    detail = await client.get(f"/api/households/{created['id']}", headers=volunteer.headers)
    assert detail.status_code == 403


async def test_identity_reads_are_audited_without_personal_data(client: AsyncClient, actors: Actors) -> None:
    coordinator, admin = await actors.make(Role.coordinator), await actors.make(Role.admin)
    created = await register(client, coordinator)
    identity = await client.get(f"/api/households/{created['id']}/identity", headers=coordinator.headers)
    assert identity.status_code == 200 and identity.json()["name"] == IDENTITY["name"]
    events = (
        await client.get("/api/audit-events", params={"action": "household.identity.read"}, headers=admin.headers)
    ).json()
    assert [(e["actor_id"], e["entity_id"]) for e in events] == [(coordinator.id, str(created["id"]))]
    assert "山田" not in str(events) and "0475" not in str(events)


async def test_consultants_see_their_own_agency_only(client: AsyncClient, actors: Actors) -> None:
    a = await actors.make(Role.consultant, agency="基幹相談支援センター")
    b = await actors.make(Role.consultant, agency="社会福祉協議会")
    mine = await register(client, a)
    ref = await client.post("/api/referrals", json=referral(mine["id"]), headers=a.headers)
    assert ref.status_code == 201, ref.text

    assert (await client.get(f"/api/households/{mine['id']}", headers=b.headers)).status_code == 404
    assert (await client.get(f"/api/households/{mine['id']}/identity", headers=b.headers)).status_code == 404
    assert (await client.get(f"/api/referrals/{ref.json()['id']}", headers=b.headers)).status_code == 404
    assert (await client.get("/api/households", headers=b.headers)).json() == []
    assert (await client.get("/api/referrals", headers=b.headers)).json() == []
    stolen = await client.post("/api/referrals", json=referral(mine["id"]), headers=b.headers)
    assert stolen.status_code == 404, "B cannot refer a household it cannot see"

    assert (await client.get(f"/api/households/{mine['id']}/identity", headers=a.headers)).status_code == 200
    assert [r["id"] for r in (await client.get("/api/referrals", headers=a.headers)).json()] == [ref.json()["id"]]


async def test_protected_fields_cannot_be_set_through_the_api(client: AsyncClient, actors: Actors) -> None:
    consultant = await actors.make(Role.consultant)
    other_agency = await actors.agency("別の機関")
    mine = await register(client, consultant)
    for field, value in (("status", "accepted"), ("handouts_used", 0), ("consultant_id", 1)):
        response = await client.post(
            "/api/referrals", json=referral(mine["id"], **{field: value}), headers=consultant.headers
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field
    other = await client.post(
        "/api/referrals", json=referral(mine["id"], agency_id=other_agency), headers=consultant.headers
    )
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "agency_id"
    code_change = await client.patch(
        f"/api/households/{mine['id']}", json={"code": "H-1999-0001"}, headers=consultant.headers
    )
    assert code_change.status_code == 422


async def test_consent_is_required_before_the_food_bank_sees_identity(client: AsyncClient, actors: Actors) -> None:
    consultant, coordinator = await actors.make(Role.consultant), await actors.make(Role.coordinator)
    mine = await register(client, consultant)
    no_consent = await client.post(
        "/api/referrals", json=referral(mine["id"], consent=False), headers=consultant.headers
    )
    assert no_consent.status_code == 201
    blocked = await client.get(f"/api/households/{mine['id']}/identity", headers=coordinator.headers)
    assert blocked.status_code == 403 and blocked.json()["type"] == "/problems/no-consent"
    incomplete = referral(mine["id"])
    incomplete["consent"] = {"given": True, "by": "self"}
    bad = await client.post("/api/referrals", json=incomplete, headers=consultant.headers)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"consent.on", "consent.method", "consent.scope"}
    assert (
        await client.post("/api/referrals", json=referral(mine["id"]), headers=consultant.headers)
    ).status_code == 201
    allowed = await client.get(f"/api/households/{mine['id']}/identity", headers=coordinator.headers)
    assert allowed.status_code == 200


async def test_a_coordinator_cannot_open_identity_to_an_agency_by_naming_it(
    client: AsyncClient, actors: Actors
) -> None:
    """Consent a coordinator records is the food bank's own: the agency named as referrer may follow the
    referral by code, but the household's identity opens to its consultants only through a referral the
    agency makes itself, with consent, or if it registered the household."""
    coordinator = await actors.make(Role.coordinator)
    stranger = await actors.make(Role.consultant, agency="社会福祉協議会")
    theirs = await register(client, coordinator)
    on_behalf = await client.post(
        "/api/referrals", json=referral(theirs["id"], agency_id=stranger.agency_id), headers=coordinator.headers
    )
    assert on_behalf.status_code == 201, on_behalf.text
    assert (on_behalf.json()["consent_given"], on_behalf.json()["consent_through"]) == (True, "food_bank")

    followed = await client.get(f"/api/referrals/{on_behalf.json()['id']}", headers=stranger.headers)
    assert followed.status_code == 200, "the agency follows the referral made in its name"
    refused = await client.get(f"/api/households/{theirs['id']}/identity", headers=stranger.headers)
    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/identity-not-shared"
    assert "山田" not in refused.text
    staff = await client.get(f"/api/households/{theirs['id']}/identity", headers=coordinator.headers)
    assert staff.status_code == 200, "the food bank's own consent opens identity to its staff"

    own = await client.post("/api/referrals", json=referral(theirs["id"]), headers=stranger.headers)
    assert (own.status_code, own.json()["consent_through"]) == (201, "agency")
    opened = await client.get(f"/api/households/{theirs['id']}/identity", headers=stranger.headers)
    assert opened.status_code == 200, "the agency's own referral with consent opens identity to it"


async def test_an_agency_reads_the_identity_of_households_it_registered(client: AsyncClient, actors: Actors) -> None:
    consultant = await actors.make(Role.consultant)
    mine = await register(client, consultant)
    assert (await client.get(f"/api/households/{mine['id']}/identity", headers=consultant.headers)).status_code == 200
    no_consent = await client.post(
        "/api/referrals", json=referral(mine["id"], consent=False), headers=consultant.headers
    )
    assert no_consent.json()["consent_through"] == "agency"


async def test_the_consultant_follows_the_outcome(client: AsyncClient, actors: Actors) -> None:
    consultant, coordinator = await actors.make(Role.consultant), await actors.make(Role.coordinator)
    mine = await register(client, consultant)
    created = (await client.post("/api/referrals", json=referral(mine["id"]), headers=consultant.headers)).json()
    assert created["status"] == "submitted" and created["household_code"] == mine["code"]
    cannot_decide = await client.post(
        f"/api/referrals/{created['id']}/decision", json={"decision": "accept"}, headers=consultant.headers
    )
    assert cannot_decide.status_code == 403
    decided = await client.post(
        f"/api/referrals/{created['id']}/decision",
        json={"decision": "accept", "note": "12/5 配達"},
        headers=coordinator.headers,
    )
    assert decided.status_code == 201 and decided.json()["status"] == "accepted"
    seen = (await client.get(f"/api/referrals/{created['id']}", headers=consultant.headers)).json()
    assert (seen["status"], seen["handouts_used"], seen["handouts_allowed"]) == ("accepted", 0, 3)
    twice = await client.post(
        f"/api/referrals/{created['id']}/decision", json={"decision": "decline"}, headers=coordinator.headers
    )
    assert twice.status_code == 409
    withdrawn = await client.post(f"/api/referrals/{created['id']}/withdraw", headers=consultant.headers)
    assert withdrawn.json()["status"] == "withdrawn"


async def test_an_allocation_never_gives_a_household_its_allergens_or_food_it_cannot_cook(
    client: AsyncClient, actors: Actors, wh
) -> None:
    coordinator = wh.coordinator
    await wh.lot(client, wh.noodles, 10, month(9))  # wheat, soybean; needs cooking
    await wh.lot(client, wh.canned, 10, month(9))  # mackerel; needs cooking (not marked ready to eat)
    allergic = await register(client, coordinator, allergens=["wheat"])
    body = {"distribution_date": TODAY.isoformat(), "lines": [{"item_id": wh.noodles, "quantity": 1}]}
    refused = await client.post(f"/api/households/{allergic['id']}/allocations", json=body, headers=coordinator.headers)
    assert refused.status_code == 409 and refused.json()["shortages"][0]["missing"] == 1

    fine = await register(
        client, coordinator, identity={**IDENTITY, "name": "別の人", "phone": "0475-00-0001", "name_kana": None}
    )
    ok = await client.post(f"/api/households/{fine['id']}/allocations", json=body, headers=coordinator.headers)
    assert ok.status_code == 201 and ok.json()["purpose_ref"] == fine["code"]

    no_kitchen = await register(
        client,
        coordinator,
        ready_to_eat_only=True,
        identity={**IDENTITY, "name": "三人目", "phone": "0475-00-0002", "name_kana": None},
    )
    canned = {"distribution_date": TODAY.isoformat(), "lines": [{"item_id": wh.canned, "quantity": 1}]}
    cooking = await client.post(
        f"/api/households/{no_kitchen['id']}/allocations", json=canned, headers=coordinator.headers
    )
    assert cooking.status_code == 409


async def test_inactive_households_are_anonymised_and_keep_their_code(
    client: AsyncClient, actors: Actors, database
) -> None:
    from datetime import date

    from sqlalchemy import update

    from foodbank.households import services
    from foodbank.models import Household

    coordinator = await actors.make(Role.coordinator)
    old = await register(client, coordinator, notes="古いメモ")
    recent = await register(
        client, coordinator, identity={**IDENTITY, "name": "最近", "phone": "0475-00-0003", "name_kana": None}
    )
    async with database.transaction() as session:
        await session.execute(
            update(Household).where(Household.id == old["id"]).values(last_activity_on=date(2019, 1, 10))
        )
        await session.execute(update(Household).where(Household.id == recent["id"]).values(last_activity_on=day(-57)))
    async with database.transaction() as session:
        assert await services.anonymise_inactive(session, actor_id=None, years=5, today=TODAY, dry_run=True) == [
            old["code"]
        ]
    async with database.transaction() as session:
        assert await services.anonymise_inactive(session, actor_id=None, years=5, today=TODAY) == [old["code"]]
    gone = await client.get(f"/api/households/{old['id']}/identity", headers=coordinator.headers)
    assert gone.status_code == 404
    kept = (await client.get(f"/api/households/{old['id']}", headers=coordinator.headers)).json()
    assert kept["code"] == old["code"] and kept["anonymised"] is True and kept["notes"] is None
    assert (
        await client.get(f"/api/households/{recent['id']}/identity", headers=coordinator.headers)
    ).status_code == 200


async def test_without_lines_the_household_gets_the_parcel_template_for_its_size(
    client: AsyncClient, actors: Actors, wh, database
) -> None:
    from sqlalchemy import select

    from foodbank.models import Category
    from foodbank.pantry import services as pantry

    coordinator = wh.coordinator
    await wh.lot(client, wh.canned, 10, month(9))
    await wh.lot(client, wh.noodles, 10, month(10))
    async with database.transaction() as session:
        staples = await session.scalar(select(Category.id).where(Category.code == "staples"))
        lines = (pantry.TemplateLine(2, item_id=wh.canned), pantry.TemplateLine(3, category_id=staples))
        template = pantry.NewTemplate(name="3-4人", min_people=3, max_people=4, lines=lines)
        await pantry.create_template(session, actor_id=None, template=template)
    family = await register(client, coordinator)  # 1 adult + 2 children: 3 people
    response = await client.post(
        f"/api/households/{family['id']}/allocations",
        json={"distribution_date": TODAY.isoformat()},
        headers=coordinator.headers,
    )
    assert response.status_code == 201, response.text
    by_item: dict[int, int] = {}
    for line in response.json()["picking_list"]:
        by_item[line["item_id"]] = by_item.get(line["item_id"], 0) + line["quantity"]
    assert by_item[wh.canned] >= 2 and sum(by_item.values()) == 5, "2 named cans, then 3 of any staple, FEFO"

    single = await register(
        client,
        coordinator,
        adults=1,
        children=0,
        identity={**IDENTITY, "name": "一人", "phone": "0475-00-0009", "name_kana": None},
    )
    no_fit = await client.post(
        f"/api/households/{single['id']}/allocations",
        json={"distribution_date": TODAY.isoformat()},
        headers=coordinator.headers,
    )
    assert no_fit.status_code == 409 and no_fit.json()["type"] == "/problems/no-parcel-template"
