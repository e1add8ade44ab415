"""Stock benchmark: what the layers of the stack cost on the two hot paths of a food bank's day.

Run from the repository root:

    .venv/bin/python bench/stock_bench.py            # full size, about a minute on 2 cores
    .venv/bin/python bench/stock_bench.py --quick    # a smaller run, for trying it
    .venv/bin/python bench/stock_bench.py --profile  # also cProfile the HTTP receipts

It prints figures, not verdicts; nothing here asserts.

1. Receiving. A warehouse volunteer posts receipts (here 200 receipts of 20 lines, from 4 concurrent
   clients) to the real application built by `create_app`, driven in-process through httpx's
   `ASGITransport` with a Bearer token, so the figure includes routing, authentication, the marshmallow
   DTOs, the service's checks, the ORM, the audit event and the response, but no network. Next to it
   the same rows (receipt, lots, one `receipt` movement per lot) are written by hand with raw asyncpg,
   one transaction per receipt, from as many connections. The ratio is the price of the framework and
   of the service's checks for each receipt. Both write into a warehouse that already holds the
   20,000 lots of part 2 (on a copy), so that table sizes are realistic.

2. Allocation. A pantry day for 300 households of 12 items each is allocated first-expired-first-out
   from 20,000 lots: (a) the pure allocator `fefo.allocate_many` on candidate lots built once; (b) the
   service path, which locks and loads the candidates through the ORM (`services.lock_candidates`,
   `services.candidate`) and then allocates, in a transaction that is rolled back; (c) one hand-written
   SQL query per household (running sums per item over the FEFO order, with the same eligibility rules)
   run 300 times. The SQL baseline answers each household against the untouched stock, while (a) and (b)
   let each household use up what the next one no longer gets: it shows what the database alone would
   take, not an alternative implementation. Because each household is answered against the untouched
   stock, every SQL answer can be checked against `fefo.allocate` for that household alone: the first
   household, and all of them, are compared. Then the day's whole stock work, written and rolled back:
   (d) the ORM path allocation took before (kept here as the baseline: ORM lots, a flush per parcel),
   (e) the path `pantry.services.allocate` takes now (`stock.candidate_lots`, a Core SELECT ... FOR
   UPDATE returning plain rows, and allocation's `_reserve`, one statement per table), and (f) a plain
   asyncpg SELECT ... FOR UPDATE of the same rows, the floor for (e)'s lock and load.

The benchmark starts its own throwaway PostgreSQL cluster (tmpfs, fsync off, as the test suite does),
or uses FOODBANK_BENCH_DATABASE_URL (a server it may create and drop databases on), and removes what
it created at the end, also after an error, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import platform
import pstats
import random
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import asyncpg
from httpx import ASGITransport, AsyncClient
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from a checkout

from foodbank.accounts import services as accounts
from foodbank.app import create_app
from foodbank.catalogue import barcodes
from foodbank.catalogue import services as catalogue
from foodbank.config import DatabaseSettings, SecuritySettings, Settings
from foodbank.lib import migrate
from foodbank.lib.db import Database
from foodbank.lib.pgcluster import LocalCluster
from foodbank.models import (
    Channel,
    DonorKind,
    Lot,
    MovementKind,
    Reservation,
    ReservationLine,
    ReservationPurpose,
    Role,
    Unit,
    Zone,
)
from foodbank.pantry.services import allocation
from foodbank.picking import fefo
from foodbank.picking.fefo import DateKind
from foodbank.stock import ledger, services

TODAY = date(2026, 11, 27)
PANTRY_DAY = TODAY + timedelta(days=1)
CHANNEL = Channel.pantry
SEED = 20261127


@dataclass(frozen=True)
class Size:
    receipts: int
    lines_per_receipt: int
    clients: int
    items: int
    lots: int
    households: int
    items_per_household: int
    repeats: int  # (a), (b) and (c) are timed this many times; the median is shown


FULL = Size(
    receipts=200,
    lines_per_receipt=20,
    clients=4,
    items=300,
    lots=20_000,
    households=300,
    items_per_household=12,
    repeats=5,
)
QUICK = Size(
    receipts=40,
    lines_per_receipt=20,
    clients=4,
    items=80,
    lots=2_000,
    households=40,
    items_per_household=12,
    repeats=2,
)


# --- the server and its databases ------------------------------------------------------------------


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Server:
    """A PostgreSQL server on which the benchmark creates (and afterwards drops) its databases."""

    base_url: str  # SQLAlchemy URL of a database we may connect to for CREATE DATABASE
    description: str
    created: list[str] = field(default_factory=list)

    def url(self, database: str) -> str:
        return make_url(self.base_url).set(database=database).render_as_string(hide_password=False)

    async def admin(self, sql: str) -> None:
        conn = await asyncpg.connect(asyncpg_dsn(self.base_url))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def create_database(self, suffix: str, template: str | None = None) -> str:
        name = f"foodbank_bench_{os.getpid()}_{suffix}"
        await self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.created.append(name)
        return name

    async def drop_created(self) -> None:
        for name in reversed(self.created):
            await self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


@asynccontextmanager
async def postgres_server() -> AsyncIterator[Server]:
    """FOODBANK_BENCH_DATABASE_URL if set, else a throwaway cluster that is destroyed on the way out."""
    if external := os.environ.get("FOODBANK_BENCH_DATABASE_URL"):
        server = Server(external, "FOODBANK_BENCH_DATABASE_URL")
        try:
            yield server
        finally:
            await server.drop_created()
        return
    cluster = LocalCluster.new_throwaway()
    try:
        cluster.start()
        place = "tmpfs" if str(cluster.data_root).startswith("/dev/shm") else "disk"  # noqa: S108
        yield Server(cluster.url("postgres"), f"throwaway cluster on {place}, fsync and synchronous_commit off")
    finally:
        cluster.destroy()  # not in a thread: it must also run while the task is being cancelled (Ctrl-C)


# --- the catalogue: categories, items, locations, a donor and a signed-in volunteer ----------------

# code, Japanese and English name, minimum days of best-before at receipt / individual / pantry / partner
CATEGORIES = [
    ("staples", "主食", "Staples", 30, 14, 7, 3),
    ("canned", "缶詰・レトルト", "Canned and retort food", 60, 30, 14, 7),
    ("noodles", "麺類", "Noodles", 30, 14, 7, 3),
    ("seasoning", "調味料", "Seasonings", 30, 14, 7, 3),
    ("snacks", "菓子", "Snacks", 14, 7, 3, 1),
    ("drinks", "飲料", "Drinks", 30, 14, 7, 3),
    ("dairy", "乳製品", "Dairy", 2, 1, 1, 0),
    ("deli", "パン・惣菜", "Bread and deli", 1, 0, 0, 0),
    ("frozen", "冷凍食品", "Frozen food", 30, 14, 7, 3),
    ("baby", "ベビー用品", "Baby goods", 60, 30, 14, 7),
    ("household", "日用品", "Household goods", 0, 0, 0, 0),
]
ALLERGEN_CHOICES = ["wheat", "soybean", "milk", "egg", "pork", "chicken", "beef", "sesame", "shrimp", "mackerel"]
AVOIDED_BY_HOUSEHOLDS = ["wheat", "milk", "egg", "peanut", "shrimp", "soybean", "buckwheat"]
LOCATIONS = {Zone.ambient: 12, Zone.chilled: 4, Zone.frozen: 3}


@dataclass(frozen=True)
class ItemInfo:
    id: int
    date_kind: DateKind
    zone: Zone
    popularity: float


@dataclass
class Catalogue:
    items: list[ItemInfo]
    locations: dict[Zone, list[int]]
    donor_id: int
    user_id: int
    token: str


# Per category: (share, zone, date kind, unit) choices, roughly as donations arrive. Salt, sugar and the
# like carry no date at all in Japan; household goods and some baby goods neither.
KINDS: dict[str, list[tuple[float, Zone, DateKind, Unit]]] = {
    "staples": [
        (0.3, Zone.ambient, DateKind.crop_year, Unit.bag),
        (0.7, Zone.ambient, DateKind.best_before, Unit.pack),
    ],
    "dairy": [(0.6, Zone.chilled, DateKind.use_by, Unit.bottle), (0.4, Zone.chilled, DateKind.best_before, Unit.piece)],
    "deli": [(1.0, Zone.chilled, DateKind.use_by, Unit.pack)],
    "frozen": [(1.0, Zone.frozen, DateKind.best_before, Unit.pack)],
    "household": [(1.0, Zone.ambient, DateKind.none, Unit.piece)],
    "baby": [(0.3, Zone.ambient, DateKind.none, Unit.pack), (0.7, Zone.ambient, DateKind.best_before, Unit.can)],
}
OTHER_KINDS = [(0.05, Zone.ambient, DateKind.none, Unit.piece), (0.95, Zone.ambient, DateKind.best_before, Unit.can)]


def item_kind(rng: random.Random, category: str) -> tuple[Zone, DateKind, Unit]:
    choices = KINDS.get(category, OTHER_KINDS)
    _, zone, kind, unit = rng.choices(choices, [share for share, *_ in choices])[0]
    return zone, kind, unit


def jan13(n: int) -> str:
    """The n-th JAN-13 of the bench's items: prefix 49 (Japan), then n, then the GS1 check digit."""
    body = f"49{n:010d}"
    return body + str(barcodes.check_digit(body))


