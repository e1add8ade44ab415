"""Report benchmark: the annual summary over a year of a million distribution lines, next to the same
headline figures computed by plain SQL, and what rendering that summary costs.

Run from the repository root:

    .venv/bin/python bench/report_bench.py              # 1,000,000 lines: 5-10 minutes on 2 cores, mostly loading
    .venv/bin/python bench/report_bench.py --quick      # 50,000 lines, for trying it
    .venv/bin/python bench/report_bench.py --lines 250000 --explain

It prints figures; the only thing it checks is that the two computations agree (and it says so).

The data is a fiscal year, FY2025 (令和7年度, 2025-04-01 to 2026-03-31), plus February and March 2025
before it (a tenth as many lines again), so that the year's bounds and the opening stock matter. It is
generated in the database (generate_series, INSERT ... SELECT) and with COPY through asyncpg, into a
migrated database, in one transaction:

- a catalogue (11 categories, 300 items of various unit weights, 19 locations), 20 staff accounts,
  donors of every kind, 6 pantry venues and partner programmes (cafeterias, drop-in sites, others);
- lots received every day from January 2025, five to a receipt (the first day's receipts are opening
  balances, the rest donations from donors of every kind), each with its `receipt` movement;
- households, and distributions in every channel: delivery and pick-up rounds (several households for
  one member of staff on one day), pantry days (registered households and walk-ins; two days
  cancelled), and partner sessions with their meals; each line takes from a lot received in the 60
  days before, with its `issue` movement carrying the distribution id, as the ledger writes it;
- a few returns (some hand-outs returned in full), disposals (expired, damaged, recalled) and
  stocktake adjustments, each with its movement, so that every lot's balance equals its ledger
  (checked with `foodbank.stock.ledger.verify`) and the stock figures mean something; the ledger's
  trigger sums the movements per day as they are inserted, and each hand-out's units and kg are set
  from its lines as the hand-out service sets them.

Then VACUUM ANALYZE, and:

(a) `foodbank.reports.services.build_annual_summary`, end to end, in a fresh session each time (which
    sets its REPEATABLE READ READ ONLY snapshot itself), timed `--repeats` times; the time of each of
    its queries is shown too;
(b) the headline figures by plain SQL written here, independently of `foodbank/reports/queries.py`
    (kg and units by channel from the ledger's issue and return movements, the report takes them
    from the units and kg stored on each hand-out; hand-outs and households 延べ/実, individual occasions and people;
    pantry days and people; partner sessions and people; received by donor kind from the receipt
    movements; disposals by reason; closing stock from the lots' balances), timed the same way;

(c) the summary's two heavy reads (`queries.HANDOUTS`, `queries.STOCK_FLOWS`), which read the hand-outs'
    stored units and kg and the ledger's per-day sums (`stock_day`), next to the same two as they were
    before migration 0011 (regrouping the year's lines by hand-out, dating every movement of the whole
    ledger through five joins), kept here as the baseline, each in its own REPEATABLE READ transaction
    with the report's work_mem; their rows must be equal;

every figure of (a) is compared with (b). Then the summary is rendered to PDF (Japanese, through the
real `render_pdf`) and to an Excel workbook, CSV and HTML, each timed. `--explain` prints EXPLAIN
(ANALYZE, BUFFERS) of the summary's slowest statements.

The benchmark starts its own throwaway PostgreSQL cluster (tmpfs, fsync off, as the test suite does),
or uses FOODBANK_BENCH_DATABASE_URL (a server it may create and drop databases on), and removes what
it created at the end, also after an error, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import io
import json
import os
import platform
import random
import signal
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from a checkout

from stock_bench import Server, asyncpg_dsn, postgres_server  # the same throwaway server as the stock bench

from foodbank.lib import migrate
from foodbank.lib.db import Database
from foodbank.reports import queries, rules, services
from foodbank.reports.documents import AnnualSummary
from foodbank.reports.exports import to_csv, to_xlsx
from foodbank.stock import ledger

FISCAL_YEAR = 2025
FIRST, LAST = rules.fiscal_year_bounds(FISCAL_YEAR)
BEFORE = date(2025, 2, 1)  # distributions also in the two months before the year
LOTS_FROM = date(2025, 1, 1)  # lots received every day from here to the end of the year
TODAY = date(2026, 5, 1)  # the year is over: the report is made after it
ORGANISATION = "フードバンクさんぶ"
SEED = 20250401
LOOKBACK_DAYS = 60  # a line takes from a lot received at most this many days before
LOTS_PER_RECEIPT = 5

CHANNEL_SHARES = {"delivery": 0.20, "pickup": 0.20, "pantry": 0.45, "partner": 0.15}
LINES_PER_HANDOUT = {"delivery": (6, 18), "pickup": (6, 18), "pantry": (5, 11), "partner": (10, 40)}
DONOR_KINDS = {
    "individual": 0.40,
    "company": 0.20,
    "farm": 0.10,
    "retailer": 0.12,
    "food_drive": 0.08,
    "government_stockpile": 0.03,
    "other_food_bank": 0.07,
}
MUNICIPALITIES = ["togane", "sammu", "oamishirasato", "kujukuri", "shibayama", "yokoshibahikari", "other"]
VENUES = [
    ("東金市中央公民館", "togane"),
    ("山武市成東文化会館", "sammu"),
    ("大網白里市保健文化センター", "oamishirasato"),
    ("九十九里町中央公民館", "kujukuri"),
    ("芝山町福祉センター", "shibayama"),
    ("横芝光町町民会館", "yokoshibahikari"),
]
PROGRAMMES = [
    ("ちいき食堂ほのん", "cafeteria"),
    ("こども食堂 東金", "cafeteria"),
    ("こども食堂 大網", "cafeteria"),
    ("こども食堂 横芝", "cafeteria"),
    *[(f"ホッとステーション {n}", "drop_in") for n in range(1, 7)],
    ("学習支援教室", "other"),
    ("母子生活支援施設", "other"),
]
# code, Japanese and English name; the items' unit weights in kg
CATEGORIES = [
    ("staples", "主食", "Staples"),
    ("canned", "缶詰・レトルト", "Canned and retort food"),
    ("noodles", "麺類", "Noodles"),
    ("seasoning", "調味料", "Seasonings"),
    ("snacks", "菓子", "Snacks"),
    ("drinks", "飲料", "Drinks"),
    ("dairy", "乳製品", "Dairy"),
    ("deli", "パン・惣菜", "Bread and deli"),
    ("frozen", "冷凍食品", "Frozen food"),
    ("baby", "ベビー用品", "Baby goods"),
    ("household", "日用品", "Household goods"),
]
ZONE_OF = {"dairy": "chilled", "deli": "chilled", "frozen": "frozen"}
WEIGHTS = ["0.100", "0.200", "0.250", "0.400", "0.500", "0.500", "1.000", "2.000", "5.000"]
LOCATIONS = {"ambient": 12, "chilled": 4, "frozen": 3}
STAFF = 20
INDIVIDUAL_STAFF = 8  # who do delivery rounds and pick-up sessions


@dataclass(frozen=True)
class Size:
    lines: int  # distribution lines in the fiscal year
    households: int
    pantry_days: int  # held in the year (two more are cancelled)
    repeats: int

    @property
    def lots_per_day(self) -> int:
        return max(10, LOTS_PER_RECEIPT * round(self.lines / 33_000))


FULL = Size(lines=1_000_000, households=20_000, pantry_days=48, repeats=3)
QUICK = Size(lines=50_000, households=1_500, pantry_days=24, repeats=3)


# --- the year's data ------------------------------------------------------------------------------------


@dataclass
class Loaded:
    handouts: Counter[str] = field(default_factory=Counter)
    lines: Counter[str] = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    analyze_seconds: float = 0.0
    ledger_differences: int = -1


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def spread(first: date, last: date, count: int) -> list[date]:
    """`count` Saturdays spread evenly over the period."""
    saturdays = [day for day in days_between(first, last) if day.weekday() == 5]
    step = len(saturdays) / count
    return [saturdays[int(n * step)] for n in range(count)]


@dataclass(frozen=True)
class Event:
    id: int
    day: date
    venue_id: int
    status: str


def plan_period(
    rng: random.Random,
    first: date,
    last: date,
    lines: int,
    events: list[Event],
    sizes: list[int],
    next_id: int,
) -> list[tuple[Any, ...]]:
    """The hand-outs of a period, `lines` lines in all: (id, channel, day, household, programme, event,
    walk-in, people, staff, lines, returned in full)."""
    weekdays = [day for day in days_between(first, last) if day.weekday() < 5]
    every_day = days_between(first, last)
    held = [e for e in events if e.status == "closed"]
    rows: list[tuple[Any, ...]] = []

    def add(channel: str, budget: int, make: Callable[[int], tuple[Any, ...]]) -> None:
        low, high = LINES_PER_HANDOUT[channel]
        while budget > 0:
            count = min(budget, rng.randint(low, high))
            rows.append((next_id + len(rows), channel, *make(count)))
            budget -= count

    def household() -> int:
        return int(len(sizes) * rng.random() ** 1.5) + 1  # some households come back often

    def individual(count: int) -> tuple[Any, ...]:
        who = household()
        people = sizes[who - 1] + (rng.random() < 0.1)  # a household's size changes now and then
        staff = rng.randint(1, INDIVIDUAL_STAFF)
        return (rng.choice(weekdays), who, None, None, False, people, staff, count, rng.random() < 0.002)

    budgets = {channel: int(lines * share) for channel, share in CHANNEL_SHARES.items()}
    budgets["partner"] += lines - sum(budgets.values())
    add("delivery", budgets["delivery"], individual)
    add("pickup", budgets["pickup"], individual)

    per_day = budgets["pantry"] // len(held)
    for n, event in enumerate(held):
        budget = per_day if n < len(held) - 1 else budgets["pantry"] - per_day * (len(held) - 1)
        registered = iter(rng.sample(range(1, len(sizes) + 1), min(len(sizes), budget // 5 + 1)))

        def at_pantry(count: int, event: Event = event, registered: Iterator[int] = registered) -> tuple[Any, ...]:
            staff = rng.randint(INDIVIDUAL_STAFF + 1, STAFF)
            who = next(registered, None) if rng.random() >= 0.15 else None
            if who is None:  # a walk-in: anonymous, the people their parcel was for
                return (event.day, None, None, event.id, True, rng.randint(1, 5), staff, count, False)
            return (event.day, who, None, event.id, False, sizes[who - 1], staff, count, rng.random() < 0.002)

        add("pantry", budget, at_pantry)

    def partner(count: int) -> tuple[Any, ...]:
        programme = rng.randint(1, len(PROGRAMMES))
        staff = rng.randint(INDIVIDUAL_STAFF + 1, STAFF)
        return (rng.choice(every_day), None, programme, None, False, rng.randint(20, 120), staff, count, False)

    add("partner", budgets["partner"], partner)
    return rows


async def load_year(dsn: str, size: Size, rng: random.Random) -> Loaded:
    loaded = Loaded()
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await load_catalogue(conn, rng)
            await load_lots(conn, size)
            events = await load_pantry_days(conn, size)
            sizes = await load_households(conn, size, rng)
            before = plan_period(
                rng, BEFORE, FIRST - timedelta(days=1), size.lines // 10, [e for e in events if e.day < FIRST], sizes, 1
            )
            year = plan_period(
                rng, FIRST, LAST, size.lines, [e for e in events if e.day >= FIRST], sizes, len(before) + 1
            )
            for row in year:
                loaded.handouts[row[1]] += 1
                loaded.lines[row[1]] += row[9]
            await load_distributions(conn, size, [*before, *year])
            await load_fates(conn)
            for table in ("receipt", "lot", "household", "distribution", "distribution_line", "stock_movement"):
                loaded.rows[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - our names
        loaded.seconds = time.perf_counter() - started
        started = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        loaded.analyze_seconds = time.perf_counter() - started
    finally:
        await conn.close()
    return loaded


async def load_catalogue(conn: asyncpg.Connection, rng: random.Random) -> None:
    await conn.copy_records_to_table(
        "user_account",
        columns=["id", "username", "display_name"],
        records=[(n, f"staff{n:02d}", f"スタッフ {n}") for n in range(1, STAFF + 1)],
    )
    await conn.copy_records_to_table(
        "category",
        columns=["id", "code", "name_ja", "name_en"],
        records=[(n, code, ja, en) for n, (code, ja, en) in enumerate(CATEGORIES, start=1)],
    )
    items = []
    for n in range(1, 301):
        category = (n - 1) % len(CATEGORIES)
        code = CATEGORIES[category][0]
        kind = "none" if code == "household" else "use_by" if code in ("dairy", "deli") else "best_before"
        items.append(
            (
                n,
                f"{CATEGORIES[category][1]} {n:03d}",
                category + 1,
                "piece",
                Decimal(rng.choice(WEIGHTS)),
                ZONE_OF.get(code, "ambient"),
                kind,
            )
        )
    await conn.copy_records_to_table(
        "item",
        columns=["id", "name_ja", "category_id", "unit", "unit_weight_kg", "zone", "date_kind"],
        records=items,
    )
    await conn.execute("INSERT INTO warehouse (id, name) OVERRIDING SYSTEM VALUE VALUES (1, '山武倉庫')")
    locations, n = [], 0
    for zone, count in LOCATIONS.items():
        for i in range(count):
            n += 1
            locations.append((n, 1, f"{zone[0].upper()}-{i + 1:02d}", zone))
    await conn.copy_records_to_table("location", columns=["id", "warehouse_id", "code", "zone"], records=locations)
    donors = []
    for n in range(1, 601):
        kind = rng.choices(list(DONOR_KINDS), list(DONOR_KINDS.values()))[0]
        anonymous = kind == "individual" and rng.random() < 0.3
        donors.append((n, kind, None if anonymous else f"寄贈者 {n}", anonymous))
    await conn.copy_records_to_table("donor", columns=["id", "kind", "name", "is_anonymous"], records=donors)
    await conn.copy_records_to_table(
        "pantry_venue",
        columns=["id", "name", "address", "municipality"],
        records=[(n, name, name, town) for n, (name, town) in enumerate(VENUES, start=1)],
    )
    await conn.copy_records_to_table(
        "partner_programme",
        columns=["id", "name", "kind"],
        records=[(n, name, kind) for n, (name, kind) in enumerate(PROGRAMMES, start=1)],
    )


async def load_lots(conn: asyncpg.Connection, size: Size) -> None:
    """Lots received every day, `lots_per_day` of them in receipts of five: lot n is received on day
    n // lots_per_day after LOTS_FROM, which lets a line find a lot of the right age by arithmetic.
    Quantities are set once the lines are known (`load_fates`)."""
    per_day = size.lots_per_day
    days = (LAST - LOTS_FROM).days + 1
    await conn.execute("SELECT setseed(0.25)")
    await conn.execute(
        """
        WITH k AS (SELECT $1::int AS per_day, $2::date AS first_day, $3::int AS days, $4::int AS per_receipt)
        INSERT INTO receipt (id, kind, donor_id, received_date, received_by_id) OVERRIDING SYSTEM VALUE
        SELECT r + 1,
               CASE WHEN r < k.per_day / k.per_receipt THEN 'opening_balance' ELSE 'donation' END,
               CASE WHEN r < k.per_day / k.per_receipt THEN NULL ELSE 1 + floor(random() ^ 2 * 600)::int END,
               k.first_day + r * k.per_receipt / k.per_day, 1 + r % $5::int
        FROM k, generate_series(0, k.per_day * k.days / k.per_receipt - 1) r""",
        per_day,
        LOTS_FROM,
        days,
        LOTS_PER_RECEIPT,
        INDIVIDUAL_STAFF,
    )
    await conn.execute(
        """
        WITH k AS (SELECT $1::int AS per_day, $2::date AS first_day, $3::int AS days, $4::int AS per_receipt)
        INSERT INTO lot (id, item_id, receipt_id, receipt_line_no, location_id, expiry_date, date_precision,
                         received_date, quantity_received, on_hand, status) OVERRIDING SYSTEM VALUE
        SELECT n + 1, i.id, n / k.per_receipt + 1, n % k.per_receipt + 1,
               CASE i.zone WHEN 'ambient' THEN 1 + n % 12 WHEN 'chilled' THEN 13 + n % 4 ELSE 17 + n % 3 END,
               CASE i.date_kind WHEN 'best_before' THEN k.first_day + n / k.per_day + 30 + (n * 7919) % 690
                                WHEN 'use_by' THEN k.first_day + n / k.per_day + 3 + n % 5 END,
               CASE WHEN i.date_kind IN ('best_before', 'use_by') THEN 'day' END,
               k.first_day + n / k.per_day, 1, 1, 'active'
        FROM k,
             LATERAL (SELECT n, 1 + floor(random() * 300)::int AS item_id
                      FROM generate_series(0, k.per_day * k.days - 1) n) x
        JOIN item i ON i.id = x.item_id""",
        per_day,
        LOTS_FROM,
        days,
        LOTS_PER_RECEIPT,
    )


async def load_pantry_days(conn: asyncpg.Connection, size: Size) -> list[Event]:
    """The year's pantry days (and a few in the months before), two of the year's cancelled."""
    before = spread(BEFORE, FIRST - timedelta(days=1), max(2, size.pantry_days // 12))
    year = spread(FIRST, LAST, size.pantry_days + 2)
    cancelled = {year[len(year) // 3], year[2 * len(year) // 3]}
    events = [
        Event(n, day, 1 + n % len(VENUES), "cancelled" if day in cancelled else "closed")
        for n, day in enumerate([*before, *year], start=1)
    ]
    await conn.copy_records_to_table(
        "pantry_event",
        columns=["id", "venue_id", "event_date", "status", "expected_walk_in_people", "walk_in_parcels"],
        records=[(e.id, e.venue_id, e.day, e.status, 60, 20) for e in events],
    )
    return events


async def load_households(conn: asyncpg.Connection, size: Size, rng: random.Random) -> list[int]:
    rows, sizes = [], []
    for n in range(1, size.households + 1):
        adults = rng.choice([1, 1, 2, 2, 2])
        children = rng.choice([0, 0, 1, 2, 3])
        infants = int(rng.random() < 0.1)
        seniors = rng.choice([0, 0, 0, 1])
        rows.append((n, f"H{n:06d}", rng.choice(MUNICIPALITIES), infants, children, adults, seniors, LAST))
        sizes.append(adults + children + infants + seniors)
    await conn.copy_records_to_table(
        "household",
        columns=["id", "code", "municipality", "infants", "children", "adults", "seniors", "last_activity_on"],
        records=rows,
    )
    return sizes


async def load_distributions(conn: asyncpg.Connection, size: Size, plan: list[tuple[Any, ...]]) -> None:
    """The hand-outs, then their lines (from lots received in the 60 days before) and the issue and
    return movements the ledger writes for them, with the distribution's id."""
    await conn.execute(
        """CREATE TEMP TABLE plan (id bigint, channel text, distributed_on date, household_id bigint,
               partner_programme_id bigint, pantry_event_id bigint, walk_in boolean, people smallint,
               staff bigint, lines int, returned_in_full boolean) ON COMMIT DROP"""
    )
    await conn.copy_records_to_table("plan", records=plan)
    await conn.execute(
        """
        INSERT INTO distribution (id, household_id, partner_programme_id, channel, distributed_on,
                                  handed_over_by_id, people, pantry_event_id, walk_in) OVERRIDING SYSTEM VALUE
        SELECT id, household_id, partner_programme_id, channel, distributed_on, staff, people, pantry_event_id,
               walk_in
        FROM plan ORDER BY id"""
    )
    await conn.execute("SELECT setseed(0.5)")
    await conn.execute(
        """
        INSERT INTO distribution_line (distribution_id, lot_id, item_id, quantity, returned)
        SELECT x.id, x.lot_id, lot.item_id, x.quantity,
               CASE WHEN x.returned_in_full THEN x.quantity
                    WHEN x.r < 0.01 THEN floor(x.r * 100 * x.quantity)::int
                    ELSE 0 END
        FROM (
            SELECT p.id, p.returned_in_full, random() AS r,
                   1 + greatest(p.distributed_on - $2::date - 1 - floor(random() * $3::int)::int, 0) * $1::int
                     + floor(random() * $1::int)::int AS lot_id,
                   CASE WHEN p.channel = 'partner' THEN 2 + floor(random() * 10)::int
                        ELSE 1 + floor(random() ^ 2 * 4)::int END AS quantity
            FROM plan p, generate_series(1, p.lines)
        ) x
        JOIN lot ON lot.id = x.lot_id""",
        size.lots_per_day,
        LOTS_FROM,
        LOOKBACK_DAYS,
    )
    # What the hand-out service stores on each hand-out with its lines (net of returns).
    await conn.execute(
        """
        UPDATE distribution d SET units = t.units, kg = t.kg
        FROM (SELECT l.distribution_id, sum(l.quantity - l.returned) AS units,
                     sum((l.quantity - l.returned) * i.unit_weight_kg) AS kg
              FROM distribution_line l JOIN item i ON i.id = l.item_id GROUP BY 1) t
        WHERE t.distribution_id = d.id"""
    )
    await conn.execute(
        """
        INSERT INTO stock_movement (lot_id, kind, on_hand_delta, distribution_id, actor_id, occurred_at)
        SELECT l.lot_id, 'issue', -l.quantity, l.distribution_id, d.handed_over_by_id,
               (d.distributed_on + time '11:00') AT TIME ZONE 'Asia/Tokyo'
        FROM distribution_line l JOIN distribution d ON d.id = l.distribution_id
        ORDER BY l.id"""
    )
    await conn.execute(
        """
        INSERT INTO stock_movement (lot_id, kind, on_hand_delta, distribution_id, actor_id, occurred_at)
        SELECT l.lot_id, 'return', l.returned, l.distribution_id, d.handed_over_by_id,
               (d.distributed_on + time '16:00') AT TIME ZONE 'Asia/Tokyo'
        FROM distribution_line l JOIN distribution d ON d.id = l.distribution_id
        WHERE l.returned > 0
        ORDER BY l.id"""
    )


