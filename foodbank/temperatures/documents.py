"""The temperature record of a period (温度管理記録), the evidence a certification audit asks for: every
reading with the limit it was judged by, the out-of-range readings and their reviews, the days a daily
reading was missing, and the holds and releases the readings caused. Formatted by
templates/documents/temperature_record.html."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.clock import LOCAL_TZ
from foodbank.models import TemperatureReading, User, Zone
from foodbank.picking.fefo import LotStatus
from foodbank.stock.documents import ZONE_NAMES
from foodbank.temperatures import queries


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def _celsius(value: Decimal) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class ReadingLine:
    id: int
    read_at: str
    location: str
    zone: str
    min_celsius: str
    max_celsius: str
    limit: str
    out_of_range: bool
    source: str
    recorded_by: str
    note: str
    reviewed_at: str
    reviewed_by: str
    decision: str


@dataclass(frozen=True)
class MissingLine:
    day: date
    location: str
    zone: str


@dataclass(frozen=True)
class HoldLine:
    occurred_at: str
    action: str
    lot_id: int
    item: str
    location: str
    reading_id: int | None
    by: str


@dataclass(frozen=True)
class LimitLine:
    zone: str
    max_celsius: str
    daily: str


@dataclass(frozen=True)
class TemperatureRecordDocument:
    since: date
    until: date
    limits: list[LimitLine]
    readings: list[ReadingLine]
    excursions: list[ReadingLine]
    missing: list[MissingLine]
    holds: list[HoldLine]

    @property
    def unreviewed(self) -> int:
        return sum(1 for r in self.excursions if not r.reviewed_at)


async def temperature_record(session: AsyncSession, *, since: date, until: date) -> TemperatureRecordDocument:
    readings = await queries.readings(session, since=since, until=until)
    events = await queries.hold_events(session, since=since, until=until)
    user_ids = {r.recorded_by_id for r in readings} | {r.reviewed_by_id for r in readings}
    user_ids |= {e.change.actor_id for e in events}
    wanted = sorted(i for i in user_ids if i is not None)
    names: dict[int, str] = {
        user_id: name
        for user_id, name in (
            await session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
        ).all()
    }
    lines = [_line(r, names) for r in readings]
    limits = await queries.limits(session)
    return TemperatureRecordDocument(
        since=since,
        until=until,
        limits=[
            LimitLine(ZONE_NAMES[z], _celsius(limits[z].max_celsius), "要" if limits[z].daily_reading_required else "—")
            for z in Zone
            if z in limits
        ],
        readings=lines,
        excursions=[line for line in lines if line.out_of_range],
        missing=[
            MissingLine(m.day, m.location_code, ZONE_NAMES[m.zone])
            for m in reversed(await queries.missing_days(session, since=since, until=until))
        ],
        holds=[
            HoldLine(
                occurred_at=_when(e.change.occurred_at),
                action="保留" if e.change.status is LotStatus.on_hold else "保留解除",
                lot_id=e.lot.id,
                item=e.lot.item.name_ja,
                location=e.lot.location.code,
                reading_id=e.reading_id,
                by=names.get(e.change.actor_id or 0, ""),
            )
            for e in events
        ],
    )


def _line(r: TemperatureReading, names: dict[int, str]) -> ReadingLine:
    return ReadingLine(
        id=r.id,
        read_at=_when(r.read_at),
        location=r.location.code,
        zone=ZONE_NAMES[r.location.zone],
        min_celsius=_celsius(r.min_celsius),
        max_celsius=_celsius(r.max_celsius),
        limit=_celsius(r.limit_max_celsius),
        out_of_range=r.out_of_range,
        source="入力" if r.source.value == "typed" else "ロガー",
        recorded_by=names.get(r.recorded_by_id or 0, ""),
        note=r.note or "",
        reviewed_at=_when(r.reviewed_at),
        reviewed_by=names.get(r.reviewed_by_id or 0, ""),
        decision=r.review_decision or "",
    )
