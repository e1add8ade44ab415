"""Use cases of distributions: hand goods over to a household or a partner programme, take them back,
and the audited recall trace.

A hand-out locks, in this order: the household row (so that two volunteers cannot both serve one
household inside the frequency interval), the referral, the reservation, then the lots in ascending id
order (`ledger.lock_lots`), which is the order stock's own services use after a reservation. A return
locks the distribution, then its referral, then the lots. Nothing here commits.

A pantry day's walk-in is a hand-out without a household (`walk_in`, counted in `people`); its goods
are taken out of the event's walk-in buffer reservation (`part_of_reservation_id`), which keeps the rest.

A distribution is never edited: a mistake is corrected by returning the goods (`return_goods`). Its
`units` and `kg` (what is handed out and not returned) are set with its lines and lowered by each
return, here and nowhere else: the annual summary reads them.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit.services import record
from foodbank.catalogue.errors import DuplicateCode
from foodbank.config import StockSettings
from foodbank.distributions import queries
from foodbank.distributions.errors import (
    DistributionNotFound,
    FrequencyRule,
    HouseholdAnonymised,
    HouseholdNotFound,
    NothingToHandOut,
    OverrideNotAllowed,
    PartnerProgrammeNotFound,
    ReferralNotFound,
    ReferralNotUsable,
    ReservationAlreadyHandedOut,
    ReturnTooLarge,
)
from foodbank.lib.access import Principal
from foodbank.lib.db import add_unique
from foodbank.lib.errors import FieldError, InvalidInput
from foodbank.lib.messages import Code, Label, Message, Param, Sentences
from foodbank.models import (
    Agency,
    Channel,
    Distribution,
    DistributionLine,
    HandOutChannel,
    Household,
    Lot,
    MovementKind,
    PartnerKind,
    PartnerProgramme,
    Referral,
    ReferralStatus,
    Reservation,
    ReservationStatus,
    Role,
)
from foodbank.picking import fefo
from foodbank.referrals import rules as referral_rules
from foodbank.stock import ledger
from foodbank.stock import services as stock
from foodbank.stock.dates import LabelDate, format_label_date
from foodbank.stock.errors import LotUnavailable, ReservationClosed, ReservationNotFound

DEFAULT_MIN_DAYS_BETWEEN_HANDOUTS = 7
INDIVIDUAL_SUPPORT = (HandOutChannel.delivery, HandOutChannel.pickup)
"""The channels the frequency rule counts: a pantry day or a partner's meal is not individual support."""
OVERRIDERS = (Role.admin, Role.coordinator)

_STOCK_CHANNEL = {
    HandOutChannel.delivery: Channel.individual,
    HandOutChannel.pickup: Channel.individual,
    HandOutChannel.pantry: Channel.pantry,
    HandOutChannel.partner: Channel.partner,
}


@dataclass(frozen=True)
class HandOutLine:
    """Units of one lot."""

    lot_id: int
    quantity: int


@dataclass(frozen=True)
class HandOut:
    """The command to hand goods over: what `DistributionIn` loads to, and what the household page, a
    pantry day's check-in and walk-ins, and the demo build. The goods come from `reservation_id`, from
    `lines`, or from `lines` taken out of `part_of_reservation_id`; `_check_request` holds the rules
    between the fields."""

    channel: HandOutChannel
    distributed_on: date
    household_id: int | None = None
    partner_programme_id: int | None = None
    referral_id: int | None = None
    reservation_id: int | None = None
    lines: tuple[HandOutLine, ...] = ()
    people: int | None = None
    frequency_override: str | None = None
    pantry_event_id: int | None = None
    walk_in: bool = False
    part_of_reservation_id: int | None = None


@dataclass(frozen=True)
class ReturnLine:
    """Units of one hand-out line that come back, and why."""

    line_id: int
    quantity: int
    reason: str


def stock_channel(channel: HandOutChannel) -> Channel:
    """The stock channel whose best-before minimums apply to a hand-out channel."""
    return _STOCK_CHANNEL[channel]


