"""What is odd about a pantry day's date, for planning, starting and closing (today a parameter)."""

from __future__ import annotations

from datetime import date, timedelta

from foodbank.pantry import rules
from foodbank.pantry.rules import Oddity

TODAY = date(2027, 2, 10)


def test_planning_in_the_past_or_over_ninety_days_ahead_is_odd() -> None:
    assert rules.check_planned_date(TODAY - timedelta(days=1), TODAY).oddities == (Oddity.past,)
    assert rules.check_planned_date(TODAY + timedelta(days=91), TODAY).oddities == (Oddity.far_ahead,)
    for fine in (TODAY, TODAY + timedelta(days=14), TODAY + rules.FAR_AHEAD):
        assert not rules.check_planned_date(fine, TODAY)
    assert rules.check_planned_date(TODAY - timedelta(days=30), TODAY).days_from_today == -30


def test_a_day_starts_on_its_own_day_and_closes_on_or_after_it() -> None:
    assert not rules.check_start(TODAY, TODAY)
    assert rules.check_start(TODAY + timedelta(days=1), TODAY).oddities == (Oddity.not_today,)
    assert rules.check_start(TODAY - timedelta(days=1), TODAY).oddities == (Oddity.not_today,)
    assert rules.check_close(TODAY + timedelta(days=7), TODAY).oddities == (Oddity.before_the_day,)
    assert not rules.check_close(TODAY, TODAY) and not rules.check_close(TODAY - timedelta(days=3), TODAY)
