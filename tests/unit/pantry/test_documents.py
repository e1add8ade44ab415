"""The packer's notes: a household's allergens and needs in words, each said once."""

from __future__ import annotations

from foodbank.models import Household, Municipality
from foodbank.pantry.documents import diet_notes

NAMES = {"wheat": "小麦", "egg": "卵", "pork": "豚肉"}


def household(**needs: object) -> Household:
    return Household(code="H-2026-0001", municipality=Municipality.togane, adults=1, **needs)


def test_allergens_are_named_in_japanese_and_needs_follow() -> None:
    notes = diet_notes(household(allergens=["wheat", "egg"], vegetarian=True, ready_to_eat_only=True), NAMES)
    assert notes == ("小麦なし", "卵なし", "ベジタリアン（肉・魚介なし）", "調理不要の食品のみ（調理設備なし）")


def test_halal_covers_no_pork_and_pork_is_said_once() -> None:
    assert diet_notes(household(allergens=[], halal=True, no_pork=True), NAMES) == ("ハラール（豚肉・ゼラチンなし）",)
    assert diet_notes(household(allergens=["pork"], no_pork=True), NAMES) == ("豚肉なし",)


def test_a_household_with_no_needs_has_no_notes() -> None:
    assert diet_notes(household(allergens=[]), NAMES) == ()