async def load_fates(conn: asyncpg.Connection) -> None:
    """Each lot's quantity received = what its lines took + what is left; some of what is left is
    disposed of (expired, damaged, recalled) or corrected at a stocktake; receipt movements for all."""
    await conn.execute("SELECT setseed(0.75)")
    await conn.execute(
        """
        CREATE TEMP TABLE fate ON COMMIT DROP AS
        SELECT lot.id, lot.received_date, coalesce(u.issued, 0) AS issued, coalesce(u.returned, 0) AS returned,
               CASE WHEN u.issued > 0 AND random() < 0.2 THEN 0 ELSE 1 + floor(random() * 24)::int END AS left_over,
               random() AS roll
        FROM lot
        LEFT JOIN (SELECT lot_id, sum(quantity) AS issued, sum(returned) AS returned
                   FROM distribution_line GROUP BY lot_id) u ON u.lot_id = lot.id"""
    )
    await conn.execute(
        """
        ALTER TABLE fate ADD COLUMN disposal text, ADD COLUMN disposed int DEFAULT 0, ADD COLUMN adjusted int DEFAULT 0;
        UPDATE fate SET disposal = CASE WHEN roll < 0.015 THEN 'expired' WHEN roll < 0.025 THEN 'damaged'
                                        ELSE 'recalled' END,
                        disposed = left_over + returned
        WHERE roll < 0.03 AND left_over + returned > 0;
        UPDATE fate SET adjusted = CASE WHEN roll < 0.04 THEN -1 ELSE 1 END
        WHERE roll >= 0.03 AND roll < 0.045 AND left_over + returned >= 2;
        UPDATE lot SET quantity_received = f.issued + f.left_over,
                       on_hand = f.left_over + f.returned - f.disposed + f.adjusted,
                       status = CASE WHEN f.disposal = 'recalled' THEN 'recalled' ELSE 'active' END,
                       hold_reason = CASE WHEN f.disposal = 'recalled' THEN 'メーカー自主回収' END
        FROM fate f WHERE f.id = lot.id;
        INSERT INTO stock_movement (lot_id, kind, on_hand_delta, actor_id, occurred_at)
        SELECT id, 'receipt', issued + left_over, 1, (received_date + time '10:00') AT TIME ZONE 'Asia/Tokyo'
        FROM fate ORDER BY id;
        INSERT INTO stock_movement (lot_id, kind, on_hand_delta, reason, actor_id, occurred_at)
        SELECT id, 'disposal', -disposed, disposal, 1,
               (least(received_date + 120, DATE '2026-03-31') + time '17:00') AT TIME ZONE 'Asia/Tokyo'
        FROM fate WHERE disposed > 0 ORDER BY id;
        INSERT INTO stock_movement (lot_id, kind, on_hand_delta, reason, actor_id, occurred_at)
        SELECT id, 'adjustment', adjusted, '棚卸差異', 1,
               (least(received_date + 100, DATE '2026-03-31') + time '17:30') AT TIME ZONE 'Asia/Tokyo'
        FROM fate WHERE adjusted <> 0 ORDER BY id;"""
    )


