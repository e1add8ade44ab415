"""bench/stock_bench.py builds its catalogue through the real services, which refuse a barcode whose
check digit is wrong: the bench's own items must pass them."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

from foodbank.catalogue.barcodes import is_valid
from foodbank.lib.db import Database

BENCH = Path(__file__).resolve().parents[3] / "bench" / "stock_bench.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stock_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


async def test_the_bench_catalogue_loads_through_the_services(database: Database) -> None:
    bench = load_bench()
    catalogue = await bench.seed_catalogue(database, random.Random(1), bench.QUICK)  # noqa: S311 - the seed, as the bench uses it
    assert len(catalogue.items) == bench.QUICK.items


def test_the_full_size_bench_has_distinct_valid_barcodes() -> None:
    bench = load_bench()
    codes = [bench.jan13(n) for n in range(bench.FULL.items)]
    assert [code for code in codes if not is_valid(code)] == []
    assert len(set(codes)) == len(codes)
