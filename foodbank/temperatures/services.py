"""Use cases of the temperature records: record a reading (typed, or a data logger's CSV), review an
out-of-range reading, hold every lot of its location, change a zone's limit. Nothing here commits.

A reading is judged when it is recorded, against its zone's limit of that moment, and keeps both: a
later change of the limit does not rewrite history. Holds go through the stock area's `hold`, naming
the reading, and `stock.services.release_hold` refuses to release them until the reading has a review.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit.services import record
from foodbank.lib.clock import LOCAL_TZ
from foodbank.lib.errors import flatten_marshmallow_errors
from foodbank.lib.messages import Message
from foodbank.lib.validation import checked_load
from foodbank.models import Location, ReadingSource, TemperatureLimit, TemperatureReading, Zone
from foodbank.picking.fefo import LotStatus
from foodbank.stock import csvio
from foodbank.stock import services as stock_services
from foodbank.stock.errors import LotNotFound
from foodbank.temperatures import queries
from foodbank.temperatures.commands import LimitChange, NewReading, Review
from foodbank.temperatures.errors import (
    LocationNotFound,
    ReadingAlreadyReviewed,
    ReadingNotFound,
    ReadingNotOutOfRange,
)
from foodbank.temperatures.schemas import ReadingIn


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


async def _location(session: AsyncSession, location_id: int) -> Location:
    location = await session.get(Location, location_id)
    if location is None or not location.is_active:
        raise LocationNotFound(
            Message("There is no location with id %(id)s.", id=location_id),
            errors=[{"field": "location_id", "message": Message("Choose a location.")}],
        )
    return location


def _judged(
    location: Location, limit: TemperatureLimit, reading: NewReading, *, now: datetime, source: ReadingSource
) -> TemperatureReading:
    read_at = reading.read_at or now
    return TemperatureReading(
        location_id=location.id,
        location=location,
        min_celsius=reading.min_celsius,
        max_celsius=reading.max_celsius,
        read_at=read_at,
        read_on=local_day(read_at),
        source=source,
        note=reading.note,
        limit_max_celsius=limit.max_celsius,
        out_of_range=reading.max_celsius > limit.max_celsius,
    )


async def record_reading(
    session: AsyncSession, *, actor_id: int | None, reading: NewReading, now: datetime
) -> TemperatureReading:
    """A reading typed from a thermometer, judged against its zone's limit now."""
    location = await _location(session, reading.location_id)
    limit = (await queries.limits(session))[location.zone]
    row = _judged(location, limit, reading, now=now, source=ReadingSource.typed)
    row.recorded_by_id = actor_id
    session.add(row)
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="temperature.record",
        entity="temperature_reading",
        entity_id=row.id,
        details={"location_id": location.id, "out_of_range": row.out_of_range},
    )
    return row


# --- a data logger's CSV --------------------------------------------------------------------------------

ALIASES: dict[str, tuple[str, ...]] = {
    "location": ("location", "location_code", "棚", "ロケーション", "場所"),
    "timestamp": ("timestamp", "read_at", "datetime", "date_time", "日時", "測定日時", "記録日時"),
    "min": ("min", "min_celsius", "minimum", "最低", "最低温度"),
    "max": ("max", "max_celsius", "maximum", "最高", "最高温度"),
    "temperature": ("temperature", "temp", "celsius", "温度"),
}
_BY_ALIAS = {csvio.header_key(alias): column for column, aliases in ALIASES.items() for alias in aliases}
FIELD_COLUMNS = {"location_id": "location", "read_at": "timestamp", "min_celsius": "min", "max_celsius": "max"}


_problem = csvio.row_error


def _timestamp(text: str) -> str | None:
    """A logger's timestamp as ISO 8601 (Japan time when it gives no offset), or None if unreadable."""
    plain = unicodedata.normalize("NFKC", text).strip().replace("/", "-")
    try:
        moment = datetime.fromisoformat(plain)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.isoformat()


