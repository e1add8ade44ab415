"""Retiring a parcel template: it is never deleted, new plans and individual support no longer use it,
the days that already use it keep working; it can be used again."""

from __future__ import annotations

from httpx import AsyncClient

from tests.dates import month
from tests.integration.pantry.conftest import TODAY, Pantry


async def _names(client: AsyncClient, p: Pantry, **params: str) -> list[str]:
    response = await client.get("/api/parcel-templates", params=params, headers=p.warehouse.headers)
    assert response.status_code == 200, response.text
    return [t["name"] for t in response.json()]


async def test_a_retired_template_is_not_offered_but_its_days_keep_working(client: AsyncClient, pantry: Pantry) -> None:
    p, wh = pantry, pantry.c.wh
    await wh.lot(client, wh.canned, 40, month(9))
    small = await p.template("1〜2人", [{"item_id": wh.canned, "quantity": 2}], people=(1, 2))
    large = await p.template("3人〜", [{"item_id": wh.canned, "quantity": 3}], people=(3, 20))
    event = await p.event([small, large], walk_in_people=2, walk_in_size=2)
    single = await p.booked(event, await p.c.household(adults=1, children=0))
    family = await p.booked(event, await p.c.household(adults=2, children=2))

    retired = await client.post(f"/api/parcel-templates/{small}/retire", headers=p.coordinator.headers)
    assert retired.status_code == 201, retired.text
    assert retired.json()["name"] == "1〜2人" and retired.json()["retired_at"] is not None
    assert await _names(client, p) == ["3人〜"]
    assert await _names(client, p, include_retired="true") == ["1〜2人", "3人〜"]
    one = await client.get(f"/api/parcel-templates/{small}", headers=p.warehouse.headers)
    assert one.status_code == 200 and one.json()["retired_at"] is not None
    assert [e.entity_id for e in await p.c.audit("parcel_template.retire")] == [str(small)]

    # a new plan, or a plan that adds it, is refused on template_ids
    body = {
        "venue_id": p.venue,
        "event_date": event["event_date"],
        "slots": [{"start_time": "10:00", "end_time": "11:00", "capacity": 5}],
        "expected_walk_in_people": 0,
        "walk_in_household_size": 3,
        "template_ids": [small, large],
    }
    refused = await client.post("/api/pantry-events", json=body, headers=p.coordinator.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [
        {
            "field": "template_ids",
            "message": 'Template "1〜2人" is retired.',
            "message_id": 'Template "%(name)s" is retired.',
            "params": {"name": "1〜2人"},
        }
    ]
    other = await p.event([large])
    added = await client.patch(
        f"/api/pantry-events/{other['id']}", json={"template_ids": [small, large]}, headers=p.coordinator.headers
    )
    assert added.status_code == 422 and added.json()["errors"][0]["field"] == "template_ids"

    # the day that already uses it keeps it: its plan can be saved, it allocates and packs with it
    kept = await client.patch(
        f"/api/pantry-events/{event['id']}",
        json={"template_ids": [small, large], "expected_walk_in_people": 4},
        headers=p.coordinator.headers,
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["template_ids"] == [small, large]
    allocation = await p.act(event["id"], "allocate")
    assert allocation["units_reserved"] == 2 + 3 + 2 * 2  # single, family, two walk-in parcels of 2
    packing = {pl["registration_id"]: pl for pl in await p.get(event["id"], "packing-lists", p.warehouse)}
    assert (packing[single]["template_name"], packing[family]["template_id"]) == ("1〜2人", large)
    assert (await p.get(event["id"], "picking-list", p.warehouse))["units"] == allocation["units_reserved"]

    # used again: offered and usable again
    restored = await client.post(f"/api/parcel-templates/{small}/restore", headers=p.coordinator.headers)
    assert restored.status_code == 201 and restored.json()["retired_at"] is None
    assert await _names(client, p) == ["1〜2人", "3人〜"]
    accepted = await client.patch(
        f"/api/pantry-events/{other['id']}", json={"template_ids": [small, large]}, headers=p.coordinator.headers
    )
    assert accepted.status_code == 200 and accepted.json()["template_ids"] == [small, large]
    assert [e.entity_id for e in await p.c.audit("parcel_template.restore")] == [str(small)]


async def test_retiring_twice_restoring_an_active_one_unknown_ids_and_roles(
    client: AsyncClient, pantry: Pantry
) -> None:
    p, wh = pantry, pantry.c.wh
    template = await p.template("テスト", [{"item_id": wh.canned, "quantity": 1}])
    path = f"/api/parcel-templates/{template}"

    not_retired = await client.post(f"{path}/restore", headers=p.coordinator.headers)
    assert not_retired.status_code == 409
    assert not_retired.json()["type"] == "/problems/parcel-template-status"
    assert "not retired" in not_retired.json()["detail"]

    forbidden = await client.post(f"{path}/retire", headers=p.warehouse.headers)
    assert forbidden.status_code == 403
    assert await _names(client, p) == ["テスト"]

    assert (await client.post(f"{path}/retire", headers=p.c.admin.headers)).status_code == 201
    twice = await client.post(f"{path}/retire", headers=p.coordinator.headers)
    assert twice.status_code == 409 and "already retired" in twice.json()["detail"]
    assert (await client.post(f"{path}/restore", headers=p.warehouse.headers)).status_code == 403
    assert len(await p.c.audit("parcel_template.retire")) == 1

    for action in ("retire", "restore"):
        missing = await client.post(f"/api/parcel-templates/{template + 1000}/{action}", headers=p.coordinator.headers)
        assert missing.status_code == 404 and missing.json()["type"] == "/problems/parcel-template-not-found"

    bad = await client.get("/api/parcel-templates", params={"include_retired": "maybe"}, headers=p.warehouse.headers)
    assert bad.status_code in (400, 422)


async def test_individual_support_skips_a_retired_template(client: AsyncClient, pantry: Pantry) -> None:
    p, wh = pantry, pantry.c.wh
    await wh.lot(client, wh.canned, 10, month(9))
    template = await p.template("3人", [{"item_id": wh.canned, "quantity": 2}], people=(3, 3))
    household = await p.c.household(adults=2, children=1)

    async def allocate() -> int:
        response = await client.post(
            f"/api/households/{household}/allocations",
            json={"distribution_date": TODAY.isoformat()},
            headers=p.coordinator.headers,
        )
        return response.status_code

    await client.post(f"/api/parcel-templates/{template}/retire", headers=p.coordinator.headers)
    assert await allocate() == 409  # no template fits any more
    await client.post(f"/api/parcel-templates/{template}/restore", headers=p.coordinator.headers)
    assert await allocate() == 201