# --- (c) the summary's two heavy reads as they were before the aggregates ------------------------------

# Before migration 0011: hand-outs regrouped from their lines, and stock flows from every movement of the
# ledger, each dated through five joins. Kept here as the baseline of (a)'s `handouts` and `stock_flows`.
OLD_HANDOUTS = """
WITH d AS MATERIALIZED (
    SELECT d.id, d.household_id, d.channel, d.distributed_on, d.handed_over_by_id, d.walk_in,
           d.pantry_event_id, d.partner_programme_id, coalesce(d.people, 0) AS people,
           date_trunc('month', d.distributed_on)::date AS month,
           sum(l.quantity - l.returned) AS units,
           sum((l.quantity - l.returned) * i.unit_weight_kg) AS kg
    FROM distribution d
    JOIN distribution_line l ON l.distribution_id = d.id
    JOIN item i ON i.id = l.item_id
    WHERE d.distributed_on BETWEEN :first AND :last
    GROUP BY d.id
    HAVING sum(l.quantity - l.returned) > 0
""" + queries.HANDOUTS[queries.HANDOUTS.index("), individual AS (") :]  # noqa: S608 - the module's constants
OLD_STOCK_FLOWS = """
SELECT category,
       CASE WHEN day < :first THEN 'opening'
            WHEN kind = 'receipt' THEN 'receipt_' || receipt_kind
            WHEN kind IN ('issue', 'return') THEN 'distributed'
            WHEN kind = 'disposal' THEN 'disposal_' || reason
            ELSE kind::text END AS flow,
       CASE WHEN day >= :first THEN date_trunc('month', day)::date END AS month,
       sum(units) AS units, sum(kg) AS kg
FROM (SELECT sm.kind, sm.reason, sm.on_hand_delta AS units, sm.on_hand_delta * i.unit_weight_kg AS kg,
             c.code AS category, r.kind AS receipt_kind,
             CASE WHEN sm.kind = 'receipt' THEN r.received_date
                  WHEN sm.kind IN ('issue', 'return') AND dd.id IS NOT NULL THEN dd.distributed_on
                  ELSE (sm.occurred_at AT TIME ZONE 'Asia/Tokyo')::date END AS day
      FROM stock_movement sm
      JOIN lot l ON l.id = sm.lot_id
      JOIN receipt r ON r.id = l.receipt_id
      JOIN item i ON i.id = l.item_id
      JOIN category c ON c.id = i.category_id
      LEFT JOIN distribution dd ON dd.id = sm.distribution_id
      WHERE sm.on_hand_delta <> 0) m
WHERE day <= :last GROUP BY 1, 2, 3"""