def read_logger_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[dict[str, Any]]]:
    """(rows as {column: text} with their spreadsheet row numbers, problems of the file itself)."""
    text, _encoding = csvio.decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        return [], [_problem(None, None, Message("The file is not valid CSV: %(error)s.", error=str(exc)))]
    if not records:
        return [], [_problem(None, None, Message("The file has a header row but no data rows."))]
    columns: dict[str, int] = {}
    for index, header in enumerate(records[0]):
        column = _BY_ALIAS.get(csvio.header_key(header))
        if column is not None and column not in columns:
            columns[column] = index
    problems = [
        _problem(1, column, Message("The column %(column)s is missing.", column=column))
        for column in ("location", "timestamp")
        if column not in columns
    ]
    if "temperature" not in columns and not {"min", "max"} <= set(columns):
        problems.append(_problem(1, None, Message("Give min and max columns, or a single temperature column.")))
    rows = [
        (number, {c: cells[i].strip() if i < len(cells) else "" for c, i in columns.items()})
        for number, cells in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    if not rows and not problems:
        problems.append(_problem(None, None, Message("The file has a header row but no data rows.")))
    return rows, problems


async def import_logger_csv(
    session: AsyncSession, *, actor_id: int | None, data: bytes, now: datetime
) -> list[TemperatureReading]:
    """Every row of a data logger's file becomes a reading, or nothing does: each bad row is refused
    with its row number (`csvio.ImportRefused`)."""
    rows, problems = read_logger_csv(data)
    if problems:
        raise csvio.ImportRefused(problems)
    codes = {unicodedata.normalize("NFKC", cells["location"]).strip() for _, cells in rows}
    found = (await session.scalars(select(Location).where(Location.is_active, Location.code.in_(sorted(codes))))).all()
    by_code: dict[str, list[Location]] = {}
    for location in found:
        by_code.setdefault(location.code, []).append(location)
    loaded: list[tuple[int, NewReading]] = []
    for number, cells in rows:
        code = unicodedata.normalize("NFKC", cells["location"]).strip()
        matches = by_code.get(code, [])
        if not code:
            problems.append(_problem(number, "location", Message("Give the location code.")))
            continue
        if len(matches) != 1:
            message = (
                Message("There is no location %(code)s.", code=code)
                if not matches
                else Message("%(code)s is a location in several warehouses.", code=code)
            )
            problems.append(_problem(number, "location", message))
            continue
        single = cells.get("temperature", "")
        low, high = (
            (single, single)
            if single and not (cells.get("min") or cells.get("max"))
            else (
                cells.get("min", ""),
                cells.get("max", ""),
            )
        )
        stamp = _timestamp(cells["timestamp"])
        if stamp is None:
            problems.append(
                _problem(number, "timestamp", Message("Write the time as YYYY-MM-DD HH:MM (Japan time) or ISO 8601."))
            )
            continue
        raw = {"location_id": matches[0].id, "read_at": stamp, "min_celsius": low, "max_celsius": high}
        raw = {k: unicodedata.normalize("NFKC", v) if isinstance(v, str) else v for k, v in raw.items() if v != ""}
        try:
            loaded.append((number, checked_load(ReadingIn(), raw)))
        except ValidationError as error:
            for item in flatten_marshmallow_errors(error.messages):
                column = FIELD_COLUMNS.get(item["field"], item["field"])
                problems.append(_problem(number, column, item["message"]))
    if loaded:
        seen: dict[tuple[int, datetime], int] = {}
        existing: set[tuple[int, datetime]] = set(
            (
                await session.execute(
                    select(TemperatureReading.location_id, TemperatureReading.read_at).where(
                        tuple_(TemperatureReading.location_id, TemperatureReading.read_at).in_(
                            [(r.location_id, r.read_at) for _, r in loaded]
                        )
                    )
                )
            ).all()
        )
        for number, reading in loaded:
            assert reading.read_at is not None  # every row has a timestamp
            key = (reading.location_id, reading.read_at)
            if key in existing:
                problems.append(_problem(number, "timestamp", Message("This reading is already recorded.")))
            elif key in seen:
                problems.append(
                    _problem(number, "timestamp", Message("The same reading as row %(row)s.", row=seen[key]))
                )
            else:
                seen[key] = number
    if problems:
        raise csvio.ImportRefused(sorted(problems, key=lambda p: p["row"] or 0))
    limits = await queries.limits(session)
    locations = {loc.id: loc for loc in found}
    written: list[TemperatureReading] = []
    for _number, reading in loaded:
        location = locations[reading.location_id]
        row = _judged(location, limits[location.zone], reading, now=now, source=ReadingSource.logger)
        row.recorded_by_id = actor_id
        session.add(row)
        written.append(row)
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="temperature.import",
        entity="temperature_reading",
        details={"readings": len(written), "out_of_range": sum(r.out_of_range for r in written)},
    )
    return written