# --- hand-out --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Goods:
    """One lot and how many of its units leave with the distribution."""

    lot: Lot
    quantity: int
    set_aside: bool = False
    """Reserved or picked already: its quantity was checked against the lot when it was set aside."""


async def hand_out(
    session: AsyncSession,
    *,
    actor: Principal,
    command: HandOut,
    settings: StockSettings,
    min_days_between_handouts: int = DEFAULT_MIN_DAYS_BETWEEN_HANDOUTS,
) -> Distribution:
    """Hand goods over, from a reservation (open: confirmed in full; picked: what was picked), from
    lots named directly, or from lots named out of an open reservation (`part_of_reservation_id`: the
    units leave it, the rest stays reserved), to one household, one partner programme, or an anonymous
    walk-in at a pantry day (`walk_in`, with `pantry_event_id` and `people`).

    Every lot must be usable on `distributed_on` for the channel and hold nothing the household avoids;
    a referral, when given, must be accepted, valid on the day and not used up; a household may get
    individual support only every `min_days_between_handouts` days unless a coordinator overrides it
    with a reason. All or nothing: any refusal leaves stock, referral and household unchanged.
    """
    _check_request(command)
    channel, distributed_on, household_id = command.channel, command.distributed_on, command.household_id
    partner_programme_id, referral_id, reservation_id = (
        command.partner_programme_id,
        command.referral_id,
        command.reservation_id,
    )
    people, frequency_override, pantry_event_id = command.people, command.frequency_override, command.pantry_event_id
    if frequency_override is not None and not actor.has(*OVERRIDERS):
        raise OverrideNotAllowed(
            Message("Only a coordinator or an admin may override the frequency rule; ask one to record this hand-out.")
        )

    household: Household | None = None
    override_used: _LastHandOut | None = None
    if household_id is not None:
        household = await _locked_household(session, household_id)
        if channel in INDIVIDUAL_SUPPORT and min_days_between_handouts > 0:
            last = await _recent_individual_support(session, household, distributed_on, min_days_between_handouts)
            if last is not None:
                if frequency_override is None:
                    raise FrequencyRule(
                        Message(
                            "Household %(code)s had individual support on %(last)s; the next hand-out is allowed "
                            "from %(next)s (at least %(days)s days apart). A coordinator may override this with a "
                            "reason.",
                            code=household.code,
                            last=last.on,
                            next=last.next_allowed_on,
                            days=min_days_between_handouts,
                        ),
                        household_id=household.id,
                        last_distributed_on=last.on.isoformat(),
                        next_allowed_on=last.next_allowed_on.isoformat(),
                        min_days=min_days_between_handouts,
                    )
                override_used = last
        people = household.size if people is None else people
    elif partner_programme_id is not None and await session.get(PartnerProgramme, partner_programme_id) is None:
        raise PartnerProgrammeNotFound(
            Message("There is no partner programme with id %(id)s.", id=partner_programme_id)
        )

    referral = None
    if referral_id is not None:
        assert household is not None  # _check_request: referrals are for households
        referral = await _locked_usable_referral(session, referral_id, household, distributed_on)

    avoid = household.avoided_allergens() if household is not None else frozenset()
    policy = await stock.policy_for(session, stock_channel(channel), settings)
    reservation: Reservation | None = None
    source: Reservation | None = None
    if reservation_id is not None:
        reservation, goods = await _goods_from_reservation(session, reservation_id)
    elif command.part_of_reservation_id is not None:
        source, goods = await _goods_from_part_of_reservation(session, command.part_of_reservation_id, command.lines)
    else:
        goods = await _goods_from_lines(session, command.lines)
    _check_eligible(goods, distributed_on, policy, avoid, channel)

    distribution = Distribution(
        household_id=household_id,
        partner_programme_id=partner_programme_id,
        channel=channel,
        distributed_on=distributed_on,
        referral_id=referral_id,
        reservation_id=reservation_id,
        handed_over_by_id=actor.id,
        people=people,
        frequency_override=frequency_override if override_used is not None else None,
        pantry_event_id=pantry_event_id,
        walk_in=command.walk_in,
        lines=[],  # loaded (empty) now, so that lines can be appended after the flush without a lazy load
    )
    await add_unique(
        session,
        distribution,
        {
            "uq_distribution_reservation_id": ReservationAlreadyHandedOut(
                Message("Reservation %(id)s was handed out by another request just now.", id=reservation_id),
                reservation_id=reservation_id,
            )
        },
    )
    if reservation is not None and reservation.status is ReservationStatus.open:
        await _confirm_in_full(session, actor.id, reservation, distribution.id)
    elif source is not None:
        await _take_out_of_reservation(session, actor.id, source, goods, distribution.id)
    elif reservation is None:
        for item in goods:
            ledger.post(
                session,
                item.lot,
                MovementKind.issue,
                on_hand_delta=-item.quantity,
                actor_id=actor.id,
                distribution_id=distribution.id,
            )
    # A picked reservation was issued when it was picked: the lines below record where it went.
    for item in goods:
        distribution.lines.append(
            DistributionLine(lot_id=item.lot.id, item_id=item.lot.item_id, quantity=item.quantity)
        )
    distribution.units = sum(item.quantity for item in goods)
    distribution.kg = sum((item.quantity * item.lot.item.unit_weight_kg for item in goods), Decimal(0))

    if household is not None:
        household.last_activity_on = max(household.last_activity_on or distributed_on, distributed_on)
    if referral is not None:
        referral_rules.count_handout(referral)
    await session.flush()

    await record(
        session,
        actor_id=actor.id,
        action="distribution.create",
        entity="distribution",
        entity_id=distribution.id,
        details={
            "channel": channel.value,
            "household_id": household_id,
            "partner_programme_id": partner_programme_id,
            "referral_id": referral_id,
            "reservation_id": reservation_id,
            "lines": len(goods),
            "units": sum(item.quantity for item in goods),
            **(
                {
                    "pantry_event_id": pantry_event_id,
                    "walk_in": command.walk_in,
                    "from_reservation_id": command.part_of_reservation_id,
                }
                if pantry_event_id is not None
                else {}
            ),
        },
    )
    if override_used is not None:
        # The reason itself is free text about a household: it stays on the distribution, not in the log.
        await record(
            session,
            actor_id=actor.id,
            action="distribution.frequency_override",
            entity="distribution",
            entity_id=distribution.id,
            details={
                "household_id": household_id,
                "days_since_last": (distributed_on - override_used.on).days,
                "min_days": min_days_between_handouts,
            },
        )
    if referral is not None:
        await record(
            session,
            actor_id=actor.id,
            action="referral.use",
            entity="referral",
            entity_id=referral.id,
            details={
                "distribution_id": distribution.id,
                "handouts_used": referral.handouts_used,
                "handouts_allowed": referral.handouts_allowed,
                "fulfilled": referral.status is ReferralStatus.fulfilled,
            },
        )
    return distribution


