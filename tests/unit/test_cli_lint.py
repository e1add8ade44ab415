"""`foodbank lint`: the house rules' three checks, all run, the failed ones named, exit 1 if any failed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from foodbank import cli


def test_lint_runs_ruff_check_ruff_format_and_mypy_on_the_whole_checkout() -> None:
    assert [args for _, args in cli.LINT_CHECKS] == [
        ("ruff", "check", "."),
        ("ruff", "format", "--check", "."),
        ("mypy", "foodbank"),
    ]


def test_lint_runs_every_check_and_names_the_ones_that_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The venv's own python stands in for the tools: it is in the same bin/ as ruff and mypy.
    monkeypatch.setattr(
        cli,
        "LINT_CHECKS",
        (
            ("first", ("python", "-c", "raise SystemExit(1)")),
            ("second", ("python", "-c", "print('second ran')")),
            ("third", ("python", "-c", "raise SystemExit(2)")),
        ),
    )
    result = CliRunner().invoke(cli.main, ["lint"])
    assert result.exit_code == 1
    assert "failed: first, third" in result.output
    assert "--- second" in result.output


def test_lint_exits_zero_when_all_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "LINT_CHECKS", (("only", ("python", "-c", "pass")),))
    result = CliRunner().invoke(cli.main, ["lint"])
    assert result.exit_code == 0, result.output
    assert "all checks passed" in result.output