async def seed_catalogue(database: Database, rng: random.Random, size: Size) -> Catalogue:
    """Built through the services, as an installation's own data would be."""
    async with database.transaction() as s:
        categories = [
            await catalogue.create_category(
                s,
                actor_id=None,
                code=code,
                name_ja=ja,
                name_en=en,
                min_days_at_receipt=receipt,
                min_days_individual=individual,
                min_days_pantry=pantry,
                min_days_partner=partner,
            )
            for code, ja, en, receipt, individual, pantry, partner in CATEGORIES
        ]
        items = []
        for n in range(size.items):
            category = categories[n % len(categories)]
            zone, kind, unit = item_kind(rng, category.code)
            known = rng.random() > 0.04  # a few donated items whose label could not be read
            allergens = rng.sample(ALLERGEN_CHOICES, rng.choice([0, 0, 1, 1, 2, 3])) if known else []
            item = await catalogue.create_item(
                s,
                actor_id=None,
                name_ja=f"{category.name_ja} {n + 1:03d}",
                name_en=None,
                category_id=category.id,
                unit=unit,
                unit_weight_kg=Decimal("0.500"),
                barcode=jan13(n),
                zone=zone,
                date_kind=kind,
                allergens=allergens,
                allergens_known=known,
            )
            items.append(ItemInfo(item.id, kind, zone, rng.paretovariate(1.5)))
        depot = await catalogue.create_warehouse(s, actor_id=None, name="山武倉庫", address=None)
        locations: dict[Zone, list[int]] = {}
        for zone, count in LOCATIONS.items():
            for n in range(count):
                code = f"{zone.value[0].upper()}-{n + 1:02d}"
                location = await catalogue.create_location(
                    s, actor_id=None, warehouse_id=depot.id, code=code, zone=zone
                )
                locations.setdefault(zone, []).append(location.id)
        donor = await catalogue.create_donor(
            s, actor_id=None, kind=DonorKind.company, name="株式会社さんぶ食品", contact=None, is_anonymous=False
        )
        user = await accounts.create_user(
            s,
            actor_id=None,
            username="bench-warehouse",
            display_name="Bench",
            password=None,
            roles=[Role.warehouse],
            agency_id=None,
            settings=SecuritySettings(),
        )
        _, token = await accounts.create_token(s, actor_id=None, user_id=user.id, name="bench", expires_at=None)
    return Catalogue(items, locations, donor.id, user.id, token)


