"""Documents benchmark: what a 1,000-line picking list costs to render, and how much of that is WeasyPrint.

Run from the repository root:

    .venv/bin/python bench/documents_bench.py            # 1,000 lines, 5 rounds: about five minutes on 2 idle cores
    .venv/bin/python bench/documents_bench.py --quick    # 200 lines, 2 rounds, for trying it
    .venv/bin/python bench/documents_bench.py --lines 3000 --repeats 3 --no-memory

It prints figures, not verdicts; nothing here asserts. No database is needed.

The document is built by the real code: `foodbank.stock.documents.picking_list(reservation)` on a
reservation of 1,000 lines whose lots, items and locations are SQLAlchemy objects made in memory (as
`queries.reservation` would load them), so the figure includes `picking_order` (zone, location, item,
FEFO), the label dates and the sections by zone. The pantry day's picking list
(`foodbank.pantry.documents.picking_list`) builds the same `PickingListDocument` from query rows and
renders it with the same template, so past the database the two paths are the same.

Timed in `--repeats` rounds that run every path in turn (median and minimum wall time, median CPU time):

1. building the typed document;
2. Jinja2 alone: `render_html("picking_list.html", ...)`;
3. the real path: `foodbank.lib.pdf.render_pdf` (Jinja2, then WeasyPrint in a worker thread with a
   time limit), as the picking-list routes call it;
4. WeasyPrint alone on the same HTML: `weasyprint.HTML(string=html, base_url=templates/documents).write_pdf()`,
   which is what (3) does past Jinja2;
5. `weasyprint.HTML(string=html).write_pdf()` without a base URL: the template links `base.css` by a
   relative URL, so WeasyPrint cannot find the stylesheet (no page margins, header, page numbers,
   column widths or Japanese font choice): a different document, shown for comparison only.

Each PDF's pages and size are shown, and the real path's text is checked with pypdf: every lot of the
list must appear in it. With memory on (the default), each of 3, 4 and 5 is also run once more in a
fresh child process, whose peak resident set size (VmHWM from /proc, which counts Pango's and
HarfBuzz's native memory that tracemalloc would miss) is shown next to a child that only imports
WeasyPrint and builds the HTML.
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
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from a checkout

from foodbank.lib.pdf import DOCUMENTS, render_html, render_pdf
from foodbank.models import (
    Channel,
    DatePrecision,
    Item,
    Location,
    Lot,
    Reservation,
    ReservationLine,
    ReservationPurpose,
    Unit,
    Zone,
)
from foodbank.picking.fefo import DateKind, LotStatus
from foodbank.stock import documents

TEMPLATE = "picking_list.html"
ORGANISATION = "フードバンクさんぶ"
PRINTED_ON = date(2026, 11, 27)
PANTRY_DAY = date(2026, 11, 28)
SEED = 20261127

# What a food bank's shelves hold: (zone, date kind, unit, item names).
SHELVES: list[tuple[Zone, DateKind, Unit, list[str]]] = [
    (Zone.ambient, DateKind.crop_year, Unit.bag, ["精米 5kg", "精米 2kg", "玄米 5kg"]),
    (
        Zone.ambient,
        DateKind.best_before,
        Unit.pack,
        ["パックごはん", "そうめん", "うどん 乾麺", "パスタ 500g", "食パン"],
    ),
    (
        Zone.ambient,
        DateKind.best_before,
        Unit.can,
        ["さば水煮缶", "ツナ缶", "コーンスープ缶", "カレー レトルト", "果物缶詰"],
    ),
    (Zone.ambient, DateKind.best_before, Unit.bottle, ["しょうゆ 1L", "サラダ油", "麦茶 2L", "みりん"]),
    (Zone.ambient, DateKind.none, Unit.piece, ["食塩 1kg", "砂糖 1kg", "トイレットペーパー", "洗濯用洗剤", "歯ブラシ"]),
    (Zone.ambient, DateKind.best_before, Unit.box, ["粉ミルク", "ベビーフード", "シリアル", "ビスケット"]),
    (Zone.chilled, DateKind.use_by, Unit.bottle, ["牛乳 1L", "ヨーグルト", "豆腐"]),
    (Zone.chilled, DateKind.best_before, Unit.pack, ["納豆 3個", "卵 10個", "チーズ"]),
    (
        Zone.frozen,
        DateKind.best_before,
        Unit.pack,
        ["冷凍うどん", "冷凍ぎょうざ", "冷凍ミックスベジタブル", "冷凍から揚げ"],
    ),
]
LOCATIONS = {Zone.ambient: 24, Zone.chilled: 6, Zone.frozen: 4}


@dataclass(frozen=True)
class Size:
    lines: int
    repeats: int


FULL = Size(lines=1_000, repeats=5)
QUICK = Size(lines=200, repeats=2)


# --- the document -----------------------------------------------------------------------------------


def reservation(lines: int, seed: int = SEED) -> Reservation:
    """A pantry day's reservation of `lines` lines, as `queries.reservation` loads it (lots with their
    items and locations), built in memory: a few variants of each shelf item, lots of varied dates."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    locations = {
        zone: [Location(id=100 * n + i, code=f"{zone.value[0].upper()}-{i + 1:02d}", zone=zone) for i in range(count)]
        for n, (zone, count) in enumerate(LOCATIONS.items(), start=1)
    }
    items: list[Item] = []
    for zone, kind, unit, names in SHELVES:
        for name in names:
            for variant in range(4):  # four brands of each: 4 x 36 = 144 items
                items.append(
                    Item(
                        id=len(items) + 1,
                        name_ja=f"{name}（{'ABCD'[variant]}社）",
                        category_id=1,
                        unit=unit,
                        unit_weight_kg=Decimal("0.500"),
                        zone=zone,
                        date_kind=kind,
                        allergens_known=True,
                    )
                )
    picked = Reservation(
        id=4711,
        purpose=ReservationPurpose.pantry_event,
        purpose_ref="山武市成東文化会館",
        channel=Channel.pantry,
        distribution_date=PANTRY_DAY,
    )
    picked.lines = []
    for n in range(lines):
        item = rng.choice(items)
        received = PANTRY_DAY - timedelta(days=rng.randint(1, 300))
        expiry: date | None = None
        precision: DatePrecision | None = None
        crop_year: int | None = None
        if item.date_kind is DateKind.use_by:
            expiry, precision = PANTRY_DAY + timedelta(days=rng.randint(1, 6)), DatePrecision.day
        elif item.date_kind is DateKind.best_before:
            expiry = PANTRY_DAY + timedelta(days=rng.randint(10, 700))
            precision = DatePrecision.month if rng.random() < 0.3 else DatePrecision.day
        elif item.date_kind is DateKind.crop_year:
            crop_year = 2025 + (rng.random() < 0.7)
        quantity = rng.randint(1, 40)
        lot = Lot(
            id=10_000 + n,
            item=item,
            item_id=item.id,
            location=rng.choice(locations[item.zone]),
            expiry_date=expiry,
            date_precision=precision,
            crop_year=crop_year,
            lot_code=f"L{rng.randint(1000, 9999)}{'ABC'[n % 3]}" if rng.random() < 0.4 else None,
            received_date=received,
            quantity_received=quantity + rng.randint(0, 20),
            on_hand=quantity + rng.randint(0, 20),
            reserved=quantity,
            status=LotStatus.active,
        )
        picked.lines.append(ReservationLine(id=n + 1, lot=lot, lot_id=lot.id, item_id=item.id, quantity=quantity))
    return picked