def _check_request(command: HandOut) -> None:
    """The rules between fields: one recipient (or an anonymous pantry walk-in), one source of goods,
    the partner channel for partners, the pantry channel for pantry days."""
    errors: list[FieldError] = []
    if command.pantry_event_id is not None and command.channel is not HandOutChannel.pantry:
        errors.append({"field": "channel", "message": Message("A pantry day hands out through the pantry channel.")})
    if command.walk_in:
        if command.household_id is not None or command.partner_programme_id is not None:
            errors.append(
                {"field": "household_id", "message": Message("A walk-in is anonymous: no household or partner.")}
            )
        if command.pantry_event_id is None:
            errors.append({"field": "pantry_event_id", "message": Message("A walk-in is served at a pantry day.")})
        if command.referral_id is not None:
            errors.append({"field": "referral_id", "message": Message("A walk-in comes without a referral.")})
        if command.people is None:
            errors.append({"field": "people", "message": Message("Count the people the walk-in parcel serves.")})
    elif (command.household_id is None) == (command.partner_programme_id is None):
        errors.append(
            {"field": "household_id", "message": Message("Give either household_id or partner_programme_id.")}
        )
    elif command.partner_programme_id is not None and command.channel is not HandOutChannel.partner:
        errors.append(
            {"field": "channel", "message": Message("A partner programme receives through the partner channel.")}
        )
    elif command.household_id is not None and command.channel is HandOutChannel.partner:
        errors.append(
            {"field": "channel", "message": Message("The partner channel is for partner programmes, not households.")}
        )
    if command.partner_programme_id is not None and command.referral_id is not None:
        errors.append(
            {"field": "referral_id", "message": Message("Referrals are for households, not partner programmes.")}
        )
    if command.partner_programme_id is not None and command.people is None:
        errors.append({"field": "people", "message": Message("Give the number of meals or participants it serves.")})
    if command.part_of_reservation_id is not None:
        if command.reservation_id is not None or not command.lines:
            errors.append(
                {"field": "lines", "message": Message("Name the lots and quantities to take out of the reservation.")}
            )
    elif (command.reservation_id is None) == (not command.lines):
        errors.append(
            {"field": "lines", "message": Message("Give either reservation_id or lines (lot_id and quantity).")}
        )
    if errors:
        raise InvalidInput(Message("The hand-out was not recorded: fix the fields listed in errors."), errors=errors)