# --- lots with varied dates -------------------------------------------------------------------------


def month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


@dataclass(frozen=True)
class LotDates:
    expiry: date | None
    precision: str | None
    crop_year: int | None


def label_dates(rng: random.Random, kind: DateKind, received: date) -> LotDates:
    """Dates a lot of this kind received on that day might carry."""
    if kind is DateKind.use_by:
        return LotDates(received + timedelta(days=rng.randint(1, 10)), "day", None)
    if kind is DateKind.best_before:
        days = rng.randint(0, 30) if rng.random() < 0.1 else rng.randint(30, 720)  # some donations arrive short-dated
        expiry = received + timedelta(days=days)
        if days > 90 and rng.random() < 0.3:
            return LotDates(month_end(expiry), "month", None)  # 年月 only on the label
        return LotDates(expiry, "day", None)
    if kind is DateKind.crop_year:
        harvest = received.year if received.month >= 9 else received.year - 1
        return LotDates(None, None, harvest - (rng.random() < 0.2))
    return LotDates(None, None, None)


def received_dates(rng: random.Random, count: int) -> list[date]:
    """Mostly recent receipts, a long tail back to about eighteen months."""
    return [TODAY - timedelta(days=min(540, int(rng.expovariate(1 / 90)))) for _ in range(count)]


async def bulk_load_lots(dsn: str, rng: random.Random, cat: Catalogue, count: int) -> Counter[str]:
    """Receipts of 1-8 lines, their lots, and a ledger that agrees with every balance.

    Most lots are full; some were partly or wholly handed out (issue movements), some are partly reserved
    (an open reservation with its lines and movements), a few are on hold or recalled.
    """
    receipts: list[tuple[date, int]] = []  # (received date, number of lines)
    left = count
    while left:
        lines = min(left, rng.randint(1, 8))
        receipts.append((received_dates(rng, 1)[0], lines))
        left -= lines
    weights = [item.popularity for item in cat.items]
    facts: Counter[str] = Counter()
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            receipt_ids = await conn.fetchval(
                "SELECT array_agg(nextval(pg_get_serial_sequence('receipt', 'id'))) FROM generate_series(1, $1)",
                len(receipts),
            )
            await conn.copy_records_to_table(
                "receipt",
                columns=["id", "kind", "donor_id", "received_date", "received_by_id"],
                records=[
                    (rid, "donation", cat.donor_id, day, cat.user_id)
                    for rid, (day, _) in zip(receipt_ids, receipts, strict=True)
                ],
            )
            reservation_id = await conn.fetchval(
                "INSERT INTO reservation (purpose, channel, distribution_date, created_by_id)"
                " VALUES ('pantry_event', 'pantry', $1, $2) RETURNING id",
                TODAY,
                cat.user_id,
            )
            lot_ids = await conn.fetchval(
                "SELECT array_agg(nextval(pg_get_serial_sequence('lot', 'id'))) FROM generate_series(1, $1)", count
            )
            lots, movements, reservation_lines = [], [], []
            ids = iter(lot_ids)
            for receipt_id, (day, lines) in zip(receipt_ids, receipts, strict=True):
                for line_no, item in enumerate(rng.choices(cat.items, weights, k=lines), start=1):
                    lot_id = next(ids)
                    dates = label_dates(rng, item.date_kind, day)
                    received = rng.randint(1, 48)
                    on_hand, reserved = received, 0
                    movements.append((lot_id, "receipt", received, 0, None, cat.user_id))
                    roll = rng.random()
                    if roll < 0.05:
                        on_hand = 0
                    elif roll < 0.15 and received > 1:
                        on_hand = rng.randint(1, received - 1)
                    if on_hand < received:
                        movements.append((lot_id, "issue", on_hand - received, 0, None, cat.user_id))
                        facts["partly or wholly issued"] += 1
                    if on_hand > 1 and rng.random() < 0.03:
                        reserved = rng.randint(1, on_hand - 1)
                        movements.append((lot_id, "reservation", 0, reserved, reservation_id, cat.user_id))
                        reservation_lines.append((reservation_id, lot_id, item.id, reserved))
                        facts["partly reserved"] += 1
                    status, reason = "active", None
                    if (roll := rng.random()) < 0.01:
                        status, reason = "recalled", "メーカー自主回収"
                    elif roll < 0.04:
                        status, reason = "on_hold", "外箱破損の確認中"
                    if status != "active":
                        facts[status] += 1
                    facts[item.date_kind.value] += 1
                    lots.append(
                        (
                            lot_id,
                            item.id,
                            receipt_id,
                            line_no,
                            rng.choice(cat.locations[item.zone]),
                            dates.expiry,
                            dates.precision,
                            dates.crop_year,
                            day,
                            received,
                            on_hand,
                            reserved,
                            status,
                            reason,
                        )
                    )
            await conn.copy_records_to_table(
                "lot",
                columns=[
                    "id",
                    "item_id",
                    "receipt_id",
                    "receipt_line_no",
                    "location_id",
                    "expiry_date",
                    "date_precision",
                    "crop_year",
                    "received_date",
                    "quantity_received",
                    "on_hand",
                    "reserved",
                    "status",
                    "hold_reason",
                ],
                records=lots,
            )
            await conn.copy_records_to_table(
                "stock_movement",
                columns=["lot_id", "kind", "on_hand_delta", "reserved_delta", "reservation_id", "actor_id"],
                records=movements,
            )
            await conn.copy_records_to_table(
                "reservation_line",
                columns=["reservation_id", "lot_id", "item_id", "quantity"],
                records=reservation_lines,
            )
            facts["receipts"] = len(receipts)
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return facts


