"""Carry out the demo's plan through the services, day by day, in the order a year would have happened.

Each step runs with the demo clock at its day (`clock.DemoClock`) and passes that day to the service as
the day of what it records and as `today` for the checks against the future. Requests that come from
outside go through the API's own input schemas first, so the demo obeys every rule a user's request
obeys. Steps dated after today are left for later: what the plan has in store for the rest of the
current fiscal year simply has not happened yet.
"""

from __future__ import annotations

import logging
import time as wallclock
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts import services as accounts
from foodbank.appliances import services as appliances
from foodbank.appliances.schemas import ApplianceIn, ApplianceInspectionIn
from foodbank.catalogue import services as catalogue
from foodbank.config import ApplianceSettings, HouseholdSettings, SecuritySettings, StockSettings
from foodbank.demo import plan as p
from foodbank.demo.clock import DemoClock
from foodbank.demo.reference import (
    CAFETERIA_CATEGORIES,
    CAFETERIA_ITEMS,
    CAFETERIA_NAME,
    CONSULTANT_NAMES,
    DEMO_AGENCIES,
    DEMO_CATEGORIES,
    DEMO_DONORS,
    DEMO_ITEMS,
    DEMO_USERS,
    ITEMS_BY_KEY,
    LOCATIONS,
    PARCEL_TEMPLATES,
    SHELF_OF_CATEGORY,
    VENUES,
    VOLUNTEERS,
)
from foodbank.distributions import services as distributions
from foodbank.households import queries as household_queries
from foodbank.households import services as households
from foodbank.households.schemas import HouseholdIn
from foodbank.lib.access import Principal
from foodbank.models import (
    Channel,
    CheckResult,
    DisposalReason,
    HandOutChannel,
    InspectionCheck,
    Lot,
    Municipality,
    PartnerKind,
    ReservationPurpose,
    Role,
)
from foodbank.pantry import services as pantry
from foodbank.pantry.schemas import EventIn
from foodbank.picking.fefo import LotStatus
from foodbank.referrals import services as referrals
from foodbank.referrals.schemas import Decision, ReferralIn
from foodbank.stock import services as stock
from foodbank.stock.schemas import ReceiptIn

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class Step:
    day: date
    hour: float
    seq: int
    run: Callable[[], Awaitable[None]]


