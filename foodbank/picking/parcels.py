"""Pure parcel rules of a pantry day: which template fits a household, how many walk-in parcels to
prepare, and how parcels are filled FEFO from one shared pool of lots.

Nothing here reads the database or the clock. A template line names an item or a category ("any item
of that category"); `allocate_parcels` fills every parcel's item lines first, in the order the parcels
are given, then every parcel's category lines from what is left, each category taken across its items
in FEFO order, so a line for a named item is never starved by a line that would take any item.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from foodbank.picking import fefo


class TemplateBand(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def min_people(self) -> int: ...
    @property
    def max_people(self) -> int: ...
    @property
    def ready_to_eat_only(self) -> bool: ...


T = TypeVar("T", bound=TemplateBand)


def choose_template(templates: Iterable[T], people: int, ready_to_eat_only: bool) -> T | None:
    """The template whose size band holds `people`: a ready-to-eat one for a household that cannot cook
    when there is one (else the ordinary one: its allergen tag keeps food that needs cooking out), and
    never a ready-to-eat one for a household that can cook. Bands of one kind do not overlap within an
    event; should they, the narrowest band, then the lowest id, wins."""
    fitting = sorted(
        (t for t in templates if t.min_people <= people <= t.max_people),
        key=lambda t: (t.max_people - t.min_people, t.id),
    )
    if ready_to_eat_only:
        special = [t for t in fitting if t.ready_to_eat_only]
        if special:
            return special[0]
    ordinary = [t for t in fitting if not t.ready_to_eat_only]
    return ordinary[0] if ordinary else None


def overlapping_bands(templates: Sequence[TemplateBand]) -> list[tuple[int, int]]:
    """Pairs of template ids of the same kind whose size bands share a household size."""
    pairs = []
    for n, a in enumerate(templates):
        for b in templates[n + 1 :]:
            if (
                a.ready_to_eat_only == b.ready_to_eat_only
                and a.min_people <= b.max_people
                and b.min_people <= a.max_people
            ):
                pairs.append((min(a.id, b.id), max(a.id, b.id)))
    return sorted(pairs)


def without_overlaps(templates: Sequence[TemplateBand]) -> list[int]:
    """The ids of templates, in the order given, that a day can use together: each is kept unless its
    band overlaps one already kept of its kind (a plan's starting choice, which the coordinator changes)."""
    kept: list[TemplateBand] = []
    for template in templates:
        if not overlapping_bands([*kept, template]):
            kept.append(template)
    return [t.id for t in kept]


def walk_in_parcels(expected_people: int, typical_household_size: int) -> int:
    """Walk-ins are expected in people; they come as households of the typical size, so the buffer holds
    that many people divided by the size, rounded up (10 people of households of 3: 4 parcels)."""
    if expected_people <= 0:
        return 0
    return math.ceil(expected_people / typical_household_size)


@dataclass(frozen=True)
class ParcelDemand:
    """What one parcel (or a buffer of several) asks for, and the allergen tags its household avoids."""

    items: Mapping[int, int]  # item id -> units
    categories: Mapping[int, int]  # category id -> units of any of its items
    avoid: frozenset[str] = frozenset()

    def times(self, parcels: int) -> ParcelDemand:
        return ParcelDemand(
            {i: q * parcels for i, q in self.items.items()},
            {c: q * parcels for c, q in self.categories.items()},
            self.avoid,
        )


@dataclass(frozen=True)
class CategoryShortage:
    category_id: int
    requested: int
    allocated: int

    @property
    def missing(self) -> int:
        return self.requested - self.allocated


@dataclass(frozen=True)
class ParcelResult:
    allocations: tuple[fefo.Allocation, ...]  # real item ids
    item_shortages: tuple[fefo.Shortage, ...]
    category_shortages: tuple[CategoryShortage, ...]

    @property
    def units(self) -> int:
        return sum(a.quantity for a in self.allocations)


def allocate_parcels(
    lots: Sequence[fefo.CandidateLot], demands: Sequence[ParcelDemand], on_date: date, policy: fefo.Policy
) -> list[ParcelResult]:
    """Fill the parcels in order from one pool: item lines of all parcels, then category lines of all.

    Category lines go through the same allocator: each lot of a requested category stands in for the
    category (its item id replaced by a key of the category), so eligibility, allergens and FEFO order
    are exactly those of item lines.
    """
    by_item = fefo.allocate_many(lots, [(d.items, d.avoid) for d in demands], on_date, policy)
    taken: dict[int, int] = defaultdict(int)
    for result in by_item:
        for allocation in result.allocations:
            taken[allocation.lot_id] += allocation.quantity

    wanted = {category for d in demands for category in d.categories}
    item_of_lot = {lot.lot_id: lot.item_id for lot in lots}
    stand_ins = [
        dataclasses.replace(lot, item_id=_category_key(lot.category_id), available=lot.available - taken[lot.lot_id])
        for lot in lots
        if lot.category_id in wanted and lot.available > taken[lot.lot_id]
    ]
    by_category = fefo.allocate_many(
        stand_ins,
        [({_category_key(c): q for c, q in d.categories.items()}, d.avoid) for d in demands],
        on_date,
        policy,
    )
    return [
        ParcelResult(
            allocations=items.allocations
            + tuple(
                fefo.Allocation(lot_id=a.lot_id, item_id=item_of_lot[a.lot_id], quantity=a.quantity)
                for a in categories.allocations
            ),
            item_shortages=items.shortages,
            category_shortages=tuple(
                sorted(
                    (
                        CategoryShortage(_category_key(s.item_id), s.requested, s.allocated)
                        for s in categories.shortages
                    ),
                    key=lambda c: c.category_id,
                )
            ),
        )
        for items, categories in zip(by_item, by_category, strict=True)
    ]


def _category_key(category_id: int) -> int:
    """Categories stand in as negative item ids, which no item has; the mapping is its own inverse."""
    return -category_id
