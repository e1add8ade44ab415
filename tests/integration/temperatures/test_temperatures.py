"""Temperature records through the API: judged readings, logger CSV imports (all rows or none), alerts,
the review, holds of a location's lots that only a reviewed reading releases, limits, the record PDF."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from httpx import AsyncClient
from pypdf import PdfReader
from sqlalchemy import select

from foodbank.catalogue import services as catalogue
from foodbank.lib.clock import LOCAL_TZ
from foodbank.lib.db import Database
from foodbank.models import Location, TemperatureReading, Zone
from tests.integration.stock.conftest import TODAY, Warehouse


def at(days_ago: int, hour: int = 9) -> str:
    return (
        datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), tzinfo=LOCAL_TZ)
        .replace(hour=hour)
        .isoformat()
    )


async def reading(client: AsyncClient, wh: Warehouse, location: int, low: str, high: str, **extra: object) -> dict:
    response = await client.post(
        "/api/temperature-readings",
        json={"location_id": location, "min_celsius": low, "max_celsius": high, **extra},
        headers=wh.warehouse.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_reading_is_judged_by_its_zone_and_keeps_its_limit(client: AsyncClient, wh: Warehouse) -> None:
    cold = await reading(client, wh, wh.chilled, "3.0", "8.5", read_at=at(0))
    warm = await reading(client, wh, wh.chilled, "4", "10.1", read_at=at(0, 15), note="扉が開いていた")
    assert (cold["out_of_range"], cold["limit_max_celsius"], cold["zone"]) == (False, "10.0", "chilled")
    assert (warm["out_of_range"], warm["source"], warm["read_on"]) == (True, "typed", TODAY.isoformat())
    ambient = await reading(client, wh, wh.ambient, "18", "25.0")
    assert ambient["out_of_range"] is False  # at or below 25 °C is in range

    changed = await client.put(
        "/api/temperature-limits/chilled",
        json={"max_celsius": "8.0", "daily_reading_required": True},
        headers=wh.coordinator.headers,
    )
    assert changed.status_code == 200, changed.text
    again = (await client.get("/api/temperature-readings", headers=wh.warehouse.headers)).json()
    first = next(r for r in again if r["id"] == cold["id"])
    assert (first["out_of_range"], first["limit_max_celsius"]) == (False, "10.0")  # history does not change
    later = await reading(client, wh, wh.chilled, "3.0", "8.5")
    assert (later["out_of_range"], later["limit_max_celsius"]) == (True, "8.0")


async def test_bad_readings_and_who_may_change_limits(client: AsyncClient, wh: Warehouse) -> None:
    bad = await client.post(
        "/api/temperature-readings",
        json={"location_id": wh.chilled, "min_celsius": "9", "max_celsius": "4.25"},
        headers=wh.warehouse.headers,
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert "max_celsius" in fields
    unknown = await client.post(
        "/api/temperature-readings",
        json={"location_id": 999999, "min_celsius": "1", "max_celsius": "2"},
        headers=wh.warehouse.headers,
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    refused = await client.put(
        "/api/temperature-limits/frozen",
        json={"max_celsius": "-18", "daily_reading_required": True},
        headers=wh.warehouse.headers,
    )
    assert refused.status_code == 403
    limits = (await client.get("/api/temperature-limits", headers=wh.warehouse.headers)).json()
    assert {(x["zone"], x["max_celsius"], x["daily_reading_required"]) for x in limits} == {
        ("ambient", "25.0", False),
        ("chilled", "10.0", True),
        ("frozen", "-15.0", True),
    }


async def test_a_logger_file_is_imported_whole_or_not_at_all(
    client: AsyncClient, wh: Warehouse, database: Database
) -> None:
    headers = {**wh.warehouse.headers, "Content-Type": "text/csv"}
    good = "\ufeff棚,日時,最低,最高\nC-01,{d} 06:00,2.5,6.0\nC-01,{d} 12:00,3.0,11.5\n".format(
        d=(TODAY - timedelta(days=1)).strftime("%Y/%m/%d")
    )
    response = await client.post("/api/temperature-readings/imports", content=good.encode(), headers=headers)
    assert response.status_code == 201, response.text
    assert (response.json()["imported"], response.json()["out_of_range"]) == (2, 1)
    assert {r["source"] for r in response.json()["readings"]} == {"logger"}

    single = (
        f"location,timestamp,temperature\nC-01,{at(0)},4.0\nX-99,{at(0)},4.0\nC-01,yesterday,4\nC-01,{at(0, 10)},99\n"
    )
    refused = await client.post("/api/temperature-readings/imports", content=single.encode(), headers=headers)
    assert refused.status_code == 422, refused.text
    rows = {(e["row"], e["column"]) for e in refused.json()["errors"]}
    assert rows == {(3, "location"), (4, "timestamp"), (5, "max"), (5, "min")}
    again = await client.post("/api/temperature-readings/imports", content=good.encode(), headers=headers)
    assert again.status_code == 422
    assert {e["row"] for e in again.json()["errors"]} == {2, 3}  # already recorded
    async with database.transaction() as session:
        assert len((await session.scalars(select(TemperatureReading))).all()) == 2  # nothing half-imported


async def test_alerts_show_excursions_and_missing_days(client: AsyncClient, wh: Warehouse, database: Database) -> None:
    async with database.transaction() as session:
        location = await session.get(Location, wh.chilled)
        assert location is not None
        frozen = await catalogue.create_location(
            session, actor_id=None, warehouse_id=location.warehouse_id, code="F-01", zone=Zone.frozen
        )
        location.created_at = location.created_at - timedelta(days=30)
    warm = await reading(client, wh, wh.chilled, "2", "12.0", read_at=at(2))
    await reading(client, wh, wh.chilled, "2", "5.0", read_at=at(0))
    await reading(client, wh, frozen.id, "-22", "-19.5", read_at=at(0))
    alerts = (await client.get("/api/temperature-alerts", headers=wh.coordinator.headers)).json()
    assert [r["id"] for r in alerts["out_of_range"]] == [warm["id"]]
    missing = {(m["location_code"], m["day"]) for m in alerts["missing"]}
    chilled_days = {(TODAY - timedelta(days=n)).isoformat() for n in (1, 3, 4, 5, 6, 7)}
    assert missing == {("C-01", d) for d in chilled_days}  # F-01 is new today; A-01 is ambient (not required)

    reviewed = await client.post(
        f"/api/temperature-readings/{warm['id']}/review",
        json={"decision": "牛乳を確認、異常なし"},
        headers=wh.coordinator.headers,
    )
    assert reviewed.status_code == 201, reviewed.text
    assert reviewed.json()["reviewed_by_id"] == wh.coordinator.id
    alerts = (await client.get("/api/temperature-alerts", headers=wh.coordinator.headers)).json()
    assert alerts["out_of_range"] == []
    twice = await client.post(
        f"/api/temperature-readings/{warm['id']}/review", json={"decision": "x"}, headers=wh.coordinator.headers
    )
    assert twice.status_code == 409


async def test_a_hold_for_a_reading_is_released_only_after_its_review(client: AsyncClient, wh: Warehouse) -> None:
    milk = await wh.lot(client, wh.milk, 6, (TODAY + timedelta(days=3)).isoformat(), location_id=wh.chilled)
    other = await wh.lot(client, wh.milk, 2, (TODAY + timedelta(days=4)).isoformat(), location_id=wh.chilled)
    elsewhere = await wh.lot(client, wh.canned, 5, (TODAY + timedelta(days=300)).isoformat())
    in_range = await reading(client, wh, wh.chilled, "2", "6")
    nothing = await client.post(f"/api/temperature-readings/{in_range['id']}/hold", headers=wh.coordinator.headers)
    assert nothing.status_code == 409
    warm = await reading(client, wh, wh.chilled, "4", "14.5")
    volunteer = await client.post(f"/api/temperature-readings/{warm['id']}/hold", headers=wh.warehouse.headers)
    assert volunteer.status_code == 403
    held = await client.post(f"/api/temperature-readings/{warm['id']}/hold", headers=wh.coordinator.headers)
    assert held.status_code == 201, held.text
    assert sorted(held.json()["lot_ids"]) == sorted([milk, other])
    lot = (await client.get(f"/api/lots/{milk}", headers=wh.warehouse.headers)).json()
    assert lot["status"] == "on_hold" and f"#{warm['id']}" in lot["hold_reason"]
    assert (await client.get(f"/api/lots/{elsewhere}", headers=wh.warehouse.headers)).json()["status"] == "active"

    refused = await client.post(f"/api/lots/{milk}/release-hold", headers=wh.coordinator.headers)
    assert refused.status_code == 409
    assert "no review" in refused.json()["detail"]
    assert refused.json()["temperature_reading_id"] == warm["id"]
    review = await client.post(
        f"/api/temperature-readings/{warm['id']}/review",
        json={"decision": "4時間で復旧、品質に問題なし"},
        headers=wh.coordinator.headers,
    )
    assert review.status_code == 201
    released = await client.post(f"/api/lots/{milk}/release-hold", headers=wh.coordinator.headers)
    assert released.status_code == 201, released.text
    assert released.json()["status"] == "active"

    pdf = await client.get(
        "/api/temperature-record.pdf",
        params={"since": (TODAY - timedelta(days=1)).isoformat(), "until": TODAY.isoformat()},
        headers=wh.coordinator.headers,
    )
    assert pdf.status_code == 200, pdf.text
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")
    for expected in ("温度管理記録", "C-01", "14.5", "4時間で復旧", "保留解除", "記録のない日"):
        assert expected in text, expected
