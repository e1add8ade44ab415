"""Fixtures shared by every integration area (the stocked warehouse lives in stock/conftest.py)."""

from tests.integration.stock.conftest import wh  # noqa: F401 - re-exported as a fixture for all areas
