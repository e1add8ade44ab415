"""The rules of plausible dates at receipt (`foodbank.stock.dates`): pure, today a parameter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from foodbank.models import DatePrecision
from foodbank.picking.fefo import DateKind
from foodbank.stock.dates import (
    LabelDate,
    Level,
    crop_year_note,
    expiry_note,
    parse_label_date,
    received_date_note,
)

TODAY = date(2026, 12, 2)


def label(day: date) -> LabelDate:
    return LabelDate(day, DatePrecision.day)


def best_before(days_left: int, **options: str) -> Level | None:
    expiry = label(TODAY + timedelta(days=days_left))
    note = expiry_note(DateKind.best_before, expiry, received=TODAY, min_days_at_receipt=30, **options)
    return None if note is None else note.level


def test_a_received_date_in_the_future_is_refused_and_one_long_past_is_asked_about() -> None:
    assert received_date_note(TODAY, today=TODAY) is None
    assert received_date_note(TODAY - timedelta(days=7), today=TODAY) is None  # after a holiday week
    ahead = received_date_note(TODAY + timedelta(days=1), today=TODAY)
    assert ahead is not None and ahead.level is Level.refuse
    old = received_date_note(date(2020, 12, 2), today=TODAY)
    assert old is not None and old.level is Level.ask
    assert str(old) == "Received on 2020-12-02, 2191 days ago: is this date right?"


def test_a_past_use_by_is_refused_and_one_a_month_away_is_asked_about() -> None:
    def use_by(days_left: int) -> Level | None:
        expiry = label(TODAY + timedelta(days=days_left))
        note = expiry_note(DateKind.use_by, expiry, received=TODAY, min_days_at_receipt=2)
        return None if note is None else note.level

    assert use_by(-1) is Level.refuse
    assert use_by(0) is None  # the day itself is fine
    assert use_by(5) is None
    assert use_by(31) is Level.ask


def test_a_past_best_before_is_refused_for_a_donation_and_short_ones_follow_the_setting() -> None:
    assert best_before(-700) is Level.refuse  # 23 months past: never "few days left"
    assert best_before(-1) is Level.refuse
    assert best_before(-1, past_best_before="warn") is Level.warn  # an opening balance already on the shelf
    assert best_before(10) is Level.warn
    assert best_before(10, short_dates="refuse") is Level.refuse
    assert best_before(30) is None
    assert best_before(5 * 365) is None
    assert best_before(5 * 366 + 1) is Level.ask


def test_year_month_labels_count_as_their_last_day_and_crop_years_are_asked_about_when_odd() -> None:
    month_label = parse_label_date(f"{TODAY.year}-{TODAY.month:02d}")
    note = expiry_note(DateKind.best_before, month_label, received=TODAY, min_days_at_receipt=0)
    assert note is None  # 2026-12 means 2026-12-31: not past
    assert crop_year_note(TODAY.year, received=TODAY) is None
    assert crop_year_note(TODAY.year - 2, received=TODAY) is None
    odd = crop_year_note(TODAY.year + 1, received=TODAY)
    assert odd is not None and odd.level is Level.ask


@pytest.mark.parametrize("typed", ["2027-13-45", "2027-02-30", "2027-13"])
def test_impossible_dates_are_not_read(typed: str) -> None:
    with pytest.raises(ValueError, match=r"no month|no day"):
        parse_label_date(typed)
