"""Traceability for recalls (which households received a product, through transfers too) and a donor's
impact in aggregate, without personal data."""

from __future__ import annotations

from decimal import Decimal

from httpx import AsyncClient

from foodbank.catalogue import services as catalogue
from foodbank.models import DonorKind
from tests.dates import days, month
from tests.integration.distributions.conftest import Community


async def transfer(client: AsyncClient, c: Community, lot: int, quantity: int) -> int:
    moved = await client.post(
        f"/api/lots/{lot}/transfers",
        json={"quantity": quantity, "to_location_id": c.wh.ambient_b},
        headers=c.wh.warehouse.headers,
    )
    assert moved.status_code == 201, moved.text
    return int(moved.json()["id"])


async def return_all(client: AsyncClient, c: Community, distribution: dict[str, object]) -> None:
    lines = [
        {"line_id": ln["line_id"], "quantity": ln["quantity"], "reason": "誤り"}
        for ln in distribution["lines"]  # type: ignore[attr-defined]
    ]
    response = await client.post(
        f"/api/distributions/{distribution['id']}/returns", json={"lines": lines}, headers=c.wh.warehouse.headers
    )
    assert response.status_code == 201, response.text


async def test_the_trace_names_exactly_the_households_that_received_the_lot(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    recalled = await wh.lot(client, wh.canned, 10, month(3), lot_code="L-0211")
    split = await transfer(client, c, recalled, 4)  # the same cans, now on another shelf
    other_date = await wh.lot(client, wh.canned, 10, month(4))
    h1, h2, h3, h4 = [await c.household() for _ in range(4)]
    partner = await c.partner()

    async def give(lot: int, quantity: int, **to: object) -> dict[str, object]:
        response = await c.hand_out(client, lines=[{"lot_id": lot, "quantity": quantity}], **to)
        assert response.status_code == 201, response.text
        body: dict[str, object] = response.json()
        return body

    await give(recalled, 2, household_id=h1)
    await give(split, 2, household_id=h2)
    await give(other_date, 2, household_id=h3)
    await give(recalled, 1, partner_programme_id=partner, channel="partner", people=12)
    await return_all(client, c, await give(recalled, 1, household_id=h4))  # a mistake, corrected

    response = await client.get(
        "/api/trace", params={"item_id": wh.canned, "expiry": month(3)}, headers=wh.coordinator.headers
    )
    assert response.status_code == 200, response.text
    trace = response.json()
    assert trace["household_codes"] == sorted([await c.code(h1), await c.code(h2)])
    assert trace["partner_programmes"] == ["ちいき食堂ほのん"]
    assert [(lot["id"], lot["parent_lot_id"], lot["on_hand"], lot["expiry"]) for lot in trace["lots"]] == [
        (recalled, None, 10 - 4 - 2 - 1, month(3)),
        (split, recalled, 4 - 2, month(3)),
    ]
    assert sorted(
        (ln["lot_id"], ln["household_code"] or ln["partner_programme"], ln["quantity"], ln["returned"])
        for ln in trace["lines"]
    ) == sorted(
        [
            (recalled, await c.code(h1), 2, 0),
            (split, await c.code(h2), 2, 0),
            (recalled, "ちいき食堂ほのん", 1, 0),
            (recalled, await c.code(h4), 1, 1),
        ]
    )

    # The same answer from the lot code, and from either half of the split lot.
    for params in ({"item_id": wh.canned, "lot_code": "L-0211"}, {"lot_id": split}, {"lot_id": recalled}):
        again = (await client.get("/api/trace", params=params, headers=c.admin.headers)).json()
        assert again["household_codes"] == trace["household_codes"], params
        assert [lot["id"] for lot in again["lots"]] == [recalled, split]
    every_date = (await client.get("/api/trace", params={"item_id": wh.canned}, headers=c.admin.headers)).json()
    assert every_date["household_codes"] == sorted([await c.code(h) for h in (h1, h2, h3)])

    # Block what is left: the recall reaches the split lot too, and the trace shows it.
    await client.post(
        "/api/holds",
        json={"item_id": wh.canned, "expiry": month(3), "status": "recalled", "reason": "メーカー回収"},
        headers=wh.coordinator.headers,
    )
    blocked = (await client.get("/api/trace", params={"lot_id": recalled}, headers=c.admin.headers)).json()
    assert {lot["status"] for lot in blocked["lots"]} == {"recalled"}

    for actor in (wh.warehouse, c.reporter, c.consultant):
        forbidden = await client.get("/api/trace", params={"item_id": wh.canned}, headers=actor.headers)
        assert forbidden.status_code == 403
    vague = await client.get("/api/trace", params={"expiry": month(3)}, headers=c.admin.headers)
    assert vague.status_code == 422 and vague.json()["errors"][0]["field"] == "item_id"

    events = await c.audit("trace.read")
    first = next(e for e in events if e.details.get("lot_id") is None and e.details["lots"] == 2)
    assert (first.actor_id, first.entity, first.entity_id) == (wh.coordinator.id, "item", str(wh.canned))
    assert first.details == {"item_id": wh.canned, "lot_id": None, "lots": 2, "distributions": 4, "households": 2}
    assert all("H-2026" not in str(e.details) for e in events), "codes stay out of the log"


async def test_a_donors_impact_is_the_sum_of_what_happened_to_its_lots(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    async with c.database.transaction() as s:
        other_donor = (
            await catalogue.create_donor(
                s, actor_id=None, kind=DonorKind.retailer, name="スーパーさんぶ", contact=None, is_anonymous=False
            )
        ).id
    kg = {"canned": Decimal("0.5"), "noodles": Decimal("0.5"), "milk": Decimal("1")}
    canned = await wh.lot(client, wh.canned, 20, month(9))
    noodles = await wh.lot(client, wh.noodles, 10, month(4))
    milk = await wh.lot(client, wh.milk, 6, days(5), location_id=wh.chilled)
    not_ours = await wh.receive(
        client,
        [{"item_id": wh.canned, "quantity": 8, "location_id": wh.ambient, "expiry": month(9)}],
        donor_id=other_donor,
    )
    other_lot = not_ours.json()["lots"][0]["id"]
    canned_moved = await transfer(client, c, canned, 6)
    item_of = {canned: "canned", canned_moved: "canned", noodles: "noodles", milk: "milk", other_lot: "canned"}

    handed: dict[str, list[tuple[int, int]]] = {}  # channel -> (lot, units) that stayed handed out
    households_reached: set[int] = set()
    distributions_by_channel: dict[str, int] = {}

    async def give(channel: str, goods: list[tuple[int, int]], **to: object) -> dict[str, object]:
        response = await c.hand_out(
            client, channel=channel, lines=[{"lot_id": lot, "quantity": q} for lot, q in goods], **to
        )
        assert response.status_code == 201, response.text
        body: dict[str, object] = response.json()
        return body

    h1, h2, h3, h4, h5 = [await c.household() for _ in range(5)]
    partner = await c.partner()
    plan: list[tuple[str, list[tuple[int, int]], dict[str, object]]] = [
        ("pickup", [(canned, 3), (noodles, 2)], {"household_id": h1}),
        ("delivery", [(canned_moved, 4)], {"household_id": h2}),
        ("pantry", [(noodles, 1), (milk, 2)], {"household_id": h3}),
        ("pantry", [(canned, 1)], {"household_id": h1}),
        ("partner", [(canned, 5)], {"partner_programme_id": partner, "people": 40}),
    ]
    for channel, goods, to in plan:
        await give(channel, goods, **to)
        handed.setdefault(channel, []).extend(goods)
        distributions_by_channel[channel] = distributions_by_channel.get(channel, 0) + 1
        if "household_id" in to:
            households_reached.add(int(to["household_id"]))  # type: ignore[call-overload]
    await give("pickup", [(other_lot, 3)], household_id=h4)  # another donor's cans
    await return_all(client, c, await give("pickup", [(canned, 2)], household_id=h5))  # returned in full

    disposals = [(milk, 1, "damaged"), (canned_moved, 1, "damaged"), (noodles, 1, "expired")]
    for lot, quantity, reason in disposals:
        response = await client.post(
            f"/api/lots/{lot}/disposals", json={"quantity": quantity, "reason": reason}, headers=wh.warehouse.headers
        )
        assert response.status_code == 201, response.text

    received = {canned: 20, noodles: 10, milk: 6}
    units_out = {channel: sum(q for _, q in goods) for channel, goods in handed.items()}
    kg_out = {channel: sum(kg[item_of[lot]] * q for lot, q in goods) for channel, goods in handed.items()}
    disposed: dict[str, tuple[int, Decimal]] = {}
    for lot, quantity, reason in disposals:
        units, weight = disposed.get(reason, (0, Decimal(0)))
        disposed[reason] = (units + quantity, weight + kg[item_of[lot]] * quantity)
    left = sum(received.values()) - sum(units_out.values()) - sum(u for u, _ in disposed.values())
    left_kg = (
        sum(kg[item_of[lot]] * q for lot, q in received.items())
        - sum(kg_out.values())
        - sum(w for _, w in disposed.values())
    )

    response = await client.get(f"/api/donors/{wh.donor}/impact", headers=c.reporter.headers)
    assert response.status_code == 200, response.text
    impact = response.json()

    def money(value: Decimal) -> str:
        return str(value.quantize(Decimal("0.001")))

    assert impact == {
        "donor_id": wh.donor,
        "donor_kind": "company",
        "received_units": sum(received.values()),
        "received_kg": money(sum((kg[item_of[lot]] * q for lot, q in received.items()), Decimal(0))),
        "handed_out": [
            {
                "channel": channel,
                "units": units_out[channel],
                "kg": money(kg_out[channel]),
                "distributions": distributions_by_channel[channel],
            }
            for channel in sorted(units_out)
        ],
        "handed_out_units": sum(units_out.values()),
        "handed_out_kg": money(sum(kg_out.values(), Decimal(0))),
        "households_reached": len(households_reached),
        "partner_programmes": [{"name": "ちいき食堂ほのん", "units": units_out["partner"]}],
        "disposed": [
            {"reason": reason, "units": units, "kg": money(weight)}
            for reason, (units, weight) in sorted(disposed.items())
        ],
        "in_stock_units": left,
        "in_stock_kg": money(left_kg),
    }
    assert (impact["received_units"], impact["handed_out_units"], impact["in_stock_units"]) == (36, 18, 15)
    assert impact["households_reached"] == 3
    assert "さんぶ食品" not in str(impact), "the donor is shown by id and kind only"

    other = (await client.get(f"/api/donors/{other_donor}/impact", headers=c.admin.headers)).json()
    assert (other["received_units"], other["handed_out_units"], other["in_stock_units"]) == (8, 3, 5)
    assert (await client.get(f"/api/donors/{other_donor + 99}/impact", headers=c.admin.headers)).status_code == 404
    assert (await client.get(f"/api/donors/{wh.donor}/impact", headers=wh.warehouse.headers)).status_code == 403
