"""FEFO allocation: eligibility on a distribution day, picking order, shortages and shared pools."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foodbank.picking.fefo import (
    UNREADABLE_LABEL,
    Allocation,
    AllocationResult,
    CandidateLot,
    DateKind,
    LotStatus,
    Policy,
    Shortage,
    allocate,
    allocate_many,
    effective_expiry,
    fefo_key,
    ineligibility,
    unusable,
    usable_units,
)

PANTRY_DAY = date(2024, 6, 15)
NO_MINIMUM = Policy(default_min_days=0)
NOTHING_TO_AVOID: frozenset[str] = frozenset()


def lot(
    lot_id: int,
    *,
    item_id: int = 1,
    category_id: int = 1,
    available: int = 10,
    date_kind: DateKind = DateKind.best_before,
    expiry_date: date | None = date(2025, 3, 31),
    crop_year: int | None = None,
    received_date: date = date(2024, 4, 1),
    status: LotStatus = LotStatus.active,
    allergens: frozenset[str] | None = frozenset(),
) -> CandidateLot:
    return CandidateLot(
        lot_id=lot_id,
        item_id=item_id,
        category_id=category_id,
        available=available,
        date_kind=date_kind,
        expiry_date=expiry_date,
        crop_year=crop_year,
        received_date=received_date,
        status=status,
        allergens=allergens,
    )


def picked(result: AllocationResult) -> list[int]:
    return [allocation.lot_id for allocation in result.allocations]


# --- worked examples ---------------------------------------------------------------------------------


def test_use_by_lot_may_go_out_on_its_use_by_day_but_not_the_day_after() -> None:
    bento = lot(1, date_kind=DateKind.use_by, expiry_date=date(2024, 6, 15))
    assert ineligibility(bento, date(2024, 6, 15), NO_MINIMUM, NOTHING_TO_AVOID) is None
    assert ineligibility(bento, date(2024, 6, 16), NO_MINIMUM, NOTHING_TO_AVOID) == "use_by_passed"
    assert picked(allocate([bento], {1: 1}, date(2024, 6, 15), NO_MINIMUM)) == [1]
    assert allocate([bento], {1: 1}, date(2024, 6, 16), NO_MINIMUM).shortages == (Shortage(1, 1, 0),)


def test_use_by_ignores_the_best_before_minimum() -> None:
    # The minimum margin is about best-before dates; a use-by lot only has to be within its date.
    milk = lot(1, date_kind=DateKind.use_by, expiry_date=date(2024, 6, 17))
    assert ineligibility(milk, PANTRY_DAY, Policy(default_min_days=60), NOTHING_TO_AVOID) is None


def test_best_before_with_exactly_the_minimum_left_is_eligible_one_day_less_is_not() -> None:
    policy = Policy(default_min_days=30)
    assert ineligibility(lot(1, expiry_date=date(2024, 7, 15)), PANTRY_DAY, policy, NOTHING_TO_AVOID) is None
    assert (
        ineligibility(lot(2, expiry_date=date(2024, 7, 14)), PANTRY_DAY, policy, NOTHING_TO_AVOID)
        == "best_before_too_close"
    )


def test_category_minimum_overrides_the_channel_default() -> None:
    # e.g. the pantry channel wants two months on canned food (category 7) but one month elsewhere.
    policy = Policy(default_min_days=30, min_days_by_category={7: 61})
    tuna = lot(1, category_id=7, expiry_date=date(2024, 8, 14))  # 60 days after the pantry day
    pasta = lot(2, category_id=3, expiry_date=date(2024, 8, 14))
    assert policy.min_days(7) == 61
    assert policy.min_days(3) == 30
    assert ineligibility(tuna, PANTRY_DAY, policy, NOTHING_TO_AVOID) == "best_before_too_close"
    assert ineligibility(pasta, PANTRY_DAY, policy, NOTHING_TO_AVOID) is None


def test_month_precision_best_before_counts_to_the_last_day_of_the_month() -> None:
    # A label printing only "2024.07" arrives as 31 July 2024.
    canned = lot(1, expiry_date=date(2024, 7, 31))
    policy = Policy(default_min_days=30)
    assert ineligibility(canned, date(2024, 7, 1), policy, NOTHING_TO_AVOID) is None
    assert ineligibility(canned, date(2024, 7, 2), policy, NOTHING_TO_AVOID) == "best_before_too_close"
    # Within the same month it still sorts before anything dated in August.
    august = lot(2, expiry_date=date(2024, 8, 1), received_date=date(2024, 1, 1))
    assert picked(allocate([august, canned], {1: 20}, date(2024, 6, 1), policy)) == [1, 2]


def test_best_before_lot_without_a_date_is_not_eligible() -> None:
    unreadable = lot(1, expiry_date=None)
    assert ineligibility(unreadable, PANTRY_DAY, NO_MINIMUM, NOTHING_TO_AVOID) == "no_date"
    assert ineligibility(replace(unreadable, date_kind=DateKind.use_by), PANTRY_DAY, NO_MINIMUM, NOTHING_TO_AVOID) == (
        "no_date"
    )


def test_lot_with_no_date_comes_last() -> None:
    salt = lot(1, date_kind=DateKind.none, expiry_date=None, received_date=date(2023, 1, 1))
    crackers = lot(2, expiry_date=date(2026, 12, 31), received_date=date(2024, 6, 1))
    assert effective_expiry(salt) is None
    assert ineligibility(salt, PANTRY_DAY, Policy(default_min_days=365), NOTHING_TO_AVOID) is None
    assert fefo_key(crackers) < fefo_key(salt)
    result = allocate([salt, crackers], {1: 15}, PANTRY_DAY, NO_MINIMUM)
    assert result.allocations == (Allocation(2, 1, 10), Allocation(1, 1, 5))


def test_tie_on_expiry_is_broken_by_received_date_then_lot_id() -> None:
    same_day = date(2024, 12, 31)
    later_received = lot(1, expiry_date=same_day, received_date=date(2024, 5, 1))
    higher_id = lot(3, expiry_date=same_day, received_date=date(2024, 4, 1))
    lower_id = lot(2, expiry_date=same_day, received_date=date(2024, 4, 1))
    result = allocate([later_received, higher_id, lower_id], {1: 25}, PANTRY_DAY, NO_MINIMUM)
    assert picked(result) == [2, 3, 1]
    assert [a.quantity for a in result.allocations] == [10, 10, 5]


@pytest.mark.parametrize("status", [LotStatus.on_hold, LotStatus.recalled])
def test_held_and_recalled_lots_are_never_picked(status: LotStatus) -> None:
    blocked = lot(1, status=status, expiry_date=date(2024, 7, 1))
    fine = lot(2, expiry_date=date(2025, 1, 1), available=3)
    assert ineligibility(blocked, PANTRY_DAY, NO_MINIMUM, NOTHING_TO_AVOID) == status.value
    result = allocate([blocked, fine], {1: 5}, PANTRY_DAY, NO_MINIMUM)
    assert picked(result) == [2]
    assert result.shortages == (Shortage(item_id=1, requested=5, allocated=3),)


def test_a_shortage_counts_held_and_recalled_units_apart_with_every_other_reason() -> None:
    lots = [
        lot(1, status=LotStatus.on_hold, available=3),
        lot(2, status=LotStatus.recalled, available=2),
        lot(3, status=LotStatus.recalled, available=4, expiry_date=date(2024, 6, 1)),  # the recall comes first
        lot(4, date_kind=DateKind.use_by, expiry_date=date(2024, 6, 14), available=5),
        lot(5, expiry_date=date(2024, 6, 20), available=6),
        lot(6, expiry_date=None, available=1),
        lot(7, allergens=frozenset({"小麦", "乳"}), available=7),
        lot(8, allergens=None, available=8),
        lot(9, available=0, status=LotStatus.on_hold),  # nothing free: nothing to say
        lot(10, available=9),  # usable: not counted
    ]
    why = unusable(lots, PANTRY_DAY, Policy(default_min_days=30), frozenset({"小麦", "卵"}))
    assert why.units == {
        "on_hold": 3,
        "recalled": 6,
        "use_by_passed": 5,
        "best_before_too_close": 6,
        "no_date": 1,
        "allergen": 15,
    }
    # Only what the household avoids is named, and a label that could not be read as such.
    assert why.avoided == {"小麦", UNREADABLE_LABEL}
    assert unusable(lots, PANTRY_DAY, NO_MINIMUM, NOTHING_TO_AVOID).avoided == frozenset()
    assert "allergen" not in unusable(lots, PANTRY_DAY, NO_MINIMUM, NOTHING_TO_AVOID).units


def test_substitutes_never_include_an_unreadable_label_for_a_household_avoiding_anything() -> None:
    lots = [
        lot(1, item_id=1, allergens=None, available=10),  # donated, label unreadable
        lot(2, item_id=2, allergens=frozenset({"さば"}), available=4),
        lot(3, item_id=2, allergens=frozenset({"さば"}), available=1, status=LotStatus.on_hold),
        lot(4, item_id=3, allergens=frozenset({"小麦"}), available=5),
    ]
    assert usable_units(lots, PANTRY_DAY, NO_MINIMUM, NOTHING_TO_AVOID) == {1: 10, 2: 4, 3: 5}
    assert usable_units(lots, PANTRY_DAY, NO_MINIMUM, frozenset({"小麦"})) == {2: 4}
    assert usable_units(lots, PANTRY_DAY, NO_MINIMUM, frozenset({"卵"})) == {2: 4, 3: 5}


def test_empty_lot_is_not_eligible() -> None:
    assert ineligibility(lot(1, available=0), PANTRY_DAY, NO_MINIMUM, NOTHING_TO_AVOID) == "empty"


def test_unknown_allergens_are_refused_to_a_household_avoiding_any_allergen() -> None:
    donated = lot(1, allergens=None)
    assert ineligibility(donated, PANTRY_DAY, NO_MINIMUM, frozenset({"えび"})) == "allergen"
    assert ineligibility(donated, PANTRY_DAY, NO_MINIMUM, NOTHING_TO_AVOID) is None
    assert allocate([donated], {1: 1}, PANTRY_DAY, NO_MINIMUM, frozenset({"えび"})).shortages == (Shortage(1, 1, 0),)
    assert picked(allocate([donated], {1: 1}, PANTRY_DAY, NO_MINIMUM)) == [1]


def test_known_allergens_are_refused_only_when_they_overlap() -> None:
    bread = lot(1, allergens=frozenset({"小麦", "乳"}))
    assert ineligibility(bread, PANTRY_DAY, NO_MINIMUM, frozenset({"乳"})) == "allergen"
    assert ineligibility(bread, PANTRY_DAY, NO_MINIMUM, frozenset({"そば", "卵"})) is None
    # A lot labelled with no allergens at all is fine for everyone.
    assert ineligibility(lot(2), PANTRY_DAY, NO_MINIMUM, frozenset({"乳", "小麦"})) is None


def test_allergen_safe_lot_is_picked_past_an_earlier_unsafe_one() -> None:
    with_milk = lot(1, expiry_date=date(2024, 9, 1), allergens=frozenset({"乳"}))
    without = lot(2, expiry_date=date(2024, 12, 1))
    assert picked(allocate([with_milk, without], {1: 2}, PANTRY_DAY, NO_MINIMUM, frozenset({"乳"}))) == [2]
    assert picked(allocate([with_milk, without], {1: 2}, PANTRY_DAY, NO_MINIMUM)) == [1]


def test_rice_is_ordered_by_crop_year_due_the_october_after_harvest() -> None:
    rice_2023 = lot(1, date_kind=DateKind.crop_year, expiry_date=None, crop_year=2023, received_date=date(2024, 5, 1))
    rice_2024 = lot(2, date_kind=DateKind.crop_year, expiry_date=None, crop_year=2024, received_date=date(2024, 1, 1))
    packed_rice = lot(3, expiry_date=date(2024, 12, 1))
    assert effective_expiry(rice_2023) == date(2024, 10, 31)
    assert effective_expiry(rice_2024) == date(2025, 10, 31)
    # Crop years have no best-before margin, even under a strict policy.
    assert ineligibility(rice_2023, PANTRY_DAY, Policy(default_min_days=365), NOTHING_TO_AVOID) is None
    result = allocate([rice_2024, packed_rice, rice_2023], {1: 30}, PANTRY_DAY, NO_MINIMUM)
    assert picked(result) == [1, 3, 2]


def test_shortage_is_exact_when_stock_is_insufficient() -> None:
    lots = [
        lot(1, item_id=5, available=3, expiry_date=date(2024, 9, 1)),
        lot(2, item_id=5, available=4, expiry_date=date(2024, 10, 1)),
        lot(3, item_id=9, available=8),
        lot(4, item_id=2, available=100),  # not requested: ignored
    ]
    result = allocate(lots, {9: 2, 5: 10}, PANTRY_DAY, NO_MINIMUM)
    assert result.allocations == (Allocation(1, 5, 3), Allocation(2, 5, 4), Allocation(3, 9, 2))
    assert result.shortages == (Shortage(item_id=5, requested=10, allocated=7),)
    assert result.shortages[0].missing == 3
    assert not result.complete
    assert allocate(lots, {9: 8}, PANTRY_DAY, NO_MINIMUM).complete


def test_item_with_no_lots_at_all_is_a_full_shortage() -> None:
    result = allocate([lot(1)], {42: 3}, PANTRY_DAY, NO_MINIMUM)
    assert result.allocations == ()
    assert result.shortages == (Shortage(item_id=42, requested=3, allocated=0),)


@pytest.mark.parametrize("quantity", [0, -1])
def test_non_positive_requests_are_refused(quantity: int) -> None:
    with pytest.raises(ValueError, match="item 1"):
        allocate([lot(1)], {1: quantity}, PANTRY_DAY, NO_MINIMUM)
    # allocate_many checks every demand before it takes anything.
    with pytest.raises(ValueError, match="item 1"):
        allocate_many([lot(1)], [({1: 2}, NOTHING_TO_AVOID), ({1: quantity}, NOTHING_TO_AVOID)], PANTRY_DAY, NO_MINIMUM)


def test_repeated_lot_id_is_refused() -> None:
    with pytest.raises(ValueError, match="lot 1"):
        allocate([lot(1), lot(1, item_id=2)], {1: 1}, PANTRY_DAY, NO_MINIMUM)


def test_negative_minimum_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        Policy(default_min_days=-1)
    with pytest.raises(ValueError, match="negative"):
        Policy(default_min_days=30, min_days_by_category={2: -5})


def test_allocate_many_serves_households_in_order_from_one_pool() -> None:
    lots = [
        lot(1, available=3, expiry_date=date(2024, 9, 1), allergens=frozenset({"乳"})),
        lot(2, available=4, expiry_date=date(2024, 10, 1)),
    ]
    first, milk_free, last = allocate_many(
        lots,
        [({1: 2}, NOTHING_TO_AVOID), ({1: 3}, frozenset({"乳"})), ({1: 5}, NOTHING_TO_AVOID)],
        PANTRY_DAY,
        NO_MINIMUM,
    )
    assert first.allocations == (Allocation(1, 1, 2),)
    assert milk_free.allocations == (Allocation(2, 1, 3),)
    assert last.allocations == (Allocation(1, 1, 1), Allocation(2, 1, 1))
    assert last.shortages == (Shortage(item_id=1, requested=5, allocated=2),)


def test_a_pantry_day_at_full_scale_never_overdraws_a_lot() -> None:
    # 300 households x 12 items from 20,000 lots: the real size of a pantry day (speed is measured
    # in bench/stock_bench.py, not asserted here).
    rng = Random(2024)  # noqa: S311 - reproducible test data, not security  # noqa: S311 - test data, not secrets
    lots = [
        lot(
            lot_id,
            item_id=rng.randint(1, 200),
            category_id=rng.randint(1, 10),
            available=rng.randint(0, 30),
            expiry_date=PANTRY_DAY + timedelta(days=rng.randint(-10, 400)),
            received_date=PANTRY_DAY - timedelta(days=rng.randint(0, 300)),
            allergens=rng.choice([None, frozenset(), frozenset({"乳"}), frozenset({"小麦", "卵"})]),
        )
        for lot_id in range(1, 20_001)
    ]
    demands = [
        (
            {item_id: rng.randint(1, 5) for item_id in rng.sample(range(1, 201), 12)},
            frozenset(rng.sample(["乳", "小麦", "卵", "えび"], rng.randint(0, 2))),
        )
        for _ in range(300)
    ]
    results = allocate_many(lots, demands, PANTRY_DAY, Policy(default_min_days=30))
    assert len(results) == 300
    taken: defaultdict[int, int] = defaultdict(int)
    for result in results:
        for allocation in result.allocations:
            taken[allocation.lot_id] += allocation.quantity
    assert all(taken[candidate.lot_id] <= candidate.available for candidate in lots)


# --- properties --------------------------------------------------------------------------------------

ALLERGENS = ("乳", "小麦", "卵")
ON_DATE = date(2024, 6, 15)

allergen_sets = st.frozensets(st.sampled_from(ALLERGENS))
policies = st.builds(
    Policy,
    default_min_days=st.integers(0, 20),
    min_days_by_category=st.dictionaries(st.integers(1, 2), st.integers(0, 20), max_size=2),
)
request_maps = st.dictionaries(st.integers(1, 3), st.integers(1, 12), min_size=1, max_size=3)


# One tuple per lot, drawn at once and mapped to dates afterwards: far cheaper to generate than one
# draw per field, which keeps 300 examples per property quick.
lot_rows = st.lists(
    st.tuples(
        st.integers(1, 10_000),  # lot id
        st.integers(1, 2),  # item id; requests also ask for 3, which has no lots
        st.integers(1, 2),  # category id
        st.integers(0, 6),  # available
        st.sampled_from(DateKind),
        # A narrow window around the day, so dates collide and sit on both sides of the minimum.
        st.one_of(st.integers(-5, 30), st.integers(-5, 30), st.none()),  # expiry, days after ON_DATE
        st.none() | st.integers(2022, 2024),  # crop year
        st.integers(0, 4),  # received, in days after 1 June
        st.sampled_from([LotStatus.active] * 4 + [LotStatus.on_hold, LotStatus.recalled]),
        st.one_of(allergen_sets, allergen_sets, st.none()),
    ),
    min_size=1,
    max_size=14,
    unique_by=lambda row: row[0],
)


def lots_from_rows(
    rows: list[tuple[int, int, int, int, DateKind, int | None, int | None, int, LotStatus, frozenset[str] | None]],
) -> list[CandidateLot]:
    return [
        CandidateLot(
            lot_id=lot_id,
            item_id=item_id,
            category_id=category_id,
            available=available,
            date_kind=date_kind,
            expiry_date=None if expiry is None else ON_DATE + timedelta(days=expiry),
            crop_year=crop_year,
            received_date=date(2024, 6, 1) + timedelta(days=received),
            status=status,
            allergens=allergens,
        )
        for lot_id, item_id, category_id, available, date_kind, expiry, crop_year, received, status, allergens in rows
    ]


def lot_lists() -> st.SearchStrategy[list[CandidateLot]]:
    return lot_rows.map(lots_from_rows)


def eligible_in_fefo_order(
    lots: list[CandidateLot], item_id: int, policy: Policy, avoid: frozenset[str]
) -> list[CandidateLot]:
    return sorted(
        (c for c in lots if c.item_id == item_id and ineligibility(c, ON_DATE, policy, avoid) is None),
        key=fefo_key,
    )


def taken_per_lot(results: list[AllocationResult]) -> dict[int, int]:
    taken: defaultdict[int, int] = defaultdict(int)
    for result in results:
        for allocation in result.allocations:
            taken[allocation.lot_id] += allocation.quantity
    return taken


@settings(max_examples=300, deadline=None)
@given(lots=lot_lists(), requests=request_maps, policy=policies, avoid=allergen_sets)
def test_never_more_than_a_lot_has(
    lots: list[CandidateLot], requests: dict[int, int], policy: Policy, avoid: frozenset[str]
) -> None:
    result = allocate(lots, requests, ON_DATE, policy, avoid)
    by_id = {c.lot_id: c for c in lots}
    assert all(allocation.quantity > 0 for allocation in result.allocations)
    assert all(taken <= by_id[lot_id].available for lot_id, taken in taken_per_lot([result]).items())


@settings(max_examples=300, deadline=None)
@given(
    lots=lot_lists(),
    demands=st.lists(st.tuples(request_maps, allergen_sets), max_size=5),
    policy=policies,
)
def test_never_more_than_a_lot_has_across_many_demands(
    lots: list[CandidateLot], demands: list[tuple[dict[int, int], frozenset[str]]], policy: Policy
) -> None:
    results = allocate_many(lots, demands, ON_DATE, policy)
    by_id = {c.lot_id: c for c in lots}
    assert len(results) == len(demands)
    assert all(taken <= by_id[lot_id].available for lot_id, taken in taken_per_lot(results).items())
    for result, (_, avoid) in zip(results, demands, strict=True):
        for allocation in result.allocations:
            assert ineligibility(by_id[allocation.lot_id], ON_DATE, policy, avoid) is None


@settings(max_examples=300, deadline=None)
@given(lots=lot_lists(), requests=request_maps, policy=policies, avoid=allergen_sets)
def test_every_allocated_lot_is_eligible(
    lots: list[CandidateLot], requests: dict[int, int], policy: Policy, avoid: frozenset[str]
) -> None:
    by_id = {c.lot_id: c for c in lots}
    for allocation in allocate(lots, requests, ON_DATE, policy, avoid).allocations:
        allocated = by_id[allocation.lot_id]
        assert allocation.item_id == allocated.item_id
        assert allocation.item_id in requests
        assert ineligibility(allocated, ON_DATE, policy, avoid) is None


@settings(max_examples=300, deadline=None)
@given(lots=lot_lists(), requests=request_maps, policy=policies, avoid=allergen_sets)
def test_each_item_takes_a_prefix_of_its_eligible_lots_in_fefo_order(
    lots: list[CandidateLot], requests: dict[int, int], policy: Policy, avoid: frozenset[str]
) -> None:
    result = allocate(lots, requests, ON_DATE, policy, avoid)
    item_order = [allocation.item_id for allocation in result.allocations]
    assert item_order == sorted(item_order)
    for item_id in requests:
        eligible = eligible_in_fefo_order(lots, item_id, policy, avoid)
        allocations = [a for a in result.allocations if a.item_id == item_id]
        assert [a.lot_id for a in allocations] == [c.lot_id for c in eligible[: len(allocations)]]
        for allocation, candidate in zip(allocations[:-1], eligible, strict=False):
            assert allocation.quantity == candidate.available
        if allocations:
            assert 0 < allocations[-1].quantity <= eligible[len(allocations) - 1].available


@settings(max_examples=300, deadline=None)
@given(lots=lot_lists(), requests=request_maps, policy=policies, avoid=allergen_sets)
def test_shortages_are_exact(
    lots: list[CandidateLot], requests: dict[int, int], policy: Policy, avoid: frozenset[str]
) -> None:
    result = allocate(lots, requests, ON_DATE, policy, avoid)
    shortages = {shortage.item_id: shortage for shortage in result.shortages}
    assert [s.item_id for s in result.shortages] == sorted(shortages)
    assert set(shortages) <= set(requests)
    for item_id, requested in requests.items():
        in_stock = sum(c.available for c in eligible_in_fefo_order(lots, item_id, policy, avoid))
        allocated = sum(a.quantity for a in result.allocations if a.item_id == item_id)
        missing = shortages[item_id].missing if item_id in shortages else 0
        assert allocated + missing == requested
        assert missing == max(0, requested - in_stock)
        if item_id in shortages:
            assert shortages[item_id] == Shortage(item_id, requested, allocated)
    assert result.complete == (not shortages)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), lots=lot_lists(), requests=request_maps, policy=policies, avoid=allergen_sets)
def test_result_does_not_depend_on_the_order_of_lots(
    data: st.DataObject,
    lots: list[CandidateLot],
    requests: dict[int, int],
    policy: Policy,
    avoid: frozenset[str],
) -> None:
    shuffled = data.draw(st.permutations(lots))
    assert allocate(shuffled, requests, ON_DATE, policy, avoid) == allocate(lots, requests, ON_DATE, policy, avoid)


@settings(max_examples=300, deadline=None)
@given(lots=lot_lists(), requests=request_maps, policy=policies, avoid=allergen_sets)
def test_allocate_many_with_one_demand_equals_allocate(
    lots: list[CandidateLot], requests: dict[int, int], policy: Policy, avoid: frozenset[str]
) -> None:
    assert allocate_many(lots, [(requests, avoid)], ON_DATE, policy) == [
        allocate(lots, requests, ON_DATE, policy, avoid)
    ]


@settings(max_examples=300, deadline=None)
@given(
    lots=lot_lists(),
    demands=st.lists(st.tuples(request_maps, allergen_sets), max_size=5),
    policy=policies,
)
def test_allocate_many_equals_allocating_one_by_one_from_what_is_left(
    lots: list[CandidateLot], demands: list[tuple[dict[int, int], frozenset[str]]], policy: Policy
) -> None:
    expected: list[AllocationResult] = []
    pool = lots
    for requests, avoid in demands:
        result = allocate(pool, requests, ON_DATE, policy, avoid)
        expected.append(result)
        taken = taken_per_lot([result])
        pool = [replace(c, available=c.available - taken.get(c.lot_id, 0)) for c in pool]
    assert allocate_many(lots, demands, ON_DATE, policy) == expected


def holds_nothing_avoided(candidate: CandidateLot, avoid: frozenset[str]) -> bool:
    """The domain rule itself (DOMAIN.md: "Unknown" is its own state; a household's allergens are never
    allocated to it), written without the allocator's helpers."""
    if not avoid:
        return True
    return candidate.allergens is not None and not (candidate.allergens & avoid)


