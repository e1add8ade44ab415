"""The pure parcel rules (no database): template choice, the walk-in buffer's size, and filling parcels
item lines first, then category lines FEFO across the category's items, from one shared pool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from foodbank.picking import parcels
from foodbank.picking.fefo import CandidateLot, DateKind, LotStatus, Policy

DAY = date(2026, 12, 7)
POLICY = Policy(default_min_days=7)


@dataclass(frozen=True)
class Band:
    id: int
    min_people: int
    max_people: int
    ready_to_eat_only: bool = False


def lot(
    lot_id: int, item_id: int, available: int, expiry: date, *, category: int = 1, allergens: set[str] | None = None
) -> CandidateLot:
    return CandidateLot(
        lot_id=lot_id,
        item_id=item_id,
        category_id=category,
        available=available,
        date_kind=DateKind.best_before,
        expiry_date=expiry,
        crop_year=None,
        received_date=date(2026, 11, 1),
        status=LotStatus.active,
        allergens=frozenset(allergens or ()),
    )


def test_a_household_gets_the_template_of_its_size_and_kind() -> None:
    small, large, ready = Band(1, 1, 2), Band(2, 3, 20), Band(3, 1, 20, ready_to_eat_only=True)
    bands = [small, large, ready]
    assert parcels.choose_template(bands, 2, ready_to_eat_only=False) is small
    assert parcels.choose_template(bands, 5, ready_to_eat_only=False) is large
    assert parcels.choose_template(bands, 5, ready_to_eat_only=True) is ready
    assert parcels.choose_template([small, large], 5, ready_to_eat_only=True) is large  # falls back
    assert parcels.choose_template([ready], 2, ready_to_eat_only=False) is None  # never the other way
    assert parcels.choose_template([small], 3, ready_to_eat_only=False) is None
    assert parcels.overlapping_bands([small, large, ready, Band(4, 2, 3)]) == [(1, 4), (2, 4)]


def test_a_plan_starts_with_templates_that_can_be_used_together_the_first_ones_winning() -> None:
    small, large, ready = Band(1, 1, 2), Band(2, 3, 20), Band(3, 1, 20, ready_to_eat_only=True)
    middle, ready_small = Band(4, 2, 3), Band(5, 1, 1, ready_to_eat_only=True)
    assert parcels.without_overlaps([small, large, ready, middle, ready_small]) == [1, 2, 3]
    assert parcels.without_overlaps([middle, small, large]) == [4]
    assert parcels.without_overlaps([]) == []


def test_walk_in_parcels_are_people_over_the_typical_size_rounded_up() -> None:
    assert [parcels.walk_in_parcels(people, 3) for people in (0, 1, 3, 4, 10, 12)] == [0, 1, 1, 2, 4, 4]
    assert parcels.walk_in_parcels(7, 1) == 7


def test_item_lines_are_filled_first_then_categories_fefo_across_items_from_one_pool() -> None:
    pool = [
        lot(1, 10, 3, date(2027, 1, 31)),  # earliest: item 10
        lot(2, 11, 5, date(2027, 2, 28), allergens={"wheat"}),
        lot(3, 12, 5, date(2027, 3, 31)),
        lot(4, 13, 9, date(2026, 12, 10)),  # too close to the day: never
        lot(5, 20, 4, date(2027, 5, 31), category=2),
    ]
    first = parcels.ParcelDemand(items={10: 2}, categories={1: 3})
    second = parcels.ParcelDemand(items={10: 2}, categories={1: 3}, avoid=frozenset({"wheat"}))
    results = parcels.allocate_parcels(pool, [first, second], DAY, POLICY)

    taken = [sorted((a.lot_id, a.item_id, a.quantity) for a in r.allocations) for r in results]
    # Item lines of both parcels first: 2 + 1 of lot 1. Then the first parcel's category line takes
    # what FEFO offers (lot 2, wheat), the second's avoids wheat and takes lot 3.
    assert taken == [[(1, 10, 2), (2, 11, 3)], [(1, 10, 1), (3, 12, 3)]]
    assert [(s.item_id, s.missing) for s in results[1].item_shortages] == [(10, 1)]
    assert results[0].category_shortages == () and results[0].units == 5


def test_a_category_short_of_stock_is_reported_as_such() -> None:
    pool = [lot(1, 10, 2, date(2027, 1, 31))]
    (result,) = parcels.allocate_parcels(pool, [parcels.ParcelDemand({}, {1: 3, 2: 1}).times(2)], DAY, POLICY)
    assert [(c.category_id, c.requested, c.allocated, c.missing) for c in result.category_shortages] == [
        (1, 6, 2, 4),
        (2, 2, 0, 2),
    ]
