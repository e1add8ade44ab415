"""The demo's two fiscal years, planned before anything is written: pure and deterministic (a fixed seed),
no database, no clock (`today` is a parameter).

The previous fiscal year is planned complete, at our users' scale (their published 令和4年度 figures, see
DOMAIN.md): individual support on 64 occasions to 60 distinct households (68 hand-outs: four delivery
rounds serve two households each, and seven households are served more than once), six pantry days
serving 1,050 people (registered households and walk-ins), sixteen sessions of the cafeteria ちいき食堂ほのん
from June with 1,644 participants, an appliance bank, referrals from six agencies with who consulted in
the proportions 本人 63 : 家族 62 : 関係機関 146 : その他 5, and donations from every kind of donor. The
current fiscal year is planned whole at a lighter pace; `builder` carries out only what falls on or before
today, so the demo ends in a realistic state (an upcoming pantry day taking bookings, referrals waiting
for a decision, the next delivery's parcel reserved).

Donations follow demand: for each item or category that parcels ask for, what arrives in a month keeps
the stock at the start of the next month above that month's need (pantry days reserve every parcel and
the walk-in buffer at once), plus the seasonal gifts of real food banks (new rice from farms in autumn,
food drives in August and December, municipal stockpiles rotated in September and March).
"""

from __future__ import annotations

import calendar
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from foodbank.demo.reference import (
    APPLIANCE_DEMAND,
    APPLIANCE_MODELS,
    CAFETERIA_CATEGORIES,
    CAFETERIA_ITEMS,
    DEMO_AGENCIES,
    DEMO_DONORS,
    DEMO_ITEMS,
    GIVEN_NAMES,
    ITEMS_BY_KEY,
    MUNICIPALITIES,
    PARCEL_TEMPLATES,
    SURNAMES,
    VENUES,
)
from foodbank.models import ApplianceCategory, ApplianceDisposalReason, DonorKind, InspectionCheck

SEED = "foodbank-demo-v1"
T = TypeVar("T")

WHO_CONSULTED_SHARES = (("self", 63), ("family", 62), ("agency", 146), ("other", 5))
"""The published 令和4年度 figures: the referrals of each year are apportioned in these proportions."""
STAFF_DELIVERY = ("warehouse", "volunteer-ito", "volunteer-watanabe")
WALK_IN_SIZE = 3
SLOT_TIMES = ((10, 0), (10, 30), (11, 0), (11, 30), (13, 0), (13, 30))
SLOT_CAPACITY = 10


@dataclass(frozen=True)
class Scale:
    """How much happens in one fiscal year."""

    individual_by_month: tuple[int, ...]
    """Occasions of individual support, April to March."""
    paired: int
    """Occasions (delivery rounds) that serve two households."""
    repeaters: tuple[int, ...]
    """How many times each household served more than once is served."""
    returning: int
    """Households of the year before served again (with a new referral)."""
    both: int
    """Referrals asking for food and an appliance."""
    pantry_months: tuple[int, ...]
    pantry_bookings: tuple[int, int]
    pantry_people: int | None
    """People served at the year's pantry days (walk-ins adjusted to it), or None."""
    pantry_referrals: int
    cafeteria_by_month: dict[int, int]
    cafeteria_participants: int | None
    appliance_referrals: int
    spare_appliances: tuple[str, ...]
    """What becomes of the units that no referral asked for (see `Planner.appliances`)."""
    declined: int
    withdrawn: int
    unused: int
    damages: tuple[tuple[int, int, str, int, str], ...]
    """(month, day, item, units, note) written off as damaged."""


FULL = Scale(
    individual_by_month=(4, 5, 5, 5, 6, 5, 5, 5, 7, 6, 5, 6),
    paired=4,
    repeaters=(2, 2, 2, 2, 2, 2, 3),
    returning=0,
    both=3,
    pantry_months=(5, 7, 9, 11, 1, 3),
    pantry_bookings=(40, 45),
    pantry_people=1050,
    pantry_referrals=8,
    cafeteria_by_month={6: 1, 7: 2, 8: 2, 9: 1, 10: 2, 11: 1, 12: 2, 1: 1, 2: 2, 3: 2},
    cafeteria_participants=1644,
    appliance_referrals=18,
    spare_appliances=(
        "fails_insulation",
        "fails_power",
        "damaged",
        "unclaimed",
        "to_pantry_household",
        "available",
        "available",
        "available",
    ),
    declined=6,
    withdrawn=3,
    unused=5,
    damages=(
        (6, 10, "mackerel", 3, "缶のへこみ"),
        (8, 20, "rice5", 1, "袋の破れ"),
        (10, 15, "udon", 3, "冷凍庫の一時停止で解凍"),
        (2, 12, "soy_sauce", 2, "容器の破損"),
    ),
)
LIGHT = Scale(
    individual_by_month=(2, 3, 2, 3, 3, 2, 3, 3, 3, 3, 2, 3),
    paired=1,
    repeaters=(2, 2, 3),
    returning=5,
    both=1,
    pantry_months=(9, 12, 3),
    pantry_bookings=(32, 36),
    pantry_people=None,
    pantry_referrals=2,
    cafeteria_by_month={4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1, 10: 1, 11: 1, 12: 2, 1: 1, 2: 1, 3: 1},
    cafeteria_participants=None,
    appliance_referrals=6,
    spare_appliances=("fails_insulation", "to_pantry_household", "available", "available"),
    declined=2,
    withdrawn=1,
    unused=2,
    damages=((7, 8, "curry", 2, "外箱の破損"), (10, 21, "sweets", 4, "つぶれ")),
)

