"""The day and its closing: check-in hands a household's parcel out as a pantry distribution linked to
its referral; walk-ins are anonymous hand-outs from the walk-in buffer counted in people; no-shows;
closing gives every unused unit back, the ledger stays clean, and the summary's figures are those of
the distributions recorded."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from foodbank.models import (
    Category,
    Distribution,
    DistributionLine,
    HandOutChannel,
    Item,
    Lot,
    MovementKind,
    PantryRegistration,
    ReferralStatus,
    Reservation,
    ReservationStatus,
    StockMovement,
)
from tests.dates import TODAY, month, month_end
from tests.integration.pantry.conftest import EVENT_DAY, Pantry


@dataclass
class Day:
    event: dict[str, Any]
    lots: dict[str, int]


async def a_day(
    client: AsyncClient, p: Pantry, *, households: int = 3, walk_in_people: int = 6, start: bool = True
) -> tuple[Day, list[int], list[int]]:
    """A stocked, allocated pantry day: registrations of households of 3 (parcel: 2 cans, 1 rice and 2
    of any staple, which FEFO makes noodles), and a walk-in buffer of parcels for 3 people."""
    wh = p.c.wh
    lots = {
        "canned": await wh.lot(client, wh.canned, 30, month(9)),
        "noodles": await wh.lot(client, wh.noodles, 30, month_end(4).isoformat()),
        "rice": await wh.lot(client, wh.rice, 10, None, crop_year=TODAY.year, location_id=wh.ambient_b),
    }
    staples = await p.category("staples")
    template = await p.template(
        "標準",
        [
            {"item_id": wh.canned, "quantity": 2},
            {"item_id": wh.rice, "quantity": 1},
            {"category_id": staples, "quantity": 2},
        ],
    )
    event = await p.event(
        [template], slots=[("10:00", "11:00", 10), ("11:00", "12:00", 10)], walk_in_people=walk_in_people
    )
    household_ids = [await p.c.household() for _ in range(households)]
    registrations = [await p.booked(event, h, slot=n % 2) for n, h in enumerate(household_ids)]
    await p.act(event["id"], "allocate")
    if start:
        await p.act(event["id"], "start", p.warehouse)
    return Day(event, lots), household_ids, registrations


async def test_check_in_hands_out_the_parcel_as_a_pantry_distribution_linked_to_the_referral(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, c = pantry, pantry.c
    household = await c.household()
    referral = await c.referral(household, allowed=2)
    # Individual support yesterday does not stop a pantry day: the frequency rule is for individual support.
    yesterday_lot = await c.wh.lot(client, c.wh.canned, 5, month(10))
    yesterday = await c.hand_out(
        client,
        household_id=household,
        lines=[{"lot_id": yesterday_lot, "quantity": 1}],
        distributed_on=EVENT_DAY - timedelta(days=1),
    )
    assert yesterday.status_code == 201, yesterday.text

    day, _, _ = await a_day(client, p, households=0, start=False)
    registration = await p.booked(day.event, household, referral_id=referral, people=4)
    await p.act(day.event["id"], "allocate")
    await p.act(day.event["id"], "start", p.warehouse)
    reservation = (await p.get(day.event["id"], "registrations"))[0]["reservation_id"]

    response = await p.registration(day.event["id"], registration, "check-in")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["registration"]["status"], body["people"], body["units"]) == ("checked_in", 4, 5)
    distribution = (
        await client.get(f"/api/distributions/{body['distribution_id']}", headers=p.warehouse.headers)
    ).json()
    assert (
        distribution["household_id"],
        distribution["channel"],
        distribution["referral_id"],
        distribution["reservation_id"],
        distribution["distributed_on"],
        distribution["people"],
    ) == (household, "pantry", referral, reservation, EVENT_DAY.isoformat(), 4)
    assert body["registration"]["distribution_id"] == distribution["id"]
    assert await c.referral_state(referral) == (1, ReferralStatus.accepted)
    async with c.database.transaction() as s:
        stored = await s.get(Distribution, distribution["id"])
        assert stored is not None and (stored.pantry_event_id, stored.walk_in) == (day.event["id"], False)
        issued = (
            await s.scalars(select(StockMovement).where(StockMovement.distribution_id == distribution["id"]))
        ).all()
        assert {(m.kind, m.reservation_id) for m in issued} == {(MovementKind.issue, reservation)}

    twice = await p.registration(day.event["id"], registration, "check-in")
    assert twice.status_code == 409 and twice.json()["type"] == "/problems/registration-status"
    (event,) = await c.audit("pantry_registration.check_in")
    assert event.details == {"event_id": day.event["id"], "distribution_id": distribution["id"]}
    await c.verify_ledger()


async def test_a_household_registered_after_the_allocation_has_no_parcel_and_no_shows_may_come_late(
    client: AsyncClient, pantry: Pantry
) -> None:
    p = pantry
    day, _, registrations = await a_day(client, p, start=False)
    late = await p.booked(day.event, await p.c.household())
    await p.act(day.event["id"], "start", p.warehouse)
    no_parcel = await p.registration(day.event["id"], late, "check-in")
    assert no_parcel.status_code == 409 and no_parcel.json()["type"] == "/problems/no-parcel"
    assert "walk-in" in no_parcel.json()["detail"]

    marked = await p.registration(day.event["id"], registrations[0], "no-show")
    assert marked.status_code == 201 and marked.json()["status"] == "no_show"
    came_after_all = await p.registration(day.event["id"], registrations[0], "check-in")
    assert came_after_all.status_code == 201, came_after_all.text
    cannot_cancel = await p.registration(day.event["id"], registrations[0], "cancel", actor=p.coordinator)
    assert cannot_cancel.status_code == 409


async def test_walk_ins_are_anonymous_hand_outs_from_the_buffer_counted_in_people(
    client: AsyncClient, pantry: Pantry
) -> None:
    p = pantry
    day, _, _ = await a_day(client, p, households=1, walk_in_people=7)  # 3 parcels of 3 people
    buffer = (await p.get(day.event["id"]))["walk_in_reservation_id"]
    before = next(pl for pl in await p.get(day.event["id"], "packing-lists") if pl["walk_in_buffer"])
    assert (before["parcels"], before["units"]) == (3, 15)

    first = await p.post(day.event["id"], "walk-ins", p.warehouse, people=2)
    assert first.status_code == 201, first.text
    assert (first.json()["people"], first.json()["parcels"], first.json()["units"], first.json()["missing"]) == (
        2,
        1,
        5,
        [],
    )
    second = await p.post(day.event["id"], "walk-ins", p.warehouse, people=5, parcels=2)
    assert second.status_code == 201 and second.json()["units"] == 10
    used_up = await p.post(day.event["id"], "walk-ins", p.warehouse, people=1)
    assert used_up.status_code == 409 and used_up.json()["type"] == "/problems/walk-in-buffer-empty"

    async with p.c.database.transaction() as s:
        walk_ins = (await s.scalars(select(Distribution).where(Distribution.walk_in))).all()
        assert sorted((d.people, d.household_id, d.channel, d.pantry_event_id, d.referral_id) for d in walk_ins) == [
            (2, None, HandOutChannel.pantry, day.event["id"], None),
            (5, None, HandOutChannel.pantry, day.event["id"], None),
        ]
        reservation = await s.get(Reservation, buffer)
        assert reservation is not None and reservation.status is ReservationStatus.picked
        issued = (
            await s.scalars(
                select(StockMovement).where(
                    StockMovement.reservation_id == buffer, StockMovement.kind == MovementKind.issue
                )
            )
        ).all()
        assert sum(-m.on_hand_delta for m in issued) == 15 == sum(-m.reserved_delta for m in issued)
    summary = await p.get(day.event["id"], "summary")
    assert (summary["walk_ins"], summary["walk_in_people"]) == (2, 7)
    await p.c.verify_ledger()


@pytest.mark.concurrent
async def test_concurrent_walk_ins_never_take_more_than_the_buffer(client: AsyncClient, pantry: Pantry) -> None:
    p = pantry
    day, _, _ = await a_day(client, p, households=0, walk_in_people=9)  # 3 parcels of 5 units
    responses = await asyncio.gather(*[p.post(day.event["id"], "walk-ins", p.warehouse, people=3) for _ in range(8)])
    assert sorted(r.status_code for r in responses) == [201, 201, 201, 409, 409, 409, 409, 409]
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {"/problems/walk-in-buffer-empty"}
    assert sum(r.json()["units"] for r in responses if r.status_code == 201) == 15
    assert await p.reserved_everywhere() == 0
    await p.c.verify_ledger()


async def test_closing_gives_every_unused_unit_back_and_the_summary_is_what_was_recorded(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, c = pantry, pantry.c
    day, households, registrations = await a_day(client, p, households=5, walk_in_people=9)
    arrives, five_came, marked_absent, never_came, cancelled = registrations
    await p.registration(day.event["id"], cancelled, "cancel", actor=p.coordinator)
    assert (await p.registration(day.event["id"], arrives, "check-in")).status_code == 201
    assert (await p.registration(day.event["id"], five_came, "check-in", people=5)).status_code == 201
    assert (await p.registration(day.event["id"], marked_absent, "no-show")).status_code == 201
    assert (await p.post(day.event["id"], "walk-ins", p.warehouse, people=4)).status_code == 201
    assert (await p.post(day.event["id"], "walk-ins", p.warehouse, people=1)).status_code == 201
    # A mistaken line is returned: the figures count what households kept.
    first = (await p.get(day.event["id"], "registrations", status="checked_in"))[0]["distribution_id"]
    shown = (await client.get(f"/api/distributions/{first}", headers=p.warehouse.headers)).json()
    returned = await client.post(
        f"/api/distributions/{first}/returns",
        json={"lines": [{"line_id": shown["lines"][0]["line_id"], "quantity": 1, "reason": "破損"}]},
        headers=p.warehouse.headers,
    )
    assert returned.status_code == 201, returned.text

    for actor in (p.warehouse, c.consultant, c.reporter):
        assert (await p.post(day.event["id"], "close", actor)).status_code == 403
    closed = await p.post(day.event["id"], "close")
    assert closed.status_code == 201, closed.text
    summary = closed.json()
    assert summary == await p.get(day.event["id"], "summary", c.reporter)

    # Every unused unit is back: nothing is reserved anywhere, and on hand is what came in less what went out.
    assert await p.reserved_everywhere() == 0
    async with c.database.transaction() as s:
        lots = (await s.scalars(select(Lot))).all()
        lines = (
            await s.execute(
                select(DistributionLine, Distribution, Item, Category)
                .join(Distribution, Distribution.id == DistributionLine.distribution_id)
                .join(Item, Item.id == DistributionLine.item_id)
                .join(Category, Category.id == Item.category_id)
            )
        ).all()
        distributions = (await s.scalars(select(Distribution))).all()
        open_reservations = (
            await s.scalars(select(Reservation).where(Reservation.status == ReservationStatus.open))
        ).all()
        assert open_reservations == []
        received = sum(lot.quantity_received for lot in lots)
        handed_out_gross = sum(line.quantity for line, *_ in lines)
        came_back = sum(line.returned for line, *_ in lines)
        assert sum(lot.on_hand for lot in lots) == received - handed_out_gross + came_back

        # The figures, computed here from the distributions themselves.
        pantry_ones = [d for d in distributions if d.pantry_event_id == day.event["id"]]
        registered = [d for d in pantry_ones if not d.walk_in]
        walk_ins = [d for d in pantry_ones if d.walk_in]
        kg_by_category: dict[int, Decimal] = defaultdict(Decimal)
        units_by_category: dict[int, int] = defaultdict(int)
        for line, distribution, item, category in lines:
            if distribution.pantry_event_id == day.event["id"]:
                units_by_category[category.id] += line.quantity - line.returned
                kg_by_category[category.id] += (line.quantity - line.returned) * item.unit_weight_kg
        reservation_ids = {
            r.reservation_id
            for r in (
                await s.scalars(select(PantryRegistration).where(PantryRegistration.event_id == day.event["id"]))
            ).all()
        } | {(await p.get(day.event["id"]))["walk_in_reservation_id"]}
        movements = (await s.scalars(select(StockMovement).where(StockMovement.reservation_id.is_not(None)))).all()

    assert summary["households_registered"] == 4
    assert summary["households_checked_in"] == len(registered) == 2
    assert summary["people_registered_served"] == sum(d.people or 0 for d in registered) == 3 + 5
    assert summary["walk_ins"] == len(walk_ins) == 2
    assert summary["walk_in_people"] == sum(d.people or 0 for d in walk_ins) == 5
    assert summary["people_served"] == 13
    assert (summary["no_shows"], summary["cancelled"]) == (2, 1)
    assert {c["category_id"]: Decimal(c["kg"]) for c in summary["kg_by_category"]} == {
        k: v.quantize(Decimal("0.001")) for k, v in kg_by_category.items()
    }
    assert {c["category_id"]: c["units"] for c in summary["kg_by_category"]} == dict(units_by_category)
    assert summary["units_handed_out"] == sum(units_by_category.values()) == handed_out_gross - came_back
    assert Decimal(summary["kg_handed_out"]) == sum(kg_by_category.values(), Decimal(0)).quantize(Decimal("0.001"))
    # Reserved for the day = handed out + released back (the cancelled household's parcel went back
    # when it cancelled, the two no-shows' parcels and the buffer's rest at closing).
    assert summary["units_still_reserved"] == 0
    assert summary["units_reserved"] == handed_out_gross + summary["units_released"]
    assert summary["units_released"] == 5 * 3 + (15 - 10)
    assert summary["units_released"] == sum(
        -m.reserved_delta for m in movements if m.kind is MovementKind.release and m.reservation_id in reservation_ids
    )

    registrations_now = {r["id"]: r["status"] for r in await p.get(day.event["id"], "registrations")}
    assert registrations_now == {
        arrives: "checked_in",
        five_came: "checked_in",
        marked_absent: "no_show",
        never_came: "no_show",
        cancelled: "cancelled",
    }
    (audit,) = await c.audit("pantry_event.close")
    assert audit.details == {"marked_no_show": 1, "no_shows": 2, "checked_in": 2, "units_released": 15}
    assert len(households) == 5
    await c.verify_ledger()
    verify = await client.get("/api/stock/verify", headers=p.coordinator.headers)
    assert verify.status_code == 200 and verify.json() == []


async def test_the_picking_list_counts_every_walk_in_parcel(client: AsyncClient, pantry: Pantry) -> None:
    p = pantry
    day, _, _ = await a_day(client, p, households=2, walk_in_people=7, start=False)  # 3 walk-in parcels of 3
    picking = await p.get(day.event["id"], "picking-list", p.warehouse)
    assert (picking["units"], picking["parcels"]) == (5 * 5, 2 + 3)
    assert {r["item_name"]: r["parcels"] for r in picking["rows"]} == {"さば缶": 5, "カップ麺": 5, "米 5kg": 5}


async def test_the_picking_list_walks_the_shelves_and_the_packing_lists_say_what_each_parcel_holds(
    client: AsyncClient, pantry: Pantry
) -> None:
    p = pantry
    day, households, registrations = await a_day(client, p, households=2, walk_in_people=3, start=False)
    picking = await p.get(day.event["id"], "picking-list", p.warehouse)
    rows = [(r["location_code"], r["item_name"], r["lot_id"], r["quantity"], r["parcels"]) for r in picking["rows"]]
    assert rows == [
        ("A-01", "さば缶", day.lots["canned"], 2 * 3, 3),
        ("A-01", "カップ麺", day.lots["noodles"], 2 * 3, 3),
        ("A-02", "米 5kg", day.lots["rice"], 3, 3),
    ]
    assert (picking["units"], picking["parcels"]) == (15, 3)

    packing = await p.get(day.event["id"], "packing-lists", p.warehouse)
    assert [(pl["household_code"], pl["people"], pl["walk_in_buffer"], pl["units"]) for pl in packing] == [
        (await p.c.code(households[0]), 3, False, 5),
        (await p.c.code(households[1]), 3, False, 5),
        (None, None, True, 5),
    ]
    assert [(i["item_name"], i["quantity"]) for i in packing[0]["items"]] == [
        ("さば缶", 2),
        ("カップ麺", 2),
        ("米 5kg", 1),
    ]
    assert packing[0]["registration_id"] == registrations[0]
    assert set(packing[0]) == {
        "registration_id",
        "household_code",
        "walk_in_buffer",
        "people",
        "parcels",
        "slot_start_time",
        "status",
        "avoids",
        "template_id",
        "template_name",
        "reservation_id",
        "reservation_status",
        "items",
        "units",
    }, "codes only: no name, phone or address"


async def test_the_database_keeps_walk_ins_anonymous_and_at_a_pantry_day(client: AsyncClient, pantry: Pantry) -> None:
    p = pantry
    day, households, _ = await a_day(client, p, households=1)

    async def insert(**fields: Any) -> None:
        valid = {"channel": "pantry", "distributed_on": EVENT_DAY, "people": 2}
        async with p.c.database.transaction() as s:
            s.add(Distribution(**{**valid, **fields}))

    for wrong in (
        {"walk_in": True, "household_id": households[0], "pantry_event_id": day.event["id"]},
        {"walk_in": True, "pantry_event_id": None},
        {"walk_in": False, "household_id": households[0], "pantry_event_id": day.event["id"], "channel": "pickup"},
    ):
        with pytest.raises(IntegrityError, match="ck_distribution_"):
            await insert(**wrong)
    await insert(walk_in=True, pantry_event_id=day.event["id"])
