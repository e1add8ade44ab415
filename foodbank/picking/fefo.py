"""Pure FEFO allocation: lots + requests + date + policy -> allocations + shortages.

Nothing here reads the database or the clock: callers load the candidate lots, pass the distribution
date and the channel's policy, and write the ledger rows for what comes back. That keeps the rules that
decide what a household may be given testable on their own.

A lot may be handed out on a day only if it is active, has stock, its use-by date has not passed, its
best-before date leaves the channel's minimum days, and it holds none of the household's allergens
(a label that could not be read may hold any of them). Eligible lots are taken in FEFO order (earliest
effective expiry, then earliest received, then lot id; lots with no date last), which is what our users
call the "FIFO picking list".

When a request is short, `unusable` says how many free units of the lots given could not be used and
why (held and recalled lots too: callers pass them in, the allocator never takes them), and
`usable_units` what other items could stand in for a household.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = [
    "UNREADABLE_LABEL",
    "Allocation",
    "AllocationResult",
    "CandidateLot",
    "DateKind",
    "LotStatus",
    "Policy",
    "Shortage",
    "Unusable",
    "allocate",
    "allocate_many",
    "effective_expiry",
    "fefo_key",
    "ineligibility",
    "unusable",
    "usable_units",
]

UNREADABLE_LABEL = "label_unreadable"
"""What `Unusable.avoided` names for a lot whose allergen label could not be read."""


class DateKind(StrEnum):
    """Which date a lot's label carries."""

    best_before = "best_before"  # 賞味期限: a quality date
    use_by = "use_by"  # 消費期限: a safety date
    crop_year = "crop_year"  # 産年: rice
    none = "none"  # 期限なし


class LotStatus(StrEnum):
    """Whether a lot may be handed out at all (discarded lots are never candidates)."""

    active = "active"
    on_hold = "on_hold"
    recalled = "recalled"


@dataclass(frozen=True, slots=True)
class CandidateLot:
    """One lot as the allocator sees it: what is free to take, its dates and its allergens."""

    lot_id: int
    item_id: int
    category_id: int
    available: int  # on hand minus reserved
    date_kind: DateKind
    # Month-precision labels (年月 only) arrive already resolved to the last day of the month.
    expiry_date: date | None
    crop_year: int | None
    received_date: date
    status: LotStatus
    allergens: frozenset[str] | None  # None: unknown, e.g. a donated item without a readable label


@dataclass(frozen=True, slots=True)
class Policy:
    """Minimum days of best-before left after the distribution date, for one channel."""

    default_min_days: int
    min_days_by_category: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A negative minimum would let food past its best-before date out of the door.
        if self.default_min_days < 0 or any(days < 0 for days in self.min_days_by_category.values()):
            raise ValueError("minimum days of best-before must not be negative")

    def min_days(self, category_id: int) -> int:
        return self.min_days_by_category.get(category_id, self.default_min_days)


@dataclass(frozen=True, slots=True)
class Allocation:
    lot_id: int
    item_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Shortage:
    item_id: int
    requested: int
    allocated: int

    @property
    def missing(self) -> int:
        return self.requested - self.allocated


@dataclass(frozen=True, slots=True)
class AllocationResult:
    allocations: tuple[Allocation, ...]  # picking (FEFO) order within an item; items by ascending id
    shortages: tuple[Shortage, ...]  # ascending item id; only items that could not be filled

    @property
    def complete(self) -> bool:
        return not self.shortages


def effective_expiry(lot: CandidateLot) -> date | None:
    """The date FEFO orders a lot by, or None when the lot has none."""
    if lot.date_kind in (DateKind.best_before, DateKind.use_by):
        return lot.expiry_date
    if lot.date_kind == DateKind.crop_year and lot.crop_year is not None:
        # Rice carries no date, only its harvest year. It counts as due at the end of October of the
        # following year, when the next autumn's crop (新米) arrives and last year's rice becomes old rice.
        return date(lot.crop_year + 1, 10, 31)
    return None