# --- review, hold, limits ------------------------------------------------------------------------------


async def _out_of_range(session: AsyncSession, reading_id: int) -> TemperatureReading:
    reading = await queries.reading(session, reading_id, for_update=True)
    if reading is None:
        raise ReadingNotFound(Message("There is no temperature reading with id %(id)s.", id=reading_id))
    if not reading.out_of_range:
        raise ReadingNotOutOfRange(
            Message("Reading %(id)s is within its limit: there is nothing to review or hold.", id=reading_id)
        )
    return reading


async def review(
    session: AsyncSession, *, actor_id: int | None, reading_id: int, review: Review, now: datetime
) -> TemperatureReading:
    """Record what was decided about an out-of-range reading; once."""
    reading = await _out_of_range(session, reading_id)
    if reading.reviewed_at is not None:
        raise ReadingAlreadyReviewed(Message("Reading %(id)s already has a review.", id=reading_id))
    reading.reviewed_at = now
    reading.reviewed_by_id = actor_id
    reading.review_decision = review.decision
    await record(
        session, actor_id=actor_id, action="temperature.review", entity="temperature_reading", entity_id=reading_id
    )
    return reading


def hold_reason(reading: TemperatureReading) -> str:
    """The reason a hold gives, in the words of the people who read it (the lot page, the audit)."""
    return (
        f"温度逸脱（温度記録 #{reading.id}、{reading.location.code}、最高 {reading.max_celsius} °C、"
        f"上限 {reading.limit_max_celsius} °C）"
    )


async def hold_location(session: AsyncSession, *, actor_id: int | None, reading_id: int) -> list[int]:
    """Put every lot with stock in the reading's location on hold, the reading as the reason."""
    reading = await _out_of_range(session, reading_id)
    if not await queries.lots_with_stock(session, reading.location_id):
        raise LotNotFound(Message("There is no stock in location %(code)s to hold.", code=reading.location.code))
    return await stock_services.hold(
        session,
        actor_id=actor_id,
        request=stock_services.HoldRequest(
            status=LotStatus.on_hold,
            reason=hold_reason(reading),
            location_id=reading.location_id,
            temperature_reading_id=reading.id,
        ),
    )


async def set_limit(
    session: AsyncSession, *, actor_id: int | None, zone: Zone, change: LimitChange, now: datetime
) -> TemperatureLimit:
    """Change a zone's limit and daily rule; readings already recorded keep the limit they were judged by."""
    limit = await session.get(TemperatureLimit, zone, with_for_update=True)
    if limit is None:  # seeded by the migration for every zone
        limit = TemperatureLimit(zone=zone)
        session.add(limit)
    limit.max_celsius = change.max_celsius
    limit.daily_reading_required = change.daily_reading_required
    limit.updated_by_id = actor_id
    limit.updated_at = now
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="temperature.limit",
        entity="temperature_limit",
        entity_id=zone.value,
        details={"max_celsius": str(change.max_celsius), "daily_reading_required": change.daily_reading_required},
    )
    return limit
