"""The report's own words: both languages for everything, and none that a spreadsheet would run."""

from __future__ import annotations

from foodbank.reports import labels
from tests.formulas import live


def label_tables() -> dict[str, dict[str, labels.Label]]:
    return {name: table for name, table in vars(labels).items() if name.isupper() and isinstance(table, dict)}


def test_no_label_starts_like_a_formula() -> None:
    tables = label_tables()
    assert {"TEXT", "CHANNELS", "DONOR_KINDS"} <= tables.keys()
    started = [
        (name, key, text)
        for name, table in tables.items()
        for key, pair in table.items()
        for text in pair
        if live(text)
    ]
    assert started == []


def test_the_stock_flow_says_its_sign_after_the_words() -> None:
    for key, sign in (("flow_received", "(+)"), ("flow_distributed", "(−)"), ("flow_adjusted", "(±)")):
        ja, en = labels.TEXT[key]
        assert ja.endswith(sign) and en.endswith(sign), key