# --- 1. receipts per second ---------------------------------------------------------------------------


WARM_UP = 20  # receipts sent first and not timed: imports, caches, the connection pool


def receipt_bodies(rng: random.Random, cat: Catalogue, size: Size) -> list[dict[str, Any]]:
    """What volunteers type in: `lines_per_receipt` lines per receipt, dates that fit each item (the warm-up first)."""
    bodies = []
    for day in received_dates(rng, WARM_UP + size.receipts):
        lines = []
        for item in rng.sample(cat.items, size.lines_per_receipt):
            dates = label_dates(rng, item.date_kind, day)
            line: dict[str, Any] = {
                "item_id": item.id,
                "quantity": rng.randint(1, 48),
                "location_id": rng.choice(cat.locations[item.zone]),
            }
            if dates.expiry is not None:
                line["expiry"] = (
                    dates.expiry.strftime("%Y-%m") if dates.precision == "month" else dates.expiry.isoformat()
                )
            if dates.crop_year is not None:
                line["crop_year"] = dates.crop_year
            lines.append(line)
        bodies.append({"donor_id": cat.donor_id, "received_date": day.isoformat(), "lines": lines})
    return bodies


@dataclass(frozen=True)
class Rate:
    seconds: float
    cpu_seconds: float  # of this process (client, app and driver), not of the PostgreSQL server
    count: int
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] * 1000


async def run_clients(jobs: Sequence[Any], clients: int, work: Callable[[int, Any], Awaitable[None]]) -> Rate:
    """`clients` workers take jobs from one queue until it is empty; returns the wall time and latencies."""
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    latencies: list[float] = []

    async def worker(n: int) -> None:
        while not queue.empty():
            job = queue.get_nowait()
            started = time.perf_counter()
            await work(n, job)
            latencies.append(time.perf_counter() - started)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(n) for n in range(clients)))
    return Rate(time.perf_counter() - started, time.process_time() - cpu, len(jobs), latencies)


async def receipts_through_api(url: str, cat: Catalogue, bodies: list[dict[str, Any]], clients: int) -> Rate:
    settings = Settings(database=DatabaseSettings(url=url, pool_size=10), log_level="WARNING", log_json=False)
    database = Database.connect(url, pool_size=10)
    app = create_app(settings, database)
    headers = {"Authorization": f"Bearer {cat.token}"}
    try:
        transport = ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar's ASGI types are narrower
        async with AsyncClient(transport=transport, base_url="http://bench") as client:

            async def post(_: int, body: dict[str, Any]) -> None:
                response = await client.post("/api/receipts", json=body, headers=headers)
                if response.status_code != 201:
                    raise RuntimeError(f"POST /api/receipts answered {response.status_code}: {response.text[:500]}")

            await run_clients(bodies[:WARM_UP], clients, post)
            return await run_clients(bodies[WARM_UP:], clients, post)
    finally:
        await database.dispose()


INSERT_RECEIPT = """
INSERT INTO receipt (kind, donor_id, received_date, received_by_id, notes)
VALUES ('donation', $1, $2, $3, NULL)
RETURNING id
"""
INSERT_LOTS_AND_MOVEMENTS = """
WITH new_lot AS (
    INSERT INTO lot (item_id, receipt_id, receipt_line_no, location_id, expiry_date, date_precision, crop_year,
                     received_date, quantity_received, on_hand, reserved)
    SELECT line.item_id, $1, line.n, line.location_id, line.expiry_date, line.date_precision, line.crop_year,
           $2, line.quantity, line.quantity, 0
    FROM unnest($3::bigint[], $4::bigint[], $5::date[], $6::text[], $7::smallint[], $8::int[])
         WITH ORDINALITY AS line(item_id, location_id, expiry_date, date_precision, crop_year, quantity, n)
    RETURNING id, quantity_received
)
INSERT INTO stock_movement (lot_id, kind, on_hand_delta, reserved_delta, actor_id)
SELECT id, 'receipt', quantity_received, 0, $9 FROM new_lot
"""