async def old_reads(database: Database) -> tuple[Any, ...]:
    """The two reads the old way, in one REPEATABLE READ transaction with the report's work_mem."""
    async with database.transaction() as session:
        await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        await session.execute(text(f"SET LOCAL work_mem = '{services.REPORT_WORK_MEM}'"))
        params = {"first": FIRST, "last": LAST}
        handouts = (await session.execute(text(OLD_HANDOUTS), params)).mappings().one()
        flows = (await session.execute(text(OLD_STOCK_FLOWS), params)).all()
        return unordered(handouts), sorted(flows, key=repr)


def unordered(row: Any) -> dict[str, Any]:
    """A HANDOUTS row with its json_agg arrays sorted: their order is the plan's, not a figure."""
    out = {}
    for key, value in row.items():
        value = json.loads(value, parse_float=Decimal) if isinstance(value, str) else value
        out[key] = (
            sorted(value, key=lambda x: json.dumps(x, sort_keys=True, default=str))
            if isinstance(value, list)
            else value
        )
    return out


async def new_reads(database: Database) -> tuple[Any, ...]:
    """The same two reads as the summary makes them now (the per-day sums, the stored totals)."""
    async with database.transaction() as session:
        await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        await session.execute(text(f"SET LOCAL work_mem = '{services.REPORT_WORK_MEM}'"))
        params = {"first": FIRST, "last": LAST}
        handouts = (await session.execute(text(queries.HANDOUTS), params)).mappings().one()
        flows = (await session.execute(text(queries.STOCK_FLOWS), params)).all()
        return unordered(handouts), sorted(flows, key=repr)


