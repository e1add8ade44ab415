"""Typed documents of the stock area, built from the database and formatted by templates/documents/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from foodbank.models import Reservation, Zone
from foodbank.stock.dates import format_label_date
from foodbank.stock.services import picking_order

ZONE_LABELS = {Zone.ambient: "常温 Ambient", Zone.chilled: "冷蔵 Chilled", Zone.frozen: "冷凍 Frozen"}
PURPOSE_LABELS = {
    "household": "個別支援",
    "pantry_event": "フードパントリー",
    "partner": "パートナー団体",
    "other": "その他",
}


@dataclass(frozen=True)
class PickLine:
    location: str
    item: str
    lot_id: int
    lot_code: str | None
    expiry: str | None
    quantity: int
    unit: str


@dataclass(frozen=True)
class ZoneSection:
    zone_label: str
    lines: tuple[PickLine, ...]


@dataclass(frozen=True)
class PickingListDocument:
    reservation_id: int
    purpose: str
    reference: str
    distribution_date: date
    sections: tuple[ZoneSection, ...]


def picking_list(reservation: Reservation) -> PickingListDocument:
    """Sections by zone, lines in location order then item then FEFO: one walk through the shelves."""
    ordered = picking_order(reservation.lines)
    sections = tuple(
        ZoneSection(
            ZONE_LABELS[zone],
            tuple(
                PickLine(
                    location=line.lot.location.code,
                    item=line.lot.item.name_ja,
                    lot_id=line.lot_id,
                    lot_code=line.lot.lot_code,
                    expiry=format_label_date(line.lot.expiry_date, line.lot.date_precision),
                    quantity=line.quantity,
                    unit=line.lot.item.unit.value,
                )
                for line in lines
            ),
        )
        for zone, lines in groupby(ordered, key=lambda line: line.lot.item.zone)
    )
    return PickingListDocument(
        reservation_id=reservation.id,
        purpose=PURPOSE_LABELS[reservation.purpose.value],
        reference=reservation.purpose_ref or "",
        distribution_date=reservation.distribution_date,
        sections=sections,
    )
