"""Typed documents of the stock area, built from the database and formatted by templates/documents/:
the picking list (of one reservation here, of a whole pantry day in `pantry.documents`, one type and one
template for both) and the donor receipt (寄贈受領書) of a donation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.errors import Conflict
from foodbank.lib.messages import Message
from foodbank.models import DatePrecision, Donor, DonorKind, Lot, Receipt, ReceiptKind, Reservation, Unit, Zone
from foodbank.picking.fefo import DateKind
from foodbank.stock.dates import format_label_date
from foodbank.stock.errors import ReceiptNotFound
from foodbank.stock.services import picking_order

ZONE_NAMES = {Zone.ambient: "常温", Zone.chilled: "冷蔵", Zone.frozen: "冷凍"}
ZONE_LABELS = {zone: f"{name} {zone.value.capitalize()}" for zone, name in ZONE_NAMES.items()}
UNIT_LABELS = {
    Unit.piece: "個",
    Unit.pack: "パック",
    Unit.can: "缶",
    Unit.bottle: "本",
    Unit.bag: "袋",
    Unit.box: "箱",
    Unit.kg: "kg",
}
PURPOSE_LABELS = {
    "household": "個別支援",
    "pantry_event": "フードパントリー",
    "partner": "パートナー団体",
    "other": "その他",
}
DONOR_KIND_LABELS = {
    DonorKind.individual: "個人",
    DonorKind.company: "企業",
    DonorKind.farm: "農家",
    DonorKind.retailer: "小売店",
    DonorKind.food_drive: "フードドライブ",
    DonorKind.government_stockpile: "行政の備蓄品",
    DonorKind.other_food_bank: "他フードバンク",
}
DATE_KIND_LABELS = {DateKind.best_before: "賞味", DateKind.use_by: "消費"}
KG = Decimal("0.001")


def date_label(expiry: date | None, precision: DatePrecision | None, crop_year: int | None) -> str | None:
    """The date as the label prints it (`2027-08`, `2027-03-15`), or the crop year of rice (`2025年産`)."""
    if crop_year is not None:
        return crop_year_label(crop_year)
    return format_label_date(expiry, precision)


def crop_year_label(crop_year: int) -> str:
    return f"{crop_year}年産"


def japanese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def kg_text(kg: Decimal) -> str:
    """0.500 -> 0.5, 12.000 -> 12: a weight without trailing zeros."""
    text = f"{kg.quantize(KG):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- picking lists ----------------------------------------------------------------------------------


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
    number: str
    """What the list is of: `予約 No. 12`, `パントリー No. 3`."""
    purpose: str
    reference: str
    """The household code, or the venue of a pantry day."""
    distribution_date: date
    sections: tuple[ZoneSection, ...]
    parcels: int | None = None
    """For a pantry day: how many parcels the units make up."""

    @property
    def units(self) -> int:
        return sum(line.quantity for section in self.sections for line in section.lines)


def zone_sections(lines: Iterable[tuple[Zone, PickLine]]) -> tuple[ZoneSection, ...]:
    """One section per zone, from lines already in walking order (zone, location, item, FEFO)."""
    return tuple(
        ZoneSection(ZONE_LABELS[zone], tuple(line for _, line in zoned))
        for zone, zoned in groupby(lines, key=lambda pair: pair[0])
    )


def pick_line(lot: Lot, quantity: int, unit: Unit) -> PickLine:
    return PickLine(
        location=lot.location.code,
        item=lot.item.name_ja,
        lot_id=lot.id,
        lot_code=lot.lot_code,
        expiry=date_label(lot.expiry_date, lot.date_precision, lot.crop_year),
        quantity=quantity,
        unit=UNIT_LABELS[unit],
    )


def picking_list(reservation: Reservation) -> PickingListDocument:
    """Sections by zone, lines in location order then item then FEFO: one walk through the shelves."""
    return PickingListDocument(
        number=f"予約 No. {reservation.id}",
        purpose=PURPOSE_LABELS[reservation.purpose.value],
        reference=reservation.purpose_ref or "",
        distribution_date=reservation.distribution_date,
        sections=zone_sections(
            (line.lot.item.zone, pick_line(line.lot, line.quantity, line.lot.item.unit))
            for line in picking_order(reservation.lines)
        ),
    )


# --- donor receipt ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DonatedLine:
    item: str
    quantity: int
    unit: str
    date_label: str | None
    kg: Decimal

    @property
    def kg_text(self) -> str:
        return kg_text(self.kg)


@dataclass(frozen=True)
class DonorReceiptDocument:
    receipt_id: int
    donor: str
    """The donor's name, or 匿名 for an anonymous donor."""
    named: bool
    donor_kind: str
    received_on: str
    lines: tuple[DonatedLine, ...]

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def kg(self) -> str:
        return kg_text(sum((line.kg for line in self.lines), Decimal(0)))


def donated_line(lot: Lot) -> DonatedLine:
    kind_label = DATE_KIND_LABELS.get(lot.item.date_kind)
    label = date_label(lot.expiry_date, lot.date_precision, lot.crop_year)
    return DonatedLine(
        item=lot.item.name_ja,
        quantity=lot.quantity_received,
        unit=UNIT_LABELS[lot.item.unit],
        date_label=f"{kind_label} {label}" if kind_label and label else label,
        kg=(lot.quantity_received * lot.item.unit_weight_kg).quantize(KG),
    )


def donor_receipt(receipt: Receipt, donor: Donor) -> DonorReceiptDocument:
    """What the donor gave, as received: the receipt's own lines (the lots a transfer split off later
    are left out: they are parts of those lines), in line order."""
    return DonorReceiptDocument(
        receipt_id=receipt.id,
        donor="匿名" if donor.is_anonymous or not donor.name else donor.name,
        named=not donor.is_anonymous and bool(donor.name),
        donor_kind=DONOR_KIND_LABELS[donor.kind],
        received_on=japanese_date(receipt.received_date),
        lines=tuple(donated_line(lot) for lot in receipt.lots if lot.parent_lot_id is None),
    )


async def load_donor_receipt(session: AsyncSession, receipt_id: int) -> DonorReceiptDocument:
    receipt = await session.get(Receipt, receipt_id)
    if receipt is None:
        raise ReceiptNotFound(Message("There is no receipt with id %(id)s.", id=receipt_id))
    if receipt.kind is not ReceiptKind.donation or receipt.donor_id is None:
        raise Conflict(
            Message(
                "Receipt %(id)s is an opening balance, not a donation: there is no donor to give a receipt to.",
                id=receipt_id,
            ),
            receipt_id=receipt_id,
            kind=receipt.kind.value,
        )
    await session.refresh(receipt, ["lots"])
    donor = await session.get(Donor, receipt.donor_id)
    assert donor is not None  # a foreign key
    return donor_receipt(receipt, donor)