class Builder:
    def __init__(
        self,
        session: AsyncSession,
        plan: p.Plan,
        security: SecuritySettings,
        stock_settings: StockSettings,
        progress: Progress | None,
    ) -> None:
        self.s = session
        self.plan = plan
        self.security = security
        self.stock_settings = stock_settings
        self.appliance_settings = ApplianceSettings()
        self.min_days_between_handouts = HouseholdSettings().min_days_between_handouts
        self.progress = progress or (lambda _: None)
        self.clock = DemoClock()
        self.steps: list[Step] = []
        self.users: dict[str, Principal] = {}
        self.agencies: dict[str, int] = {}
        self.consultant_of: dict[str, str] = {a.key: a.consultant for a in DEMO_AGENCIES}
        self.categories: dict[str, int] = {}
        self.items: dict[str, int] = {}
        self.locations: dict[str, int] = {}
        self.donors: dict[str, int] = {}
        self.templates: list[int] = []
        self.venues: list[int] = []
        self.partner_id = 0
        self.household_ids: dict[str, tuple[int, str]] = {}
        self.referral_ids: dict[str, int] = {}
        self.parcel_of: dict[int, int] = {}
        self.events: dict[str, tuple[int, list[int]]] = {}
        self.registrations: dict[tuple[str, str], int] = {}
        self.unit_ids: dict[str, int] = {}
        self.shortages = 0

    # --- running -------------------------------------------------------------------------------------

    def at(self, day: date, hour: float, run: Callable[[], Awaitable[None]]) -> None:
        self.steps.append(Step(day, hour, len(self.steps), run))

    async def build(self) -> None:
        started = wallclock.monotonic()
        full = self.plan.start.year
        self.progress(
            f"Loading the demo data (once): FY{full} (令和{full - 2018}年度) complete, "
            f"FY{full + 1} up to {self.plan.today.isoformat()} ..."
        )
        with self.clock.running(self.s):
            self.clock.at(self.plan.start, 8)
            await self.setup()
            self.schedule()
            due = sorted((s for s in self.steps if s.day <= self.plan.today), key=lambda s: (s.day, s.hour, s.seq))
            quarter = None
            for step in due:
                if (step.day.year, (step.day.month - 1) // 3) != quarter:
                    quarter = (step.day.year, (step.day.month - 1) // 3)
                    self.progress(f"  {step.day:%Y-%m} ... ({wallclock.monotonic() - started:.0f} s)")
                self.clock.at(step.day, step.hour)
                await step.run()
            await self.s.flush()
        if self.shortages:
            logger.warning("demo data: %d parcel lines could not be filled in full", self.shortages)

    def schedule(self) -> None:
        for household in self.plan.households:
            self.at(household.registered_on, 9, self._register(household))
        for referral in self.plan.referrals:
            self.schedule_referral(referral)
        for donation in self.plan.donations:
            self.at(donation.day, 8.2 if donation.donor is None else 10, self._receive(donation))
        for handout in self.plan.handouts:
            self.at(handout.reserve_on, 16.5 if handout.reserve_on < handout.day else 12, self._reserve_parcel(handout))
            self.at(handout.day, 13 if handout.reserve_on == handout.day else 10.5, self._hand_out(handout))
        for event in self.plan.pantry_days:
            self.schedule_pantry_day(event)
        for session in self.plan.sessions:
            self.at(session.day, 11, self._cafeteria(session))
        for unit in self.plan.appliances:
            self.schedule_appliance(unit)
        for write_off in self.plan.write_offs:
            self.at(write_off.day, 16, self._write_off(write_off))
        for recall in self.plan.recalls:
            self.at(recall.day, 16, self._recall(recall))
        for day in self.plan.stocktakes:
            self.at(day, 8.5, self._stocktake(day))

    # --- setting up ----------------------------------------------------------------------------------

    async def setup(self) -> None:
        s = self.s
        for agency in DEMO_AGENCIES:
            self.agencies[agency.key] = (
                await accounts.create_agency(s, actor_id=None, name=agency.name, kind=agency.kind)
            ).id
        agency_of = {a.consultant: self.agencies[a.key] for a in DEMO_AGENCIES}
        people: list[tuple[str, str, Role, str | None]] = [
            (u.username, u.display_name, u.role, u.password) for u in DEMO_USERS
        ]
        people += [(username, name, Role.warehouse, None) for username, name in VOLUNTEERS]
        people += [(username, name, Role.consultant, None) for username, name in CONSULTANT_NAMES.items()]
        for username, name, role, password in people:
            user = await accounts.create_user(
                s,
                actor_id=None,
                username=username,
                display_name=name,
                password=password,
                roles=[role],
                agency_id=agency_of.get(username) if role is Role.consultant else None,
                settings=self.security,
            )
            self.users[username] = Principal(
                id=user.id,
                username=username,
                display_name=name,
                roles=frozenset({role}),
                agency_id=user.agency_id,
                via="token",
            )
        admin = self.users["admin"].id
        for code, ja, en, receipt, individual, pantry_days, partner in DEMO_CATEGORIES:
            category = await catalogue.create_category(
                s,
                actor_id=admin,
                code=code,
                name_ja=ja,
                name_en=en,
                min_days_at_receipt=receipt,
                min_days_individual=individual,
                min_days_pantry=pantry_days,
                min_days_partner=partner,
            )
            self.categories[code] = category.id
        for item in DEMO_ITEMS:
            created = await catalogue.create_item(
                s,
                actor_id=admin,
                name_ja=item.name,
                name_en=None,
                category_id=self.categories[item.category],
                unit=item.unit,
                unit_weight_kg=Decimal(item.kg),
                barcode=item.barcode,
                zone=item.zone,
                date_kind=item.date_kind,
                allergens=list(item.allergens),
                allergens_known=True,
                ready_to_eat=item.ready_to_eat,
            )
            self.items[item.key] = created.id
        warehouse = await catalogue.create_warehouse(s, actor_id=admin, name="山武倉庫", address="千葉県山武市")
        for code, zone in LOCATIONS:
            location = await catalogue.create_location(
                s, actor_id=admin, warehouse_id=warehouse.id, code=code, zone=zone
            )
            self.locations[code] = location.id
        for donor in DEMO_DONORS:
            created_donor = await catalogue.create_donor(
                s, actor_id=admin, kind=donor.kind, name=donor.name, contact=None, is_anonymous=donor.name is None
            )
            self.donors[donor.key] = created_donor.id
        coordinator = self.users["coordinator"].id
        for name, low, high, lines in PARCEL_TEMPLATES:
            new = pantry.NewTemplate(
                name=name,
                min_people=low,
                max_people=high,
                lines=tuple(
                    pantry.TemplateLine(units, item_id=self.items[key])
                    if kind == "item"
                    else pantry.TemplateLine(units, category_id=self.categories[key])
                    for kind, key, units in lines
                ),
            )
            template = await pantry.create_template(s, actor_id=coordinator, template=new)
            self.templates.append(template.id)
        for name, address, municipality in VENUES:
            venue = await pantry.create_venue(
                s, actor_id=coordinator, name=name, address=address, municipality=Municipality(municipality)
            )
            self.venues.append(venue.id)
        programme = await distributions.create_partner_programme(
            s, actor_id=coordinator, name=CAFETERIA_NAME, kind=PartnerKind.cafeteria, agency_id=None
        )
        self.partner_id = programme.id

    # --- households and referrals --------------------------------------------------------------------

    def registrar(self, household: p.HouseholdPlan) -> Principal:
        if household.agency is None:
            return self.users["coordinator"]
        return self.users[self.consultant_of[household.agency]]

    def _register(self, household: p.HouseholdPlan) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            command = HouseholdIn().load(
                {
                    "municipality": household.municipality,
                    "infants": household.infants,
                    "children": household.children,
                    "adults": household.adults,
                    "seniors": household.seniors,
                    "allergens": list(household.allergens),
                    "identity": {"name": household.name, "address": household.address, "phone": household.phone},
                }
            )
            registered = await households.register(
                self.s, actor=self.registrar(household), today=household.registered_on, command=command
            )
            self.household_ids[household.key] = (registered.household.id, registered.household.code)

        return run

    def schedule_referral(self, referral: p.ReferralPlan) -> None:
        consultant = self.users[self.consultant_of[referral.agency]]
        coordinator = self.users["coordinator"]

        async def submit() -> None:
            who = referral.who_consulted
            command = ReferralIn().load(
                {
                    "household_id": self.household_ids[referral.household.key][0],
                    "referred_on": referral.referred_on.isoformat(),
                    "who_consulted": who,
                    "reasons": list(referral.reasons),
                    "request": referral.request,
                    "appliance_category": referral.appliance_category,
                    "urgency": referral.urgency,
                    "consent": {
                        "given": True,
                        "by": "family" if who == "family" else "self",
                        "on": referral.referred_on.isoformat(),
                        "method": referral.consent_method,
                        "scope": p.CONSENT_SCOPE,
                    },
                    "valid_until": referral.valid_until.isoformat(),
                    "handouts_allowed": referral.handouts_allowed,
                }
            )
            created = await referrals.submit(self.s, actor=consultant, command=command)
            self.referral_ids[referral.key] = created.id

        async def decide() -> None:
            assert referral.decided_on is not None
            await referrals.decide(
                self.s,
                actor=coordinator,
                referral_id=self.referral_ids[referral.key],
                decision=Decision(accept=referral.decision == "accept", note=referral.decision_note),
                today=referral.decided_on,
            )

        async def withdraw() -> None:
            await referrals.withdraw(self.s, actor=consultant, referral_id=self.referral_ids[referral.key])

        self.at(referral.referred_on, 9.25, submit)
        if referral.decided_on is not None:
            self.at(referral.decided_on, 11, decide)
        if referral.withdrawn_on is not None:
            self.at(referral.withdrawn_on, 11.5, withdraw)

    # --- stock -----------------------------------------------------------------------------------------

    def _receive(self, donation: p.DonationPlan) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            command = ReceiptIn().load(
                {
                    "kind": "donation" if donation.donor else "opening_balance",
                    "donor_id": self.donors[donation.donor] if donation.donor else None,
                    "received_date": donation.day.isoformat(),
                    "notes": donation.note,
                    "lines": [
                        {
                            "item_id": self.items[line.item],
                            "quantity": line.quantity,
                            "expiry": line.expiry,
                            "crop_year": line.crop_year,
                            "lot_code": line.lot_code,
                            "location_id": self.locations[SHELF_OF_CATEGORY[ITEMS_BY_KEY[line.item].category]],
                        }
                        for line in donation.lines
                    ],
                }
            )
            await stock.receive(
                self.s, command, actor_id=self.users["warehouse"].id, settings=self.stock_settings, today=donation.day
            )

        return run

    def _stocktake(self, day: date) -> Callable[[], Awaitable[None]]:
        """The monthly round: overdue referrals expire (the daily job), expired stock is written off."""

        async def run() -> None:
            await referrals.expire_overdue(self.s, actor_id=None, today=day)
            await stock.dispose_expired(self.s, actor_id=self.users["warehouse"].id, as_of=day)

        return run

    def _write_off(self, write_off: p.WriteOffPlan) -> Callable[[], Awaitable[None]]:
        """Stock found damaged on a shelf: the fullest lot of the item, as many units as it has (up to the plan's)."""

        async def run() -> None:
            lot = await self.s.scalar(
                select(Lot)
                .where(Lot.item_id == self.items[write_off.item], Lot.status == LotStatus.active)
                .order_by((Lot.on_hand - Lot.reserved).desc(), Lot.id)
                .limit(1)
            )
            quantity = min(write_off.quantity, lot.available) if lot is not None else 0
            if lot is not None and quantity > 0:
                await stock.dispose(
                    self.s,
                    actor_id=self.users["warehouse"].id,
                    lot_id=lot.id,
                    disposal=stock.Disposal(quantity, DisposalReason.damaged),
                )

        return run

    def _recall(self, recall: p.RecallPlan) -> Callable[[], Awaitable[None]]:
        """A maker's recall: block the lot, find who received it, write off what is left."""

        async def run() -> None:
            coordinator = self.users["coordinator"].id
            item_id = self.items[recall.item]
            lot_ids = await stock.hold(
                self.s,
                actor_id=coordinator,
                request=stock.HoldRequest(LotStatus.recalled, recall.note, item_id=item_id, lot_code=recall.lot_code),
            )
            await distributions.trace(self.s, actor_id=coordinator, item_id=item_id, lot_code=recall.lot_code)
            for lot_id in lot_ids:
                lot = await self.s.get(Lot, lot_id)
                if lot is not None and lot.available > 0:
                    await stock.dispose(
                        self.s,
                        actor_id=coordinator,
                        lot_id=lot_id,
                        disposal=stock.Disposal(lot.available, DisposalReason.recalled),
                    )

        return run

    # --- individual support ----------------------------------------------------------------------------

    def _reserve_parcel(self, handout: p.HandOutPlan) -> Callable[[], Awaitable[None]]:
        """The coordinator reserves the household's parcel (its template, without its allergens): the picking list."""

        async def run() -> None:
            coordinator = self.users["coordinator"]
            household_id, code = self.household_ids[handout.household.key]
            household = await household_queries.get_visible(self.s, coordinator, household_id)
            items, categories = await households.parcel_for(self.s, household)
            result = await stock.reserve(
                self.s,
                actor_id=coordinator.id,
                purpose=ReservationPurpose.household,
                purpose_ref=code,
                channel=Channel.individual,
                distribution_date=handout.day,
                requests=items,
                category_requests=categories,
                avoid_allergens=household.avoided_allergens(),
                allow_partial=True,
                note=None,
                settings=self.stock_settings,
            )
            self.shortages += len(result.shortages)
            self.parcel_of[id(handout)] = result.reservation.id

        return run

    def _hand_out(self, handout: p.HandOutPlan) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await distributions.hand_out(
                self.s,
                actor=self.users[handout.staff],
                command=distributions.HandOut(
                    channel=HandOutChannel(handout.channel),
                    distributed_on=handout.day,
                    household_id=self.household_ids[handout.household.key][0],
                    referral_id=self.referral_ids[handout.referral.key] if handout.referral else None,
                    reservation_id=self.parcel_of[id(handout)],
                ),
                settings=self.stock_settings,
                min_days_between_handouts=self.min_days_between_handouts,
            )

        return run

    # --- pantry days -------------------------------------------------------------------------------------

    def schedule_pantry_day(self, event: p.PantryPlan) -> None:
        coordinator = self.users["coordinator"]

        async def create() -> None:
            data = EventIn().load(
                {
                    "venue_id": self.venues[event.venue],
                    "event_date": event.day.isoformat(),
                    "slots": [
                        {
                            "start_time": f"{h:02d}:{m:02d}",
                            "end_time": f"{h + (m + 30) // 60:02d}:{(m + 30) % 60:02d}",
                            "capacity": p.SLOT_CAPACITY,
                        }
                        for h, m in p.SLOT_TIMES
                    ],
                    "expected_walk_in_people": event.expected_walk_in_people,
                    "walk_in_household_size": p.WALK_IN_SIZE,
                    "template_ids": self.templates,
                    "note": "フードパントリー（デモ）",
                }
            )
            created = await pantry.create_event(self.s, actor_id=coordinator.id, plan=data, today=event.created_on)
            self.events[event.key] = (created.id, [slot.id for slot in created.slots])

        async def open_registrations() -> None:
            await pantry.change_status(
                self.s,
                actor_id=coordinator.id,
                event_id=self.events[event.key][0],
                action="open",
                today=event.opened_on,
            )

        def book(booking: p.BookingPlan) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                event_id, slots = self.events[event.key]
                registration = await pantry.book(
                    self.s,
                    actor=coordinator,
                    event_id=event_id,
                    slot_id=slots[booking.slot],
                    household_id=self.household_ids[booking.household.key][0],
                    people=None,
                    referral_id=self.referral_ids[booking.referral.key] if booking.referral else None,
                )
                self.registrations[event.key, booking.household.key] = registration.id

            return run

        def cancel(booking: p.BookingPlan) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                await pantry.cancel_registration(
                    self.s,
                    actor=coordinator,
                    event_id=self.events[event.key][0],
                    registration_id=self.registrations[event.key, booking.household.key],
                )

            return run

        async def allocate() -> None:
            allocated = await pantry.allocate(
                self.s,
                actor_id=coordinator.id,
                event_id=self.events[event.key][0],
                allow_partial=True,
                settings=self.stock_settings,
            )
            self.shortages += len(allocated.shortages)

        async def start() -> None:
            await pantry.change_status(
                self.s, actor_id=coordinator.id, event_id=self.events[event.key][0], action="start", today=event.day
            )

        def check_in(booking: p.BookingPlan) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                await pantry.check_in(
                    self.s,
                    actor=self.users["warehouse"],
                    event_id=self.events[event.key][0],
                    registration_id=self.registrations[event.key, booking.household.key],
                    people=None,
                    settings=self.stock_settings,
                )

            return run

        def no_show(booking: p.BookingPlan) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                await pantry.mark_no_show(
                    self.s,
                    actor=coordinator,
                    event_id=self.events[event.key][0],
                    registration_id=self.registrations[event.key, booking.household.key],
                )

            return run

        def walk_in(people: int) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                await pantry.record_walk_in(
                    self.s,
                    actor=self.users["warehouse"],
                    event_id=self.events[event.key][0],
                    people=people,
                    parcels_wanted=1,
                    settings=self.stock_settings,
                )

            return run

        async def close() -> None:
            await pantry.close(self.s, actor_id=coordinator.id, event_id=self.events[event.key][0], today=event.day)

        self.at(event.created_on, 13, create)
        self.at(event.opened_on, 13.25, open_registrations)
        for booking in event.bookings:
            self.at(booking.booked_on, 14, book(booking))
            if booking.cancelled_on is not None:
                self.at(booking.cancelled_on, 15, cancel(booking))
        self.at(event.allocate_on, 16, allocate)
        self.at(event.day, 9.5, start)
        marked = False
        for booking in event.bookings:
            h, m = p.SLOT_TIMES[booking.slot]
            if booking.served:
                self.at(event.day, h + m / 60 + 0.1, check_in(booking))
            elif booking.no_show and not marked:
                # One is marked during the day; the others become no-shows when the day is closed.
                self.at(event.day, 12, no_show(booking))
                marked = True
        for n, people in enumerate(event.walk_ins):
            self.at(event.day, 10 + 4 * n / max(1, len(event.walk_ins)), walk_in(people))
        self.at(event.day, 14.5, close)

    # --- the cafeteria -----------------------------------------------------------------------------------

    def _cafeteria(self, session: p.SessionPlan) -> Callable[[], Awaitable[None]]:
        """The morning of a session: its ingredients are reserved FEFO, picked and handed over."""

        async def run() -> None:
            coordinator = self.users["coordinator"]
            categories = {self.categories[code]: units for code, units in CAFETERIA_CATEGORIES}
            for code, units in session.fresh.items():
                categories[self.categories[code]] = units
            result = await stock.reserve(
                self.s,
                actor_id=coordinator.id,
                purpose=ReservationPurpose.partner,
                purpose_ref=f"partner:{self.partner_id}:{session.day.isoformat()}",
                channel=Channel.partner,
                distribution_date=session.day,
                requests={self.items[key]: units for key, units in CAFETERIA_ITEMS},
                category_requests=categories,
                avoid_allergens=frozenset(),
                allow_partial=True,
                note=CAFETERIA_NAME,
                settings=self.stock_settings,
            )
            self.shortages += len(result.shortages)
            await distributions.hand_out(
                self.s,
                actor=coordinator,
                command=distributions.HandOut(
                    channel=HandOutChannel.partner,
                    distributed_on=session.day,
                    partner_programme_id=self.partner_id,
                    reservation_id=result.reservation.id,
                    people=session.participants,
                ),
                settings=self.stock_settings,
            )

        return run

    # --- appliances --------------------------------------------------------------------------------------

    def schedule_appliance(self, unit: p.AppliancePlan) -> None:
        warehouse = self.users["warehouse"]
        coordinator = self.users["coordinator"]

        async def register() -> None:
            data = ApplianceIn().load(
                {
                    "category": unit.category.value,
                    "maker": unit.maker,
                    "model": unit.model,
                    "serial_number": unit.serial,
                    "manufacture_year": unit.manufacture_year,
                    "size": unit.size,
                    "pse_mark": "pse",
                    "donor_id": self.donors[unit.donor],
                    "received_date": unit.received_on.isoformat(),
                    "location_id": self.locations["K-01"],
                    "condition_grade": unit.grade,
                }
            )
            created = await appliances.register(
                self.s, actor_id=warehouse.id, intake=data, settings=self.appliance_settings, today=unit.received_on
            )
            self.unit_ids[unit.key] = created.id

        async def inspect() -> None:
            checks: list[dict[str, Any]] = []
            failure_notes = {InspectionCheck.insulation: "絶縁抵抗値が基準未満", InspectionCheck.power_on: "通電せず"}
            for check in InspectionCheck:
                failed = check is unit.failed_check
                checks.append(
                    {
                        "check": check.value,
                        "result": (CheckResult.failed if failed else CheckResult.passed).value,
                        "note": failure_notes.get(check) if failed else None,
                    }
                )
            data = ApplianceInspectionIn().load({"inspected_on": unit.inspected_on.isoformat(), "checks": checks})
            await appliances.inspect(
                self.s,
                actor_id=warehouse.id,
                unit_id=self.unit_ids[unit.key],
                inspected_on=unit.inspected_on,
                checks=data.checks,
                today=unit.inspected_on,
            )

        async def reserve() -> None:
            assert unit.reserved_on is not None
            assert unit.delivered_on is not None
            assert unit.household is not None
            await appliances.reserve(
                self.s,
                actor=coordinator,
                unit_id=self.unit_ids[unit.key],
                household_id=self.household_ids[unit.household.key][0],
                referral_id=self.referral_ids[unit.referral.key] if unit.referral else None,
                planned_delivery_date=unit.delivered_on,
                installation_needed=unit.installation,
                note=None,
                today=unit.reserved_on,
            )

        async def deliver() -> None:
            assert unit.delivered_on is not None
            await appliances.deliver(
                self.s,
                actor_id=coordinator.id,
                unit_id=self.unit_ids[unit.key],
                delivered_on=unit.delivered_on,
                delivered_by_id=self.users["volunteer-ito"].id,
                receipt_number=None,
                receipt_signed=True,
                installed=None,
                note=None,
                today=unit.delivered_on,
            )

        async def dispose() -> None:
            assert unit.disposed_on is not None
            assert unit.disposal_reason is not None
            await appliances.dispose(
                self.s,
                actor_id=coordinator.id,
                unit_id=self.unit_ids[unit.key],
                disposed_on=unit.disposed_on,
                reason=unit.disposal_reason,
                recycling_ticket_number=unit.ticket,
                note="家電リサイクル券で引き渡し" if unit.ticket else None,
                today=unit.disposed_on,
            )

        self.at(unit.received_on, 10.5, register)
        self.at(unit.inspected_on, 14, inspect)
        if unit.reserved_on is not None:
            self.at(unit.reserved_on, 15, reserve)
            self.at(unit.delivered_on or unit.reserved_on, 10.75, deliver)
        if unit.disposed_on is not None:
            self.at(unit.disposed_on, 15.5, dispose)


async def build(
    session: AsyncSession,
    *,
    today: date,
    security: SecuritySettings,
    stock_settings: StockSettings,
    progress: Progress | None = None,
) -> None:
    plan = p.make_plan(today)
    await Builder(session, plan, security, stock_settings, progress).build()
