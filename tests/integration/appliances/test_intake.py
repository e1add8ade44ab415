"""The acceptance policy at intake: a maximum age per category (configurable), and units without the PSE
mark refused or flagged, per setting. A refusal is a 422 listing every reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient

from foodbank.config import Settings
from foodbank.lib.db import Database
from tests.conftest import client_for
from tests.integration.appliances.conftest import Bank, app_with


@pytest.mark.parametrize(
    ("category", "limit"),
    [("refrigerator", 10), ("washing_machine", 10), ("microwave", 6), ("tv", 6), ("air_conditioner", 6)],
)
async def test_a_unit_up_to_its_category_limit_is_accepted_and_one_year_older_is_refused(
    bank: Bank, category: str, limit: int
) -> None:
    year = bank.today.year
    at_limit = await bank.register(category, manufacture_year=year - limit)
    assert at_limit.status_code == 201, at_limit.text
    assert at_limit.json()["status"] == "received" and at_limit.json()["flags"] == []

    too_old = await bank.register(category, manufacture_year=year - limit - 1)
    assert too_old.status_code == 422, too_old.text
    assert too_old.json()["type"] == "/problems/validation"
    [error] = too_old.json()["errors"]
    assert error["field"] == "manufacture_year"
    assert (
        f"is {limit + 1} years old" in error["message"]
        and f"the limit for this category is {limit} years" in (error["message"])
    )


async def test_the_age_counts_from_the_manufacture_year_to_the_received_date(bank: Bank) -> None:
    received = bank.today.replace(month=1, day=5) - timedelta(days=365 * 2)
    response = await bank.register("microwave", manufacture_year=received.year - 6, received_date=received.isoformat())
    assert response.status_code == 201, response.text
    assert response.json()["received_date"] == received.isoformat()


async def test_the_age_limits_come_from_the_settings(bank: Bank, settings: Settings, database: Database) -> None:
    strict = app_with(settings, database, max_age_years=3, max_age_by_category={"refrigerator": 12})
    async with client_for(strict) as client:
        year = bank.today.year
        assert (await bank.register("microwave", manufacture_year=year - 4, client=client)).status_code == 422
        assert (await bank.register("microwave", manufacture_year=year - 3, client=client)).status_code == 201
        assert (await bank.register("refrigerator", manufacture_year=year - 12, client=client)).status_code == 201
        assert (await bank.register("washing_machine", manufacture_year=year - 4, client=client)).status_code == 422
        categories = (await client.get("/api/appliance-categories", headers=bank.warehouse.headers)).json()
        assert {c["code"]: c["max_age_years"] for c in categories}["refrigerator"] == 12


async def test_without_the_pse_mark_a_unit_is_refused_by_default(bank: Bank) -> None:
    response = await bank.register("heater", pse_mark="none")
    assert response.status_code == 422, response.text
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [
        ("pse_mark", "Units without the PSE mark (or the old-law mark) are not accepted.")
    ]
    listed = await bank.client.get("/api/appliances", headers=bank.warehouse.headers)
    assert listed.json() == [], "nothing was saved"


async def test_with_the_flag_setting_a_unit_without_the_pse_mark_is_accepted_and_flagged(
    bank: Bank, settings: Settings, database: Database
) -> None:
    flagging = app_with(settings, database, no_pse_mark="flag")
    async with client_for(flagging) as client:
        response = await bank.register("heater", pse_mark="none", client=client)
        assert response.status_code == 201, response.text
        assert response.json()["flags"] == ["no_pse_mark"]
        marked = await bank.register("heater", pse_mark="pse", client=client)
        assert marked.json()["flags"] == []


async def test_the_old_law_mark_is_accepted_without_a_flag(bank: Bank) -> None:
    response = await bank.register("fan", pse_mark="old_law", manufacture_year=bank.today.year - 1)
    assert response.status_code == 201, response.text
    assert response.json()["flags"] == []


async def test_every_reason_for_a_refusal_is_listed_at_once(bank: Bank) -> None:
    response = await bank.register(
        "refrigerator",
        pse_mark="none",
        manufacture_year=bank.today.year - 20,
        received_date=(bank.today + timedelta(days=1)).isoformat(),
        location_id=999999,
        donor_id=999999,
    )
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "donor_id",
        "location_id",
        "manufacture_year",
        "pse_mark",
        "received_date",
    ]


async def test_a_registered_unit_shows_what_was_recorded(bank: Bank) -> None:
    response = await bank.register("refrigerator", size="170L", condition_grade="A", notes="取扱説明書あり")
    assert response.status_code == 201, response.text
    unit = response.json()
    assert unit["code"] == f"AP-{bank.today.year}-0001"
    assert unit["recycling_law"] is True
    assert (unit["maker"], unit["model"], unit["serial_number"]) == ("パナソニック", "NE-FL100", "SN-0001")
    assert (unit["size"], unit["pse_mark"], unit["condition_grade"]) == ("170L", "pse", "A")
    assert (unit["donor_id"], unit["location_id"], unit["location_code"]) == (
        bank.c.wh.donor,
        bank.c.wh.ambient,
        "A-01",
    )
    assert unit["allowed_actions"] == ["inspect", "dispose"]
    assert (unit["reservation"], unit["delivery"], unit["disposal"]) == (None, None, None)
    second = await bank.register("microwave", donor_id=None)
    assert second.json()["code"] == f"AP-{bank.today.year}-0002" and second.json()["donor_id"] is None


async def test_registering_is_idempotent(bank: Bank) -> None:
    headers = {**bank.warehouse.headers, "Idempotency-Key": "intake-1"}
    first = await bank.client.post("/api/appliances", json=bank.body(), headers=headers)
    again = await bank.client.post("/api/appliances", json=bank.body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.json()["id"] == again.json()["id"]
    assert len((await bank.client.get("/api/appliances", headers=bank.warehouse.headers)).json()) == 1


async def test_the_categories_mark_the_recycling_law_ones(client: AsyncClient, bank: Bank) -> None:
    categories = (await client.get("/api/appliance-categories", headers=bank.c.consultant.headers)).json()
    assert [c["code"] for c in categories] == [
        "refrigerator",
        "washing_machine",
        "microwave",
        "rice_cooker",
        "tv",
        "air_conditioner",
        "vacuum",
        "fan",
        "heater",
        "other",
    ]
    assert {c["code"] for c in categories if c["recycling_law"]} == {
        "refrigerator",
        "washing_machine",
        "tv",
        "air_conditioner",
    }
    assert {c["code"]: c["max_age_years"] for c in categories} == {
        c["code"]: 10 if c["code"] in ("refrigerator", "washing_machine") else 6 for c in categories
    }


async def test_ids_no_column_holds_are_refused_at_their_field_though_the_schema_loads_a_command(bank: Bank) -> None:
    response = await bank.register("microwave", donor_id=2**63, location_id=2**63)
    assert response.status_code == 422, response.text
    assert [(e["field"], e["message"], e["message_id"]) for e in response.json()["errors"]] == [
        ("donor_id", "The number is too large or too small.", "The number is too large or too small."),
        ("location_id", "The number is too large or too small.", "The number is too large or too small."),
    ]
    inspected = await bank.inspect(await bank.unit(), checks=[{"check": "visual", "result": "pass", "note": "x"}])
    assert inspected.status_code == 201, inspected.text