async def _locked_household(session: AsyncSession, household_id: int) -> Household:
    household = await session.get(Household, household_id, with_for_update=True, populate_existing=True)
    if household is None:
        raise HouseholdNotFound(Message("There is no household with id %(id)s.", id=household_id))
    HouseholdAnonymised.refuse(household)
    return household


@dataclass(frozen=True)
class _LastHandOut:
    on: date
    min_days: int

    @property
    def next_allowed_on(self) -> date:
        return self.on + timedelta(days=self.min_days)


async def _recent_individual_support(
    session: AsyncSession, household: Household, on: date, min_days: int
) -> _LastHandOut | None:
    """The latest individual-support hand-out to the household fewer than `min_days` days before or after
    `on` (a hand-out may be recorded afterwards), ignoring distributions returned in full (mistakes)."""
    still_held = exists().where(
        DistributionLine.distribution_id == Distribution.id, DistributionLine.quantity > DistributionLine.returned
    )
    last = await session.scalar(
        select(func.max(Distribution.distributed_on)).where(
            Distribution.household_id == household.id,
            Distribution.channel.in_(INDIVIDUAL_SUPPORT),
            Distribution.distributed_on > on - timedelta(days=min_days),
            Distribution.distributed_on < on + timedelta(days=min_days),
            still_held,
        )
    )
    return None if last is None else _LastHandOut(last, min_days)


async def _locked_usable_referral(session: AsyncSession, referral_id: int, household: Household, on: date) -> Referral:
    referral = await session.get(Referral, referral_id, with_for_update=True, populate_existing=True)
    if referral is None:
        raise ReferralNotFound(Message("There is no referral with id %(id)s.", id=referral_id))
    check_referral(referral, household, on)
    return referral


def check_referral(referral: Referral, household: Household, on: date) -> None:
    """Refuse (409, with the reason and the referral's state) unless the referral can cover a food
    hand-out to `household` on `on`. Pantry registrations check their referral with it too."""
    refusal = _referral_refusal(referral, household, on)
    if refusal is not None:
        reason, why = refusal
        raise ReferralNotUsable(
            Message("Referral %(id)s cannot be used: %(reason)s", id=referral.id, reason=why),
            referral_id=referral.id,
            reason=reason,
            referral_status=referral.status.value,
            valid_from=referral.valid_from.isoformat(),
            valid_until=referral.valid_until.isoformat(),
            handouts_used=referral.handouts_used,
            handouts_allowed=referral.handouts_allowed,
        )


def _referral_refusal(referral: Referral, household: Household, on: date) -> tuple[str, Message] | None:
    return referral_rules.refusal(
        referral, household_id=household.id, household_code=household.code, on=on, purpose="food"
    )


