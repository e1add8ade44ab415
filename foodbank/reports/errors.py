"""Errors of the reports area."""

from __future__ import annotations

from foodbank.lib.errors import InvalidInput


class YearNotStarted(InvalidInput):
    """A fiscal year that has not begun has no figures to report."""