def build(size: Size) -> tuple[Reservation, documents.PickingListDocument, str]:
    found = reservation(size.lines)
    document = documents.picking_list(found)
    html = render_html(TEMPLATE, document, organisation=ORGANISATION, printed_on=PRINTED_ON)
    return found, document, html


# --- timing ------------------------------------------------------------------------------------------


@dataclass
class Timed:
    name: str
    work: Callable[[], Any]
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    pdf: bytes | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_seconds)


async def run_rounds(paths: list[Timed], repeats: int) -> None:
    """Each round runs every path once, in turn, so that a change in the machine's other load touches all
    paths alike. Wall time, and this process's CPU time (all threads: WeasyPrint runs in a worker
    thread on the real path), which other processes on the machine disturb much less."""
    for _ in range(repeats):
        for path in paths:
            started, cpu_started = time.perf_counter(), time.process_time()
            result = path.work()
            if inspect.isawaitable(result):
                result = await result
            path.seconds.append(time.perf_counter() - started)
            path.cpu_seconds.append(time.process_time() - cpu_started)
            path.pdf = result if isinstance(result, bytes) else None


def weasyprint_alone(html: str, *, with_base_url: bool) -> bytes:
    from weasyprint import HTML

    if with_base_url:
        return HTML(string=html, base_url=str(DOCUMENTS)).write_pdf()  # type: ignore[no-any-return]
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