async def _goods_from_reservation(session: AsyncSession, reservation_id: int) -> tuple[Reservation, list[_Goods]]:
    """Lock the reservation and its lots; an open one goes out in full, a picked one as picked."""
    reservation = await session.get(Reservation, reservation_id, with_for_update=True, populate_existing=True)
    if reservation is None:
        raise ReservationNotFound(Message("There is no reservation with id %(id)s.", id=reservation_id))
    handed_out = await session.scalar(select(Distribution.id).where(Distribution.reservation_id == reservation_id))
    if handed_out is not None:
        raise ReservationAlreadyHandedOut(
            Message(
                "Reservation %(id)s was already handed out (distribution %(distribution)s).",
                id=reservation_id,
                distribution=handed_out,
            ),
            reservation_id=reservation_id,
            distribution_id=handed_out,
        )
    if reservation.status is ReservationStatus.released:
        raise ReservationClosed(
            Message("Reservation %(id)s was released: its stock is back on the shelves.", id=reservation_id)
        )
    lots = await ledger.lock_lots(session, (line.lot_id for line in reservation.lines))
    picked = reservation.status is ReservationStatus.picked
    goods = [
        _Goods(lots[line.lot_id], (line.picked_quantity or 0) if picked else line.quantity, set_aside=True)
        for line in reservation.lines
    ]
    goods = [item for item in goods if item.quantity > 0]
    if not goods:
        raise NothingToHandOut(
            Message("Nothing was picked for reservation %(id)s.", id=reservation_id), reservation_id=reservation_id
        )
    return reservation, goods


async def _goods_from_part_of_reservation(
    session: AsyncSession, reservation_id: int, lines: Sequence[HandOutLine]
) -> tuple[Reservation, list[_Goods]]:
    """Lock an open reservation and the named lots; every unit named must be set aside in it."""
    reservation = await session.get(Reservation, reservation_id, with_for_update=True, populate_existing=True)
    if reservation is None:
        raise ReservationNotFound(Message("There is no reservation with id %(id)s.", id=reservation_id))
    if reservation.status is not ReservationStatus.open:
        raise ReservationClosed(
            Message(
                "Reservation %(id)s is already %(status)s.",
                id=reservation_id,
                status=Label("reservation_status", reservation.status),
            )
        )
    quantities: dict[int, int] = defaultdict(int)
    for line in lines:
        quantities[line.lot_id] += line.quantity
    held: dict[int, int] = defaultdict(int)
    for reserved in reservation.lines:
        held[reserved.lot_id] += reserved.quantity
    beyond = [
        {"lot_id": lot_id, "requested": quantity, "reserved": held[lot_id]}
        for lot_id, quantity in sorted(quantities.items())
        if quantity > held[lot_id]
    ]
    if beyond:
        held_only = [
            Message(
                "%(reserved)s of lot %(lot)s (%(requested)s asked)",
                reserved=b["reserved"],
                lot=b["lot_id"],
                requested=b["requested"],
            )
            for b in beyond
        ]
        raise LotUnavailable(
            Message(
                "Nothing was handed out: reservation %(id)s holds only %(lots)s.", id=reservation_id, lots=held_only
            ),
            lots=beyond,
        )
    lots = await ledger.lock_lots(session, quantities)
    goods = [_Goods(lots[lot_id], quantity, set_aside=True) for lot_id, quantity in sorted(quantities.items())]
    return reservation, goods