def ineligibility(lot: CandidateLot, on_date: date, policy: Policy, avoid_allergens: frozenset[str]) -> str | None:
    """Why the lot may not be handed out on on_date to a household avoiding these allergens, or None:
    on_hold, recalled, empty, no_date, use_by_passed, best_before_too_close or allergen."""
    return _stock_ineligibility(lot, on_date, policy) or (
        "allergen" if _allergen_conflict(lot.allergens, avoid_allergens) else None
    )


@dataclass(frozen=True, slots=True)
class Unusable:
    """Why free units on the shelves could not go to a household: units by reason (that of
    `ineligibility`), and what the household avoids that the lots refused for `allergen` hold (allergen
    codes or tags such as needs_cooking, and UNREADABLE_LABEL for a label that could not be read)."""

    units: Mapping[str, int]
    avoided: frozenset[str]


def unusable(lots: Iterable[CandidateLot], on_date: date, policy: Policy, avoid: frozenset[str]) -> Unusable:
    """The free units of these lots that may not go on on_date to a household avoiding `avoid`, by
    reason. Lots with nothing free are left out. For several households, pass what any of them avoids:
    a lot is refused to one of them exactly when it holds something of that union."""
    units: defaultdict[str, int] = defaultdict(int)
    avoided: set[str] = set()
    for lot in lots:
        if lot.available <= 0:
            continue
        reason = ineligibility(lot, on_date, policy, avoid)
        if reason is None:
            continue
        units[reason] += lot.available
        if reason == "allergen":
            avoided |= {UNREADABLE_LABEL} if lot.allergens is None else lot.allergens & avoid
    return Unusable(dict(units), frozenset(avoided))


def usable_units(lots: Iterable[CandidateLot], on_date: date, policy: Policy, avoid: frozenset[str]) -> dict[int, int]:
    """Free units per item that may go on on_date to a household avoiding `avoid` (never a lot whose
    label could not be read when it avoids anything): what could stand in for an item that is short."""
    units: defaultdict[int, int] = defaultdict(int)
    for lot in lots:
        if ineligibility(lot, on_date, policy, avoid) is None:
            units[lot.item_id] += lot.available
    return dict(units)


def fefo_key(lot: CandidateLot) -> tuple[bool, date, date, int]:
    """Sort key for picking: earliest effective expiry, then earliest received, then lot id; no date last."""
    expiry = effective_expiry(lot)
    return (expiry is None, expiry or date.max, lot.received_date, lot.lot_id)


def allocate(
    lots: Iterable[CandidateLot],
    requests: Mapping[int, int],
    on_date: date,
    policy: Policy,
    avoid_allergens: frozenset[str] = frozenset(),
) -> AllocationResult:
    """Take each requested item (item id -> quantity) from its eligible lots in FEFO order."""
    return allocate_many(lots, [(requests, avoid_allergens)], on_date, policy)[0]


def allocate_many(
    lots: Iterable[CandidateLot],
    demands: Sequence[tuple[Mapping[int, int], frozenset[str]]],
    on_date: date,
    policy: Policy,
) -> list[AllocationResult]:
    """Serve several demands (requests and allergens to avoid) in order from one shared pool of lots.

    What one demand takes is no longer available to the next, as on a pantry day where households are
    served one after another from the same shelves.
    """
    for requests, _ in demands:
        for item_id, quantity in requests.items():
            if quantity <= 0:
                raise ValueError(f"requested quantity for item {item_id} must be positive, got {quantity}")
    pool = _Pool.build(lots, {item_id for requests, _ in demands for item_id in requests}, on_date, policy)
    return [pool.serve(requests, avoid) for requests, avoid in demands]


def _stock_ineligibility(lot: CandidateLot, on_date: date, policy: Policy) -> str | None:
    """The rules that hold for every household; allergens are checked per household."""
    if lot.status != LotStatus.active:
        return lot.status.value  # on_hold or recalled
    if lot.available <= 0:
        return "empty"
    if lot.date_kind == DateKind.use_by:
        # A use-by date is about safety, so a lot whose date we cannot read is not given out either.
        if lot.expiry_date is None:
            return "no_date"
        # Use-by means "eat by the end of this day": handing it out on the day itself is still safe.
        if lot.expiry_date < on_date:
            return "use_by_passed"
    elif lot.date_kind == DateKind.best_before:
        # The label says it has a best-before date, so a missing one is a data error, not "keeps forever".
        if lot.expiry_date is None:
            return "no_date"
        # The household needs time to eat it: food banks require a margin of best-before left.
        if (lot.expiry_date - on_date).days < policy.min_days(lot.category_id):
            return "best_before_too_close"
    return None