async def real_path(document: documents.PickingListDocument) -> bytes:
    """As the picking-list routes render it: on the event loop, WeasyPrint in a worker thread."""
    return await render_pdf(TEMPLATE, document, organisation=ORGANISATION, printed_on=PRINTED_ON)


def pdf_facts(pdf: bytes) -> tuple[int, list[str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    fonts: set[str] = set()
    for page in reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object().get("/BaseFont", "?")).lstrip("/").split("+")[-1])
    return len(reader.pages), sorted(fonts)


def lots_in_text(pdf: bytes, document: documents.PickingListDocument) -> tuple[int, int]:
    """How many of the list's lot numbers the PDF's text holds (every one should)."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    words = set(text.replace("/", " ").split())
    lot_ids = [line.lot_id for section in document.sections for line in section.lines]
    return sum(str(lot_id) in words for lot_id in lot_ids), len(lot_ids)


# --- peak memory, one path per child process -----------------------------------------------------------

PATHS = {
    "baseline": "imports and the HTML only",
    "real": "render_pdf (real path)",
    "weasyprint": "WeasyPrint alone, same HTML and base URL",
    "no-css": "WeasyPrint alone, no base URL",
}


def child(path: str, lines: int) -> None:
    """Run one path once and print this process's peak RSS in kB."""
    import weasyprint  # noqa: F401 - the baseline pays for the import as the others do

    _, document, html = build(Size(lines, 1))
    if path == "real":
        asyncio.run(real_path(document))
    elif path == "weasyprint":
        weasyprint_alone(html, with_base_url=True)
    elif path == "no-css":
        weasyprint_alone(html, with_base_url=False)
    print(json.dumps({"path": path, "max_rss_kb": peak_rss_kb()}))