async def _take_out_of_reservation(
    session: AsyncSession, actor_id: int, reservation: Reservation, goods: Sequence[_Goods], distribution_id: int
) -> None:
    """Issue goods straight out of a reservation. Its lines shrink to what stays set aside (a line used
    up goes; the ledger keeps what was reserved and where each unit went), so releasing or picking it
    later handles only the rest. A reservation emptied this way is picked."""
    for item in goods:
        ledger.post(
            session,
            item.lot,
            MovementKind.issue,
            on_hand_delta=-item.quantity,
            reserved_delta=-item.quantity,
            actor_id=actor_id,
            reservation_id=reservation.id,
            distribution_id=distribution_id,
        )
        needed = item.quantity
        for line in reservation.lines:
            if needed == 0:
                break
            if line.lot_id != item.lot.id or line.quantity == 0:
                continue
            taken = min(line.quantity, needed)
            needed -= taken
            if taken == line.quantity:
                await session.delete(line)
            else:
                line.quantity -= taken
    await session.flush()
    await session.refresh(reservation, ["lines"])
    if not reservation.lines:
        reservation.status = ReservationStatus.picked
        reservation.picked_by_id = actor_id


async def _goods_from_lines(session: AsyncSession, lines: Sequence[HandOutLine]) -> list[_Goods]:
    """Lock the named lots (ascending ids); a lot named twice is one line with the quantities added."""
    quantities: dict[int, int] = defaultdict(int)
    for line in lines:
        quantities[line.lot_id] += line.quantity
    lots = await ledger.lock_lots(session, quantities)
    unknown: list[FieldError] = [
        {"field": f"lines.{n}.lot_id", "message": Message("There is no lot with id %(id)s.", id=line.lot_id)}
        for n, line in enumerate(lines)
        if line.lot_id not in lots
    ]
    if unknown:
        raise InvalidInput(Message("The hand-out was not recorded: some lots do not exist."), errors=unknown)
    return [_Goods(lots[lot_id], quantity) for lot_id, quantity in sorted(quantities.items())]


def _check_eligible(
    goods: Sequence[_Goods], on: date, policy: fefo.Policy, avoid: frozenset[str], channel: HandOutChannel
) -> None:
    """Refuse (409, every lot with its reason) unless every lot may go to this recipient on this day.

    Reserved or picked goods are checked again too: a lot may have been recalled since, or reserved for
    another channel or without this household's allergens.
    """
    problems: list[dict[str, Any]] = []
    messages: list[Message] = []
    for item in goods:
        # What the allocator calls "available" is, for goods already set aside, what is being handed out.
        candidate = dataclasses.replace(stock.candidate(item.lot), available=item.quantity)
        reason = fefo.ineligibility(candidate, on, policy, avoid)
        if reason is None and not item.set_aside and item.lot.available < item.quantity:
            reason = "insufficient"
        if reason is not None:
            messages.append(_unusable_in_words(reason, item, on, policy, avoid, channel))
            problems.append({"lot_id": item.lot.id, "reason": reason, "message": messages[-1]})
    if problems:
        raise LotUnavailable(Message("Nothing was handed out: %(reasons)s", reasons=Sentences(messages)), lots=problems)


def _unusable_in_words(
    reason: str, item: _Goods, on: date, policy: fefo.Policy, avoid: frozenset[str], channel: HandOutChannel
) -> Message:
    lot = item.lot
    named: dict[str, Param] = {"lot": lot.id, "item": lot.item.name_ja}
    expiry = format_label_date(lot.expiry_date, lot.date_precision)
    if reason == "on_hold":
        return Message("Lot %(lot)s (%(item)s) is on hold: it must not leave the warehouse.", **named)
    if reason == "recalled":
        return Message("Lot %(lot)s (%(item)s) is recalled: it must not leave the warehouse.", **named)
    if reason == "use_by_passed":
        return Message(
            "Lot %(lot)s (%(item)s): its use-by date (消費期限) %(date)s is before %(on)s; it must never be handed "
            "out.",
            **named,
            date=expiry,
            on=on,
        )
    if reason == "best_before_too_close":
        return Message(
            "Lot %(lot)s (%(item)s): its best-before date %(date)s leaves %(left)s days after %(on)s; %(channel)s "
            "hand-outs need at least %(minimum)s.",
            **named,
            date=expiry,
            left=(lot.expiry_date - on).days if lot.expiry_date else 0,
            on=on,
            channel=Code("hand_out", channel),
            minimum=policy.min_days(lot.item.category_id),
        )
    if reason == "no_date":
        return Message(
            "Lot %(lot)s (%(item)s) has no date recorded although its item carries one; correct the lot first.", **named
        )
    if reason == "allergen":
        allergens = lot.item.allergen_set
        if allergens is None:
            return Message(
                "Lot %(lot)s (%(item)s) has an unreadable allergen label, and this household avoids allergens.",
                **named,
            )
        return Message(
            "Lot %(lot)s (%(item)s) contains %(allergens)s, which this household avoids.",
            **named,
            allergens=sorted(allergens & avoid),
        )
    if reason in {"empty", "insufficient"}:
        return Message(
            "Lot %(lot)s (%(item)s) has %(free)s units free; %(asked)s were asked for.",
            **named,
            free=lot.available,
            asked=item.quantity,
        )
    return Message("Lot %(lot)s (%(item)s) cannot be handed out (%(reason)s).", **named, reason=reason)