def _allergen_conflict(allergens: frozenset[str] | None, avoid: frozenset[str]) -> bool:
    if not avoid:
        return False
    # An unreadable label could hide any allergen, so it is refused to anyone who avoids one.
    return allergens is None or not allergens.isdisjoint(avoid)


class _Queue:
    """Eligible lots of one item that share one allergen profile, in FEFO order, and what is left of each.

    Every demand either may take all lots of a queue or none of them, and takes them in order, so what
    has been used up is always a prefix: a single cursor replaces any search for the next lot.
    """

    __slots__ = ("cursor", "keys", "lots", "remaining")

    def __init__(self, lots: list[CandidateLot]) -> None:
        # Keys end in the lot id, which is unique, so the sort never falls through to comparing lots.
        keyed = sorted((fefo_key(lot), lot) for lot in lots)
        self.keys = [key for key, _ in keyed]
        self.lots = [lot for _, lot in keyed]
        self.remaining = [lot.available for lot in self.lots]
        self.cursor = 0

    def take(self, needed: int) -> int:
        """Take up to needed from the lot at the cursor; move past the lot if it is used up."""
        taken = min(self.remaining[self.cursor], needed)
        self.remaining[self.cursor] -= taken
        if self.remaining[self.cursor] == 0:
            self.cursor += 1
        return taken


class _Pool:
    """The eligible lots of the requested items, grouped by item and allergen profile, sorted once."""

    def __init__(self, queues: dict[int, dict[frozenset[str] | None, _Queue]]) -> None:
        self.queues = queues

    @classmethod
    def build(cls, lots: Iterable[CandidateLot], item_ids: set[int], on_date: date, policy: Policy) -> _Pool:
        grouped: defaultdict[int, defaultdict[frozenset[str] | None, list[CandidateLot]]] = defaultdict(
            lambda: defaultdict(list)
        )
        seen: set[int] = set()
        for lot in lots:
            # Availability is tracked per lot id; a repeated id would also make the order input-dependent.
            if lot.lot_id in seen:
                raise ValueError(f"lot {lot.lot_id} is listed twice")
            seen.add(lot.lot_id)
            if lot.item_id in item_ids and _stock_ineligibility(lot, on_date, policy) is None:
                grouped[lot.item_id][lot.allergens].append(lot)
        return cls(
            {
                item_id: {profile: _Queue(group) for profile, group in by_profile.items()}
                for item_id, by_profile in grouped.items()
            }
        )

    def serve(self, requests: Mapping[int, int], avoid: frozenset[str]) -> AllocationResult:
        allocations: list[Allocation] = []
        shortages: list[Shortage] = []
        for item_id in sorted(requests):
            requested = requests[item_id]
            queues = [
                queue
                for profile, queue in self.queues.get(item_id, {}).items()
                if not _allergen_conflict(profile, avoid) and queue.cursor < len(queue.lots)
            ]
            # Merge the permitted queues by FEFO key: usually one or two, so the heap stays tiny.
            heads = [(queue.keys[queue.cursor], index) for index, queue in enumerate(queues)]
            heapq.heapify(heads)
            needed = requested
            while needed and heads:
                _, index = heads[0]
                queue = queues[index]
                lot = queue.lots[queue.cursor]
                taken = queue.take(needed)
                allocations.append(Allocation(lot_id=lot.lot_id, item_id=item_id, quantity=taken))
                needed -= taken
                if queue.cursor < len(queue.lots):
                    heapq.heapreplace(heads, (queue.keys[queue.cursor], index))
                else:
                    heapq.heappop(heads)
            if needed:
                shortages.append(Shortage(item_id=item_id, requested=requested, allocated=requested - needed))
        return AllocationResult(allocations=tuple(allocations), shortages=tuple(shortages))