def peak_rss_kb() -> int:
    """This process's peak resident set size: VmHWM, which starts afresh at exec (ru_maxrss can carry
    the parent's peak over a fork and exec on Linux, and reports kB there)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_memory(lines: int) -> dict[str, int]:
    peaks = {}
    for path in PATHS:
        out = subprocess.run(  # noqa: S603 - this very script, with our own arguments
            [sys.executable, __file__, "--child", path, "--lines", str(lines)],
            capture_output=True,
            text=True,
            check=True,
        )
        peaks[path] = json.loads(out.stdout.strip().splitlines()[-1])["max_rss_kb"]
    return peaks


# --- the report ----------------------------------------------------------------------------------------


def machine_facts() -> list[str]:
    cpuinfo = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip()
        for line in (cpuinfo.read_text() if cpuinfo.exists() else "").splitlines()
        if line.startswith("model name")
    ]
    cpu = models[0] if models else platform.processor() or "unknown CPU"
    libraries = ", ".join(f"{name} {version(name)}" for name in ("weasyprint", "pydyf", "jinja2", "pypdf"))
    return [
        f"machine     {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.machine()}",
        f"Python      {platform.python_version()} ({platform.python_implementation()})",
        f"libraries   {libraries}",
        "load        {:.2f} {:.2f} {:.2f} (1, 5, 15 min average) at the end; other work skews the figures".format(
            *os.getloadavg()
        ),
    ]


async def main(args: argparse.Namespace) -> None:
    size = QUICK if args.quick else FULL
    size = Size(args.lines or size.lines, args.repeats or size.repeats)
    print(f"rendering a picking list of {size.lines:,} lines, {size.repeats} times per path ...", file=sys.stderr)

    import weasyprint  # noqa: F401 - imported once before timing, as a running server has it loaded

    found, document, html = build(size)
    await real_path(document)  # warm-up: fonts found and loaded, templates compiled, the worker thread started
    rows = [
        Timed("1. build the document (picking_order, sections)", lambda: documents.picking_list(found)),
        Timed(
            "2. Jinja2 alone (render_html)",
            lambda: render_html(TEMPLATE, document, organisation=ORGANISATION, printed_on=PRINTED_ON),
        ),
        Timed("3. real path: render_pdf (Jinja2 + WeasyPrint in a thread)", lambda: real_path(document)),
        Timed(
            "4. WeasyPrint alone, same HTML (base_url: base.css found)",
            lambda: weasyprint_alone(html, with_base_url=True),
        ),
        Timed(
            "5. WeasyPrint alone, HTML(string=html) (base.css not found)",
            lambda: weasyprint_alone(html, with_base_url=False),
        ),
    ]
    await run_rounds(rows, size.repeats)
    real, alone = rows[2], rows[3]
    print("checking the PDFs' text and fonts ...", file=sys.stderr)
    facts = {row.name: pdf_facts(row.pdf) for row in rows if row.pdf is not None}
    found_lots, all_lots = lots_in_text(real.pdf or b"", document)
    peaks = peak_memory(size.lines) if args.memory else {}

    print()
    print(f"foodbank documents benchmark, {time.strftime('%Y-%m-%d %H:%M')}")
    for line in machine_facts():
        print("  " + line)
    print()
    sections = ", ".join(f"{section.zone_label} {len(section.lines)}" for section in document.sections)
    print(
        f"Picking list of {size.lines:,} lines ({sections}; {document.units:,} units), HTML {len(html.encode()):,} "
        f"bytes; {size.repeats} rounds of every path in turn, after one warm-up render"
    )
    print(f"   {'path':<62}{'median s':>9}{'min s':>8}{'CPU s':>8}{'pages':>7}{'PDF bytes':>11}  fonts")
    for row in rows:
        pages, fonts = facts.get(row.name, (None, []))
        print(
            f"   {row.name:<62}{row.median:>9.3f}{row.best:>8.3f}{row.cpu:>8.3f}"
            + (f"{pages:>7}{len(row.pdf):>11,}  {', '.join(fonts)}" if row.pdf is not None else "")
        )
    print(
        f"   WeasyPrint alone takes {alone.median / real.median:.0%} of the real path's wall time and "
        f"{alone.cpu / real.cpu:.0%} of its CPU time; building the document {rows[0].median * 1000:.1f} ms, "
        f"Jinja2 {rows[1].median * 1000:.1f} ms"
    )
    print(
        f"   per page: {real.median / facts[real.name][0] * 1000:.0f} ms (real path); "
        f"the text of the real path's PDF holds {found_lots} of the {all_lots} lot numbers"
    )
    print("   (5) renders without base.css: default page size and margins, no page numbers, fallback fonts")
    if peaks:
        base = peaks["baseline"]
        print()
        print("   peak resident memory, each path run once in a fresh process (VmHWM)")
        for path, label in PATHS.items():
            extra = "" if path == "baseline" else f"   +{(peaks[path] - base) / 1024:,.0f} MB over the baseline"
            print(f"   {label:<44}{peaks[path] / 1024:>8,.0f} MB{extra}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="200 lines, 2 repetitions")
    parser.add_argument("--lines", type=int, default=None, help=f"lines in the picking list (default {FULL.lines})")
    parser.add_argument("--repeats", type=int, default=None, help=f"runs of each path (default {FULL.repeats})")
    parser.add_argument(
        "--no-memory", dest="memory", action="store_false", help="skip the peak memory (child processes)"
    )
    parser.add_argument("--child", choices=list(PATHS), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.child:
        child(arguments.child, arguments.lines or FULL.lines)
    else:
        asyncio.run(main(arguments))