async def _confirm_in_full(
    session: AsyncSession, actor_id: int, reservation: Reservation, distribution_id: int
) -> None:
    """Confirm an open reservation as picked in full; its issue movements name the distribution, so
    that the ledger shows where the goods went."""
    await stock.confirm_pick(
        session,
        actor_id=actor_id,
        reservation_id=reservation.id,
        picked={line.id: line.quantity for line in reservation.lines},
        distribution_id=distribution_id,
    )


# --- returns ---------------------------------------------------------------------------------------


async def return_goods(
    session: AsyncSession, *, actor_id: int | None, distribution_id: int, lines: Sequence[ReturnLine]
) -> Distribution:
    """Goods come back onto the lots they left: a return movement per line, and the line's `returned`
    grows; never more than was handed out. When everything has come back, the hand-out no longer counts
    against its referral (nor against the frequency rule)."""
    distribution = await session.get(Distribution, distribution_id, with_for_update=True, populate_existing=True)
    if distribution is None:
        raise DistributionNotFound(Message("There is no distribution with id %(id)s.", id=distribution_id))
    held = {
        line.id: line
        for line in (
            await session.scalars(
                select(DistributionLine)
                .where(DistributionLine.distribution_id == distribution_id)
                .execution_options(populate_existing=True)
            )
        ).all()
    }
    errors: list[FieldError] = []
    seen: set[int] = set()
    for n, line in enumerate(lines):
        if line.line_id not in held:
            errors.append(
                {
                    "field": f"lines.{n}.line_id",
                    "message": Message("Line %(id)s is not part of it.", id=line.line_id),
                }
            )
        elif line.line_id in seen:
            errors.append(
                {"field": f"lines.{n}.line_id", "message": Message("Line %(id)s is listed twice.", id=line.line_id)}
            )
        seen.add(line.line_id)
    if errors:
        raise InvalidInput(Message("Nothing was returned to distribution %(id)s.", id=distribution_id), errors=errors)
    too_large = [
        {
            "line_id": held[line.line_id].id,
            "handed_out": held[line.line_id].quantity,
            "returned": held[line.line_id].returned,
            "returnable": held[line.line_id].quantity - held[line.line_id].returned,
            "requested": line.quantity,
        }
        for line in lines
        if line.quantity > held[line.line_id].quantity - held[line.line_id].returned
    ]
    if too_large:
        why = [
            Message(
                "line %(line)s handed out %(handed_out)s, %(returned)s already came back, so at most "
                "%(returnable)s can be returned (%(requested)s asked).",
                line=t["line_id"],
                handed_out=t["handed_out"],
                returned=t["returned"],
                returnable=t["returnable"],
                requested=t["requested"],
            )
            for t in too_large
        ]
        raise ReturnTooLarge(Message("Nothing was returned: %(lines)s", lines=Sentences(why)), lines=too_large)

    coming_back = {line.line_id: line.quantity for line in lines}
    fully_returned = all(line.returned + coming_back.get(line.id, 0) == line.quantity for line in held.values())
    referral = None
    if fully_returned and distribution.referral_id is not None:
        referral = await session.get(Referral, distribution.referral_id, with_for_update=True, populate_existing=True)
    lots = await ledger.lock_lots(session, (held[line_id].lot_id for line_id in coming_back))
    for line in lines:
        held_line = held[line.line_id]
        ledger.post(
            session,
            lots[held_line.lot_id],
            MovementKind.return_,
            on_hand_delta=line.quantity,
            actor_id=actor_id,
            reason=line.reason,
            distribution_id=distribution_id,
        )
        held_line.returned += line.quantity
        distribution.units -= line.quantity
        distribution.kg -= line.quantity * lots[held_line.lot_id].item.unit_weight_kg
    if referral is not None and referral.handouts_used > 0:
        referral.handouts_used -= 1
        if referral.status is ReferralStatus.fulfilled:
            referral.status = ReferralStatus.accepted
        await record(
            session,
            actor_id=actor_id,
            action="referral.give_back",
            entity="referral",
            entity_id=referral.id,
            details={"distribution_id": distribution_id, "handouts_used": referral.handouts_used},
        )
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="distribution.return",
        entity="distribution",
        entity_id=distribution_id,
        details={"lines": len(lines), "units": sum(coming_back.values()), "fully_returned": fully_returned},
    )
    await session.refresh(distribution, ["lines"])
    return distribution