# --- (b) the same figures by plain SQL --------------------------------------------------------------

# Hand-outs that count: in the year, with at least one unit not returned.
COUNTED = """
    SELECT d.* FROM distribution d
    WHERE d.distributed_on >= $1 AND d.distributed_on <= $2
      AND EXISTS (SELECT 1 FROM distribution_line l WHERE l.distribution_id = d.id AND l.returned < l.quantity)"""

PLAIN_SQL = {
    "by_channel": f"""
        SELECT channel, count(*) AS handouts, count(household_id) AS households, coalesce(sum(people), 0) AS people
        FROM ({COUNTED}) c GROUP BY channel""",  # noqa: S608 - composed of module constants
    # From the ledger, not from the lines: what left the shelves for each channel, net of returns.
    "by_channel_ledger": """
        SELECT d.channel, -sum(m.on_hand_delta) AS units, -sum(m.on_hand_delta * i.unit_weight_kg) AS kg
        FROM stock_movement m
        JOIN distribution d ON d.id = m.distribution_id
        JOIN lot ON lot.id = m.lot_id
        JOIN item i ON i.id = lot.item_id
        WHERE m.kind IN ('issue', 'return') AND d.distributed_on >= $1 AND d.distributed_on <= $2
        GROUP BY d.channel""",
    "individual": f"""
        SELECT count(*) AS households_total, count(DISTINCT household_id) AS households_distinct,
               coalesce(sum(people), 0) AS people_total,
               (SELECT count(*) FROM (SELECT DISTINCT distributed_on, channel, handed_over_by_id
                                      FROM ({COUNTED}) c2 WHERE channel IN ('delivery', 'pickup')) rounds)
                   AS occasions,
               (SELECT coalesce(sum(most), 0) FROM (SELECT max(people) AS most FROM ({COUNTED}) c3
                                                    WHERE channel IN ('delivery', 'pickup')
                                                    GROUP BY household_id) h) AS people_distinct
        FROM ({COUNTED}) c WHERE channel IN ('delivery', 'pickup')""",  # noqa: S608 - composed of module constants
    "all_channels": f"""
        SELECT count(household_id) AS households_total, count(DISTINCT household_id) AS households_distinct,
               coalesce(sum(people), 0) AS people_served_total
        FROM ({COUNTED}) c""",  # noqa: S608 - composed of module constants
    "pantry": f"""
        SELECT (SELECT count(*) FROM pantry_event
                WHERE status = 'closed' AND event_date >= $1 AND event_date <= $2) AS days_held,
               coalesce(sum(people), 0) AS people_served,
               count(household_id) AS households_total, count(DISTINCT household_id) AS households_distinct,
               count(*) FILTER (WHERE walk_in) AS walk_in_parcels,
               coalesce(sum(people) FILTER (WHERE walk_in), 0) AS walk_in_people
        FROM ({COUNTED}) c WHERE channel = 'pantry'""",  # noqa: S608 - composed of module constants
    "partners": f"""
        SELECT count(*) AS sessions, coalesce(sum(people), 0) AS people
        FROM ({COUNTED}) c WHERE channel = 'partner'""",  # noqa: S608 - composed of module constants
    # Received: the receipt movements of donated lots received in the year.
    "received": """
        SELECT dn.kind, count(DISTINCT r.id) AS donations, count(DISTINCT r.donor_id) AS donors,
               sum(m.on_hand_delta) AS units, sum(m.on_hand_delta * i.unit_weight_kg) AS kg
        FROM stock_movement m
        JOIN lot ON lot.id = m.lot_id
        JOIN receipt r ON r.id = lot.receipt_id
        JOIN donor dn ON dn.id = r.donor_id
        JOIN item i ON i.id = lot.item_id
        WHERE m.kind = 'receipt' AND r.kind = 'donation' AND lot.parent_lot_id IS NULL
          AND r.received_date >= $1 AND r.received_date <= $2
        GROUP BY dn.kind""",
    "disposed": """
        SELECT m.reason, -sum(m.on_hand_delta) AS units, -sum(m.on_hand_delta * i.unit_weight_kg) AS kg
        FROM stock_movement m JOIN lot ON lot.id = m.lot_id JOIN item i ON i.id = lot.item_id
        WHERE m.kind = 'disposal'
          AND (m.occurred_at AT TIME ZONE 'Asia/Tokyo')::date >= $1
          AND (m.occurred_at AT TIME ZONE 'Asia/Tokyo')::date <= $2
        GROUP BY m.reason""",
    # Nothing moved after the year: the stock at its end is what the lots hold now.
    "closing": """
        SELECT coalesce(sum(lot.on_hand), 0) AS units, coalesce(sum(lot.on_hand * i.unit_weight_kg), 0) AS kg
        FROM lot JOIN item i ON i.id = lot.item_id""",
}