DONOR_MIX: dict[str, tuple[tuple[DonorKind, int], ...]] = {
    "rice2": (
        (DonorKind.farm, 5),
        (DonorKind.individual, 3),
        (DonorKind.food_drive, 1),
        (DonorKind.other_food_bank, 1),
    ),
    "rice5": (
        (DonorKind.farm, 5),
        (DonorKind.individual, 2),
        (DonorKind.government_stockpile, 1),
        (DonorKind.other_food_bank, 2),
    ),
    "staples": (
        (DonorKind.company, 45),
        (DonorKind.food_drive, 20),
        (DonorKind.individual, 10),
        (DonorKind.retailer, 10),
        (DonorKind.other_food_bank, 15),
    ),
    "canned": (
        (DonorKind.company, 45),
        (DonorKind.food_drive, 25),
        (DonorKind.individual, 10),
        (DonorKind.other_food_bank, 20),
    ),
    "seasonings": (
        (DonorKind.company, 50),
        (DonorKind.food_drive, 25),
        (DonorKind.individual, 15),
        (DonorKind.retailer, 10),
    ),
    "snacks": (
        (DonorKind.company, 40),
        (DonorKind.retailer, 30),
        (DonorKind.food_drive, 20),
        (DonorKind.individual, 10),
    ),
    "household": ((DonorKind.company, 50), (DonorKind.retailer, 30), (DonorKind.individual, 20)),
    "frozen": ((DonorKind.company, 50), (DonorKind.retailer, 50)),
}
SUPPLY_KEYS = tuple(DONOR_MIX)
RECEIPTS_PER_MONTH = {
    DonorKind.individual: 2,
    DonorKind.company: 2,
    DonorKind.retailer: 1,
    DonorKind.food_drive: 1,
    DonorKind.farm: 1,
    DonorKind.other_food_bank: 1,
    DonorKind.government_stockpile: 1,
}
CONSENT_SCOPE = "氏名・住所・電話番号・世帯構成・アレルギーをフードバンクさんぶと共有し、支援の実施に用いる"
DECLINE_NOTES = (
    "対象地域外（市外）のため、居住地のフードバンクを案内",
    "生活保護の支給開始により、今回は見送り",
    "同じ世帯からの重複した紹介",
)


# --- what the plan holds ----------------------------------------------------------------------------


@dataclass(eq=False)
class HouseholdPlan:
    key: str
    municipality: str
    infants: int
    children: int
    adults: int
    seniors: int
    allergens: tuple[str, ...]
    agency: str | None
    """Registered by this agency's consultant; None: by the coordinator."""
    registered_on: date
    name: str
    address: str
    phone: str

    @property
    def size(self) -> int:
        return self.infants + self.children + self.adults + self.seniors


@dataclass(eq=False)
class ReferralPlan:
    key: str
    household: HouseholdPlan
    agency: str
    referred_on: date
    request: str
    reasons: tuple[str, ...]
    urgency: str
    valid_until: date
    handouts_allowed: int
    decision: str | None
    """accept or decline, on `decided_on`; None: never decided."""
    decided_on: date | None
    withdrawn_on: date | None = None
    appliance_category: str | None = None
    who_consulted: str = "agency"
    consent_method: str = "written"
    decision_note: str | None = None


@dataclass
class HandOutPlan:
    day: date
    household: HouseholdPlan
    referral: ReferralPlan | None
    channel: str
    staff: str
    reserve_on: date


@dataclass
class BookingPlan:
    household: HouseholdPlan
    slot: int
    booked_on: date
    referral: ReferralPlan | None = None
    cancelled_on: date | None = None
    no_show: bool = False

    @property
    def served(self) -> bool:
        return self.cancelled_on is None and not self.no_show


@dataclass
class PantryPlan:
    key: str
    day: date
    venue: int
    created_on: date
    opened_on: date
    allocate_on: date
    bookings: list[BookingPlan] = field(default_factory=list)
    walk_ins: list[int] = field(default_factory=list)
    """People of each walk-in parcel."""

    @property
    def expected_walk_in_people(self) -> int:
        # One parcel more than the walk-ins who come: the buffer is never quite used up.
        return WALK_IN_SIZE * (len(self.walk_ins) + 1)


@dataclass
class SessionPlan:
    day: date
    participants: int
    fresh: dict[str, int]
    """Fresh items the session asks for (by category code): donated the day before."""


@dataclass
class AppliancePlan:
    key: str
    category: ApplianceCategory
    maker: str
    model: str
    serial: str
    size: str
    manufacture_year: int
    donor: str
    grade: str
    received_on: date
    inspected_on: date
    failed_check: InspectionCheck | None = None
    household: HouseholdPlan | None = None
    referral: ReferralPlan | None = None
    reserved_on: date | None = None
    delivered_on: date | None = None
    installation: bool = False
    disposed_on: date | None = None
    disposal_reason: ApplianceDisposalReason | None = None
    ticket: str | None = None


@dataclass
class LinePlan:
    item: str
    quantity: int
    expiry: str | None = None
    """As printed on the label: YYYY-MM-DD, or YYYY-MM."""
    crop_year: int | None = None
    lot_code: str | None = None


@dataclass
class DonationPlan:
    day: date
    donor: str | None
    """None: the opening balance (stock on the shelves before the service was used)."""
    lines: list[LinePlan]
    note: str | None = None


@dataclass
class WriteOffPlan:
    day: date
    item: str
    quantity: int
    note: str


@dataclass
class RecallPlan:
    day: date
    item: str
    lot_code: str
    note: str


@dataclass
class Plan:
    start: date
    today: date
    households: list[HouseholdPlan] = field(default_factory=list)
    referrals: list[ReferralPlan] = field(default_factory=list)
    handouts: list[HandOutPlan] = field(default_factory=list)
    pantry_days: list[PantryPlan] = field(default_factory=list)
    sessions: list[SessionPlan] = field(default_factory=list)
    appliances: list[AppliancePlan] = field(default_factory=list)
    donations: list[DonationPlan] = field(default_factory=list)
    write_offs: list[WriteOffPlan] = field(default_factory=list)
    recalls: list[RecallPlan] = field(default_factory=list)
    stocktakes: list[date] = field(default_factory=list)
    """First working day of each month: overdue referrals expire and expired stock is written off."""


# --- the calendar -------------------------------------------------------------------------------------


def fiscal_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def month_of(fiscal_year: int, index: int) -> tuple[int, int]:
    """(year, month) of the index-th month (0 = April) of a fiscal year."""
    month = (index + 3) % 12 + 1
    return (fiscal_year if month >= 4 else fiscal_year + 1), month