def raw_receipt_args(body: dict[str, Any], user_id: int) -> tuple[date, list[Any]]:
    """The API body as the columns the hand-written SQL takes (the label date already parsed)."""
    received = date.fromisoformat(body["received_date"])
    columns: list[list[Any]] = [[], [], [], [], [], []]
    for line in body["lines"]:
        expiry, precision = line.get("expiry"), None
        if expiry is not None:
            precision = "month" if len(expiry) == 7 else "day"
            expiry = (
                month_end(date.fromisoformat(expiry + "-01")) if precision == "month" else date.fromisoformat(expiry)
            )
        values = (line["item_id"], line["location_id"], expiry, precision, line.get("crop_year"), line["quantity"])
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return received, [*columns, user_id]


async def receipts_through_asyncpg(dsn: str, cat: Catalogue, bodies: list[dict[str, Any]], clients: int) -> Rate:
    pool = await asyncpg.create_pool(dsn, min_size=clients, max_size=clients)
    try:

        async def insert(_: int, body: dict[str, Any]) -> None:
            received, args = raw_receipt_args(body, cat.user_id)
            async with pool.acquire() as conn, conn.transaction():
                receipt_id = await conn.fetchval(INSERT_RECEIPT, cat.donor_id, received, cat.user_id)
                await conn.execute(INSERT_LOTS_AND_MOVEMENTS, receipt_id, received, *args)

        await run_clients(bodies[:WARM_UP], clients, insert)
        return await run_clients(bodies[WARM_UP:], clients, insert)
    finally:
        await pool.close()


# --- 2. allocating a pantry day ----------------------------------------------------------------------

Demand = tuple[dict[int, int], frozenset[str]]


def households(rng: random.Random, cat: Catalogue, size: Size) -> list[Demand]:
    """12 different items each, popular items more often; about a quarter avoid one or two allergens."""
    weights = [item.popularity for item in cat.items]
    demands: list[Demand] = []
    for _ in range(size.households):
        chosen: dict[int, int] = {}
        while len(chosen) < size.items_per_household:
            item = rng.choices(cat.items, weights)[0]
            chosen[item.id] = 1 if item.date_kind is DateKind.crop_year else rng.randint(1, 3)
        avoid = frozenset(rng.sample(AVOIDED_BY_HOUSEHOLDS, rng.randint(1, 2))) if rng.random() < 0.25 else frozenset()
        demands.append((chosen, avoid))
    return demands


# The FEFO choice for one household in one statement. Eligible lots are those the allocator accepts
# (active, available > 0, use-by on or after the date, best-before leaving the category's minimum for
# the channel, no allergen the household avoids and no unknown allergens if it avoids any); a running
# sum per item over the FEFO order (effective expiry, no date last, then received date, then lot id)
# says how much of each lot is still needed. It does not reduce availability for the next household.
FEFO_SQL = """
WITH request AS (
    SELECT item_id, quantity FROM unnest($1::bigint[], $2::int[]) AS r(item_id, quantity)
), eligible AS (
    SELECT l.id AS lot_id, l.item_id, r.quantity AS requested, l.on_hand - l.reserved AS available,
           CASE i.date_kind
               WHEN 'best_before' THEN l.expiry_date
               WHEN 'use_by' THEN l.expiry_date
               WHEN 'crop_year' THEN make_date(l.crop_year + 1, 10, 31)
           END AS expiry,
           l.received_date
    FROM request r
    JOIN lot l ON l.item_id = r.item_id
    JOIN item i ON i.id = l.item_id
    JOIN category c ON c.id = i.category_id
    WHERE l.status = 'active'
      AND l.on_hand > l.reserved
      AND CASE i.date_kind
              WHEN 'use_by' THEN l.expiry_date >= $3
              WHEN 'best_before' THEN l.expiry_date - $3 >= CASE $4::text
                                                                WHEN 'individual' THEN c.min_days_individual
                                                                WHEN 'pantry' THEN c.min_days_pantry
                                                                ELSE c.min_days_partner
                                                            END
              ELSE true
          END
      AND (cardinality($5::text[]) = 0
           OR (i.allergens_known AND NOT EXISTS (
                   SELECT 1 FROM item_allergen a WHERE a.item_id = i.id AND a.allergen_code = ANY ($5::text[]))))
), running AS (
    SELECT e.*, sum(e.available) OVER (PARTITION BY e.item_id
                                       ORDER BY e.expiry NULLS LAST, e.received_date, e.lot_id
                                       ROWS UNBOUNDED PRECEDING) AS through
    FROM eligible e
)
SELECT lot_id, item_id, least(available, requested - (through - available))::int AS quantity
FROM running
WHERE through - available < requested
ORDER BY item_id, expiry NULLS LAST, received_date, lot_id
"""

Picks = list[tuple[int, int, int]]  # (lot id, item id, quantity) in picking order


def sql_args(demand: Demand) -> list[Any]:
    requests, avoid = demand
    items = sorted(requests)
    return [items, [requests[i] for i in items], PANTRY_DAY, CHANNEL.value, sorted(avoid)]


def picks(result: fefo.AllocationResult) -> Picks:
    return [(a.lot_id, a.item_id, a.quantity) for a in result.allocations]


@dataclass
class AllocationTimes:
    candidates: int = 0
    pure: list[float] = field(default_factory=list)
    service: list[float] = field(default_factory=list)
    service_load: list[float] = field(default_factory=list)
    service_convert: list[float] = field(default_factory=list)
    service_allocate: list[float] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    orm_day: list[float] = field(default_factory=list)
    core_day: list[float] = field(default_factory=list)
    core_load: list[float] = field(default_factory=list)
    core_write: list[float] = field(default_factory=list)
    plain_lock: list[float] = field(default_factory=list)
    same_picks: bool = False
    units: int = 0
    short_items: int = 0
    first_match: bool = False
    first_lines: int = 0
    all_match: int = 0