Figures = dict[str, Any]


async def plain_sql(conn: asyncpg.Connection) -> Figures:
    """The headline figures, keyed as `report_figures` keys them."""
    rows = {name: await conn.fetch(sql, FIRST, LAST) if "$1" in sql else await conn.fetch(sql) for name, sql in
            PLAIN_SQL.items()}  # fmt: skip
    out: Figures = {}
    ledger_by_channel = {r["channel"]: r for r in rows["by_channel_ledger"]}
    for r in rows["by_channel"]:
        channel = r["channel"]
        out |= {
            f"{channel}: hand-outs": r["handouts"],
            f"{channel}: households 延べ": r["households"],
            f"{channel}: people": r["people"],
            f"{channel}: units": ledger_by_channel[channel]["units"],
            f"{channel}: kg": ledger_by_channel[channel]["kg"],
        }
    i = rows["individual"][0]
    out |= {
        "individual: occasions": i["occasions"],
        "individual: households 延べ": i["households_total"],
        "individual: households 実": i["households_distinct"],
        "individual: people 延べ": i["people_total"],
        "individual: people 実": i["people_distinct"],
    }
    h = rows["all_channels"][0]
    out |= {
        "all channels: households 延べ": h["households_total"],
        "all channels: households 実": h["households_distinct"],
        "all channels: people 延べ": h["people_served_total"],
    }
    p = rows["pantry"][0]
    out |= {
        "pantry: days held": p["days_held"],
        "pantry: people served": p["people_served"],
        "pantry: households 延べ": p["households_total"],
        "pantry: households 実": p["households_distinct"],
        "pantry: walk-in parcels": p["walk_in_parcels"],
        "pantry: walk-in people": p["walk_in_people"],
    }
    s = rows["partners"][0]
    out |= {"partners: sessions": s["sessions"], "partners: people": s["people"]}
    for r in rows["received"]:
        out |= {
            f"received from {r['kind']}: donations 延べ": r["donations"],
            f"received from {r['kind']}: donors 実": r["donors"],
            f"received from {r['kind']}: units": r["units"],
            f"received from {r['kind']}: kg": r["kg"],
        }
    for r in rows["disposed"]:
        out |= {f"disposed {r['reason']}: units": r["units"], f"disposed {r['reason']}: kg": r["kg"]}
    c = rows["closing"][0]
    out |= {"stock at year end: units": c["units"], "stock at year end: kg": c["kg"]}
    return out


def report_figures(summary: AnnualSummary) -> Figures:
    """The same figures, read from the summary (rows with nothing in them are left out, as SQL has no row)."""
    out: Figures = {}
    for row in summary.distributed_by_channel:
        if row.count:
            out |= {
                f"{row.key}: hand-outs": row.count,
                f"{row.key}: households 延べ": row.households,
                f"{row.key}: people": row.people,
                f"{row.key}: units": row.units,
                f"{row.key}: kg": row.kg,
            }
    i = summary.individual_support
    out |= {
        "individual: occasions": i.occasions,
        "individual: households 延べ": i.households_total,
        "individual: households 実": i.households_distinct,
        "individual: people 延べ": i.people_total,
        "individual: people 実": i.people_distinct,
    }
    h = summary.households_served
    out |= {
        "all channels: households 延べ": h.households_total,
        "all channels: households 実": h.households_distinct,
        "all channels: people 延べ": summary.people_served_total,
    }
    p = summary.pantry
    out |= {
        "pantry: days held": p.days_held,
        "pantry: people served": p.people_served,
        "pantry: households 延べ": p.households_total,
        "pantry: households 実": p.households_distinct,
        "pantry: walk-in parcels": p.walk_in_parcels,
        "pantry: walk-in people": p.walk_in_people,
    }
    out |= {"partners: sessions": summary.partners.sessions, "partners: people": summary.partners.people}
    for row in summary.received_by_donor_kind:
        if row.count:
            out |= {
                f"received from {row.key}: donations 延べ": row.count,
                f"received from {row.key}: donors 実": row.distinct,
                f"received from {row.key}: units": row.units,
                f"received from {row.key}: kg": row.kg,
            }
    for row in summary.disposals:
        if row.units:
            out |= {f"disposed {row.key}: units": row.units, f"disposed {row.key}: kg": row.kg}
    out |= {"stock at year end: units": summary.stock.closing.units, "stock at year end: kg": summary.stock.closing.kg}
    return out


