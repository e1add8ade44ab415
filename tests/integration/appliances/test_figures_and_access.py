"""Figures: units by status and category, deliveries per fiscal year (April–March by default, labelled
令和N年度 and FYyyyy). And who may do what."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from foodbank.models import Role
from tests.conftest import Actors
from tests.integration.appliances.conftest import Bank


async def delivered(bank: Bank, category: str, on: date, household: int, **reservation: Any) -> int:
    unit = await bank.unit(category, received_date=date(on.year - 1, 12, 1).isoformat(), manufacture_year=on.year - 2)
    assert (await bank.inspect(unit)).status_code == 201
    assert (await bank.reserve(unit, household_id=household, **reservation)).status_code == 201
    response = await bank.deliver(unit, delivered_on=on)
    assert response.status_code == 201, response.text
    return unit


async def test_deliveries_per_fiscal_year_count_units_and_households(bank: Bank) -> None:
    a, b, c = [await bank.c.household() for _ in range(3)]
    referral = await bank.referral(a, category="refrigerator", referred_on=date(2026, 1, 1))
    await delivered(bank, "microwave", date(2025, 3, 31), a)  # FY2024: the last day of it
    await delivered(bank, "refrigerator", date(2025, 4, 1), b, installation_needed=True)  # FY2025: its first day
    await delivered(bank, "refrigerator", date(2026, 1, 15), a, referral_id=referral)
    await delivered(bank, "rice_cooker", date(2026, 1, 15), a)
    await delivered(bank, "tv", date(2026, 4, 10), c)  # FY2026

    response = await bank.client.get("/api/appliances/deliveries-by-fiscal-year", headers=bank.c.reporter.headers)
    assert response.status_code == 200, response.text
    years = response.json()
    assert [(y["fiscal_year"], y["label_ja"], y["label_en"]) for y in years] == [
        (2024, "令和6年度", "FY2024"),
        (2025, "令和7年度", "FY2025"),
        (2026, "令和8年度", "FY2026"),
    ]
    fy2025 = years[1]
    assert (fy2025["starts_on"], fy2025["ends_on"]) == ("2025-04-01", "2026-03-31")
    assert (fy2025["deliveries"], fy2025["households"]) == (3, 2), "延べ 3 units, 実 2 households"
    assert (fy2025["through_referral"], fy2025["with_installation"]) == (1, 1)
    assert fy2025["by_category"] == [
        {"category": "refrigerator", "name_ja": "冷蔵庫・冷凍庫", "deliveries": 2},
        {"category": "rice_cooker", "name_ja": "炊飯器", "deliveries": 1},
    ]
    assert [(y["deliveries"], y["households"]) for y in years] == [(1, 1), (3, 2), (1, 1)]

    calendar = await bank.client.get(
        "/api/appliances/deliveries-by-fiscal-year", params={"start_month": 1}, headers=bank.coordinator.headers
    )
    assert [(y["fiscal_year"], y["deliveries"], y["households"]) for y in calendar.json()] == [
        (2025, 2, 2),
        (2026, 3, 2),
    ]
    assert (calendar.json()[0]["starts_on"], calendar.json()[0]["ends_on"]) == ("2025-01-01", "2025-12-31")

    first_reiwa = await bank.client.get(
        "/api/appliances/deliveries-by-fiscal-year", params={"fiscal_year": 2019}, headers=bank.coordinator.headers
    )
    assert first_reiwa.json() == [
        {
            "fiscal_year": 2019,
            "label_ja": "令和元年度",
            "label_en": "FY2019",
            "starts_on": "2019-04-01",
            "ends_on": "2020-03-31",
            "deliveries": 0,
            "households": 0,
            "through_referral": 0,
            "with_installation": 0,
            "by_category": [],
        }
    ]
    bad = await bank.client.get(
        "/api/appliances/deliveries-by-fiscal-year", params={"start_month": 13}, headers=bank.coordinator.headers
    )
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "start_month")


async def test_units_by_status_and_category_and_their_counts(bank: Bank) -> None:
    fridge_available = await bank.in_status("available", "refrigerator")
    fridge_received = await bank.in_status("received", "refrigerator")
    microwave_available = await bank.in_status("available", "microwave")
    await bank.in_status("disposed", "tv")

    def listed(response: Any) -> list[int]:
        assert response.status_code == 200, response.text
        return [u["id"] for u in response.json()]

    headers = bank.warehouse.headers
    assert listed(await bank.client.get("/api/appliances", params={"status": "available"}, headers=headers)) == [
        fridge_available,
        microwave_available,
    ]
    assert listed(
        await bank.client.get(
            "/api/appliances", params={"status": "available", "category": "refrigerator"}, headers=headers
        )
    ) == [fridge_available]
    both = await bank.client.get(
        "/api/appliances", params=[("status", "available"), ("status", "received")], headers=headers
    )
    assert sorted(listed(both)) == sorted([fridge_available, fridge_received, microwave_available])

    counts = (await bank.client.get("/api/appliances/counts", headers=bank.c.reporter.headers)).json()
    assert counts["total"] == 4
    assert counts["by_status"] == {
        "received": 1,
        "inspected": 0,
        "available": 2,
        "reserved": 0,
        "delivered": 0,
        "to_dispose": 0,
        "disposed": 1,
    }
    fridges = next(c for c in counts["by_category"] if c["category"] == "refrigerator")
    assert (fridges["total"], fridges["by_status"]["available"], fridges["by_status"]["received"]) == (2, 1, 1)
    assert fridges["recycling_law"] is True and fridges["name_ja"] == "冷蔵庫・冷凍庫"
    assert len(counts["by_category"]) == 10


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.admin, {"register", "inspect", "reserve", "list", "counts", "waiting", "years"}),
        (Role.coordinator, {"register", "inspect", "reserve", "list", "counts", "waiting", "years"}),
        (Role.warehouse, {"register", "inspect", "list", "counts", "waiting"}),
        (Role.consultant, {"waiting"}),
        (Role.reporter, {"counts", "years"}),
    ],
)
async def test_who_may_do_what(bank: Bank, actors: Actors, role: Role, allowed: set[str]) -> None:
    actor = await actors.make(role)
    received = await bank.in_status("received")
    available = await bank.in_status("available")
    household = await bank.c.household()
    attempts = {
        "register": bank.register(actor=actor),
        "inspect": bank.post(received, "inspections", actor, checks=[{"check": "visual", "result": "pass"}]),
        "reserve": bank.reserve(available, actor, household_id=household),
        "list": bank.client.get("/api/appliances", headers=actor.headers),
        "counts": bank.client.get("/api/appliances/counts", headers=actor.headers),
        "waiting": bank.client.get("/api/appliances/waiting-list", headers=actor.headers),
        "years": bank.client.get("/api/appliances/deliveries-by-fiscal-year", headers=actor.headers),
    }
    outcomes = {name: (await attempt).status_code for name, attempt in attempts.items()}
    assert {name for name, code in outcomes.items() if code in (200, 201)} == allowed, outcomes
    assert {code for name, code in outcomes.items() if name not in allowed} <= {403}
    assert (await bank.client.get(f"/api/appliances/{available}/history")).status_code == 401


async def test_the_openapi_document_describes_the_appliance_routes(bank: Bank) -> None:
    response = await bank.client.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    document = response.json()
    assert {
        "/api/appliances",
        "/api/appliances/{unit_id}/reservations",
        "/api/appliances/waiting-list",
        "/api/appliance-categories",
    } <= set(document["paths"])
    schemas = document["components"]["schemas"]
    assert {"ApplianceIn", "ApplianceOut", "ApplianceWaitingEntryOut", "ApplianceDeliveriesByYearOut"} <= set(schemas)
    assert "recycling_ticket_number" in schemas["ApplianceDisposalIn"]["properties"]
    assert not [name for name in schemas if "_schemas_" in name], "no name clashes with the other areas' schemas"


async def test_the_board_reads_the_oldest_units_of_every_status_at_once(bank: Bank) -> None:
    from foodbank.appliances import queries
    from foodbank.models import ApplianceCategory, ApplianceStatus
    from tests.dates import days

    newest = await bank.unit("microwave", received_date=days(-1))
    oldest = await bank.unit("microwave", received_date=days(-40))
    middle = await bank.unit("microwave", received_date=days(-20))
    fridge = await bank.unit("refrigerator", received_date=days(-60))
    reserved = await bank.in_status("reserved")
    delivered = await bank.in_status("delivered")

    def ids(columns: dict[ApplianceStatus, list[dict[str, Any]]]) -> dict[str, list[int]]:
        return {status.value: [unit["id"] for unit in units] for status, units in columns.items() if units}

    async with bank.c.database.transaction() as session:
        board = await queries.oldest_by_status(session, limit=2)
        microwaves = await queries.oldest_by_status(session, category=[ApplianceCategory.microwave], limit=5)
    assert list(board) == list(ApplianceStatus), "a column for every status, in the workflow's order"
    assert ids(board) == {"received": [fridge, oldest], "reserved": [reserved], "delivered": [delivered]}
    assert ids(microwaves)["received"] == [oldest, middle, newest]
    assert board[ApplianceStatus.reserved][0]["reservation"]["household_code"], "shown as the API shows a unit"
    assert board[ApplianceStatus.delivered][0]["delivery"] is not None
