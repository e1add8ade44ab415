"""Every step from every status: the legal ones move the unit and write its history, the illegal ones
answer 409 naming the current status and what can be done from it, and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from foodbank.models import ApplianceStatusChange, AuditEvent
from tests.integration.appliances.conftest import ALL_PASS, Bank

STATUSES = ["received", "inspected", "available", "reserved", "delivered", "to_dispose", "disposed"]
ACTIONS = ["inspect", "reserve", "release", "deliver", "dispose"]

# Written out rather than read from foodbank.appliances.rules, so that the test checks the rules.
LEGAL = {
    ("received", "inspect"): "inspected",
    ("received", "dispose"): "disposed",
    ("inspected", "inspect"): "inspected",
    ("inspected", "dispose"): "disposed",
    ("available", "reserve"): "reserved",
    ("available", "dispose"): "disposed",
    ("reserved", "deliver"): "delivered",
    ("reserved", "release"): "available",
    ("to_dispose", "dispose"): "disposed",
}
NEXT_STEPS = {
    "received": ["inspect", "dispose"],
    "inspected": ["inspect", "dispose"],
    "available": ["reserve", "dispose"],
    "reserved": ["deliver", "release"],
    "to_dispose": ["dispose"],
    "delivered": [],
    "disposed": [],
}
PHRASES = {
    "inspect": "inspected",
    "reserve": "reserved",
    "release": "released back to available",
    "deliver": "delivered",
    "dispose": "disposed of",
}
BODIES: dict[str, dict[str, Any]] = {
    "inspect": {"checks": [{"check": "visual", "result": "pass"}]},
    "reserve": {},
    "release": {"note": "世帯の転居が延期になった"},
    "deliver": {"receipt_signed": True},
    "dispose": {"reason": "damaged", "recycling_ticket_number": "1234567890123"},
}


async def history(bank: Bank, unit: int) -> list[tuple[str | None, str]]:
    changes = (await bank.get(unit, "history"))["status_changes"]
    return [(c["from_status"], c["to_status"]) for c in changes]


async def take(bank: Bank, unit: int, action: str) -> Any:
    body = dict(BODIES[action])
    if action == "inspect":
        return await bank.inspect(unit, **body)
    return await getattr(bank, action)(unit, **body)


@pytest.mark.parametrize(("status", "action"), [(s, a) for s in STATUSES for a in ACTIONS])
async def test_every_step_from_every_status(bank: Bank, status: str, action: str) -> None:
    unit = await bank.in_status(status, "refrigerator")
    before = await history(bank, unit)

    response = await take(bank, unit, action)

    if (status, action) in LEGAL:
        assert response.status_code == (200 if action == "release" else 201), response.text
        to = LEGAL[(status, action)]
        assert response.json()["status"] == to
        assert response.json()["allowed_actions"] == NEXT_STEPS[to]
        after = await history(bank, unit)
        assert after[: len(before)] == before, "the history is only ever appended to"
        assert after[len(before) :] == ([] if to == status else [(status, to)])
    else:
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["type"] == "/problems/appliance-status"
        assert (problem["status"], problem["current_status"], problem["action"]) == (409, status, action)
        assert problem["allowed_actions"] == NEXT_STEPS[status]
        name = status.replace("_", " ")
        assert f"is {name}: it cannot be {PHRASES[action]}." in problem["detail"]
        assert problem["message_id"] == f"Appliance %(code)s is %(status)s: it cannot be {PHRASES[action]}. %(after)s"
        assert problem["params"]["status"] == status and problem["params"]["after"]["params"]["status"] == status
        if NEXT_STEPS[status]:
            for step in NEXT_STEPS[status]:
                assert PHRASES[step] in problem["detail"].split("From", 1)[1]
        else:
            assert "has no next step" in problem["detail"]
        assert await bank.status(unit) == status
        assert await history(bank, unit) == before


async def test_a_unit_goes_from_intake_to_delivery_with_its_whole_history(bank: Bank) -> None:
    unit = await bank.unit("washing_machine", manufacture_year=bank.today.year - 4)
    first = await bank.inspect(unit, ALL_PASS[:3])
    assert first.json()["status"] == "inspected"
    rest = await bank.inspect(unit, ALL_PASS[3:])
    assert rest.json()["status"] == "available"
    household = await bank.c.household()
    reserved = await bank.reserve(unit, household_id=household, installation_needed=True)
    assert reserved.status_code == 201, reserved.text
    reservation = reserved.json()["reservation"]
    assert reservation["household_code"] == await bank.c.code(household)
    assert reservation["installation_needed"] is True and reservation["status"] == "open"
    assert "household_id" not in reservation, "households appear by code only"
    delivered = await bank.deliver(unit, receipt_number="受領-2026-001")
    assert delivered.status_code == 201, delivered.text
    shown = delivered.json()
    assert shown["delivery"]["installed"] is True, "installed defaults to what the reservation needed"
    assert shown["delivery"]["delivered_by_id"] == bank.coordinator.id
    assert shown["reservation"]["status"] == "delivered"

    full = await bank.get(unit, "history")
    assert [(c["from_status"], c["to_status"]) for c in full["status_changes"]] == [
        (None, "received"),
        ("received", "inspected"),
        ("inspected", "available"),
        ("available", "reserved"),
        ("reserved", "delivered"),
    ]
    assert [c["actor_id"] for c in full["status_changes"]] == [bank.warehouse.id] * 3 + [bank.coordinator.id] * 2
    assert [(i["check"], i["result"]) for i in full["inspections"]] == [(c["check"], c["result"]) for c in ALL_PASS]
    assert {i["inspector_id"] for i in full["inspections"]} == {bank.warehouse.id}
    assert full["inspections"][-1]["note"] == "型番をリコール情報と照合済み"
    assert [r["status"] for r in full["reservations"]] == ["delivered"]


async def test_a_released_reservation_stays_in_the_history_and_the_unit_can_be_reserved_again(bank: Bank) -> None:
    unit = await bank.in_status("reserved")
    released = await bank.post(unit, "release", note="世帯が辞退")
    assert released.status_code == 200, released.text
    assert released.json()["reservation"] is None and released.json()["status"] == "available"
    again = await bank.reserve(unit)
    assert again.status_code == 201, again.text
    reservations = (await bank.get(unit, "history"))["reservations"]
    assert [r["status"] for r in reservations] == ["released", "open"]
    assert reservations[0]["released_by_id"] == bank.coordinator.id
    notes = [c["note"] for c in (await bank.get(unit, "history"))["status_changes"]]
    assert "世帯が辞退" in notes


async def test_refusals_and_field_errors_are_in_japanese_when_the_request_asks(bank: Bank) -> None:
    unit = await bank.in_status("reserved", "refrigerator")
    ja = {**bank.coordinator.headers, "Accept-Language": "ja"}
    refused = await bank.client.post(f"/api/appliances/{unit}/disposal", json=BODIES["dispose"], headers=ja)
    assert refused.status_code == 409 and refused.headers["content-language"] == "ja"
    code = refused.json()["code"]
    assert refused.json()["detail"] == (
        f"家電 {code} は「予約済み」のため、廃棄できません。"
        "「予約済み」からは、お届けを記録する または 予約を取り消して提供可能に戻すことができます。"
    )
    other = await bank.unit("fan")
    checks = [{"check": "power_on", "result": "not_applicable"}]
    ja_warehouse = {**bank.warehouse.headers, "Accept-Language": "ja"}
    wrong = await bank.client.post(
        f"/api/appliances/{other}/inspections", json={"checks": checks}, headers=ja_warehouse
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == "点検は記録していません。各項目を確認してください。"
    [error] = wrong.json()["errors"]
    assert error["message"] == "通電 は対象外にできません。合格か不合格を選んでください。"
    assert (error["message_id"], error["params"]) == (
        "The %(check)s check always applies: pass or fail.",
        {"check": "power_on"},
    )


async def test_a_failed_check_sends_the_unit_to_disposal_and_names_the_check(bank: Bank) -> None:
    unit = await bank.unit()
    response = await bank.inspect(
        unit,
        [*ALL_PASS[:2], {"check": "insulation", "result": "fail", "note": "0.1MΩ未満"}, *ALL_PASS[3:]],
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "to_dispose"
    assert response.json()["allowed_actions"] == ["dispose"]
    changes = (await bank.get(unit, "history"))["status_changes"]
    assert (changes[-1]["from_status"], changes[-1]["to_status"]) == ("inspected", "to_dispose")
    assert "insulation" in changes[-1]["note"]


async def test_insulation_and_cleaning_may_not_apply_but_the_other_checks_always_do(bank: Bank) -> None:
    unit = await bank.unit("fan")
    checks = [
        {"check": "visual", "result": "pass"},
        {"check": "power_on", "result": "pass"},
        {"check": "recall_check", "result": "pass"},
        {"check": "insulation", "result": "not_applicable", "note": "充電式"},
        {"check": "cleaning", "result": "not_applicable"},
    ]
    assert (await bank.inspect(unit, checks)).json()["status"] == "available"

    other = await bank.unit("fan")
    refused = await bank.inspect(other, [{"check": "power_on", "result": "not_applicable"}])
    assert refused.status_code == 422
    assert [(e["field"], e["message"]) for e in refused.json()["errors"]] == [
        ("checks.0.result", "The power_on check always applies: pass or fail.")
    ]
    assert await bank.status(other) == "received"


async def test_a_later_check_of_the_same_kind_counts_and_each_kind_is_given_once_per_request(bank: Bank) -> None:
    unit = await bank.unit()
    twice = await bank.inspect(unit, [ALL_PASS[0], ALL_PASS[0]])
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "checks"
    assert (await bank.inspect(unit, ALL_PASS[:4])).json()["status"] == "inspected"
    assert (await bank.inspect(unit, [ALL_PASS[4], ALL_PASS[0]])).json()["status"] == "available"
    assert len((await bank.get(unit, "history"))["inspections"]) == 6


async def test_history_and_inspections_are_append_only_in_the_database(bank: Bank) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    unit = await bank.in_status("available")
    for table in ("appliance_status_change", "appliance_inspection"):
        for statement in (f"UPDATE {table} SET note = 'x'", f"DELETE FROM {table}", f"TRUNCATE {table}"):  # noqa: S608
            with pytest.raises(DBAPIError, match="append-only"):
                async with bank.c.database.transaction() as s:
                    await s.execute(text(statement))
    async with bank.c.database.transaction() as s:
        rows = (await s.scalars(select(ApplianceStatusChange).where(ApplianceStatusChange.unit_id == unit))).all()
        assert len(rows) == 3


async def test_steps_are_audited_with_ids_and_counts_only(bank: Bank) -> None:
    unit = await bank.in_status("delivered")
    async with bank.c.database.transaction() as s:
        events = (
            await s.scalars(
                select(AuditEvent).where(AuditEvent.entity == "appliance_unit", AuditEvent.entity_id == str(unit))
            )
        ).all()
    assert [e.action for e in events] == [
        "appliance.register",
        "appliance.inspect",
        "appliance.reserve",
        "appliance.deliver",
    ]
    assert events[1].details == {"checks": 5, "failed": [], "missing": [], "status": "available"}
    assert "パナソニック" not in str([e.details for e in events])
    assert "R-0001" not in str([e.details for e in events]), "receipt numbers stay on the delivery"


async def test_unknown_units_are_404(bank: Bank) -> None:
    for path in ("/api/appliances/999999", "/api/appliances/999999/history"):
        response = await bank.client.get(path, headers=bank.coordinator.headers)
        assert (response.status_code, response.json()["type"]) == (404, "/problems/appliance-not-found")
    response = await bank.dispose(999999)
    assert (response.status_code, response.json()["type"]) == (404, "/problems/appliance-not-found")
