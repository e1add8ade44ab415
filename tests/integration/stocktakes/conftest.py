"""Stocktake fixtures: the hand-out tests' community (households, a warehouse with people)."""

from tests.integration.distributions.conftest import community, wh

__all__ = ["community", "wh"]
