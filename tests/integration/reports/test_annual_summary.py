"""The annual summary: a small year is built through the API, then every figure of the report is
checked against values this test computes itself, from what it sent and from the hand-outs as the
distributions API lists them (never from the report's SQL).

The year is the fiscal year that began on the first of the month seven months before the suite's
TODAY (its start month set to match, as FOODBANK_FISCAL_YEAR_START_MONTH would): so on whatever day the
suite runs, the story's past months are behind it, today's receipts, disposal and adjustment fall in
it, and so does the pantry day ten days ahead. On 2026-11-27 that is 令和8年度, from April as usual.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from httpx import AsyncClient
from openpyxl import load_workbook
from pypdf import PdfReader

from foodbank.cli import main
from foodbank.config import ReportSettings, Settings
from foodbank.models import ReferralStatus, WhoConsulted
from tests.dates import TODAY, month, month_end, month_start
from tests.integration.appliances.conftest import ALL_PASS, Bank, bank
from tests.integration.documents.test_picking_list_pdf import fonts_of
from tests.integration.pantry.conftest import Pantry, community, pantry, wh
from tests.integration.pantry.test_the_day import a_day

__all__ = ["bank", "community", "pantry", "wh"]

FIRST = month_start(-7)
START_MONTH, FY = FIRST.month, FIRST.year  # a fiscal year is named by the calendar year it starts in
LAST = month_start(5) - timedelta(days=1)
LABEL_JA, LABEL_EN = f"令和{FY - 2018}年度", f"FY{FY}"
ZERO = Decimal("0.000")


def story_day(month_of_year: int, day_of_month: int) -> date:
    """A day of the story: month 0 is the year's first month (2026-04 when TODAY is 2026-11-27), -1 the one before."""
    return month_start(-7 + month_of_year).replace(day=day_of_month)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, reports=ReportSettings(fiscal_year_start_month=START_MONTH))


def cli(database_url: str, *args: str) -> Result:
    """The real command, configured as the app is."""
    env = {"DATABASE_URL": database_url, "FOODBANK_FISCAL_YEAR_START_MONTH": str(START_MONTH)}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@dataclass
class Year:
    """What the test did, to compute the expected figures from."""

    weights: dict[int, Decimal]
    category_of: dict[int, str]
    receipts: list[dict[str, Any]] = field(default_factory=list)
    disposed: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    adjusted: tuple[int, Decimal] = (0, ZERO)
    referrals: list[tuple[date, str, str, str, int]] = field(default_factory=list)