def _closed(day: date) -> bool:
    """The office is closed at the weekend, over the new year, in Golden Week and at Obon."""
    return (
        day.weekday() >= 5
        or (day.month, day.day) >= (12, 29)
        or (day.month == 1 and day.day <= 3)
        or (day.month == 5 and 3 <= day.day <= 6)
        or (day.month == 8 and 13 <= day.day <= 16)
    )


def working_days(year: int, month: int) -> list[date]:
    last = calendar.monthrange(year, month)[1]
    return [d for d in (date(year, month, n) for n in range(1, last + 1)) if not _closed(d)]


def saturdays(year: int, month: int) -> list[date]:
    last = calendar.monthrange(year, month)[1]
    return [d for d in (date(year, month, n) for n in range(1, last + 1)) if d.weekday() == 5]


def working_day_on_or_before(day: date) -> date:
    while _closed(day):
        day -= timedelta(days=1)
    return day


def working_day_on_or_after(day: date) -> date:
    while _closed(day):
        day += timedelta(days=1)
    return day


def apportion(total: int, shares: Sequence[tuple[str, int]]) -> list[str]:
    """`total` labels in the proportions of `shares` (largest remainder), in share order."""
    weight = sum(w for _, w in shares)
    exact = [(key, total * w / weight) for key, w in shares]
    counts = {key: math.floor(value) for key, value in exact}
    left = total - sum(counts.values())
    for key, _ in sorted(exact, key=lambda kv: kv[1] - math.floor(kv[1]), reverse=True)[:left]:
        counts[key] += 1
    return [key for key, _ in shares for _ in range(counts[key])]


# --- the planner ------------------------------------------------------------------------------------