@settings(max_examples=300, deadline=None)
@given(
    lots=lot_lists(),
    demands=st.lists(st.tuples(request_maps, allergen_sets), max_size=5),
    policy=policies,
    avoid=allergen_sets,
)
def test_an_unreadable_label_never_reaches_a_household_that_avoids_anything(
    lots: list[CandidateLot],
    demands: list[tuple[dict[int, int], frozenset[str]]],
    policy: Policy,
    avoid: frozenset[str],
) -> None:
    by_id = {c.lot_id: c for c in lots}
    for result, (_, avoided) in zip(allocate_many(lots, demands, ON_DATE, policy), demands, strict=True):
        assert all(holds_nothing_avoided(by_id[a.lot_id], avoided) for a in result.allocations)
    offered = usable_units(lots, ON_DATE, policy, avoid)
    allowed = {c.item_id for c in lots if c.available > 0 and holds_nothing_avoided(c, avoid)}
    assert set(offered) <= allowed
    for item_id, units in offered.items():
        usable = [c for c in lots if c.item_id == item_id and ineligibility(c, ON_DATE, policy, avoid) is None]
        assert units == sum(c.available for c in usable) and all(holds_nothing_avoided(c, avoid) for c in usable)


@settings(max_examples=300, deadline=None)
@given(lots=lot_lists(), policy=policies, avoid=allergen_sets)
def test_every_free_unit_is_either_usable_or_unusable_for_one_reason(
    lots: list[CandidateLot], policy: Policy, avoid: frozenset[str]
) -> None:
    why = unusable(lots, ON_DATE, policy, avoid)
    free = sum(c.available for c in lots if c.available > 0)
    assert sum(why.units.values()) + sum(usable_units(lots, ON_DATE, policy, avoid).values()) == free
    held = sum(c.available for c in lots if c.status is not LotStatus.active and c.available > 0)
    assert why.units.get("on_hold", 0) + why.units.get("recalled", 0) == held
    assert why.avoided <= avoid | {UNREADABLE_LABEL}
    assert bool(why.avoided) == ("allergen" in why.units)
