"""Read load: what the served API answers at a fixed request rate, with 1 worker and with N workers.

Run from the repository root:

    .venv/bin/python bench/read_load.py                       # 50, 100, 200 requests/s, 10 s each, 1 and N workers
    .venv/bin/python bench/read_load.py --rates 200 --seconds 60 --workers 2

It migrates a throwaway database (the stock benchmark's server: a throwaway cluster, or
FOODBANK_BENCH_DATABASE_URL), loads the stock benchmark's small warehouse (80 items, 2,000 lots, a
warehouse volunteer's API token), then starts the real `foodbank serve --workers 1` in a subprocess on a
free loopback port and drives it, then the same with `--workers N` (the baseline is the first, measured in
the same run). Nothing but 127.0.0.1 is ever addressed.

The client is open-loop and bounded: request i is due at start + i/rate whatever the earlier answers did
(so a slow server cannot slow the client down and hide its queue), for T seconds, each with a 5 s timeout
(waiting for a connection included), at most 512 connections, and whatever is still open T + 10 s after
the start given up; it runs on the same machine and is counted in its figures. Latency is
measured from the moment a request was due, so the client's own lateness counts too (`late`: requests that
started more than 10 ms after they were due, a sign that the client itself could not keep up). The reads
are a mix: who am I (`GET /api/session`: authentication only), one lot (`GET /api/lots/{id}`), and the stock
summary by item (`GET /api/stock`), in turn. It prints figures, not verdicts.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from a checkout
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stock_bench import QUICK, asyncpg_dsn, bulk_load_lots, machine_facts, postgres_server, seed_catalogue

from foodbank.config import available_cores
from foodbank.lib import migrate
from foodbank.lib.db import Database
from tests.served import serving

TIMEOUT_S = 5.0
MAX_CONNECTIONS = 512
LATE_S = 0.010
SEED = 20261203


@dataclass
class Run:
    workers: int
    rate: int
    seconds: float
    sent: int = 0
    late: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    client_cpu: float = 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    @property
    def achieved(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


async def fixed_rate(base: str, paths: Sequence[str], token: str, run: Run) -> None:
    """Send run.rate requests a second for run.seconds, open-loop (see the module)."""
    assert base.startswith("http://127.0.0.1:"), "loopback only"
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=TIMEOUT_S, limits=limits) as client:
        total = int(run.rate * run.seconds)
        cpu = time.process_time()
        start = loop.time() + 0.05

        async def one(i: int) -> None:
            due = start + i / run.rate
            if (delay := due - loop.time()) > 0:
                await asyncio.sleep(delay)
            if loop.time() - due > LATE_S:
                run.late += 1
            run.sent += 1
            try:
                async with asyncio.timeout(TIMEOUT_S):  # the whole request, waiting for a connection included
                    response = await client.get(paths[i % len(paths)])
            except (TimeoutError, httpx.TimeoutException):
                run.errors["timeout"] += 1
                return
            except httpx.HTTPError as exc:
                run.errors[type(exc).__name__] += 1
                return
            if response.status_code != 200:
                run.errors[str(response.status_code)] += 1
                return
            run.latencies.append(loop.time() - due)

        tasks = [asyncio.create_task(one(i)) for i in range(total)]
        _, pending = await asyncio.wait(tasks, timeout=run.seconds + 2 * TIMEOUT_S)
        for task in pending:  # bounded: what a starved client never got to send or hear is given up
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if pending:
            run.errors["given up at the end"] += len(pending)
        run.elapsed = min(loop.time() - start, run.seconds + 2 * TIMEOUT_S)
        run.client_cpu = time.process_time() - cpu


def print_runs(facts: list[str], runs: list[Run]) -> None:
    print()
    print(f"foodbank read load, {time.strftime('%Y-%m-%d %H:%M')}")
    for line in facts:
        print("  " + line)
    print()
    print(
        f"  {'workers':>7}{'target/s':>9}{'seconds':>8}{'sent':>7}{'late':>6}{'ok':>7}{'achieved/s':>11}"
        f"{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}{'client CPU s':>13}  errors"
    )
    for run in runs:
        errors = ", ".join(f"{count} {kind}" for kind, count in run.errors.most_common()) or "none"
        print(
            f"  {run.workers:>7}{run.rate:>9}{run.seconds:>8.0f}{run.sent:>7}{run.late:>6}{len(run.latencies):>7}"
            f"{run.achieved:>11.1f}{run.percentile(0.5):>9.1f}{run.percentile(0.9):>9.1f}"
            f"{run.percentile(0.99):>9.1f}{run.percentile(1.0):>9.1f}{run.client_cpu:>13.1f}  {errors}"
        )
    print()
    print("  latency from when each request was due (open loop); the first row of each worker count is its")
    print("  baseline at the lowest rate; the 1-worker rows are the baseline of the N-worker rows.")


async def main(args: argparse.Namespace) -> None:
    main_task = asyncio.current_task()
    if main_task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    async with postgres_server() as server:
        print("loading the warehouse ...", file=sys.stderr)
        name = await server.create_database("read_load")
        url = server.url(name)
        await migrate.upgrade(url)
        database = Database.connect(url, pool_size=2)
        try:
            cat = await seed_catalogue(database, rng, QUICK)
        finally:
            await database.dispose()
        await bulk_load_lots(asyncpg_dsn(url), rng, cat, QUICK.lots)
        lots = [rng.randint(1, QUICK.lots) for _ in range(97)]
        paths = [p for lot in lots for p in ("/api/session", f"/api/lots/{lot}", "/api/stock")]
        runs: list[Run] = []
        for workers in dict.fromkeys((1, args.workers)):
            print(f"serving with {workers} worker(s) ...", file=sys.stderr)
            with serving(url, workers=workers) as served:
                await fixed_rate(served.base, paths, cat.token, Run(workers, 20, 3))  # warm-up, not shown
                for rate in args.rates:
                    run = Run(workers, rate, args.seconds)
                    print(f"  {rate} requests/s for {args.seconds:.0f} s ...", file=sys.stderr)
                    await fixed_rate(served.base, paths, cat.token, run)
                    runs.append(run)
                    await asyncio.sleep(2)  # let the queue drain before the next rate
        conn = await asyncpg.connect(asyncpg_dsn(server.base_url))
        try:
            pg_version = str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()
        print_runs(machine_facts(pg_version, server), runs)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--rates", type=int, nargs="+", default=[50, 100, 200], help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each rate runs")
    parser.add_argument("--workers", type=int, default=available_cores(), help="N, beside 1 (default: the cores)")
    args = parser.parse_args(argv)
    if not 1 <= args.workers <= 64 or any(r < 1 or r > 2000 for r in args.rates) or not 1 <= args.seconds <= 600:
        parser.error("workers 1-64, rates 1-2000 per second, seconds 1-600")
    return args


if __name__ == "__main__":
    try:
        asyncio.run(main(parse_args()))
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.exit(130)