# --- traceability ----------------------------------------------------------------------------------


async def trace(
    session: AsyncSession,
    *,
    actor_id: int | None,
    item_id: int | None = None,
    lot_id: int | None = None,
    expiry: LabelDate | None = None,
    lot_code: str | None = None,
) -> dict[str, Any]:
    """Who received a product (for a recall): the matching lots, with the lots split from them, and
    every distribution line that issued from them. The read is audited, without the codes it found."""
    found = await queries.trace(session, item_id=item_id, lot_id=lot_id, expiry=expiry, lot_code=lot_code)
    item_ids = sorted({lot.item_id for lot in found["lots"]})
    await record(
        session,
        actor_id=actor_id,
        action="trace.read",
        entity="item",
        entity_id=item_id if item_id is not None else (item_ids[0] if len(item_ids) == 1 else None),
        details={
            "item_id": item_id,
            "lot_id": lot_id,
            "lots": len(found["lots"]),
            "distributions": len({line["distribution_id"] for line in found["lines"]}),
            "households": len(found["household_codes"]),
        },
    )
    return found


async def create_partner_programme(
    session: AsyncSession, *, actor_id: int | None, name: str, kind: PartnerKind, agency_id: int | None
) -> PartnerProgramme:
    if agency_id is not None and await session.get(Agency, agency_id) is None:
        unknown_agency = Message("There is no agency with id %(id)s.", id=agency_id)
        raise InvalidInput(unknown_agency, errors=[{"field": "agency_id", "message": unknown_agency}])
    programme = PartnerProgramme(name=name, kind=kind, agency_id=agency_id)
    await add_unique(
        session,
        programme,
        {
            "uq_partner_programme_name": DuplicateCode(
                Message("A partner programme named %(name)s exists.", name=repr(name))
            )
        },
    )
    await record(
        session,
        actor_id=actor_id,
        action="partner_programme.create",
        entity="partner_programme",
        entity_id=programme.id,
    )
    return programme


async def repair_totals(session: AsyncSession) -> int:
    """Set every hand-out's stored units and kg to what its lines say (`foodbank stock verify --repair`);
    the number of hand-outs changed."""
    sql = f"""
        UPDATE distribution d SET units = coalesce(t.units, 0), kg = coalesce(t.kg, 0)
        FROM distribution d2 LEFT JOIN ({queries.LINE_TOTALS}) t ON t.distribution_id = d2.id
        WHERE d2.id = d.id AND (d.units, d.kg) IS DISTINCT FROM (coalesce(t.units, 0), coalesce(t.kg, 0))"""  # noqa: S608
    return int((await session.execute(text(sql))).rowcount)  # type: ignore[attr-defined]