async def donor(client: AsyncClient, p: Pantry, kind: str, name: str) -> int:
    response = await client.post("/api/donors", json={"kind": kind, "name": name}, headers=p.coordinator.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def receive(
    client: AsyncClient, p: Pantry, year: Year, donor_id: int, kind: str, on: date, lines: list[tuple[int, int, str]]
) -> list[int]:
    body = {
        "donor_id": donor_id,
        "received_date": on.isoformat(),
        "lines": [
            {"item_id": item, "quantity": qty, "expiry": expiry, "location_id": p.c.wh.ambient}
            for item, qty, expiry in lines
        ],
    }
    response = await client.post("/api/receipts", json=body, headers=p.warehouse.headers)
    assert response.status_code == 201, response.text
    year.receipts.append({"donor": donor_id, "kind": kind, "on": on, "lines": [(i, q) for i, q, _ in lines]})
    return [int(lot["id"]) for lot in response.json()["lots"]]


async def hand_out(client: AsyncClient, p: Pantry, actor: Any, **body: Any) -> dict[str, Any]:
    body["distributed_on"] = body["distributed_on"].isoformat()
    response = await client.post("/api/distributions", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def give_back(client: AsyncClient, p: Pantry, distribution: dict[str, Any], quantities: list[int]) -> None:
    lines = [
        {"line_id": line["line_id"], "quantity": q, "reason": "受け取り辞退"}
        for line, q in zip(distribution["lines"], quantities, strict=True)
        if q
    ]
    response = await client.post(
        f"/api/distributions/{distribution['id']}/returns", json={"lines": lines}, headers=p.warehouse.headers
    )
    assert response.status_code == 201, response.text


async def build_year(client: AsyncClient, p: Pantry, bank: Bank) -> Year:
    wh, c = p.c.wh, p.c
    year = Year(
        weights={wh.rice: Decimal(5), wh.canned: Decimal("0.5"), wh.milk: Decimal(1), wh.noodles: Decimal("0.5")},
        category_of={wh.rice: "staples", wh.canned: "staples", wh.milk: "dairy", wh.noodles: "staples"},
    )
    person = await donor(client, p, "individual", "東金 花子")
    food_bank = await donor(client, p, "other_food_bank", "フードバンクちば")

    # The year before: stock that opens the year, and a hand-out that is not this year's.
    (old_canned,) = await receive(
        client, p, year, person, "individual", story_day(-1, 10), [(wh.canned, 20, month(13))]
    )
    a = await c.household()  # 3 people
    b = await c.household(adults=1, children=0)
    d = await c.household(adults=2, children=2)
    await hand_out(
        client, p, p.warehouse, household_id=b, channel="pickup", distributed_on=story_day(-1, 20),
        lines=[{"lot_id": old_canned, "quantity": 2}],
    )  # fmt: skip

    # This year's donations: a company twice, another food bank once.
    canned, noodles = await receive(
        client,
        p,
        year,
        wh.donor,
        "company",
        story_day(1, 12),
        [(wh.canned, 30, month(11)), (wh.noodles, 40, month_end(7).isoformat())],
    )
    (more_canned,) = await receive(client, p, year, wh.donor, "company", story_day(2, 3), [(wh.canned, 10, month(12))])
    (fb_noodles,) = await receive(
        client, p, year, food_bank, "other_food_bank", story_day(3, 1), [(wh.noodles, 20, month_end(6).isoformat())]
    )

    # Individual support: one pick-up session serving two households, a delivery, a hand-out that came
    # back whole (not counted) and one that came back in part.
    await hand_out(client, p, p.warehouse, household_id=a, channel="pickup", distributed_on=story_day(2, 10),
                   lines=[{"lot_id": noodles, "quantity": 3}])  # fmt: skip
    await hand_out(client, p, p.warehouse, household_id=b, channel="pickup", distributed_on=story_day(2, 10),
                   lines=[{"lot_id": noodles, "quantity": 2}])  # fmt: skip
    await hand_out(client, p, p.coordinator, household_id=a, channel="delivery", distributed_on=story_day(4, 1),
                   lines=[{"lot_id": canned, "quantity": 4}])  # fmt: skip
    whole = await hand_out(client, p, p.warehouse, household_id=d, channel="pickup", distributed_on=story_day(5, 1),
                           lines=[{"lot_id": canned, "quantity": 2}])  # fmt: skip
    await give_back(client, p, whole, [2])
    part = await hand_out(
        client, p, p.coordinator, household_id=b, channel="pickup", distributed_on=story_day(5, 15),
        lines=[{"lot_id": noodles, "quantity": 1}, {"lot_id": more_canned, "quantity": 1}],
    )  # fmt: skip
    await give_back(client, p, part, [0, 1])

    # A cafeteria and a drop-in site.
    programmes = {}
    for name, kind in (("ちいき食堂ほのん", "cafeteria"), ("ホッとステーション東金", "drop_in")):
        response = await client.post(
            "/api/partner-programmes", json={"name": name, "kind": kind}, headers=p.coordinator.headers
        )
        assert response.status_code == 201, response.text
        programmes[kind] = int(response.json()["id"])
    for kind, on, people, lot, qty in (
        ("cafeteria", story_day(3, 5), 40, canned, 5),
        ("cafeteria", story_day(4, 5), 35, fb_noodles, 4),
        ("drop_in", story_day(6, 10), 12, fb_noodles, 2),
    ):
        await hand_out(
            client, p, p.coordinator, partner_programme_id=programmes[kind], channel="partner", distributed_on=on,
            people=people, lines=[{"lot_id": lot, "quantity": qty}],
        )  # fmt: skip

    # A pantry day (ten days ahead): its lots arrive today from the company; two households come, one does
    # not, walk-ins take parcels; then the day is closed. A second day is planned and cancelled.
    day, _, registrations = await a_day(client, p, households=3, walk_in_people=6)
    for item, qty in ((wh.canned, 30), (wh.noodles, 30), (wh.rice, 10)):  # one receipt per lot
        year.receipts.append({"donor": wh.donor, "kind": "company", "on": TODAY, "lines": [(item, qty)]})
    came, came_with_four, absent = registrations
    assert (await p.registration(day.event["id"], came, "check-in")).status_code == 201
    assert (await p.registration(day.event["id"], came_with_four, "check-in", people=4)).status_code == 201
    assert (await p.registration(day.event["id"], absent, "no-show")).status_code == 201
    assert (await p.post(day.event["id"], "walk-ins", p.warehouse, people=2)).status_code == 201
    assert (await p.post(day.event["id"], "walk-ins", p.warehouse, people=3)).status_code == 201
    assert (await p.post(day.event["id"], "close")).status_code == 201
    cancelled = await p.event([], open_it=False)
    assert (await p.post(cancelled["id"], "cancel", reason="会場の都合")).status_code in (200, 201)

    # Disposal, an adjustment after a count.
    response = await client.post(
        f"/api/lots/{old_canned}/disposals", json={"quantity": 3, "reason": "damaged"}, headers=p.warehouse.headers
    )
    assert response.status_code == 201, response.text
    year.disposed["damaged"] = (3, Decimal("1.5"))
    response = await client.post(
        f"/api/lots/{fb_noodles}/adjustments", json={"counted": 13, "reason": "棚卸"}, headers=p.coordinator.headers
    )
    assert response.status_code == 201, response.text
    year.adjusted = (-1, Decimal("-0.5"))  # 20 - 4 - 2 = 14 on the shelf, 13 counted

    # Appliances: two received this year; one delivered; a TV disposed through the recycling route.
    delivered = await bank.in_status("delivered", "microwave")
    assert delivered
    tv = await bank.unit("tv", size="32型")
    response = await bank.inspect(tv, checks=[{"check": "insulation", "result": "fail"}])
    assert response.status_code == 201, response.text
    response = await bank.dispose(tv, reason="failed_inspection", recycling_ticket_number="1234567890123")
    assert response.status_code == 201, response.text
    assert ALL_PASS

    # Referrals: two agencies; who consulted and outcomes differ; one from last year.
    for referred_on, who, status in (
        (story_day(1, 1), WhoConsulted.self, ReferralStatus.fulfilled),
        (story_day(2, 1), WhoConsulted.family, ReferralStatus.accepted),
        (story_day(3, 1), WhoConsulted.agency, ReferralStatus.declined),
        (story_day(3, 2), WhoConsulted.agency, ReferralStatus.expired),
        (story_day(-1, 1), WhoConsulted.other, ReferralStatus.fulfilled),
    ):
        await bank.referral(a, referred_on=referred_on, status=status, category=None)
        await set_who_consulted(p, referred_on, who)
        year.referrals.append((referred_on, who.value, status.value, "agency", a))
    return year


async def set_who_consulted(p: Pantry, referred_on: date, who: WhoConsulted) -> None:
    from sqlalchemy import update

    from foodbank.models import Referral

    async with p.c.database.transaction() as s:
        await s.execute(update(Referral).where(Referral.referred_on == referred_on).values(who_consulted=who))


def in_year(day: date) -> bool:
    return FIRST <= day <= LAST


def kg_of(year: Year, lines: list[tuple[int, int]]) -> Decimal:
    return sum((year.weights[item] * qty for item, qty in lines), ZERO)


async def all_distributions(client: AsyncClient, p: Pantry) -> list[dict[str, Any]]:
    response = await client.get("/api/distributions", params={"limit": 1000}, headers=p.coordinator.headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


@pytest.fixture
async def report(client: AsyncClient, pantry: Pantry, bank: Bank) -> tuple[Year, dict[str, Any], list[dict[str, Any]]]:
    year = await build_year(client, pantry, bank)
    response = await client.get(f"/api/reports/annual/{FY}", headers=pantry.c.reporter.headers)
    assert response.status_code == 200, response.text
    return year, response.json(), await all_distributions(client, pantry)


async def test_every_figure_matches_what_was_recorded(
    client: AsyncClient, pantry: Pantry, report: tuple[Year, dict[str, Any], list[dict[str, Any]]]
) -> None:
    year, body, handouts = report
    assert (body["fiscal_year"], body["label_ja"], body["label_en"]) == (FY, LABEL_JA, LABEL_EN)
    assert (body["starts_on"], body["ends_on"], body["start_month"]) == (
        FIRST.isoformat(),
        LAST.isoformat(),
        START_MONTH,
    )

    # Received: this year's donations, other food banks apart.
    this_year = [r for r in year.receipts if in_year(r["on"])]
    for from_food_banks, key in ((False, "received_from_donors"), (True, "received_from_food_banks")):
        mine = [r for r in this_year if (r["kind"] == "other_food_bank") is from_food_banks]
        assert body[key] == {
            "donations": len(mine),
            "donors": len({r["donor"] for r in mine}),
            "units": sum(q for r in mine for _, q in r["lines"]),
            "kg": str(sum((kg_of(year, r["lines"]) for r in mine), ZERO)),
        }
    by_kind = {row["key"]: row for row in body["received_by_donor_kind"]}
    for kind in ("individual", "company", "other_food_bank", "farm"):
        mine = [r for r in this_year if r["kind"] == kind]
        assert (by_kind[kind]["count"], by_kind[kind]["distinct"], by_kind[kind]["kg"]) == (
            len(mine),
            len({r["donor"] for r in mine}),
            str(sum((kg_of(year, r["lines"]) for r in mine), ZERO)),
        )
    by_category = {row["key"]: row for row in body["received_by_category"]}
    expected_categories: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in this_year:
        if r["kind"] != "other_food_bank":
            for item, qty in r["lines"]:
                expected_categories[year.category_of[item]] += year.weights[item] * qty
    assert {k: Decimal(v["kg"]) for k, v in by_category.items()} == {k: expected_categories[k] for k in by_category}

    # Hand-outs: net of returns; a hand-out that came back whole is not counted.
    counted = []
    for d in handouts:
        net = [(line["item_id"], line["quantity"] - line["returned"]) for line in d["lines"]]
        if in_year(date.fromisoformat(d["distributed_on"])) and sum(q for _, q in net) > 0:
            counted.append({**d, "net": net, "kg": kg_of(year, net)})
    by_channel = {row["key"]: row for row in body["distributed_by_channel"]}
    for channel in ("delivery", "pickup", "pantry", "partner"):
        mine = [d for d in counted if d["channel"] == channel]
        assert by_channel[channel]["count"] == len(mine), channel
        assert by_channel[channel]["units"] == sum(q for d in mine for _, q in d["net"]), channel
        assert Decimal(by_channel[channel]["kg"]) == sum((d["kg"] for d in mine), ZERO), channel
        assert by_channel[channel]["people"] == sum(d["people"] or 0 for d in mine), channel
    assert Decimal(body["distributed"]["kg"]) == sum((d["kg"] for d in counted), ZERO)

    individual = [d for d in counted if d["channel"] in ("delivery", "pickup")]
    most: dict[int, int] = {}
    for d in individual:
        most[d["household_id"]] = max(most.get(d["household_id"], 0), d["people"])
    assert body["individual_support"] == {
        "occasions": len({(d["distributed_on"], d["channel"], d["handed_over_by_id"]) for d in individual}),
        "households_total": len(individual),
        "households_distinct": len({d["household_id"] for d in individual}),
        "people_total": sum(d["people"] for d in individual),
        "people_distinct": sum(most.values()),
    }
    # The story: one session served two households, so occasions < households (3 occasions, 4 hand-outs).
    assert (body["individual_support"]["occasions"], body["individual_support"]["households_total"]) == (3, 4)

    pantry_handouts = [d for d in counted if d["channel"] == "pantry"]
    assert body["pantry"]["days_held"] == 1
    assert body["pantry"]["people_served"] == sum(d["people"] for d in pantry_handouts) == 3 + 4 + 2 + 3
    assert body["pantry"]["walk_in_people"] == 5 and body["pantry"]["walk_in_parcels"] == 2
    assert body["pantry"]["households_total"] == body["pantry"]["households_distinct"] == 2
    assert [d["status"] for d in body["pantry"]["days"]] == ["closed"], "the cancelled day is not listed"

    partners = [d for d in counted if d["channel"] == "partner"]
    assert (body["partners"]["sessions"], body["partners"]["people"]) == (
        len(partners),
        sum(d["people"] for d in partners),
    )
    assert (body["partners"]["cafeteria_sessions"], body["partners"]["cafeteria_people"]) == (2, 75)

    households = [d for d in counted if d["household_id"] is not None]
    assert body["households_served"] == {
        "households_total": len(households),
        "households_distinct": len({d["household_id"] for d in households}),
    }
    # People are counted apart: every channel's, walk-ins and partner programmes' included.
    assert body["people_served_total"] == sum(d["people"] or 0 for d in counted)
    assert body["people_served_total"] > sum(d["people"] or 0 for d in households), "walk-ins and partners count"

    appliances = {row["category"]: row for row in body["appliances"]}
    assert (appliances["microwave"]["received"], appliances["microwave"]["delivered"]) == (1, 1)
    assert (appliances["tv"]["received"], appliances["tv"]["disposed"], appliances["tv"]["disposed_recycling"]) == (
        1,
        1,
        1,
    )
    assert sum(row["received"] for row in body["appliances"]) == 2

    referrals = [r for r in year.referrals if in_year(r[0])]
    assert body["referrals"]["referrals"] == len(referrals)
    assert {row["key"]: row["count"] for row in body["referrals"]["by_who_consulted"]} == {
        key: Counter(r[1] for r in referrals)[key] for key in ("self", "family", "agency", "other")
    }
    outcomes = {row["key"]: row["count"] for row in body["referrals"]["by_outcome"]}
    assert {k: v for k, v in outcomes.items() if v} == dict(Counter(r[2] for r in referrals))
    assert sum(row["count"] for row in body["referrals"]["by_agency"]) == len(referrals)

    disposals = {row["key"]: (row["units"], Decimal(row["kg"])) for row in body["disposals"]}
    assert disposals == {"expired": (0, ZERO), "damaged": year.disposed["damaged"], "recalled": (0, ZERO)}


async def test_the_stock_flow_balances_and_closing_stock_is_what_is_on_the_shelves(
    client: AsyncClient, pantry: Pantry, report: tuple[Year, dict[str, Any], list[dict[str, Any]]]
) -> None:
    year, body, handouts = report
    s = body["stock"]
    before = [r for r in year.receipts if r["on"] < FIRST]
    issued_before = [
        (line["item_id"], line["quantity"] - line["returned"])
        for d in handouts
        if date.fromisoformat(d["distributed_on"]) < FIRST
        for line in d["lines"]
    ]
    opening_kg = sum((kg_of(year, r["lines"]) for r in before), ZERO) - kg_of(year, issued_before)
    assert Decimal(s["opening"]["kg"]) == opening_kg == Decimal("9.0")  # 20 cans in March, 2 handed out
    flow = (
        Decimal(s["opening"]["kg"])
        + Decimal(s["received"]["kg"])
        + Decimal(s["opening_balances"]["kg"])
        - Decimal(s["distributed"]["kg"])
        - Decimal(s["disposed"]["kg"])
        + Decimal(s["adjusted"]["kg"])
    )
    assert flow == Decimal(s["closing"]["kg"])
    assert Decimal(s["adjusted"]["kg"]) == year.adjusted[1]
    # Every movement of the test is dated within the year, so closing stock is what is on hand now.
    stock = await client.get("/api/lots", headers=pantry.warehouse.headers)
    assert stock.status_code == 200, stock.text
    on_hand = sum((year.weights[lot["item_id"]] * lot["on_hand"] for lot in stock.json()), ZERO)
    assert Decimal(s["closing"]["kg"]) == on_hand

    # Month by month adds up to the year.
    months = body["months"]
    assert [m["month"] for m in months][:2] == [FIRST.isoformat(), story_day(1, 1).isoformat()] and len(months) == 12
    assert sum(Decimal(m["received_kg"]) for m in months) == Decimal(body["received_from_donors"]["kg"]) + Decimal(
        body["received_from_food_banks"]["kg"]
    )
    assert sum(Decimal(m["distributed_kg"]) for m in months) == Decimal(body["distributed"]["kg"])
    assert sum(m["individual_occasions"] for m in months) == body["individual_support"]["occasions"]
    assert sum(m["pantry_people"] for m in months) == body["pantry"]["people_served"]
    assert sum(m["referrals"] for m in months) == body["referrals"]["referrals"]
    third = next(m for m in months if m["month"] == story_day(2, 1).isoformat())  # June when the year starts in April
    assert (third["individual_occasions"], third["individual_households"]) == (1, 2)


async def test_the_formats_carry_the_same_figures(
    client: AsyncClient, pantry: Pantry, report: tuple[Year, dict[str, Any], list[dict[str, Any]]]
) -> None:
    _, body, _ = report
    headers = pantry.c.reporter.headers
    base = f"/api/reports/annual/{FY}"
    occasions = str(body["individual_support"]["occasions"])

    csv_response = await client.get(f"{base}/summary.csv", headers=headers)
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[0][0].endswith(f"{LABEL_JA}（{LABEL_EN}）年次報告")
    assert ["フードバンク・物資支援（個別支援）: 支援回数（延べ）", occasions] in rows

    xlsx = await client.get(f"{base}/summary.xlsx", headers=headers, params={"lang": "en"})
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "Key figures" and "Month by month" in book.sheetnames
    values = [[c for c in row] for row in book["Key figures"].iter_rows(values_only=True)]
    assert ["Food bank: individual support: Occasions (total)", int(occasions)] in [list(v[:2]) for v in values]

    html = await client.get(f"{base}/summary.html", headers=headers)
    assert html.status_code == 200 and html.headers["content-type"] == "text/html; charset=utf-8"
    assert f"{LABEL_JA}（{LABEL_EN}）" in html.text and "<svg" in html.text and "summary.pdf?lang=ja" in html.text

    for lang, words in (
        ("ja", [LABEL_JA, "支援回数（延べ）", "月別の推移"]),
        ("en", [LABEL_EN, "Occasions (total)"]),
    ):
        pdf = await client.get(f"{base}/summary.pdf", headers=headers, params={"lang": lang})
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(pdf.content))
        assert all(round(float(page.mediabox.width)) == 595 for page in reader.pages), "A4"
        assert any(name.startswith("embedded:") and "IPAex" in name for name in fonts_of(reader))
        text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
        for word in words:
            assert re.sub(r"\s+", "", word) in text, (lang, word)


async def test_who_may_read_it_and_what_is_refused(client: AsyncClient, pantry: Pantry) -> None:
    c = pantry.c
    for actor in (c.wh.warehouse, c.consultant):
        assert (await client.get(f"/api/reports/annual/{FY}", headers=actor.headers)).status_code == 403
    for actor in (c.reporter, c.wh.coordinator, c.admin):
        assert (await client.get(f"/api/reports/annual/{FY}", headers=actor.headers)).status_code == 200
    future = await client.get(f"/api/reports/annual/{FY + 1}", headers=c.reporter.headers)
    assert future.status_code == 422 and future.headers["content-type"].startswith("application/problem+json")
    assert (LAST + timedelta(days=1)).isoformat() in future.json()["detail"]
    unknown = await client.get(f"/api/reports/annual/{FY}/summary.docx", headers=c.reporter.headers)
    assert unknown.status_code == 404 and "summary.xlsx" in unknown.json()["detail"]
    early = await client.get("/api/reports/annual/1990", headers=c.reporter.headers)
    assert early.status_code == 422
    bad_lang = await client.get(f"/api/reports/annual/{FY}/summary.pdf?lang=fr", headers=c.reporter.headers)
    assert bad_lang.status_code in (400, 422) and bad_lang.json()["errors"]
    empty = await client.get(f"/api/reports/annual/{FY}", headers=c.reporter.headers)
    assert empty.json()["individual_support"]["occasions"] == 0 and len(empty.json()["months"]) == 12


async def test_the_cli_writes_each_format_to_a_file(
    client: AsyncClient,
    pantry: Pantry,
    report: tuple[Year, dict[str, Any], list[dict[str, Any]]],
    database_url: str,
    tmp_path: Path,
) -> None:
    _, body, _ = report
    for fmt, check in (
        ("json", lambda data: json.loads(data)["individual_support"] == body["individual_support"]),
        ("csv", lambda data: data.startswith(b"\xef\xbb\xbf")),
        ("xlsx", lambda data: data.startswith(b"PK")),
        ("pdf", lambda data: data.startswith(b"%PDF")),
    ):
        target = tmp_path / f"report.{fmt}"
        result = await asyncio.to_thread(
            cli, database_url, "report", "annual", "--year", str(FY), "--format", fmt, "-o", str(target)
        )
        assert result.exit_code == 0, result.output
        assert f"Wrote {target}" in result.output
        assert check(target.read_bytes()), fmt
    refused = await asyncio.to_thread(
        cli, database_url, "report", "annual", "--year", str(FY + 4), "-o", str(tmp_path / "x")
    )
    assert refused.exit_code != 0 and "has no figures yet" in refused.output
