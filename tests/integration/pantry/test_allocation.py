"""Allocation for the day: templates expanded per household and for the walk-in buffer, FEFO from one
locked pool, lots usable on the event date only, never a household's allergens, shortages with
substitutes, and re-allocation that releases and reserves again in one transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import event as sa_event
from sqlalchemy import select

from foodbank.models import (
    Household,
    Item,
    Lot,
    PantryRegistration,
    Reservation,
    ReservationPurpose,
    ReservationStatus,
)
from tests.dates import month, month_end
from tests.integration.pantry.conftest import EVENT_DAY, Pantry


async def parcel_lots(p: Pantry, event_id: int) -> dict[int | None, list[tuple[int, int, int]]]:
    """Per registration (None: the walk-in buffer), the (lot, item, quantity) of its reservation."""
    async with p.c.database.transaction() as s:
        registrations = (
            await s.scalars(select(PantryRegistration).where(PantryRegistration.event_id == event_id))
        ).all()
        by_reservation: dict[int, int | None] = {r.reservation_id: r.id for r in registrations if r.reservation_id}
        reservations = (
            await s.scalars(
                select(Reservation).where(
                    Reservation.purpose == ReservationPurpose.pantry_event, Reservation.status == ReservationStatus.open
                )
            )
        ).all()
        out: dict[int | None, list[tuple[int, int, int]]] = {}
        for reservation in reservations:
            key = by_reservation.get(reservation.id)
            out[key] = sorted((ln.lot_id, ln.item_id, ln.quantity) for ln in reservation.lines)
        return out


async def test_a_lot_past_its_use_by_date_on_the_event_day_is_never_allocated(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, wh = pantry, pantry.c.wh
    chilled = {"location_id": wh.chilled}
    gone_by_then = await wh.lot(client, wh.milk, 30, (EVENT_DAY - timedelta(days=1)).isoformat(), **chilled)
    on_the_day = await wh.lot(client, wh.milk, 3, EVENT_DAY.isoformat(), **chilled)
    later = await wh.lot(client, wh.milk, 30, (EVENT_DAY + timedelta(days=5)).isoformat(), **chilled)
    dairy = await p.category("dairy")
    template = await p.template("牛乳", [{"item_id": wh.milk, "quantity": 2}, {"category_id": dairy, "quantity": 2}])
    event = await p.event([template], walk_in_people=6, walk_in_size=3)
    for _ in range(3):
        await p.booked(event, await p.c.household())

    allocation = await p.act(event["id"], "allocate")
    assert allocation["complete"] is True, allocation
    assert (allocation["registrations"], allocation["walk_in_parcels"], allocation["units_reserved"]) == (3, 2, 20)
    assert await p.lot_state(gone_by_then) == (30, 0)
    assert await p.lot_state(on_the_day) == (3, 3)  # the use-by day itself is still fine (FEFO: first)
    assert await p.lot_state(later) == (30, 17)
    parcels = await parcel_lots(p, event["id"])
    assert all(lot != gone_by_then for lines in parcels.values() for lot, _, _ in lines)
    picking = await p.get(event["id"], "picking-list", p.warehouse)
    assert [(row["lot_id"], row["quantity"]) for row in picking["rows"]] == [(on_the_day, 3), (later, 17)]

    # A day after every lot's use-by date gets none of them, whatever is on the shelves.
    too_late = await p.event([template], on=EVENT_DAY + timedelta(days=6))
    nobody = await p.booked(too_late, await p.c.household())
    refused = await p.post(too_late["id"], "allocate", allow_partial=False)
    assert refused.status_code == 409
    assert [(s["item_id"], s["allocated"], s["unusable"]) for s in refused.json()["shortages"]] == [
        (wh.milk, 0, {"use_by_passed": 30 + 30 - 17}),
        (None, 0, {"use_by_passed": 30 + 30 - 17}),
    ]
    partial = await p.act(too_late["id"], "allocate")
    assert (partial["units_reserved"], partial["without_parcel"]) == (0, [nobody])
    assert await p.lot_state(later) == (30, 17)
    await p.c.verify_ledger()


async def test_a_household_never_gets_what_it_avoids(client: AsyncClient, pantry: Pantry) -> None:
    p, wh = pantry, pantry.c.wh
    unreadable = await p.item("寄贈品（表示不明）", "staples", allergens_known=False)
    soup = await p.item("レトルトスープ", "staples", ready_to_eat=True, allergens=["milk"])
    await wh.lot(client, unreadable, 10, month_end(2).isoformat())  # first in FEFO
    await wh.lot(client, wh.canned, 10, month_end(3).isoformat())  # mackerel
    await wh.lot(client, wh.noodles, 10, month_end(4).isoformat())  # wheat, soybean; needs cooking
    await wh.lot(client, soup, 10, month_end(5).isoformat())
    staples = await p.category("staples")
    ordinary = await p.template(
        "標準", [{"category_id": staples, "quantity": 2}, {"item_id": wh.canned, "quantity": 1}]
    )
    ready = await p.template(
        "調理不要", [{"category_id": staples, "quantity": 2}], people=(1, 20), ready_to_eat_only=True
    )
    event = await p.event([ordinary, ready])
    households = {
        "none": await p.c.household(),
        "mackerel": await p.c.household(allergens=["mackerel"]),
        "wheat": await p.c.household(allergens=["wheat"]),
        "no_kitchen": await p.c.household(ready_to_eat_only=True),
    }
    registrations = {key: await p.booked(event, h) for key, h in households.items()}

    allocation = await p.act(event["id"], "allocate")
    parcels = await parcel_lots(p, event["id"])
    async with p.c.database.transaction() as s:
        items = {i.id: i for i in (await s.scalars(select(Item))).all()}
        avoided = {}
        for key, household_id in households.items():
            household = await s.get(Household, household_id)
            assert household is not None
            avoided[key] = household.avoided_allergens()
    for key, registration in registrations.items():
        for _, item_id, _ in parcels[registration]:
            tags = items[item_id].allergen_set
            if avoided[key]:
                assert tags is not None, (key, items[item_id].name_ja)
                assert not (tags & avoided[key]), (key, items[item_id].name_ja)

    def names(key: str) -> list[str]:
        return sorted(items[i].name_ja for _, i, _ in parcels[registrations[key]])

    assert names("none") == ["さば缶", "寄贈品（表示不明）"]  # FEFO within the category; canned by name
    assert names("mackerel") == ["カップ麺"]  # neither the unreadable label nor the can
    assert names("wheat") == ["さば缶"]  # the can, then cans again for the category (no wheat, readable)
    assert names("no_kitchen") == ["レトルトスープ"]
    packing = {pl["registration_id"]: pl for pl in await p.get(event["id"], "packing-lists", p.warehouse)}
    assert packing[registrations["no_kitchen"]]["template_name"] == "調理不要"
    assert packing[registrations["mackerel"]]["avoids"] == ["mackerel"]
    assert packing[registrations["mackerel"]]["template_name"] == "標準"
    short = {(s["item_id"], s["category_id"]): s for s in allocation["shortages"]}
    assert (short[(wh.canned, staples)]["missing"], short[(wh.canned, staples)]["parcels"]) == (1, 1)  # mackerel


async def test_shortages_are_reported_by_item_with_substitutes_and_strict_allocation_changes_nothing(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, wh = pantry, pantry.c.wh
    await wh.lot(client, wh.noodles, 4, month_end(4).isoformat())
    close_date = await wh.lot(client, wh.noodles, 5, (EVENT_DAY + timedelta(days=3)).isoformat())
    await wh.lot(client, wh.canned, 12, month(9))
    dairy = await p.category("dairy")
    template = await p.template("標準", [{"item_id": wh.noodles, "quantity": 3}, {"category_id": dairy, "quantity": 1}])
    event = await p.event([template])
    first = await p.booked(event, await p.c.household())
    second = await p.booked(event, await p.c.household())

    strict = await p.post(event["id"], "allocate", allow_partial=False)
    assert strict.status_code == 409
    assert strict.json()["type"] == "/problems/insufficient-stock"
    assert await p.reserved_everywhere() == 0
    assert (await p.get(event["id"]))["status"] == "open"

    allocation = await p.act(event["id"], "allocate")
    assert allocation["complete"] is False
    assert allocation["shortages"] == [
        {
            "item_id": wh.noodles,
            "item_name": "カップ麺",
            "category_id": await p.category("staples"),
            "category_name": "主食",
            "requested": 3,
            "allocated": 1,
            "missing": 2,
            "parcels": 1,
            "unusable": {"best_before_too_close": 5},
            "avoided": [],
            "substitutes": [{"item_id": wh.canned, "item_name": "さば缶", "available": 12}],
        },
        {
            "item_id": None,
            "item_name": None,
            "category_id": dairy,
            "category_name": "乳製品",
            "requested": 2,
            "allocated": 0,
            "missing": 2,
            "parcels": 2,
            "unusable": {},
            "avoided": [],
            "substitutes": [],
        },
    ]
    parcels = await parcel_lots(p, event["id"])
    assert sum(q for _, _, q in parcels[first]) == 3  # first come, first served
    assert sum(q for _, _, q in parcels[second]) == 1
    assert await p.lot_state(close_date) == (5, 0)


async def test_allocation_reads_its_lots_as_plain_rows_and_writes_them_in_bulk(
    client: AsyncClient, pantry: Pantry
) -> None:
    """No Lot object is built for the pool, the shortage's substitutes or the reservations; what is
    written (one statement per table) keeps every balance equal to its ledger, also on re-allocation."""
    p, wh = pantry, pantry.c.wh
    await wh.lot(client, wh.noodles, 4, month_end(4).isoformat())
    await wh.lot(client, wh.canned, 12, month(9))
    template = await p.template("標準", [{"item_id": wh.noodles, "quantity": 3}])
    event = await p.event([template], walk_in_people=2, walk_in_size=2)
    for _ in range(2):
        await p.booked(event, await p.c.household())
    loaded: list[int] = []

    def count(lot: Lot, _: object) -> None:
        loaded.append(lot.id)

    sa_event.listen(Lot, "load", count)
    try:
        allocation = await p.act(event["id"], "allocate")
    finally:
        sa_event.remove(Lot, "load", count)
    assert loaded == []
    assert (allocation["reservations_created"], allocation["units_reserved"]) == (2, 4)
    assert allocation["shortages"][0]["substitutes"] == [{"item_id": wh.canned, "item_name": "さば缶", "available": 12}]
    assert await p.reserved_everywhere() == 4 == await p.open_reservation_units()
    again = await p.act(event["id"], "allocate")
    assert (again["reservations_created"], again["reservations_released"], again["units_reserved"]) == (2, 2, 4)
    assert await p.reserved_everywhere() == 4 == await p.open_reservation_units()
    await p.c.verify_ledger()


async def test_a_shortage_says_why_units_could_not_be_used_and_offers_only_what_suits_the_household(
    pantry: Pantry,
) -> None:
    p, wh = pantry, pantry.c.wh
    day = await p.short_of_bread()
    expected = [
        {
            "item_id": day["bread"],
            "item_name": "食パン",
            "category_id": await p.category("staples"),
            "category_name": "主食",
            "requested": 2,
            "allocated": 0,
            "missing": 2,
            "parcels": 1,
            # What the first household left, which the second avoids; and the held and recalled loaves.
            "unusable": {"allergen": 4, "on_hold": 3, "recalled": 2},
            "avoided": ["wheat"],
            # Never the pack whose label could not be read: it may hold wheat.
            "substitutes": [{"item_id": wh.canned, "item_name": "さば缶", "available": 8}],
        }
    ]
    strict = await p.post(day["event"], "allocate", allow_partial=False)
    assert strict.status_code == 409 and strict.json()["shortages"] == expected
    allocation = await p.act(day["event"], "allocate")
    assert allocation["shortages"] == expected
    parcels = await parcel_lots(p, day["event"])
    assert [(item, units) for _, item, units in parcels[day["plain"]]] == [(day["bread"], 2)]
    assert day["no_wheat"] not in parcels


async def test_re_allocation_releases_everything_and_reserves_again_consistently(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, wh = pantry, pantry.c.wh
    await wh.lot(client, wh.canned, 40, month(9))
    await wh.lot(client, wh.noodles, 40, month_end(4).isoformat())
    staples = await p.category("staples")
    small = await p.template("1〜2人", [{"item_id": wh.canned, "quantity": 2}], people=(1, 2))
    large = await p.template(
        "3人〜", [{"item_id": wh.canned, "quantity": 3}, {"category_id": staples, "quantity": 2}], people=(3, 20)
    )
    event = await p.event([small, large], walk_in_people=4, walk_in_size=2)
    single = await p.booked(event, await p.c.household(adults=1, children=0))
    family = await p.booked(event, await p.c.household(adults=2, children=2))
    leaving = await p.booked(event, await p.c.household())

    first = await p.act(event["id"], "allocate")
    assert (first["reservations_created"], first["reservations_released"], first["units_reserved"]) == (4, 0, 16)
    before = await parcel_lots(p, event["id"])
    assert await p.reserved_everywhere() == 16 == await p.open_reservation_units()

    cancelled = await p.registration(event["id"], leaving, "cancel", actor=p.coordinator)
    assert cancelled.status_code == 201
    assert await p.reserved_everywhere() == 11  # its parcel went back at once
    late = await p.booked(event, await p.c.household(adults=2, children=0))
    assert (await p.get(event["id"], "registrations"))[-1]["reservation_id"] is None
    await client.patch(
        f"/api/pantry-events/{event['id']}", json={"expected_walk_in_people": 6}, headers=p.coordinator.headers
    )

    second = await p.act(event["id"], "allocate")
    assert (second["reservations_created"], second["reservations_released"]) == (4, 3)
    assert second["units_reserved"] == 2 + 5 + 2 + 3 * 2  # single, family, late, walk-ins (3 parcels of 2)
    assert await p.reserved_everywhere() == second["units_reserved"] == await p.open_reservation_units()
    after = await parcel_lots(p, event["id"])
    assert set(after) == {single, family, late, None}
    assert after[single] == [(lot, item, q) for lot, item, q in before[single]]  # same FEFO choice
    async with p.c.database.transaction() as s:
        registrations = {
            r.id: r
            for r in (
                await s.scalars(select(PantryRegistration).where(PantryRegistration.event_id == event["id"]))
            ).all()
        }
        linked = [r.reservation_id for r in registrations.values() if r.reservation_id]
        old = (await s.scalars(select(Reservation).where(Reservation.id.not_in(linked)))).all()
        current_buffer = (await p.get(event["id"]))["walk_in_reservation_id"]
        assert {r.status for r in old if r.id != current_buffer} == {ReservationStatus.released}
        assert registrations[single].template_id == small and registrations[family].template_id == large
        lots = (await s.scalars(select(Lot))).all()
        assert sum(lot.reserved for lot in lots) == second["units_reserved"]
    audit = await p.c.audit("pantry_event.allocate")
    assert [(e.details["reservations_released"], e.details["units"]) for e in audit] == [(0, 16), (3, 15)]
    await p.c.verify_ledger()


async def test_a_picked_parcel_is_kept_and_sizes_without_a_template_are_refused(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, wh = pantry, pantry.c.wh
    await wh.lot(client, wh.canned, 40, month(9))
    small = await p.template("1〜2人", [{"item_id": wh.canned, "quantity": 2}], people=(1, 2))
    event = await p.event([small])
    registration = await p.booked(event, await p.c.household(adults=2, children=0))
    await p.act(event["id"], "allocate")
    reservation = (await p.get(event["id"], "registrations"))[0]["reservation_id"]
    shown = (await client.get(f"/api/reservations/{reservation}", headers=p.warehouse.headers)).json()
    picked = await client.post(
        f"/api/reservations/{reservation}/pick",
        json={"lines": [{"line_id": ln["line_id"], "picked_quantity": ln["quantity"]} for ln in shown["picking_list"]]},
        headers=p.warehouse.headers,
    )
    assert picked.status_code == 201, picked.text

    big = await p.c.household(adults=3, children=2)
    big_registration = await p.booked(event, big)
    refused = await p.post(event["id"], "allocate")
    assert refused.status_code == 409
    problem: dict[str, Any] = refused.json()
    assert (problem["type"], problem["sizes"], problem["registration_ids"]) == (
        "/problems/no-parcel-template",
        [5],
        [big_registration],
    )
    assert "fits households of 5 people" in problem["detail"]

    await p.registration(event["id"], big_registration, "cancel", actor=p.coordinator)
    again = await p.act(event["id"], "allocate")
    assert (again["kept_picked"], again["registrations"], again["reservations_released"]) == (1, 0, 0)
    (kept,) = await p.get(event["id"], "registrations", status="booked")
    assert (kept["id"], kept["reservation_id"]) == (registration, reservation)


async def test_the_walk_in_buffer_is_expected_people_over_the_typical_size_rounded_up(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, wh = pantry, pantry.c.wh
    await wh.lot(client, wh.canned, 40, month(9))
    for_three = await p.template("3人", [{"item_id": wh.canned, "quantity": 3}], people=(3, 4))
    event = await p.event([for_three], walk_in_people=10, walk_in_size=3)
    allocation = await p.act(event["id"], "allocate")
    assert (allocation["walk_in_parcels"], allocation["units_reserved"]) == (4, 12)
    (buffer,) = [pl for pl in await p.get(event["id"], "packing-lists", p.warehouse) if pl["walk_in_buffer"]]
    assert (buffer["parcels"], buffer["units"], buffer["template_name"]) == (4, 12, "3人")
    assert buffer["household_code"] is None

    await client.patch(
        f"/api/pantry-events/{event['id']}", json={"walk_in_household_size": 2}, headers=p.coordinator.headers
    )
    refused = await p.post(event["id"], "allocate")
    assert refused.status_code == 409 and refused.json()["sizes"] == [2]