def same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a).quantize(Decimal("0.001")) == Decimal(b)
    return bool(a == b)


# --- timing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reads:
    """(c): the summary's two heavy reads from the aggregates, and the old way, in the same run."""

    old: Times
    new: Times
    equal: bool


@dataclass
class Times:
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def __str__(self) -> str:
        return f"{self.median:>8.2f}{min(self.seconds):>8.2f}{max(self.seconds):>8.2f}"


async def timed(repeats: int, work: Callable[[], Any]) -> tuple[Times, Any]:
    """Run `work` (a coroutine function or a plain one) `repeats` times; its times and last result."""
    times, result = Times(), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        if inspect.isawaitable(result):
            result = await result
        times.seconds.append(time.perf_counter() - started)
    return times, result


QUERY_FUNCTIONS = (
    "handouts",
    "received",
    "stock_flows",
    "pantry_days",
    "partner_programmes",
    "appliances",
    "referrals",
    "category_names",
)


@contextmanager
def query_clock(spent: dict[str, list[float]]) -> Iterator[None]:
    """Time each `foodbank.reports.queries` function as `build_annual_summary` calls it."""
    originals = {name: getattr(queries, name) for name in QUERY_FUNCTIONS}

    def clocked(name: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                spent.setdefault(name, []).append(time.perf_counter() - started)

        return run

    for name, function in originals.items():
        setattr(queries, name, clocked(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(queries, name, function)


@dataclass
class Statement:
    sql: str
    parameters: Any
    seconds: float


@contextmanager
def statement_clock(database: Database, statements: list[Statement]) -> Iterator[None]:
    """Every statement the engine runs, with its parameters and time (for EXPLAIN of the slowest)."""
    engine = database.engine.sync_engine
    starts: list[float] = []

    def before(*_: Any) -> None:
        starts.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        statements.append(Statement(sql, parameters, time.perf_counter() - starts.pop()))

    sqlalchemy_event.listen(engine, "before_cursor_execute", before)
    sqlalchemy_event.listen(engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", before)
        sqlalchemy_event.remove(engine, "after_cursor_execute", after)


async def build(database: Database) -> AnnualSummary:
    async with database.sessionmaker() as session:  # no transaction yet: the service opens its snapshot
        return await services.build_annual_summary(
            session, fiscal_year=FISCAL_YEAR, start_month=4, organisation=ORGANISATION, today=TODAY
        )


# --- the report ------------------------------------------------------------------------------------


def machine_facts(pg_version: str, server: Server, settings: dict[str, str]) -> list[str]:
    cpuinfo = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip()
        for line in (cpuinfo.read_text() if cpuinfo.exists() else "").splitlines()
        if line.startswith("model name")
    ]
    cpu = models[0] if models else platform.processor() or "unknown CPU"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    libraries = ", ".join(
        f"{name} {version(name)}" for name in ("sqlalchemy", "asyncpg", "weasyprint", "openpyxl", "jinja2")
    )
    config = ", ".join(f"{key} {value}" for key, value in settings.items())
    return [
        f"machine     {os.cpu_count()} CPUs ({cpu}), {memory:.0f} GB, {platform.system()} {platform.machine()}",
        f"Python      {platform.python_version()} ({platform.python_implementation()})",
        f"PostgreSQL  {pg_version} ({server.description}); {config}",
        f"libraries   {libraries}",
        "load        {:.2f} {:.2f} {:.2f} (1, 5, 15 min average) at the end; other work skews the figures".format(
            *os.getloadavg()
        ),
    ]


def pdf_pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


async def explain(dsn: str, statements: list[Statement], top: int) -> None:
    slowest = sorted(statements, key=lambda s: s.seconds, reverse=True)[:top]
    conn = await asyncpg.connect(dsn)
    try:
        for n, statement in enumerate(slowest, start=1):
            print(
                f"\nEXPLAIN (ANALYZE, BUFFERS) of the summary's statement #{n} ({statement.seconds:.2f} s in the run):"
            )
            print("   " + " ".join(statement.sql.split())[:300] + " ...")
            parameters = statement.parameters if isinstance(statement.parameters, (tuple, list)) else ()
            for row in await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql, *parameters):
                print("   " + row[0])
    finally:
        await conn.close()


async def main(args: argparse.Namespace) -> None:
    size = QUICK if args.quick else FULL
    if args.lines:
        size = Size(args.lines, max(1_000, args.lines // 50), size.pantry_days, size.repeats)
    if args.repeats:
        size = Size(size.lines, size.households, size.pantry_days, args.repeats)
    main_task = asyncio.current_task()
    if main_task is not None:  # SIGTERM cancels the run like Ctrl-C does, so that the cluster is still destroyed
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    async with postgres_server() as server:
        name = await server.create_database("report")
        url = server.url(name)
        dsn = asyncpg_dsn(url)
        print(f"migrating; loading a year of {size.lines:,} distribution lines ...", file=sys.stderr)
        await migrate.upgrade(url)
        loaded = await load_year(dsn, size, rng)
        conn = await asyncpg.connect(dsn)
        try:
            pg_version = await conn.fetchval("SHOW server_version")
            settings = {key: await conn.fetchval(f"SHOW {key}") for key in ("shared_buffers", "work_mem")}
            settings["parallel workers per gather"] = await conn.fetchval("SHOW max_parallel_workers_per_gather")
        finally:
            await conn.close()

        database = Database.connect(url, pool_size=2)
        try:
            async with database.transaction() as session:
                loaded.ledger_differences = len(await ledger.verify(session))
            print(f"(a) build_annual_summary, {size.repeats} times ...", file=sys.stderr)
            spent: dict[str, list[float]] = {}
            statements: list[Statement] = []
            with query_clock(spent), statement_clock(database, statements):
                report_times, summary = await timed(size.repeats, lambda: build(database))
            print(f"(c) the two heavy reads, old and new, {size.repeats} times each ...", file=sys.stderr)
            old_times, old_result = await timed(size.repeats, lambda: old_reads(database))
            new_times, new_result = await timed(size.repeats, lambda: new_reads(database))
            reads = Reads(old_times, new_times, old_result == new_result)
            print(f"(b) plain SQL, {size.repeats} times ...", file=sys.stderr)
            conn = await asyncpg.connect(dsn)
            try:
                sql_times, sql_figures = await timed(size.repeats, lambda: plain_sql(conn))
            finally:
                await conn.close()
            print("rendering the summary ...", file=sys.stderr)
            await services.summary_pdf(summary, "ja")  # warm-up: WeasyPrint loaded, fonts found
            renders = {
                "PDF (ja), render_pdf: Jinja2 + WeasyPrint": await timed(
                    size.repeats, lambda: services.summary_pdf(summary, "ja")
                ),
                "Excel workbook (ja), to_xlsx": await timed(size.repeats, lambda: to_xlsx(summary)),
                "CSV (ja), to_csv": await timed(size.repeats, lambda: to_csv(summary)),
                "HTML page (ja), summary_html": await timed(
                    size.repeats, lambda: services.summary_html(summary, "ja").encode()
                ),
            }
        finally:
            await database.dispose()

        print_report(
            machine_facts(pg_version, server, settings),
            size,
            loaded,
            report_times,
            spent,
            sql_times,
            report_figures(summary),
            sql_figures,
            renders,
            reads,
        )
        if args.explain:
            last_run = statements[-len(statements) // size.repeats :]
            await explain(dsn, last_run, args.explain)


def print_report(
    facts: list[str],
    size: Size,
    loaded: Loaded,
    report_times: Times,
    spent: dict[str, list[float]],
    sql_times: Times,
    report: Figures,
    sql: Figures,
    renders: dict[str, tuple[Times, bytes]],
    reads: Reads,
) -> None:
    print()
    print(f"foodbank report benchmark, {time.strftime('%Y-%m-%d %H:%M')}")
    for line in facts:
        print("  " + line)
    print()
    handouts = ", ".join(f"{channel} {loaded.handouts[channel]:,}" for channel in CHANNEL_SHARES)
    lines = ", ".join(f"{channel} {loaded.lines[channel]:,}" for channel in CHANNEL_SHARES)
    print(
        f"Data: {rules.japanese_year_label(FISCAL_YEAR)} / {rules.english_year_label(FISCAL_YEAR)} "
        f"({FIRST} to {LAST}): {sum(loaded.lines.values()):,} distribution lines in {sum(loaded.handouts.values()):,} "
        f"hand-outs"
    )
    print(f"   hand-outs by channel: {handouts}")
    print(f"   lines by channel:     {lines}")
    print(
        "   in all (with Feb-Mar 2025): "
        + ", ".join(f"{table} {count:,}" for table, count in loaded.rows.items())
        + f"; {size.pantry_days} pantry days held in the year, 2 cancelled"
    )
    print(
        f"   loaded in {loaded.seconds:.1f} s, VACUUM ANALYZE {loaded.analyze_seconds:.1f} s; every lot's balance "
        f"equals its ledger (ledger.verify): {'yes' if loaded.ledger_differences == 0 else 'NO'}"
    )
    print()
    print(f"   {'seconds, over ' + str(size.repeats) + ' runs':<64}{'median':>8}{'min':>8}{'max':>8}")
    print(f"   {'(a) build_annual_summary, end to end (fresh session each run)':<64}{report_times}")
    for name in QUERY_FUNCTIONS:
        if name in spent:
            print(f"   {'      queries.' + name:<64}{Times(spent[name])}")
    print(f"   {'(b) the headline figures by plain SQL (asyncpg, one connection)':<64}{sql_times}")
    print(f"   {'(c) handouts + stock_flows SQL from the aggregates (as in (a))':<64}{reads.new}")
    print(f"   {'    baseline: the same two, regrouping lines and the whole ledger':<64}{reads.old}")
    print(f"   {'    (a) / (b): ' + f'{report_times.median / sql_times.median:.2f}x':<64}")
    same_rows = "equal" if reads.equal else "DIFFERENT"
    print(f"   {'    old / new: ' + f'{reads.old.median / reads.new.median:.1f}x, rows ' + same_rows:<64}")
    print()
    keys = list(dict.fromkeys([*report, *sql]))
    differ = [key for key in keys if not same(report.get(key), sql.get(key))]
    print(f"   agreement: {len(keys) - len(differ)} of {len(keys)} figures equal in (a) and (b)")
    print(f"   {'figure':<48}{'(a) report':>20}{'(b) plain SQL':>20}")
    for key in keys:
        mark = "" if key not in differ else "   <- DIFFERENT"
        print(f"   {padded(key, 48)}{report.get(key)!s:>20}{sql.get(key)!s:>20}{mark}")
    print()
    print(f"   {'rendering the summary (after one warm-up PDF)':<64}{'median':>8}{'min':>8}{'max':>8}   size")
    for name, (times, body) in renders.items():
        extra = f", {pdf_pages(body)} pages" if body.startswith(b"%PDF") else ""
        print(f"   {name:<64}{times}   {len(body):,} bytes{extra}")


def padded(text: str, width: int) -> str:
    """Left-aligned in `width` columns of a terminal, where 延 and 実 take two."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK.lines:,} lines instead of {FULL.lines:,}")
    parser.add_argument("--lines", type=int, default=None, help="distribution lines in the year")
    parser.add_argument("--repeats", type=int, default=None, help=f"runs of each timing (default {FULL.repeats})")
    parser.add_argument(
        "--explain",
        type=int,
        nargs="?",
        const=2,
        default=0,
        metavar="N",
        help="print EXPLAIN (ANALYZE, BUFFERS) of the summary's N slowest statements (default 2)",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    try:
        asyncio.run(main(parse_args()))
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.exit(130)