class Planner:
    """Plans the year before today's fiscal year at full scale (`FULL`) and today's at `LIGHT`, in one
    seeded random stream, so that the same `today` always gives the same plan."""

    def __init__(self, today: date) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
        self.today = today
        current = fiscal_year_of(today)
        self.years = ((current - 1, FULL), (current, LIGHT))
        self.plan = Plan(start=date(current - 1, 4, 1), today=today)
        self._numbers: dict[str, int] = defaultdict(int)
        self.pantry_pool: list[HouseholdPlan] = []
        self.served_before: list[HouseholdPlan] = []
        """Individual-support households of earlier years (for returning visits)."""

    def number(self, kind: str) -> int:
        self._numbers[kind] += 1
        return self._numbers[kind]

    def pick(self, weighted: Iterable[tuple[T, int]]) -> T:
        options = list(weighted)
        return self.rng.choices([o for o, _ in options], [w for _, w in options])[0]

    # --- people -----------------------------------------------------------------------------------

    def household(self, registered_on: date, agency: str | None, *, families: bool = False) -> HouseholdPlan:
        rng = self.rng
        size_weights = (10, 18, 24, 24, 14, 10) if families else (35, 25, 18, 12, 6, 4)
        size = rng.choices(range(1, 7), size_weights)[0]
        infants = children = adults = seniors = 0
        if size == 1:
            if rng.random() < 0.5:
                seniors = 1
            else:
                adults = 1
        elif size == 2 and rng.random() < 0.35:
            seniors = 2
        else:
            adults = 1 if size == 2 or rng.random() < 0.3 else 2
            young = size - adults
            infants = 1 if young and rng.random() < 0.25 else 0
            children = young - infants
        allergens: tuple[str, ...] = ()
        if rng.random() < 0.07:
            allergens = (rng.choice(("egg", "milk", "wheat", "shrimp", "buckwheat", "peanut")),)
        municipality, town, _ = self.pick((m, m[2]) for m in MUNICIPALITIES)
        n = self.number("household")
        household = HouseholdPlan(
            key=f"h{n}",
            municipality=municipality,
            infants=infants,
            children=children,
            adults=adults,
            seniors=seniors,
            allergens=allergens,
            agency=agency,
            registered_on=registered_on,
            name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)} (demo)",
            address=f"千葉県{town} デモ町 {n}-{rng.randint(1, 30)}",
            phone=f"000-{n // 100:04d}-{n % 100:04d}",
        )
        self.plan.households.append(household)
        return household

    def agency(self) -> str:
        return self.pick((a.key, a.weight) for a in DEMO_AGENCIES)

    def referral(
        self,
        household: HouseholdPlan,
        referred_on: date,
        *,
        request: str = "food",
        valid_days: int = 30,
        allowed: int = 1,
        decision: str | None = "accept",
        decided_on: date | None = None,
        agency: str | None = None,
        valid_until: date | None = None,
    ) -> ReferralPlan:
        rng = self.rng
        reasons = ["food_shortage", "low_income", "unemployment", "illness", "disability", "debt", "isolation"]
        weights = [40, 30, 12, 10, 8, 6, 6]
        chosen = {self.pick(zip(reasons, weights, strict=True)) for _ in range(rng.randint(1, 2))}
        if request != "food":
            chosen.add("moving_in" if rng.random() < 0.5 else "low_income")
        if decided_on is None and decision is not None:
            decided_on = working_day_on_or_after(referred_on + timedelta(days=rng.randint(0, 2)))
        referral = ReferralPlan(
            key=f"r{self.number('referral')}",
            household=household,
            agency=agency or household.agency or self.agency(),
            referred_on=referred_on,
            request=request,
            reasons=tuple(sorted(chosen)),
            urgency=rng.choices(("normal", "urgent", "emergency"), (80, 15, 5))[0],
            valid_until=valid_until or referred_on + timedelta(days=valid_days),
            handouts_allowed=allowed,
            decision=decision,
            decided_on=decided_on,
            consent_method=rng.choices(("written", "verbal", "electronic"), (70, 25, 5))[0],
        )
        self.plan.referrals.append(referral)
        return referral

    # --- individual support -----------------------------------------------------------------------

    def individual_support(self, fiscal_year: int, scale: Scale) -> None:
        rng = self.rng
        occasions: list[date] = []
        for index, count in enumerate(scale.individual_by_month):
            days = [d for d in working_days(*month_of(fiscal_year, index)) if d >= self.plan.start + timedelta(days=7)]
            occasions += sorted(rng.sample(days, count))
        paired = set(rng.sample(range(len(occasions)), scale.paired))
        slots: list[tuple[date, int]] = []
        for n, day in enumerate(occasions):
            slots += [(day, n)] * (2 if n in paired else 1)
        owner: list[int | None] = [None] * len(slots)
        visits_of: dict[int, list[int]] = {}

        def free_after(day: date, taken: list[int]) -> int | None:
            days = {slots[i][0] for i in taken}
            for i, (slot_day, _) in enumerate(slots):
                if slot_day >= day and owner[i] is None and slot_day not in days:
                    return i
            return None

        for group, visits in enumerate(scale.repeaters):
            first = None
            while first is None:
                candidate = rng.randrange(int(len(slots) * 0.6))
                first = candidate if owner[candidate] is None else None
            taken = [first]
            for _ in range(visits - 1):
                following = free_after(slots[taken[-1]][0] + timedelta(days=rng.randint(21, 45)), taken)
                if following is None:
                    following = free_after(slots[taken[-1]][0] + timedelta(days=8), taken)
                assert following is not None, "the year has room for every repeat visit"
                taken.append(following)
            for i in taken:
                owner[i] = group
            visits_of[group] = taken
        group = len(scale.repeaters)
        for i in range(len(slots)):
            if owner[i] is None:
                owner[i] = group
                visits_of[group] = [i]
                group += 1

        # Households of earlier years come back from mid-May, well clear of the frequency rule.
        returning = [g for g, v in visits_of.items() if len(v) == 1 and slots[v[0]][0] >= date(fiscal_year, 5, 15)]
        returning = rng.sample(returning, min(scale.returning, len(returning), len(self.served_before)))
        returning_households = rng.sample(self.served_before, len(returning))
        both = set(rng.sample([g for g, v in visits_of.items() if len(v) == 1 and g not in returning], scale.both))
        staff_of: dict[int, str] = {}
        channel_of: dict[int, str] = {}
        for n in range(len(occasions)):
            channel_of[n] = "delivery" if n in paired or rng.random() < 0.55 else "pickup"
            staff_of[n] = rng.choice(STAFF_DELIVERY) if channel_of[n] == "delivery" else "coordinator"

        served: list[HouseholdPlan] = []
        for group_id, indices in sorted(visits_of.items(), key=lambda kv: slots[kv[1][0]][0]):
            days = [slots[i][0] for i in indices]
            first_day = days[0]
            referred_on = working_day_on_or_before(first_day - timedelta(days=rng.randint(2, 12)))
            referred_on = max(referred_on, self.plan.start)
            if group_id in returning:
                household = returning_households[returning.index(group_id)]
            else:
                household = self.household(referred_on, self.agency())
            decided_on = min(
                working_day_on_or_after(referred_on + timedelta(days=rng.randint(0, 2))),
                first_day - timedelta(days=1),
            )
            decided_on = max(decided_on, referred_on)
            referrals: list[ReferralPlan] = []
            if len(days) == 1 and group_id in both:
                category, name, _ = self.pick((d, d[2]) for d in APPLIANCE_DEMAND)
                referral = self.referral(
                    household, referred_on, request="both", valid_days=75, allowed=2, decided_on=decided_on
                )
                referral.appliance_category = name
                self.appliance_for(referral, category)
                referrals = [referral]
            elif len(days) == 1:
                allowed = 2 if rng.random() < 0.15 else 1
                referrals = [self.referral(household, referred_on, allowed=allowed, decided_on=decided_on)]
            else:
                covered = days[:2]
                valid_until = covered[-1] + timedelta(days=rng.randint(7, 21))
                referrals = [
                    self.referral(household, referred_on, allowed=2, decided_on=decided_on, valid_until=valid_until)
                ] * 2
                for later in days[2:]:
                    again = working_day_on_or_before(later - timedelta(days=rng.randint(3, 8)))
                    referrals.append(self.referral(household, again, decided_on=again))
            for i, day, referral in zip(indices, days, referrals, strict=True):
                occasion = slots[i][1]
                self.plan.handouts.append(
                    HandOutPlan(
                        day=day,
                        household=household,
                        referral=referral,
                        channel=channel_of[occasion],
                        staff=staff_of[occasion],
                        reserve_on=max(working_day_on_or_before(day - timedelta(days=1)), decided_on),
                    )
                )
            served.append(household)
        self.served_before += [h for h in served if h not in self.served_before]

    # --- appliances ---------------------------------------------------------------------------------

    def appliance(self, category: ApplianceCategory, received_on: date) -> AppliancePlan:
        rng = self.rng
        makers, sizes = APPLIANCE_MODELS[category]
        n = self.number("appliance")
        donor = self.pick((("anonymous", 3), ("ind_oami", 1), ("ind_kujukuri", 1), ("ind_shibayama", 1), ("coop", 1)))
        unit = AppliancePlan(
            key=f"a{n}",
            category=category,
            maker=rng.choice(makers),
            model=f"DM-{category.value[:2].upper()}{rng.randint(10, 99)}{rng.choice('ABCDE')}",
            serial=f"SN{rng.randint(10**7, 10**8 - 1)}",
            size=rng.choice(sizes),
            manufacture_year=received_on.year - rng.randint(1, 5),
            donor=donor,
            grade=rng.choices(("A", "B", "C"), (3, 5, 2))[0],
            received_on=received_on,
            inspected_on=working_day_on_or_after(received_on + timedelta(days=rng.randint(2, 6))),
        )
        self.plan.appliances.append(unit)
        return unit

    def appliance_for(self, referral: ReferralPlan, category: ApplianceCategory) -> None:
        """A unit of the category comes in around the referral and is delivered before it runs out."""
        rng = self.rng
        assert referral.decided_on is not None
        received_on = working_day_on_or_after(
            max(referral.referred_on + timedelta(days=rng.randint(-50, 25)), self.plan.start + timedelta(days=3))
        )
        unit = self.appliance(category, received_on)
        reserved_on = working_day_on_or_after(
            max(unit.inspected_on, referral.decided_on) + timedelta(days=rng.randint(1, 4))
        )
        delivered_on = working_day_on_or_after(reserved_on + timedelta(days=rng.randint(3, 8)))
        if delivered_on > referral.valid_until:
            referral.valid_until = delivered_on + timedelta(days=7)
        unit.household, unit.referral = referral.household, referral
        unit.reserved_on, unit.delivered_on = reserved_on, delivered_on
        unit.installation = category in (ApplianceCategory.refrigerator, ApplianceCategory.washing_machine)

    def appliances(self, fiscal_year: int, scale: Scale) -> None:
        rng = self.rng
        for _ in range(scale.appliance_referrals):
            referred_on = rng.choice(working_days(*month_of(fiscal_year, rng.randrange(12))))
            referred_on = max(referred_on, self.plan.start + timedelta(days=7))
            category, name, _ = self.pick((d, d[2]) for d in APPLIANCE_DEMAND)
            household = self.household(referred_on, self.agency())
            referral = self.referral(household, referred_on, request="appliance", valid_days=90)
            referral.appliance_category = name
            if rng.random() < 0.8:
                self.appliance_for(referral, category)
            # else: nothing suitable came in; the referral runs out and expires.

        def spare(month_index: int, category: ApplianceCategory) -> AppliancePlan:
            day = rng.choice(working_days(*month_of(fiscal_year, month_index)))
            return self.appliance(category, max(day, self.plan.start + timedelta(days=3)))

        def ticket() -> str:
            """A recycling ticket number (家電リサイクル券, お問合せ管理票番号)."""
            return str(rng.randint(10**12, 10**13 - 1))

        for fate in scale.spare_appliances:
            if fate == "fails_insulation":
                unit = spare(
                    rng.randint(1, 8), rng.choice((ApplianceCategory.refrigerator, ApplianceCategory.washing_machine))
                )
                unit.failed_check = InspectionCheck.insulation
                unit.disposed_on = working_day_on_or_after(unit.inspected_on + timedelta(days=rng.randint(7, 20)))
                unit.disposal_reason, unit.ticket = ApplianceDisposalReason.failed_inspection, ticket()
            elif fate == "fails_power":
                unit = spare(rng.randint(1, 9), ApplianceCategory.microwave)
                unit.failed_check = InspectionCheck.power_on
                unit.disposed_on = working_day_on_or_after(unit.inspected_on + timedelta(days=rng.randint(7, 20)))
                unit.disposal_reason = ApplianceDisposalReason.failed_inspection
            elif fate == "damaged":
                unit = spare(rng.randint(1, 6), ApplianceCategory.tv)
                unit.disposed_on = working_day_on_or_after(unit.inspected_on + timedelta(days=rng.randint(40, 90)))
                unit.disposal_reason, unit.ticket = ApplianceDisposalReason.damaged, ticket()
            elif fate == "unclaimed":
                unit = spare(rng.randint(0, 3), ApplianceCategory.washing_machine)
                unit.disposed_on = working_day_on_or_after(unit.inspected_on + timedelta(days=rng.randint(150, 200)))
                unit.disposal_reason, unit.ticket = ApplianceDisposalReason.unclaimed, ticket()
            elif fate == "to_pantry_household":
                unit = spare(rng.randint(2, 8), ApplianceCategory.rice_cooker)
                reserved_on = working_day_on_or_after(unit.inspected_on + timedelta(days=rng.randint(2, 10)))
                known = [h for h in self.pantry_pool if h.registered_on < reserved_on]
                if known:
                    unit.household = rng.choice(known)
                    unit.reserved_on = reserved_on
                    unit.delivered_on = working_day_on_or_after(reserved_on + timedelta(days=rng.randint(2, 5)))
            else:
                spare(rng.randint(6, 11), self.pick((d[0], d[2]) for d in APPLIANCE_DEMAND))

    # --- pantry days ----------------------------------------------------------------------------------

    def pantry_days(self, fiscal_year: int, scale: Scale) -> None:
        rng = self.rng
        days = []
        for month in scale.pantry_months:
            year = fiscal_year if month >= 4 else fiscal_year + 1
            sats = saturdays(year, month)
            days.append(sats[1] if month in (12, 3) else sats[3] if len(sats) > 3 else sats[-1])
        events: list[PantryPlan] = []
        referrals_left = scale.pantry_referrals
        for n, day in enumerate(days):
            event = PantryPlan(
                key=f"p{fiscal_year}-{n + 1}",
                day=day,
                venue=(len(self.plan.pantry_days) + n) % len(VENUES),
                created_on=working_day_on_or_before(day - timedelta(days=42)),
                opened_on=working_day_on_or_before(day - timedelta(days=28)),
                allocate_on=working_day_on_or_before(day - timedelta(days=2)),
            )
            booking_days = [
                d
                for d in (event.opened_on + timedelta(days=k) for k in range((day - event.opened_on).days - 2))
                if not _closed(d)
            ]
            wanted = rng.randint(*scale.pantry_bookings)
            book = self._booker(event)

            # Households referred for this pantry day by an agency.
            for _ in range(math.ceil(referrals_left / (len(days) - n))):
                booked_on = rng.choice(booking_days[: len(booking_days) // 2 + 1])
                referred_on = working_day_on_or_before(booked_on - timedelta(days=rng.randint(3, 10)))
                household = self.household(referred_on, self.agency(), families=True)
                referral = self.referral(household, referred_on, valid_until=day + timedelta(days=7))
                assert referral.decided_on is not None
                book(household, max(booked_on, referral.decided_on), referral)
                self.pantry_pool.append(household)
                referrals_left -= 1
            # Households served individually earlier this year may come too.
            earlier = [h.household for h in self.plan.handouts if h.day < event.opened_on]
            for household in rng.sample(list(dict.fromkeys(earlier)), min(4, len(set(earlier)))):
                book(household, rng.choice(booking_days), None)
            # Regulars of earlier pantry days, then new households.
            regulars = [h for h in self.pantry_pool if h not in {b.household for b in event.bookings}]
            rng.shuffle(regulars)
            for household in regulars:
                if len(event.bookings) >= wanted * 0.7:
                    break
                if rng.random() < 0.7:
                    book(household, rng.choice(booking_days), None)
            while len(event.bookings) < wanted:
                booked_on = rng.choice(booking_days)
                household = self.household(booked_on, None, families=True)
                self.pantry_pool.append(household)
                book(household, booked_on, None)
            event.bookings.sort(key=lambda b: b.booked_on)
            plain = [b for b in event.bookings if b.referral is None]
            for booking in rng.sample(plain, rng.randint(1, 3)):
                booking.cancelled_on = max(
                    booking.booked_on, working_day_on_or_before(day - timedelta(days=rng.randint(1, 5)))
                )
            for booking in rng.sample([b for b in plain if b.cancelled_on is None], rng.randint(2, 4)):
                booking.no_show = True
            event.walk_ins = [rng.choices((1, 2, 3, 4, 5), (15, 30, 25, 20, 10))[0] for _ in range(rng.randint(13, 16))]
            events.append(event)
        if scale.pantry_people is not None:
            self._walk_ins_to(events, scale.pantry_people)
        self.plan.pantry_days += events

    def _booker(self, event: PantryPlan) -> Callable[[HouseholdPlan, date, ReferralPlan | None], None]:
        """Books households into the event's slots (a random slot with places left)."""
        places = [SLOT_CAPACITY] * len(SLOT_TIMES)

        def book(household: HouseholdPlan, booked_on: date, referral: ReferralPlan | None) -> None:
            slot = self.rng.choice([i for i, left in enumerate(places) if left > 0])
            places[slot] -= 1
            event.bookings.append(BookingPlan(household, slot, booked_on, referral))

        return book

    def _walk_ins_to(self, events: list[PantryPlan], people: int) -> None:
        """Adjust the walk-ins so that the year's pantry days serve exactly `people`."""
        registered = sum(b.household.size for e in events for b in e.bookings if b.served)
        walk_ins = [(e, i) for e in events for i in range(len(e.walk_ins))]
        missing = people - registered - sum(sum(e.walk_ins) for e in events)
        while missing != 0:
            event, i = self.rng.choice(walk_ins)
            step = 1 if missing > 0 else -1
            if 1 <= event.walk_ins[i] + step <= 6:
                event.walk_ins[i] += step
                missing -= step
            elif missing > 0 and all(p >= 6 for e in events for p in e.walk_ins):
                event.walk_ins.append(1)
                walk_ins.append((event, len(event.walk_ins) - 1))
                missing -= 1
            elif missing < 0 and all(p <= 1 for e in events for p in e.walk_ins):
                raise ValueError("registered households alone serve more people than the target")

    # --- the cafeteria --------------------------------------------------------------------------------

    def cafeteria(self, fiscal_year: int, scale: Scale) -> None:
        rng = self.rng
        pantry = {e.day for e in self.plan.pantry_days}
        sessions: list[SessionPlan] = []
        for index in range(12):
            year, month = month_of(fiscal_year, index)
            count = scale.cafeteria_by_month.get(month, 0)
            sats = [d for d in saturdays(year, month) if d not in pantry and not _closed(d - timedelta(days=1))]
            chosen = [sats[1], sats[3] if len(sats) > 3 else sats[-1]][:count] if count else []
            for day in chosen:
                sessions.append(SessionPlan(day, rng.randint(85, 125), {}))
        if scale.cafeteria_participants is not None:
            missing = scale.cafeteria_participants - sum(s.participants for s in sessions)
            while missing:
                session = rng.choice(sessions)
                step = 1 if missing > 0 else -1
                if 70 <= session.participants + step <= 140:
                    session.participants += step
                    missing -= step
        for session in sessions:
            session.fresh = {"produce": 3 + session.participants // 40, "dairy": session.participants // 12}
        self.plan.sessions += sessions

    # --- referrals that lead to no hand-out -----------------------------------------------------------

    def other_referrals(self, fiscal_year: int, scale: Scale) -> None:
        rng = self.rng

        def some_day() -> date:
            day = rng.choice(working_days(*month_of(fiscal_year, rng.randrange(12))))
            return max(day, self.plan.start)

        for _ in range(scale.declined):
            day = some_day()
            referral = self.referral(self.household(day, self.agency()), day, decision="decline")
            referral.decision_note = rng.choice(DECLINE_NOTES)
        for _ in range(scale.withdrawn):
            day = some_day()
            referral = self.referral(self.household(day, self.agency()), day)
            assert referral.decided_on is not None
            referral.withdrawn_on = working_day_on_or_after(referral.decided_on + timedelta(days=rng.randint(3, 10)))
        for _ in range(scale.unused):
            day = some_day()
            self.referral(self.household(day, self.agency()), day, valid_days=21)

    def waiting_for_decision(self) -> None:
        """Referrals made in the last days before today, not decided yet."""
        for back in (0, 1):
            day = working_day_on_or_before(self.today - timedelta(days=back))
            if fiscal_year_of(day) == self.years[1][0] and day > self.plan.start:
                referral = self.referral(self.household(day, self.agency()), day, decision="accept")
                referral.decided_on = working_day_on_or_after(self.today + timedelta(days=2))

    def next_delivery_prepared(self) -> None:
        """The next hand-out is on the next working day and its parcel is reserved today: the demo opens
        with a picking list ready (its referral made and accepted in the days before)."""
        upcoming = sorted((h for h in self.plan.handouts if h.day > self.today), key=lambda h: h.day)
        if not upcoming or upcoming[0].referral is None:
            return
        handout, referral = upcoming[0], upcoming[0].referral
        handout.day = working_day_on_or_after(self.today + timedelta(days=1))
        handout.reserve_on = working_day_on_or_before(self.today)
        if referral.referred_on > handout.reserve_on:
            referral.referred_on = working_day_on_or_before(self.today - timedelta(days=3))
            referral.decided_on = working_day_on_or_before(self.today - timedelta(days=1))
            referral.valid_until = max(referral.valid_until, handout.day + timedelta(days=30))
            household = handout.household
            household.registered_on = min(household.registered_on, referral.referred_on)

    def who_consulted(self) -> None:
        """Apportion who consulted over each fiscal year's referrals, as published (本人 : 家族 : 関係機関 : その他)."""
        by_year: dict[int, list[ReferralPlan]] = defaultdict(list)
        for referral in self.plan.referrals:
            by_year[fiscal_year_of(referral.referred_on)].append(referral)
        for referrals in by_year.values():
            labels = apportion(len(referrals), WHO_CONSULTED_SHARES)
            self.rng.shuffle(labels)
            for referral, label in zip(referrals, labels, strict=True):
                referral.who_consulted = label

    # --- stock: demand and donations ------------------------------------------------------------------

    def parcel(self, people: int) -> dict[str, int]:
        for _, low, high, lines in PARCEL_TEMPLATES:
            if low <= people <= high:
                return {key: units for _, key, units in lines}
        raise ValueError(f"no template for {people} people")

    def demand(self) -> tuple[dict[tuple[int, int], dict[str, int]], dict[tuple[int, int], dict[str, int]]]:
        """Per month: what must be on the shelves at once (need) and what leaves (use), by supply key."""
        need: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        use: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))

        def add(day: date, units: dict[str, int], times: int, *, needed: bool = True, used: bool = True) -> None:
            for key, count in units.items():
                if needed:
                    need[day.year, day.month][key] += count * times
                if used:
                    use[day.year, day.month][key] += count * times

        for handout in self.plan.handouts:
            add(handout.reserve_on, self.parcel(handout.household.size), 1)
        for event in self.plan.pantry_days:
            booked = [b for b in event.bookings if b.cancelled_on is None]
            for booking in booked:
                add(event.allocate_on, self.parcel(booking.household.size), 1, used=False)
                if booking.served:
                    add(event.day, self.parcel(booking.household.size), 1, needed=False)
            buffer = math.ceil(event.expected_walk_in_people / WALK_IN_SIZE)
            add(event.allocate_on, self.parcel(WALK_IN_SIZE), buffer, used=False)
            add(event.day, self.parcel(WALK_IN_SIZE), len(event.walk_ins), needed=False)
        cafeteria = dict(CAFETERIA_ITEMS) | dict(CAFETERIA_CATEGORIES)
        for session in self.plan.sessions:
            add(session.day, cafeteria, 1)
        return need, use

    def supply(self) -> None:
        need, use = self.demand()
        months = []
        year, month = self.plan.start.year, self.plan.start.month
        end = date(self.years[1][0] + 1, 3, 31)
        while date(year, month, 1) <= end:
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        inflow: dict[tuple[int, int], list[tuple[DonorKind, str, int]]] = defaultdict(list)
        opening: dict[str, int] = {}
        for key in SUPPLY_KEYS:
            needs = [need[m].get(key, 0) for m in months]
            average = max(1.0, sum(needs) / len(months))
            floor = max(10, math.ceil(average * 0.2))
            stock = opening[key] = math.ceil(needs[0] * 1.2 + needs[1] * 0.3) + floor
            for n, m in enumerate(months):
                stock -= use[m].get(key, 0)
                following = needs[n + 1] if n + 1 < len(needs) else needs[n]
                seasonal = self.seasonal(key, m[1], average)
                regular = max(0, math.ceil(following * 1.15) + floor - stock - seasonal)
                stock += seasonal + regular
                if seasonal:
                    kind = DonorKind.farm if key.startswith("rice") else DonorKind.food_drive
                    inflow[m].append((kind, key, seasonal))
                mix = DONOR_MIX[key]
                total = sum(w for _, w in mix)
                for kind, weight in mix:
                    units = round(regular * weight / total)
                    if units:
                        inflow[m].append((kind, key, units))
        self.opening_balance(opening)
        for m in months:
            self.donations_of_month(m, inflow[m])
            if m[1] in (9, 3):
                self.stockpile_rotation(m)
        self.fresh_for_cafeteria()
        self.recall_lot()

    def seasonal(self, key: str, month: int, average: float) -> int:
        if key.startswith("rice"):
            return round(average * {10: 2.0, 11: 1.2}.get(month, 0))
        if key in ("staples", "canned", "seasonings", "snacks"):
            return round(average * {8: 0.6, 12: 0.8}.get(month, 0))
        return 0

    def lines_for(self, key: str, units: int, received_on: date, *, stockpile: bool = False) -> list[LinePlan]:
        """Units of a supply key (an item, or any items of a category) as receipt lines with their dates."""
        if key in ITEMS_BY_KEY:
            items = [ITEMS_BY_KEY[key]]
        else:
            items = [i for i in DEMO_ITEMS if i.category == key and i.stockpile == stockpile]
        if len(items) > 1 and units >= 12 and self.rng.random() < 0.5:
            first, second = self.rng.sample(items, 2)
            split = self.rng.randint(units // 3, units - units // 3)
            chosen = [(first.key, split), (second.key, units - split)]
        else:
            chosen = [(self.pick((i, i.weight) for i in items).key, units)]
        return [self.line(item, count, received_on, stockpile=stockpile) for item, count in chosen if count > 0]

    def line(self, key: str, units: int, received_on: date, *, stockpile: bool = False) -> LinePlan:
        item = ITEMS_BY_KEY[key]
        line = LinePlan(key, units)
        if item.category == "rice":
            new_crop = received_on.year if received_on.month >= 9 else received_on.year - 1
            line.crop_year = new_crop - 2 if stockpile else new_crop
        elif item.shelf_days != (0, 0):
            expiry = received_on + timedelta(days=self.rng.randint(*item.shelf_days))
            month_only = item.shelf_days[0] > 90 and self.rng.random() < 0.5
            line.expiry = expiry.strftime("%Y-%m") if month_only else expiry.isoformat()
        return line

    def donors_of(self, kind: DonorKind) -> list[str]:
        return [d.key for d in DEMO_DONORS if d.kind is kind]

    def opening_balance(self, opening: dict[str, int]) -> None:
        lines = [line for key, units in opening.items() for line in self.lines_for(key, units, self.plan.start)]
        self.plan.donations.append(DonationPlan(self.plan.start, None, lines, "サービス導入時の棚卸し在庫"))

    def donations_of_month(self, month: tuple[int, int], parts: list[tuple[DonorKind, str, int]]) -> None:
        rng = self.rng
        days = [d for d in working_days(*month) if d >= self.plan.start]
        by_kind: dict[DonorKind, list[tuple[str, int]]] = defaultdict(list)
        for kind, key, units in parts:
            by_kind[kind].append((key, units))
        for kind, keys in by_kind.items():
            count = RECEIPTS_PER_MONTH[kind]
            if kind in (DonorKind.food_drive, DonorKind.farm):
                count += min(3, sum(units for _, units in keys) // 300)
            receipts = [DonationPlan(rng.choice(days), rng.choice(self.donors_of(kind)), []) for _ in range(count)]
            for key, units in keys:
                shares = 2 if units >= 120 and count > 1 else 1
                for share, receipt in zip(range(shares), rng.sample(receipts, shares), strict=True):
                    part = units // shares + (units % shares if share == 0 else 0)
                    stockpile = kind is DonorKind.government_stockpile
                    receipt.lines += self.lines_for(key, part, receipt.day, stockpile=stockpile)
            for receipt in receipts:
                if receipt.lines:
                    self.plan.donations.append(receipt)
        # A retailer's chilled goods near their date, now and then: what the cafeteria does not use is lost.
        if month[1] % 2 == 0:
            day = rng.choice(days)
            yogurt = self.line("yogurt", rng.randint(6, 12), day)
            self.plan.donations.append(DonationPlan(day, "super_sanbu", [yogurt]))

    def stockpile_rotation(self, month: tuple[int, int]) -> None:
        """Municipal disaster stockpiles are replaced in September (防災の日) and March; the old stock comes here."""
        rng = self.rng
        day = rng.choice(working_days(*month))
        lines = [
            self.line("alpha_rice", rng.randint(100, 160), day, stockpile=True),
            self.line("water", rng.randint(40, 70), day, stockpile=True),
        ]
        donor = rng.choice(self.donors_of(DonorKind.government_stockpile))
        self.plan.donations.append(DonationPlan(day, donor, lines, "防災備蓄品の入れ替え"))

    def fresh_for_cafeteria(self) -> None:
        """Vegetables and milk arrive the day before each session: from the supermarket, or vegetables
        from a farm and milk from the supermarket."""
        rng = self.rng
        for session in self.plan.sessions:
            day = session.day - timedelta(days=1)
            vegetables = session.fresh["produce"] + rng.randint(0, 1)
            lines = []
            if session.day.month in (11, 12, 1, 2) and rng.random() < 0.6:
                lines.append(self.line("fruit", 1, day))
                vegetables -= 1
            lines.insert(0, self.line("vegetables", vegetables, day))
            milk = self.line("milk", session.fresh["dairy"] + rng.randint(0, 2), day)
            if rng.random() < 0.5:
                self.plan.donations.append(DonationPlan(day, "super_sanbu", [*lines, milk]))
            else:
                self.plan.donations.append(DonationPlan(day, rng.choice(("naruto_farm", "shibayama_farm")), lines))
                self.plan.donations.append(DonationPlan(day, "super_sanbu", [milk]))

    def recall_lot(self) -> None:
        """In the current year a maker recalls one lot of curry: donated in May, recalled in July."""
        fiscal_year = self.years[1][0]
        given = working_days(fiscal_year, 5)[8]
        lot_code = "RC-2605A"
        line = LinePlan("curry", 120, (given + timedelta(days=200)).isoformat(), lot_code=lot_code)
        self.plan.donations.append(DonationPlan(given, "sanbu_foods", [line]))
        recalled = working_days(fiscal_year, 7)[10]
        self.plan.recalls.append(RecallPlan(recalled, "curry", lot_code, "製造元による自主回収（異物混入のおそれ）"))

    # --- the whole plan -------------------------------------------------------------------------------

    def short_dated_lately(self) -> None:
        """The supermarket's last donations before today: dairy and produce with a few days left, and
        yogurt whose best-before passed yesterday, so the home page and the expired list have something
        to show (a monthly write-off on the first working day would otherwise have cleared it). Planned
        last, so it changes nothing else in the seeded plan."""
        older = working_day_on_or_before(self.today - timedelta(days=12))
        recent = working_day_on_or_before(self.today - timedelta(days=1))
        if older < self.plan.start or recent >= self.today:
            return  # the first days of the demo: nothing to age yet
        yogurt = LinePlan("yogurt", 6, expiry=(self.today - timedelta(days=1)).isoformat())
        self.plan.donations.append(DonationPlan(older, "super_sanbu", [yogurt], "見切り品"))
        lines = [
            LinePlan("milk", 8, expiry=(self.today + timedelta(days=3)).isoformat()),
            LinePlan("vegetables", 5, expiry=(self.today + timedelta(days=5)).isoformat()),
        ]
        self.plan.donations.append(DonationPlan(recent, "super_sanbu", lines, "見切り品"))

    def make(self) -> Plan:
        for fiscal_year, scale in self.years:
            self.individual_support(fiscal_year, scale)
            self.pantry_days(fiscal_year, scale)
            self.cafeteria(fiscal_year, scale)
            self.appliances(fiscal_year, scale)
            self.other_referrals(fiscal_year, scale)
            for month, day, item, units, note in scale.damages:
                year = fiscal_year if month >= 4 else fiscal_year + 1
                self.plan.write_offs.append(
                    WriteOffPlan(working_day_on_or_after(date(year, month, day)), item, units, note)
                )
        self.waiting_for_decision()
        self.next_delivery_prepared()
        self.who_consulted()
        self.supply()
        self.short_dated_lately()
        for fiscal_year, _ in self.years:
            for index in range(12):
                if (fiscal_year, index) != (self.years[0][0], 0):
                    self.plan.stocktakes.append(working_days(*month_of(fiscal_year, index))[0])
        return self.plan


def make_plan(today: date) -> Plan:
    """The demo's plan for the fiscal year before `today`'s and `today`'s own (deterministic)."""
    return Planner(today).make()
