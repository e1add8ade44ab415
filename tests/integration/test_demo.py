"""The demo data: a whole fiscal year at our users' scale and the current one up to today, built through
the services, once, with a consistent ledger. The year's figures are counted here with plain SQL, dated
the way the annual summary dates them, and compared with the published 令和4年度 figures the demo mirrors
(DOMAIN.md)."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from datetime import date
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank import demo
from foodbank.catalogue import queries as catalogue_queries
from foodbank.catalogue.barcodes import is_valid
from foodbank.config import Settings
from foodbank.demo.plan import make_plan
from foodbank.lib.db import Database
from foodbank.models import DonorKind
from foodbank.stock import ledger

TODAY = date(2026, 11, 27)
FY2025 = {"first": date(2025, 4, 1), "last": date(2026, 3, 31)}
FY2026 = {"first": date(2026, 4, 1), "last": TODAY}

# The day a stock movement counts on, as the annual summary dates it: receipts on their received date,
# hand-outs on their distribution date, everything else on the day it was recorded (Japan time).
MOVEMENT_DAY = """
    CASE WHEN sm.kind = 'receipt' THEN r.received_date
         WHEN sm.kind IN ('issue', 'return') AND d.id IS NOT NULL THEN d.distributed_on
         ELSE (sm.occurred_at AT TIME ZONE 'Asia/Tokyo')::date END"""
MOVEMENTS = f"""
    SELECT sm.kind, sm.reason, sm.on_hand_delta * i.unit_weight_kg AS kg, {MOVEMENT_DAY} AS day
    FROM stock_movement sm
    JOIN lot l ON l.id = sm.lot_id
    JOIN receipt r ON r.id = l.receipt_id
    JOIN item i ON i.id = l.item_id
    LEFT JOIN distribution d ON d.id = sm.distribution_id"""  # noqa: S608 - composed of module constants


async def one(session: AsyncSession, sql: str, **params: Any) -> Any:
    return (await session.execute(text(sql), params)).one()


async def rows(session: AsyncSession, sql: str, **params: Any) -> dict[Any, Any]:
    return {row[0]: row[1] for row in (await session.execute(text(sql), params)).all()}


async def table_sizes(session: AsyncSession) -> tuple[int, ...]:
    return tuple(
        await one(
            session,
            """SELECT (SELECT count(*) FROM user_account), (SELECT count(*) FROM household),
                      (SELECT count(*) FROM referral), (SELECT count(*) FROM receipt),
                      (SELECT count(*) FROM stock_movement), (SELECT count(*) FROM distribution),
                      (SELECT count(*) FROM audit_event)""",
        )
    )


async def test_the_demo_builds_a_realistic_year_once(
    database: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="foodbank.demo")
    lines: list[str] = []
    started = time.monotonic()
    async with database.transaction() as session:
        assert await demo.load(session, settings.security, settings.stock, TODAY, progress=lines.append) is True
    print(f"demo data loaded in {time.monotonic() - started:.1f} s")
    assert lines, "a load this long reports its progress"
    assert not [r for r in caplog.records if r.name.startswith("foodbank.demo")], "every parcel was filled in full"

    async with database.transaction() as session:
        before = await table_sizes(session)
        assert await demo.load(session, settings.security, settings.stock, TODAY) is False
        assert await table_sizes(session) == before
        assert await ledger.verify(session) == []

        await check_individual_support(session)
        await check_pantry_days(session)
        await check_cafeteria(session)
        await check_referrals(session)
        await check_donations_and_stock(session)
        # Something for a new user to try: lots expiring this week, and one past its best-before to write off.
        from foodbank.stock import queries as stock_queries

        assert await stock_queries.lots(session, expiring_within_days=7, as_of=TODAY)
        assert await stock_queries.expired_count(session, as_of=TODAY) >= 1
        await check_appliances(session)
        await check_people_and_dates(session)
        for item in demo.DEMO_ITEMS:
            if item.barcode:
                assert is_valid(item.barcode), f"demo barcode {item.barcode} has a wrong check digit"
                assert await catalogue_queries.item_by_barcode(session, item.barcode) is not None


@pytest.mark.parametrize("today", [date(2026, 4, 1), TODAY, date(2027, 1, 4), date(2027, 8, 31)])
def test_the_plan_is_the_same_every_time_and_mirrors_the_published_year(today: date) -> None:
    """Pure planning (no database): any day gives the same plan, with the previous year at full scale."""
    plan = make_plan(today)
    assert hashlib.sha256(repr(plan).encode()).digest() == hashlib.sha256(repr(make_plan(today)).encode()).digest()
    start = date(today.year - (1 if today.month >= 4 else 2), 4, 1)
    end = date(start.year + 1, 3, 31)
    handouts = [h for h in plan.handouts if start <= h.day <= end]
    assert len(handouts) == 68
    assert len({(h.day, h.channel, h.staff) for h in handouts}) == 64
    assert len({h.household.key for h in handouts}) == 60
    for handout in plan.handouts:
        referral = handout.referral
        assert referral is not None and referral.decided_on is not None
        assert handout.household.registered_on <= handout.reserve_on <= handout.day
        assert referral.referred_on <= referral.decided_on <= handout.day <= referral.valid_until
    days_of: dict[str, list[date]] = {}
    for handout in plan.handouts:
        days_of.setdefault(handout.household.key, []).append(handout.day)
    for days in days_of.values():
        days.sort()
        assert all((later - earlier).days >= 7 for earlier, later in pairwise(days))
    pantry_days = [e for e in plan.pantry_days if start <= e.day <= end]
    served = sum(b.household.size for e in pantry_days for b in e.bookings if b.served)
    assert (len(pantry_days), served + sum(sum(e.walk_ins) for e in pantry_days)) == (6, 1050)
    sessions = [s for s in plan.sessions if start <= s.day <= end]
    assert (len(sessions), sum(s.participants for s in sessions)) == (16, 1644)


async def check_individual_support(session: AsyncSession) -> None:
    """64 occasions (delivery rounds or pick-up sessions: day, channel, member of staff), 68 households 延べ,
    60 households 実: four rounds serve two households, and some households come back."""
    sql = """
        SELECT count(*), count(DISTINCT (distributed_on, channel, handed_over_by_id)),
               count(DISTINCT household_id), count(referral_id)
        FROM distribution WHERE channel IN ('delivery', 'pickup') AND distributed_on BETWEEN :first AND :last"""
    handouts, occasions, households, referred = await one(session, sql, **FY2025)
    assert (handouts, occasions, households) == (68, 64, 60)
    assert referred == handouts
    by_month = await rows(
        session,
        """SELECT date_trunc('month', distributed_on), count(*) FROM distribution
           WHERE channel IN ('delivery', 'pickup') AND distributed_on BETWEEN :first AND :last GROUP BY 1""",
        **FY2025,
    )
    assert len(by_month) == 12 and max(by_month.values()) <= 10
    lighter, _, _, _ = await one(session, sql, **FY2026)
    assert 15 <= lighter < handouts * 0.67


async def check_pantry_days(session: AsyncSession) -> None:
    """Six pantry days held, about 1,000 people served (registered households and walk-ins)."""
    held, people, walk_ins, registered = await one(
        session,
        """SELECT count(DISTINCT e.id), sum(d.people), count(d.id) FILTER (WHERE d.walk_in),
                  count(d.id) FILTER (WHERE NOT d.walk_in)
           FROM pantry_event e JOIN distribution d ON d.pantry_event_id = e.id
           WHERE e.status = 'closed' AND e.event_date BETWEEN :first AND :last""",
        **FY2025,
    )
    assert held == 6
    assert 950 <= people <= 1100
    assert walk_ins >= 30 and registered >= 200
    statuses = await rows(
        session,
        """SELECT r.status, count(*) FROM pantry_registration r JOIN pantry_event e ON e.id = r.event_id
           WHERE e.event_date BETWEEN :first AND :last GROUP BY 1""",
        **FY2025,
    )
    assert statuses["checked_in"] == registered
    assert statuses["no_show"] > 0 and statuses["cancelled"] > 0
    months = await rows(
        session,
        "SELECT extract(month FROM event_date), count(*) FROM pantry_event WHERE event_date <= :last GROUP BY 1",
        last=FY2025["last"],
    )
    assert len(months) == 6, "spread over the year, not bunched"
    # The current year: fewer days held, and the next one taking bookings.
    upcoming = await rows(
        session,
        """SELECT e.status, count(r.id) FROM pantry_event e LEFT JOIN pantry_registration r ON r.event_id = e.id
           WHERE e.event_date > :today GROUP BY 1""",
        today=TODAY,
    )
    assert list(upcoming) == ["open"] and upcoming["open"] > 0
    (prepared,) = await one(
        session,
        """SELECT count(*) FROM reservation
           WHERE status = 'open' AND purpose = 'household' AND distribution_date > :today""",
        today=TODAY,
    )
    assert prepared >= 1, "the next delivery's picking list is ready"


async def check_cafeteria(session: AsyncSession) -> None:
    """ちいき食堂ほのん: 16 sessions from June, 1,644 participants, as partner-programme hand-overs."""
    sessions, participants, first = await one(
        session,
        """SELECT count(*), sum(d.people), min(d.distributed_on) FROM distribution d
           JOIN partner_programme p ON p.id = d.partner_programme_id
           WHERE p.name = 'ちいき食堂ほのん' AND p.kind = 'cafeteria' AND d.distributed_on BETWEEN :first AND :last""",
        **FY2025,
    )
    assert sessions == 16
    assert 1600 <= participants <= 1700
    assert first.month == 6


async def check_referrals(session: AsyncSession) -> None:
    """Referrals from several agencies; who consulted in the published proportions; every outcome."""
    who = await rows(
        session,
        "SELECT who_consulted, count(*) FROM referral WHERE referred_on BETWEEN :first AND :last GROUP BY 1",
        **FY2025,
    )
    total = sum(who.values())
    assert total >= 80
    published = {"self": 63, "family": 62, "agency": 146, "other": 5}
    for key, count in published.items():
        assert abs(who.get(key, 0) / total - count / 276) < 0.03, (key, who)
    agencies = await rows(
        session,
        """SELECT a.kind, count(*) FROM referral r JOIN agency a ON a.id = r.agency_id
           WHERE r.referred_on BETWEEN :first AND :last GROUP BY 1""",
        **FY2025,
    )
    assert len(agencies) >= 5
    outcomes = await rows(
        session,
        "SELECT status, count(*) FROM referral WHERE referred_on BETWEEN :first AND :last GROUP BY 1",
        **FY2025,
    )
    assert {"fulfilled", "declined", "expired", "withdrawn"} <= set(outcomes)
    assert outcomes["fulfilled"] > total / 2
    assert "submitted" not in outcomes and "accepted" not in outcomes, "last year's referrals are all settled"
    requests = await rows(
        session,
        "SELECT request, count(*) FROM referral WHERE referred_on BETWEEN :first AND :last GROUP BY 1",
        **FY2025,
    )
    assert set(requests) == {"food", "appliance", "both"}
    current = await rows(
        session, "SELECT status, count(*) FROM referral WHERE referred_on > :last GROUP BY 1", **FY2025
    )
    assert current.get("submitted", 0) > 0, "some wait for a decision today"


async def check_donations_and_stock(session: AsyncSession) -> None:
    kinds = await rows(
        session,
        """SELECT dn.kind, sum(l.quantity_received * i.unit_weight_kg) FROM receipt r
           JOIN donor dn ON dn.id = r.donor_id JOIN lot l ON l.receipt_id = r.id JOIN item i ON i.id = l.item_id
           WHERE r.kind = 'donation' AND r.received_date BETWEEN :first AND :last GROUP BY 1""",
        **FY2025,
    )
    assert set(kinds) == {kind.value for kind in DonorKind}
    assert 3000 <= sum(kinds.values()) <= 8000
    months = await rows(
        session,
        """SELECT date_trunc('month', received_date), count(*) FROM receipt
           WHERE kind = 'donation' AND received_date BETWEEN :first AND :last GROUP BY 1""",
        **FY2025,
    )
    assert len(months) == 12
    disposed = await rows(
        session,
        f"SELECT reason, -sum(kg) FROM ({MOVEMENTS}) m "  # noqa: S608 - composed of module constants
        "WHERE kind = 'disposal' AND day BETWEEN :first AND :last GROUP BY 1",
        **FY2025,
    )
    assert set(disposed) == {"expired", "damaged"}
    assert 0 < sum(disposed.values()) < 300
    recalled = await rows(
        session,
        f"SELECT reason, -sum(kg) FROM ({MOVEMENTS}) m WHERE kind = 'disposal' AND day > :last GROUP BY 1",  # noqa: S608
        **FY2025,
    )
    assert "recalled" in recalled
    (closing,) = await one(
        session,
        f"SELECT sum(kg) FROM ({MOVEMENTS}) m WHERE kind <> 'reservation' AND day <= :last",  # noqa: S608
        **FY2025,
    )
    assert 150 <= closing <= 1500, "stock left at the end of the year"


async def check_appliances(session: AsyncSession) -> None:
    received, delivered, disposed, recycled = await one(
        session,
        """SELECT (SELECT count(*) FROM appliance_unit WHERE received_date BETWEEN :first AND :last),
                  (SELECT count(*) FROM appliance_delivery WHERE delivered_on BETWEEN :first AND :last),
                  (SELECT count(*) FROM appliance_disposal WHERE disposed_on BETWEEN :first AND :last),
                  (SELECT count(*) FROM appliance_disposal WHERE disposed_on BETWEEN :first AND :last
                     AND recycling_law AND recycling_ticket_number IS NOT NULL)""",
        **FY2025,
    )
    assert received >= 20 and delivered >= 15
    assert 1 <= disposed <= 6 and recycled >= 2
    statuses = await rows(session, "SELECT status, count(*) FROM appliance_unit GROUP BY 1")
    assert statuses.get("available", 0) > 0


async def check_people_and_dates(session: AsyncSession) -> None:
    codes = [c for (c,) in (await session.execute(text("SELECT code FROM household"))).all()]
    assert len(codes) >= 200
    assert all(re.fullmatch(r"H-20(25|26)-\d{4}", code) for code in codes)
    names = [n for (n,) in (await session.execute(text("SELECT name FROM household_identity"))).all()]
    assert len(names) == len(codes) and all(name.endswith("(demo)") for name in names)
    latest = await one(
        session,
        """SELECT (SELECT max(received_date) FROM receipt), (SELECT max(distributed_on) FROM distribution),
                  (SELECT max((occurred_at AT TIME ZONE 'Asia/Tokyo')::date) FROM stock_movement),
                  (SELECT max((occurred_at AT TIME ZONE 'Asia/Tokyo')::date) FROM audit_event),
                  (SELECT max(referred_on) FROM referral)""",
    )
    assert all(day <= TODAY for day in latest), latest
    (first,) = await one(session, "SELECT min((occurred_at AT TIME ZONE 'Asia/Tokyo')::date) FROM stock_movement")
    assert first == FY2025["first"], "the ledger carries the days the stock moved, not the day the demo was loaded"