async def allocate_pantry_day(url: str, demands: list[Demand], repeats: int) -> AllocationTimes:
    out = AllocationTimes()
    settings = Settings(database=DatabaseSettings(url=url))
    database = Database.connect(url, pool_size=2)
    item_ids = sorted({item for requests, _ in demands for item in requests})
    try:
        for _ in range(repeats + 1):  # the first round warms up and is not counted
            async with database.sessionmaker() as session:
                await session.begin()
                started = time.perf_counter()
                policy = await services.policy_for(session, CHANNEL, settings.stock)
                lots = await services.lock_candidates(session, item_ids)
                loaded = time.perf_counter()
                candidates = [services.candidate(lot) for lot in lots]
                converted = time.perf_counter()
                results = fefo.allocate_many(candidates, demands, PANTRY_DAY, policy)
                done = time.perf_counter()
                await session.rollback()
            out.service.append(done - started)
            out.service_load.append(loaded - started)
            out.service_convert.append(converted - loaded)
            out.service_allocate.append(done - converted)
        for list_ in (out.service, out.service_load, out.service_convert, out.service_allocate):
            del list_[0]
        out.candidates = len(candidates)
        out.units = sum(a.quantity for r in results for a in r.allocations)
        out.short_items = sum(len(r.shortages) for r in results)

        await pantry_day_paths(database, url, demands, item_ids, policy, repeats, out)

        fefo.allocate_many(candidates, demands, PANTRY_DAY, policy)
        for _ in range(repeats):
            started = time.perf_counter()
            fefo.allocate_many(candidates, demands, PANTRY_DAY, policy)
            out.pure.append(time.perf_counter() - started)

        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            statement = await conn.prepare(FEFO_SQL)
            answers: list[Picks] = []
            for round_ in range(repeats + 1):
                started = time.perf_counter()
                answers = [
                    [(r["lot_id"], r["item_id"], r["quantity"]) for r in await statement.fetch(*sql_args(d))]
                    for d in demands
                ]
                if round_:
                    out.sql.append(time.perf_counter() - started)
        finally:
            await conn.close()

        # Each SQL answer is against the untouched stock, so it must equal fefo.allocate for that household alone.
        by_item: dict[int, list[fefo.CandidateLot]] = {}
        for lot in candidates:
            by_item.setdefault(lot.item_id, []).append(lot)
        alone = [
            picks(fefo.allocate([lot for i in req for lot in by_item.get(i, [])], req, PANTRY_DAY, policy, avoid))
            for req, avoid in demands
        ]
        out.first_match = answers[0] == alone[0] == picks(results[0])
        out.first_lines = len(answers[0])
        out.all_match = sum(a == b for a, b in zip(answers, alone, strict=True))
    finally:
        await database.dispose()
    return out


PLAIN_LOCK = """
SELECT id, item_id, on_hand, reserved, expiry_date, crop_year, received_date, status
FROM lot WHERE item_id = ANY ($1::bigint[]) AND on_hand > reserved ORDER BY id FOR UPDATE
"""


async def orm_reserve(session: Any, results: list[fefo.AllocationResult], lots: dict[int, Any]) -> None:
    """What allocation wrote before it used Core statements: a flush per reservation, ORM lines and
    `ledger.post` on the lots it had loaded (kept here as the baseline)."""
    for n, result in enumerate(results):
        if not result.allocations:
            continue
        reservation = Reservation(
            purpose=ReservationPurpose.pantry_event,
            purpose_ref=f"bench:{n}",
            channel=CHANNEL,
            distribution_date=PANTRY_DAY,
            created_by_id=None,
        )
        session.add(reservation)
        await session.flush()
        quantities: Counter[int] = Counter()
        for taken in result.allocations:
            quantities[taken.lot_id] += taken.quantity
        for lot_id, quantity in sorted(quantities.items()):
            lot = lots[lot_id]
            session.add(
                ReservationLine(reservation_id=reservation.id, lot_id=lot_id, item_id=lot.item_id, quantity=quantity)
            )
            ledger.post(
                session,
                lot,
                MovementKind.reservation,
                reserved_delta=quantity,
                actor_id=None,
                reservation_id=reservation.id,
            )
    await session.flush()


