"""Disposal: the recycling-law categories (air conditioners, TVs, refrigerators and freezers, washing
machines and dryers) need their recycling ticket number (家電リサイクル券); the database refuses a
disposal without it too."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from foodbank.models import ApplianceDisposal, ApplianceDisposalReason
from tests.integration.appliances.conftest import Bank

RECYCLING_LAW = ["refrigerator", "washing_machine", "tv", "air_conditioner"]
OTHERS = ["microwave", "rice_cooker", "vacuum", "fan", "heater", "other"]


@pytest.mark.parametrize("category", RECYCLING_LAW)
async def test_a_recycling_law_unit_needs_its_recycling_ticket(bank: Bank, category: str) -> None:
    unit = await bank.in_status("to_dispose", category)
    refused = await bank.dispose(unit, reason="failed_inspection")
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "recycling_ticket_number" and "家電リサイクル券" in error["message"]
    assert await bank.status(unit) == "to_dispose"

    disposed = await bank.dispose(unit, reason="failed_inspection", recycling_ticket_number="1234567890123")
    assert disposed.status_code == 201, disposed.text
    assert disposed.json()["status"] == "disposed"
    assert disposed.json()["disposal"]["recycling_ticket_number"] == "1234567890123"
    assert disposed.json()["disposal"]["reason"] == "failed_inspection"


@pytest.mark.parametrize("category", OTHERS)
async def test_other_units_are_disposed_of_without_a_ticket(bank: Bank, category: str) -> None:
    unit = await bank.in_status("available", category)
    disposed = await bank.dispose(unit, reason="unclaimed", note="半年間希望なし")
    assert disposed.status_code == 201, disposed.text
    assert disposed.json()["disposal"]["recycling_ticket_number"] is None
    assert disposed.json()["disposal"]["note"] == "半年間希望なし"


async def test_the_database_refuses_a_recycling_law_disposal_without_a_ticket(bank: Bank) -> None:
    fridge = await bank.in_status("to_dispose", "refrigerator")
    base = {"unit_id": fridge, "disposed_on": bank.today, "reason": ApplianceDisposalReason.damaged}
    with pytest.raises(IntegrityError, match="ck_appliance_disposal_recycling_ticket_for_recycling_law"):
        async with bank.c.database.transaction() as s:
            s.add(ApplianceDisposal(**base, recycling_law=True))
    # Nor can the flag be left out: it must agree with the unit's (composite foreign key).
    with pytest.raises(IntegrityError, match="fk_appliance_disposal_unit_id_appliance_unit"):
        async with bank.c.database.transaction() as s:
            s.add(ApplianceDisposal(**base, recycling_law=False))


async def test_a_disposal_cannot_be_dated_in_the_future_or_before_intake(bank: Bank) -> None:
    from datetime import timedelta

    unit = await bank.in_status("received")
    future = await bank.dispose(unit, disposed_on=bank.today + timedelta(days=1))
    past = await bank.dispose(unit, disposed_on=bank.today - timedelta(days=1))
    assert [r.status_code for r in (future, past)] == [422, 422]
    assert [r.json()["errors"][0]["field"] for r in (future, past)] == ["disposed_on", "disposed_on"]
