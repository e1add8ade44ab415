"""`python3 -m foodbank test` runs the whole suite in parallel, and a few named tests alone."""

from __future__ import annotations

import click
import pytest

from foodbank.cli import MAX_TEST_WORKERS, worker_count


def test_the_whole_suite_gets_a_worker_per_core_up_to_the_cap() -> None:
    assert worker_count((), None, 2) == 2
    assert worker_count(("-m", "not e2e"), None, 2) == 2  # options are no tests named
    assert worker_count(("-x", "-q"), None, 64) == MAX_TEST_WORKERS
    assert worker_count((), None, 1) == 1


def test_named_tests_run_alone_and_chosen_workers_win() -> None:
    assert worker_count(("tests/unit",), None, 8) == 1
    assert (
        worker_count(
            ("tests/unit/test_cli_test_workers.py::test_named_tests_run_alone_and_chosen_workers_win",), None, 8
        )
        == 1
    )
    assert worker_count(("-n", "3"), None, 8) == 1  # pytest-xdist is given its own -n
    assert worker_count(("-n3",), "2", 8) == 1
    assert worker_count(("-p", "no:xdist"), None, 8) == 1


def test_the_environment_sets_the_number() -> None:
    assert worker_count((), "3", 1) == 3
    assert worker_count(("tests/unit",), "2", 8) == 2
    assert worker_count((), "0", 8) == 1
    with pytest.raises(click.ClickException, match="FOODBANK_TEST_WORKERS"):
        worker_count((), "many", 8)
