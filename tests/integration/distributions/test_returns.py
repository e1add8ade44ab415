"""Returns: goods come back onto the lots they left, never more than was handed out; a hand-out
returned in full no longer counts against its referral or the frequency rule."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from foodbank.models import MovementKind, ReferralStatus, StockMovement
from tests.dates import month
from tests.integration.distributions.conftest import Community


async def test_returns_restore_stock_and_cannot_exceed_what_was_handed_out(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    canned = await wh.lot(client, wh.canned, 10, month(9))
    noodles = await wh.lot(client, wh.noodles, 10, month(9))
    household = await c.household()
    handed = await c.hand_out(
        client,
        household_id=household,
        lines=[{"lot_id": canned, "quantity": 5}, {"lot_id": noodles, "quantity": 2}],
    )
    distribution = handed.json()
    canned_line, noodles_line = (ln["line_id"] for ln in distribution["lines"])
    url = f"/api/distributions/{distribution['id']}/returns"

    returned = await client.post(
        url,
        json={"lines": [{"line_id": canned_line, "quantity": 2, "reason": "数量の誤り"}]},
        headers=wh.warehouse.headers,
    )
    assert returned.status_code == 201, returned.text
    assert [(ln["quantity"], ln["returned"]) for ln in returned.json()["lines"]] == [(5, 2), (2, 0)]
    assert returned.json()["units"] == 5
    assert (await client.get(f"/api/lots/{canned}", headers=wh.warehouse.headers)).json()["on_hand"] == 7

    too_many = await client.post(
        url, json={"lines": [{"line_id": canned_line, "quantity": 4, "reason": "誤り"}]}, headers=wh.warehouse.headers
    )
    assert too_many.status_code == 409
    assert too_many.json()["type"] == "/problems/return-too-large"
    assert too_many.json()["lines"] == [
        {"line_id": canned_line, "handed_out": 5, "returned": 2, "returnable": 3, "requested": 4}
    ]
    unknown = await client.post(
        url,
        json={"lines": [{"line_id": canned_line + 99, "quantity": 1, "reason": "誤り"}]},
        headers=wh.warehouse.headers,
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "lines.0.line_id"
    nowhere = await client.post(
        f"/api/distributions/{distribution['id'] + 99}/returns",
        json={"lines": [{"line_id": canned_line, "quantity": 1, "reason": "誤り"}]},
        headers=wh.warehouse.headers,
    )
    assert nowhere.status_code == 404

    rest = await client.post(
        url,
        json={
            "lines": [
                {"line_id": canned_line, "quantity": 3, "reason": "受け取り辞退"},
                {"line_id": noodles_line, "quantity": 2, "reason": "受け取り辞退"},
            ]
        },
        headers=wh.warehouse.headers,
    )
    assert rest.status_code == 201, rest.text
    assert rest.json()["units"] == 0
    assert (await client.get(f"/api/lots/{canned}", headers=wh.warehouse.headers)).json()["on_hand"] == 10
    assert (await client.get(f"/api/lots/{noodles}", headers=wh.warehouse.headers)).json()["on_hand"] == 10
    nothing_left = await client.post(
        url, json={"lines": [{"line_id": noodles_line, "quantity": 1, "reason": "誤り"}]}, headers=wh.warehouse.headers
    )
    assert nothing_left.status_code == 409

    async with c.database.transaction() as s:
        returns = (await s.scalars(select(StockMovement).where(StockMovement.kind == MovementKind.return_))).all()
        assert sorted((m.lot_id, m.on_hand_delta, m.distribution_id) for m in returns) == sorted(
            [
                (canned, 2, distribution["id"]),
                (canned, 3, distribution["id"]),
                (noodles, 2, distribution["id"]),
            ]
        )
    events = await c.audit("distribution.return")
    assert sorted((e.details["units"], e.details["fully_returned"]) for e in events) == [(2, False), (5, True)]
    await c.verify_ledger()


async def test_a_mistaken_hand_out_returned_in_full_gives_the_referral_and_the_week_back(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 10, month(9))
    household = await c.household()
    referral = await c.referral(household, allowed=1)
    line = [{"lot_id": lot, "quantity": 3}]
    mistaken = (await c.hand_out(client, household_id=household, referral_id=referral, lines=line)).json()
    assert await c.referral_state(referral) == (1, ReferralStatus.fulfilled)

    await client.post(
        f"/api/distributions/{mistaken['id']}/returns",
        json={"lines": [{"line_id": mistaken["lines"][0]["line_id"], "quantity": 3, "reason": "別世帯に誤って記録"}]},
        headers=wh.warehouse.headers,
    )
    assert await c.referral_state(referral) == (0, ReferralStatus.accepted)

    again = await c.hand_out(client, household_id=household, referral_id=referral, lines=line)
    assert again.status_code == 201, again.text
    assert await c.referral_state(referral) == (1, ReferralStatus.fulfilled)
    await c.verify_ledger()


@pytest.mark.concurrent
async def test_concurrent_returns_never_bring_back_more_than_was_handed_out(
    client: AsyncClient, community: Community
) -> None:
    c, wh = community, community.wh
    lot = await wh.lot(client, wh.canned, 10, month(9))
    handed = (await c.hand_out(client, household_id=await c.household(), lines=[{"lot_id": lot, "quantity": 5}])).json()
    body = {"lines": [{"line_id": handed["lines"][0]["line_id"], "quantity": 2, "reason": "誤り"}]}
    responses = await asyncio.gather(
        *[
            client.post(f"/api/distributions/{handed['id']}/returns", json=body, headers=wh.warehouse.headers)
            for _ in range(6)
        ]
    )
    assert sorted(r.status_code for r in responses) == [201, 201, 409, 409, 409, 409]
    assert (await client.get(f"/api/lots/{lot}", headers=wh.warehouse.headers)).json()["on_hand"] == 9
    await c.verify_ledger()