async def pantry_day_paths(
    database: Database,
    url: str,
    demands: list[Demand],
    item_ids: list[int],
    policy: fefo.Policy,
    repeats: int,
    out: AllocationTimes,
) -> None:
    """A pantry day's stock work, locked, allocated and written (reservations, lines, movements, lot
    balances), rolled back: (d) the ORM path allocation took before (`lock_candidates`, `candidate`, a
    flush per reservation), (e) the path it takes now (`candidate_lots` and allocation's own `_reserve`,
    one statement per table), (f) a plain asyncpg SELECT ... FOR UPDATE of the same rows, nothing else."""
    stand_in = SimpleNamespace(event_date=PANTRY_DAY)  # all `_reserve` reads of the event
    wanted = Lot.item_id.in_(item_ids) & (Lot.on_hand > Lot.reserved)
    orm_picks: list[Picks] = []
    core_picks: list[Picks] = []
    for round_ in range(repeats + 1):  # the first round warms up
        async with database.sessionmaker() as session:
            await session.begin()
            started = time.perf_counter()
            lots = await services.lock_candidates(session, item_ids)
            results = fefo.allocate_many([services.candidate(lot) for lot in lots], demands, PANTRY_DAY, policy)
            await orm_reserve(session, results, {lot.id: lot for lot in lots})
            done = time.perf_counter()
            await session.rollback()
        orm_picks = [picks(r) for r in results]
        async with database.sessionmaker() as session:
            await session.begin()
            started_core = time.perf_counter()
            candidates, _ = await services.candidate_lots(session, wanted, lock=True)
            loaded = time.perf_counter()
            results = fefo.allocate_many(candidates, demands, PANTRY_DAY, policy)
            allocated = time.perf_counter()
            await allocation._reserve(session, None, stand_in, [(f"bench:{n}", r) for n, r in enumerate(results)])  # type: ignore[arg-type]
            written = time.perf_counter()
            await session.rollback()
        core_picks = [picks(r) for r in results]
        if round_:
            out.orm_day.append(done - started)
            out.core_day.append(written - started_core)
            out.core_load.append(loaded - started_core)
            out.core_write.append(written - allocated)
    out.same_picks = orm_picks == core_picks
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        for round_ in range(repeats + 1):
            async with conn.transaction():
                started = time.perf_counter()
                await conn.fetch(PLAIN_LOCK, item_ids)
                if round_:
                    out.plain_lock.append(time.perf_counter() - started)
    finally:
        await conn.close()


# --- the report ---------------------------------------------------------------------------------------


def machine_facts(pg_version: str, server: Server) -> list[str]:
    cpuinfo = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip()
        for line in (cpuinfo.read_text() if cpuinfo.exists() else "").splitlines()
        if line.startswith("model name")
    ]
    cpu = models[0] if models else platform.processor() or "unknown CPU"
    libraries = ", ".join(
        f"{name} {version(name)}" for name in ("litestar", "sqlalchemy", "asyncpg", "marshmallow", "httpx")
    )
    return [
        f"machine     {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.machine()}",
        f"Python      {platform.python_version()} ({platform.python_implementation()})",
        f"PostgreSQL  {pg_version} ({server.description})",
        f"libraries   {libraries}",
        "load        {:.2f} {:.2f} {:.2f} (1, 5, 15 min average) at the end; other work skews the figures".format(
            *os.getloadavg()
        ),
    ]


def median(values: list[float]) -> float:
    return statistics.median(values)


def print_report(
    facts: list[str], size: Size, lot_facts: Counter[str], api: Rate, raw: Rate, alloc: AllocationTimes
) -> None:
    print()
    print(f"foodbank stock benchmark, {time.strftime('%Y-%m-%d %H:%M')}")
    for line in facts:
        print("  " + line)
    print()
    lines = size.lines_per_receipt
    print(
        f"1. Receipts: {api.count} receipts x {lines} lines, {size.clients} concurrent clients, "
        f"one transaction per receipt (after {WARM_UP} warm-up receipts)"
    )
    print(f"   {'path':<52}{'seconds':>9}{'CPU s':>7}{'receipts/s':>12}{'lots/s':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for name, rate in (
        ("HTTP API (create_app via ASGITransport, Bearer token)", api),
        ("raw asyncpg (receipt + lots + movements)", raw),
    ):
        print(
            f"   {name:<52}{rate.seconds:>9.2f}{rate.cpu_seconds:>7.2f}{rate.per_second:>12.1f}"
            f"{rate.per_second * lines:>9.0f}{rate.percentile(0.5):>9.1f}{rate.percentile(0.95):>9.1f}"
        )
    print(
        f"   raw asyncpg is {raw.per_second / api.per_second:.1f}x the API's rate "
        f"(the API is {api.per_second / raw.per_second:.3f} of raw asyncpg)"
    )
    print(
        "   (the API also authenticates the token, validates, checks items, locations and dates, writes an audit "
        "event and returns the lots; access log off;"
    )
    print(
        f"   CPU s is this process's CPU time: the API spends {api.cpu_seconds / api.count * 1000:.1f} ms of CPU per "
        f"receipt, raw asyncpg {raw.cpu_seconds / raw.count * 1000:.1f} ms)"
    )
    print()
    kinds = ", ".join(f"{lot_facts[k.value]} {k.value}" for k in DateKind)
    print(
        f"2. Allocation: {size.households} households x {size.items_per_household} items, "
        f"{size.lots:,} lots in {lot_facts['receipts']:,} receipts ({kinds}; {lot_facts['on_hold']} on hold, "
        f"{lot_facts['recalled']} recalled, {lot_facts['partly reserved']} partly reserved, "
        f"{lot_facts['partly or wholly issued']} partly or wholly issued)"
    )
    print(
        f"   channel {CHANNEL.value}, distribution date {PANTRY_DAY}, {alloc.candidates:,} candidate lots for the "
        f"requested items; median of {len(alloc.pure)} runs"
    )
    per_household = size.households
    rows = [
        ("(a) fefo.allocate_many on candidate lots built once", median(alloc.pure), ""),
        (
            "(b) service path: lock_candidates + candidate + allocate_many",
            median(alloc.service),
            f"lock and load {median(alloc.service_load):.3f}, candidate() {median(alloc.service_convert):.3f}, "
            f"allocate {median(alloc.service_allocate):.3f}; rolled back",
        ),
        (f"(c) one SQL query per household, run {per_household} times", median(alloc.sql), "one connection, prepared"),
        (
            "(d) old ORM path: lock_candidates, allocate, a flush per parcel",
            median(alloc.orm_day),
            "written; rolled back",
        ),
        (
            "(e) allocation now: candidate_lots, allocate, _reserve (Core)",
            median(alloc.core_day),
            f"lock and load {median(alloc.core_load):.3f}, write {median(alloc.core_write):.3f}; rolled back",
        ),
        ("(f) plain asyncpg SELECT ... FOR UPDATE of the same rows", median(alloc.plain_lock), "lock only"),
    ]
    print(f"   {'path':<64}{'seconds':>9}{'ms/household':>14}")
    for name, seconds, note in rows:
        print(f"   {name:<64}{seconds:>9.3f}{seconds / per_household * 1000:>14.2f}   {note}".rstrip())
    print(
        f"   (a) and (b) serve households one after another from one pool ({alloc.units:,} units allocated, "
        f"{alloc.short_items} item requests short);"
    )
    print("   (c) does not reduce availability between households: each query sees the untouched stock.")
    print(
        f"   first household ({alloc.first_lines} picking lines): SQL and fefo.allocate choose the same lots and "
        f"quantities: {'yes' if alloc.first_match else 'NO'}"
    )
    print(
        f"   every household against the untouched stock: SQL = fefo.allocate for {alloc.all_match} of {per_household}"
    )
    print(
        f"   (e) is {median(alloc.orm_day) / median(alloc.core_day):.1f}x faster than (d) and takes "
        f"{median(alloc.core_day) / median(alloc.plain_lock):.1f}x the plain lock (f); "
        f"(d) and (e) chose the same lots: {'yes' if alloc.same_picks else 'NO'}"
    )


