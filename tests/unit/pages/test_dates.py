"""Days on the pages are written one way per language: 2026年12月3日, 3 Dec 2026 (with the weekday when asked)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from jinja2 import Environment

from foodbank.pages import i18n


def render(source: str, lang: str, **values: object) -> str:
    environment = Environment(autoescape=True)
    i18n.install(environment)
    return environment.from_string(source).render(lang=lang, **values)


def test_one_format_per_language() -> None:
    day = date(2026, 12, 3)
    assert i18n.format_day(day, "ja") == "2026年12月3日"
    assert i18n.format_day(day, "en") == "3 Dec 2026"
    assert i18n.format_day(day, "ja", "full") == "2026年12月3日(木)"
    assert i18n.format_day(day, "en", "full") == "Thu 3 Dec 2026"
    assert render("{{ d|date }} / {{ d|date('full') }}", "en", d=day) == "3 Dec 2026 / Thu 3 Dec 2026"
    assert render("{{ d|date }}", "ja", d=day) == "2026年12月3日"
    assert render("{{ d|date }}", "en", d=None) == ""


def test_moments_are_shown_in_japan_time_with_the_same_day_format() -> None:
    late_in_utc = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)  # already the 4th in Japan
    assert render("{{ t|datetime }}", "en", t=late_in_utc) == "4 Dec 2026 00:30"
    assert render("{{ t|datetime }}", "ja", t=late_in_utc) == "2026年12月4日 00:30"
