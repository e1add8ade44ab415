"""Appliance bank pages through HTTP: intake (age and PSE mark refused at their fields, what was typed
kept, nothing saved; a double tap makes one unit), inspection (a fail sends the unit to disposal),
reservation through a referral of the waiting list, delivery with the hand-over sheet, disposal with the
recycling ticket the law needs, the waiting list, and who may do what. The same schemas and services
as the API; every refusal is said in Japanese where it belongs."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from httpx import Response
from litestar import Litestar
from sqlalchemy import func, select

from foodbank.lib.db import Database
from foodbank.models import ApplianceUnit, AuditEvent, Referral, ReferralStatus
from tests.integration.appliances import conftest as appliance_fixtures
from tests.integration.appliances.conftest import Bank
from tests.integration.pages.conftest import Browser
from tests.integration.pages.test_coordinator_pages import signed_in, text_of

# The appliance tests' fixtures (a warehouse with locations and a donor, people in every role), as they are.
wh, community, bank, other_consultant = (
    appliance_fixtures.wh,
    appliance_fixtures.community,
    appliance_fixtures.bank,
    appliance_fixtures.other_consultant,
)


def intake(bank: Bank, category: str = "microwave", **changes: Any) -> dict[str, Any]:
    """The intake form as a person fills it in: every value is text."""
    body = bank.body(category, **changes)
    return {key: str(value) for key, value in body.items() if value is not None}


def once(page: Response) -> str:
    keys = re.findall(r'name="_once" value="([A-Za-z0-9_-]+)"', page.text)
    assert keys, "the form carries a one-time key"
    return keys[0]


async def units(database: Database) -> int:
    async with database.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(ApplianceUnit)) or 0)


def unit_id(response: Response) -> int:
    match = re.fullmatch(r"/coordinator/appliances/(\d+)(#.*)?", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


async def take_in(person: Browser, bank: Bank, **changes: Any) -> int:
    form = await person.get("/coordinator/appliances/new")
    response = await person.post("/coordinator/appliances", {**intake(bank, **changes), "_once": once(form)})
    assert response.status_code == 303, text_of(response)[:2000]
    return unit_id(response)


ALL_PASS = {
    "visual-result": "pass",
    "power_on-result": "pass",
    "insulation-result": "pass",
    "cleaning-result": "not_applicable",
    "recall_check-result": "pass",
}


# --- intake ----------------------------------------------------------------------------------------------


async def test_an_intake_refused_for_its_age_and_pse_mark_keeps_what_was_typed_and_saves_nothing(
    app: Litestar, bank: Bank, database: Database
) -> None:
    person = await signed_in(app, bank.warehouse)
    form = await person.get("/coordinator/appliances/new")
    assert form.status_code == 200
    assert "電子レンジ" in form.text and "（6 年まで）" in text_of(form).replace(" （", "（")
    assert "PSE マークも旧法マークもない家電は受け入れられません" in text_of(form), "the consequence is said up front"

    too_old = bank.today.year - 7
    refused = await person.post(
        "/coordinator/appliances",
        {**intake(bank, manufacture_year=too_old, pse_mark="none", maker="シャープ"), "_once": once(form)},
    )
    assert refused.status_code == 422
    words = text_of(refused)
    assert f"{too_old} 年製の電子レンジは" in words and "7 年経っています" in words and "6 年まで" in words
    assert "PSE マークも旧法マークもない家電は受け入れていません" in words
    assert 'value="シャープ"' in refused.text and f'value="{too_old}"' in refused.text, "what was typed stays"
    assert re.search(r'id="manufacture_year-error"[^>]*>[^<]*7 年経っています', refused.text), "at the field"
    assert re.search(r'id="pse_mark-error"', refused.text)
    assert await units(database) == 0

    # Rules of the schema come back at their fields too, in words for a page.
    blank = await person.post(
        "/coordinator/appliances", {**intake(bank, manufacture_year="二〇二〇", maker=""), "_once": once(form)}
    )
    assert blank.status_code == 422
    words = text_of(blank)
    assert "メーカーを入力してください。" in words and "整数で入力してください。" in words
    assert await units(database) == 0


async def test_a_double_tap_on_the_intake_form_takes_the_unit_in_once(
    app: Litestar, bank: Bank, database: Database
) -> None:
    person = await signed_in(app, bank.warehouse)
    key = once(await person.get("/coordinator/appliances/new"))
    first = await person.post("/coordinator/appliances", {**intake(bank), "_once": key})
    again = await person.post("/coordinator/appliances", {**intake(bank), "_once": key})
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert await units(database) == 1
    assert "保存済みです" in (await person.follow(again)).text

    page = await person.follow(first)
    assert page.status_code == 200
    assert "AP-" in page.text and "パナソニック NE-FL100" in page.text
    assert "受入時 2 年" in text_of(page), "the age is shown"


async def test_with_the_flag_setting_a_unit_without_the_mark_is_taken_in_flagged(
    settings: Any, database: Database, bank: Bank
) -> None:
    flagging = appliance_fixtures.app_with(settings, database, no_pse_mark="flag")
    person = await signed_in(flagging, bank.coordinator)
    form = await person.get("/coordinator/appliances/new")
    assert "受け入れますが" in text_of(form)
    response = await person.post("/coordinator/appliances", {**intake(bank, pse_mark="none"), "_once": once(form)})
    page = await person.follow(response)
    assert "flash-warning" in page.text and "PSE マークなし" in page.text


# --- from inspection to delivery -------------------------------------------------------------------------


async def test_a_unit_is_inspected_reserved_through_a_referral_and_delivered_with_its_hand_over_sheet(
    app: Litestar, bank: Bank, database: Database
) -> None:
    volunteer = await signed_in(app, bank.warehouse)
    unit = await take_in(volunteer, bank, category="refrigerator", size="170L")

    # A must-pass check cannot be "not applicable": the service says so at that check.
    page = await volunteer.get(f"/coordinator/appliances/{unit}")
    assert 'name="visual-result" value="not_applicable"' not in page.text, "only pass or fail offered"
    crafted = await volunteer.post(
        f"/coordinator/appliances/{unit}/inspections", {"visual-result": "not_applicable", "_once": once(page)}
    )
    assert crafted.status_code == 422
    assert re.search(r'id="visual-result-error"', crafted.text)
    unknown = await volunteer.post(
        f"/coordinator/appliances/{unit}/inspections", {"power_on-result": "maybe", "_once": once(page)}
    )
    assert re.search(r'id="power_on-result-error"[^>]*>選択肢から選んでください。', unknown.text), "a row's own words"
    nothing = await volunteer.post(f"/coordinator/appliances/{unit}/inspections", {"_once": once(page)})
    assert nothing.status_code == 422 and "点検を一つ以上記録してください" in text_of(nothing)

    done = await volunteer.post(f"/coordinator/appliances/{unit}/inspections", {**ALL_PASS, "_once": once(page)})
    assert "すべての点検に合格しました" in text_of(await volunteer.follow(done))
    assert await bank.status(unit) == "available"
    # A volunteer records checks but does not reserve: no form, and the route refuses.
    page = await volunteer.get(f"/coordinator/appliances/{unit}")
    assert "/reservations" not in page.text
    assert (await volunteer.post(f"/coordinator/appliances/{unit}/reservations", {})).status_code == 403

    waiting_household = await bank.c.household()
    older = await bank.referral(waiting_household, referred_on=bank.today - timedelta(days=20))
    newer = await bank.referral(await bank.c.household(), referred_on=bank.today - timedelta(days=2))
    undecided = await bank.referral(await bank.c.household(), status=ReferralStatus.submitted)
    coordinator = await signed_in(app, bank.coordinator)
    page = await coordinator.get(f"/coordinator/appliances/{unit}")
    words = text_of(page)
    assert words.index(f"紹介 {older}") < words.index(f"紹介 {newer}"), "the oldest referral first"
    assert re.search(rf'value="{undecided}"[^>]*disabled', page.text), "a referral not accepted cannot be chosen"
    assert re.search(rf'value="{older}" checked', page.text), "the first one that can be used is offered"

    none = await coordinator.post(
        f"/coordinator/appliances/{unit}/reservations",
        {"planned_delivery_date": (bank.today + timedelta(days=3)).isoformat(), "_once": once(page)},
    )
    assert none.status_code == 422 and "順番待ちの世帯を選んでください" in text_of(none)
    past = await coordinator.post(
        f"/coordinator/appliances/{unit}/reservations",
        {
            "referral_id": older,
            "planned_delivery_date": (bank.today - timedelta(days=1)).isoformat(),
            "_once": once(page),
        },
    )
    assert past.status_code == 422 and re.search(r'id="planned_delivery_date-error"', past.text)
    assert f'value="{older}" checked' in past.text, "the choice stays"
    reserved = await coordinator.post(
        f"/coordinator/appliances/{unit}/reservations",
        {
            "referral_id": older,
            "planned_delivery_date": (bank.today + timedelta(days=3)).isoformat(),
            "installation_needed": "on",
            "_once": once(page),
        },
    )
    page = await coordinator.follow(reserved)
    assert "に予約しました" in text_of(page)
    sheet = f"/api/appliances/{unit}/hand-over.pdf"
    assert sheet in page.text
    pdf = await coordinator.get(sheet)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"

    unsigned = await coordinator.post(
        f"/coordinator/appliances/{unit}/delivery", {"installed": "true", "_once": once(page)}
    )
    assert unsigned.status_code == 422
    assert re.search(r'id="receipt_number-error"[^>]*>[^<]*署名', unsigned.text)
    delivered = await coordinator.post(
        f"/coordinator/appliances/{unit}/delivery",
        {"receipt_signed": "on", "installed": "true", "_once": once(page)},
    )
    page = await coordinator.follow(delivered)
    assert "お届けしました" in text_of(page) and sheet in page.text
    assert await bank.status(unit) == "delivered"
    async with database.transaction() as s:
        referral = await s.get(Referral, older)
        assert referral is not None and referral.handouts_used == 1 and referral.status is ReferralStatus.fulfilled
    words = text_of(page)
    for status in ("受入", "点検中", "提供可能", "予約済み", "お届け済み"):
        assert status in words, f"the history shows {status}"
    # The waiting list was read twice through the audited service (the unit page with the reservation form).
    async with database.transaction() as s:
        reads = await s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "appliance.waiting_list.read")
        )
        assert reads and reads >= 2


async def test_a_failed_check_sends_a_fridge_to_disposal_which_needs_its_recycling_ticket(
    app: Litestar, bank: Bank
) -> None:
    volunteer = await signed_in(app, bank.warehouse)
    unit = await take_in(volunteer, bank, category="refrigerator")
    page = await volunteer.get(f"/coordinator/appliances/{unit}")
    failed = await volunteer.post(
        f"/coordinator/appliances/{unit}/inspections",
        {"visual-result": "pass", "insulation-result": "fail", "insulation-note": "絶縁不良", "_once": once(page)},
    )
    followed = await volunteer.follow(failed)
    assert "flash-warning" in followed.text and "廃棄を待ちます" in text_of(followed)
    assert await bank.status(unit) == "to_dispose"
    assert "/disposal" not in followed.text, "a volunteer does not dispose"
    assert (await volunteer.post(f"/coordinator/appliances/{unit}/disposal", {"reason": "other"})).status_code == 403

    coordinator = await signed_in(app, bank.coordinator)
    page = await coordinator.get(f"/coordinator/appliances/{unit}")
    assert "家電リサイクル法" in text_of(page) and 'name="recycling_ticket_number"' in page.text
    assert re.search(r'value="failed_inspection" checked', page.text)
    no_ticket = await coordinator.post(
        f"/coordinator/appliances/{unit}/disposal",
        {"reason": "failed_inspection", "recycling_ticket_number": "", "_once": once(page)},
    )
    assert no_ticket.status_code == 422
    assert re.search(r'id="recycling_ticket_number-error"[^>]*>[^<]*家電リサイクル券', no_ticket.text)
    assert await bank.status(unit) == "to_dispose"
    disposed = await coordinator.post(
        f"/coordinator/appliances/{unit}/disposal",
        {"reason": "failed_inspection", "recycling_ticket_number": "1234-5678-9012", "_once": once(page)},
    )
    page = await coordinator.follow(disposed)
    assert "リサイクル券 1234-5678-9012" in text_of(page)
    assert await bank.status(unit) == "disposed"
    assert (await bank.get(unit))["disposal"]["recycling_ticket_number"] == "1234-5678-9012"


async def test_a_microwave_is_disposed_of_without_a_ticket_and_a_step_out_of_turn_is_explained(
    app: Litestar, bank: Bank
) -> None:
    coordinator = await signed_in(app, bank.coordinator)
    unit = await take_in(coordinator, bank)
    page = await coordinator.get(f"/coordinator/appliances/{unit}")
    assert 'name="recycling_ticket_number"' not in page.text and "粗大ごみ" in text_of(page)
    out_of_turn = await coordinator.post(
        f"/coordinator/appliances/{unit}/delivery", {"receipt_signed": "on", "_once": once(page)}
    )
    assert out_of_turn.status_code == 409
    assert "この家電は今「受入」です。できること: 点検を記録する、廃棄する。" in text_of(out_of_turn), re.findall(
        r"この家電は[^<]*", out_of_turn.text
    )
    disposed = await coordinator.post(
        f"/coordinator/appliances/{unit}/disposal", {"reason": "damaged", "note": "粗大ごみで処分", "_once": once(page)}
    )
    assert "を廃棄しました" in text_of(await coordinator.follow(disposed))
    assert await bank.status(unit) == "disposed"


# --- the waiting list and who sees what ------------------------------------------------------------------


async def test_the_waiting_list_by_kind_and_who_may_open_the_pages(
    app: Litestar, bank: Bank, other_consultant: Any
) -> None:
    ours = await bank.referral(await bank.c.household(), category="washing_machine")
    theirs = await bank.referral(await bank.c.household(), category="冷蔵庫", consultant=other_consultant)
    ready = await bank.in_status("available", "refrigerator")

    coordinator = await signed_in(app, bank.coordinator)
    listed = await coordinator.get("/coordinator/appliances/waiting-list")
    words = text_of(listed)
    assert listed.status_code == 200 and f"紹介 {ours}" in words and f"紹介 {theirs}" in words
    assert "洗濯機" in words and f'href="/coordinator/appliances/{ready}#next"' in listed.text
    only = text_of(await coordinator.get("/coordinator/appliances/waiting-list", params={"category": "refrigerator"}))
    assert f"紹介 {theirs}" in only and f"紹介 {ours}" not in only

    consultant = await signed_in(app, bank.c.consultant)
    own = text_of(await consultant.get("/coordinator/appliances/waiting-list"))
    assert f"紹介 {ours}" in own and f"紹介 {theirs}" not in own, "a consultant sees their agency's entries only"
    for path in ("/coordinator/appliances", "/coordinator/appliances/new", f"/coordinator/appliances/{ready}"):
        assert (await consultant.get(path)).status_code == 403
    reporter = await signed_in(app, bank.c.reporter)
    assert (await reporter.get("/coordinator/appliances/waiting-list")).status_code == 403

    volunteer = await signed_in(app, bank.warehouse)
    board = await volunteer.get("/coordinator/appliances")
    assert board.status_code == 200 and 'href="/coordinator/appliances/new"' in board.text
    assert f'href="/coordinator/appliances/{ready}"' in board.text
    assert (await volunteer.get("/coordinator/appliances/999999")).status_code == 404