async def main(args: argparse.Namespace) -> None:
    size = QUICK if args.quick else FULL
    # SIGTERM cancels the run like Ctrl-C does, so that the cluster is still destroyed on the way out.
    main_task = asyncio.current_task()
    if main_task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    async with postgres_server() as server:
        conn = await asyncpg.connect(asyncpg_dsn(server.base_url))
        try:
            pg_version = await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()
        print(f"PostgreSQL {pg_version} ready; loading the catalogue and {size.lots:,} lots ...", file=sys.stderr)
        empty = await server.create_database("catalogue")
        await migrate.upgrade(server.url(empty))
        database = Database.connect(server.url(empty), pool_size=2)
        try:
            cat = await seed_catalogue(database, rng, size)
        finally:
            await database.dispose()
        stocked = await server.create_database("stocked", empty)
        lot_facts = await bulk_load_lots(asyncpg_dsn(server.url(stocked)), rng, cat, size.lots)
        # Receipts arrive in a warehouse that already holds the stock; the allocation runs on an untouched copy.
        receipts_db = server.url(await server.create_database("receipts", stocked))

        print(f"receiving {size.receipts} receipts through the API and through asyncpg ...", file=sys.stderr)
        bodies = receipt_bodies(rng, cat, size)
        # CPU time, not wall time: on a busy machine wall time blames whatever ran when the process was preempted.
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        if profiler:
            profiler.enable()
        api = await receipts_through_api(receipts_db, cat, bodies, size.clients)
        if profiler:
            profiler.disable()
        raw = await receipts_through_asyncpg(asyncpg_dsn(receipts_db), cat, bodies, size.clients)

        print(f"allocating {size.households} households ...", file=sys.stderr)
        alloc = await allocate_pantry_day(server.url(stocked), households(rng, cat, size), size.repeats)
        print_report(machine_facts(pg_version, server), size, lot_facts, api, raw, alloc)
        if profiler:
            print_profile(profiler)


def profile_group(filename: str, function: str) -> str:
    """Which package a profiled function belongs to (SQLAlchemy split into its layers)."""
    if "site-packages/" in filename:
        package, _, rest = filename.split("site-packages/", 1)[1].partition("/")
        return f"sqlalchemy.{rest.split('/', 1)[0]}" if package == "sqlalchemy" else package
    if "/foodbank/" in filename:
        return "foodbank"
    if filename == "~":  # C functions: name the interesting ones
        return function if "socket" in function or "epoll" in function else "other built-ins"
    if "/lib/python3" in filename:
        return "stdlib " + filename.rsplit("/lib/python3", 1)[1].split("/")[1].removesuffix(".py")
    return Path(filename).name


def print_profile(profiler: cProfile.Profile) -> None:
    stats = pstats.Stats(profiler)
    groups: Counter[str] = Counter()
    for (filename, _, function), (_, _, own_time, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        groups[profile_group(filename, function)] += own_time
    total = sum(groups.values())
    print(f"\ncProfile of the HTTP receipts (warm-up included): own time by package, of {total:.1f} s profiled")
    for group, seconds in groups.most_common(16):
        print(f"   {seconds / total:6.1%}  {group}")
    text = io.StringIO()
    stats.stream = text  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(20)
    print("\nThe 20 functions with the most own time:")
    print(text.getvalue().split("\n\n", 1)[-1].rstrip())


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smaller run, for trying the benchmark")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the HTTP receipts")
    return parser.parse_args(argv)


if __name__ == "__main__":
    try:
        asyncio.run(main(parse_args()))
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.exit(130)
