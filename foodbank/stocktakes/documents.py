"""Documents of a stocktake: the count sheet for counting on paper (blind: no expected figure, a blank
for the units found, by location) and the result (expected, counted, difference in units and kg, reason)
as a PDF and as CSV (UTF-8 with BOM; every cell through `lib.spreadsheet.cell`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import groupby

from foodbank.lib.spreadsheet import csv_file
from foodbank.models import Lot, Stocktake, StocktakeReason, StocktakeStatus
from foodbank.stock.documents import UNIT_LABELS, ZONE_LABELS, date_label, kg_text
from foodbank.stocktakes.queries import ReviewLine

STATUS_LABELS = {
    StocktakeStatus.open: "棚卸中",
    StocktakeStatus.approved: "承認済み",
    StocktakeStatus.abandoned: "中止",
}
REASON_LABELS = {
    StocktakeReason.damaged: "破損",
    StocktakeReason.expired: "期限切れ",
    StocktakeReason.miscount: "数え間違い",
    StocktakeReason.unrecorded_hand_out: "記録のない配布",
    StocktakeReason.theft: "盗難",
    StocktakeReason.other: "その他",
}


@dataclass(frozen=True)
class SheetLine:
    item: str
    lot_id: int
    lot_code: str | None
    expiry: str | None
    unit: str


@dataclass(frozen=True)
class SheetSection:
    location: str
    zone_label: str
    lines: list[SheetLine]


@dataclass(frozen=True)
class CountSheet:
    number: str
    warehouse: str
    opened_at: datetime
    sections: list[SheetSection]


def _key(lot: Lot) -> tuple[str, str, int]:
    return (lot.location.code, lot.item.name_ja, lot.id)


def count_sheet(stocktake: Stocktake, lots: Sequence[Lot]) -> CountSheet:
    """One section per location of the count (empty ones too: something may be found there), its lots
    in shelf order with a blank for the units found and blank rows for lots found unlisted."""
    by_location = {
        code: list(group) for code, group in groupby(sorted(lots, key=_key), key=lambda lot: lot.location.code)
    }
    sections = [
        SheetSection(
            location=entry.location.code,
            zone_label=ZONE_LABELS[entry.location.zone],
            lines=[
                SheetLine(
                    item=lot.item.name_ja,
                    lot_id=lot.id,
                    lot_code=lot.lot_code,
                    expiry=date_label(lot.expiry_date, lot.date_precision, lot.crop_year),
                    unit=UNIT_LABELS[lot.item.unit],
                )
                for lot in by_location.get(entry.location.code, [])
            ],
        )
        for entry in sorted(stocktake.locations, key=lambda e: e.location.code)
    ]
    return CountSheet(f"棚卸 {stocktake.id}", stocktake.warehouse.name, stocktake.opened_at, sections)


@dataclass(frozen=True)
class ResultLine:
    location: str
    item: str
    lot_id: int
    lot_code: str | None
    expiry: str | None
    unit: str
    snapshot: int
    movements: int
    expected: int
    counted: int | None
    difference: int | None
    difference_kg: Decimal | None
    reason: str | None
    needs_approval: bool


@dataclass(frozen=True)
class StocktakeResult:
    number: str
    warehouse: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    lines: list[ResultLine]
    counted_lots: int
    units_delta: int
    kg_delta: str


def result(stocktake: Stocktake, review: Sequence[ReviewLine]) -> StocktakeResult:
    lines = [
        ResultLine(
            location=line.lot.location.code,
            item=line.lot.item.name_ja,
            lot_id=line.lot.id,
            lot_code=line.lot.lot_code,
            expiry=date_label(line.lot.expiry_date, line.lot.date_precision, line.lot.crop_year),
            unit=UNIT_LABELS[line.lot.item.unit],
            snapshot=line.snapshot,
            movements=line.movements,
            expected=line.expected,
            counted=line.counted,
            difference=line.difference,
            difference_kg=line.difference_kg,
            reason=REASON_LABELS[line.reason] if line.reason else None,
            needs_approval=line.needs_approval,
        )
        for line in review
    ]
    kg = sum((line.difference_kg or Decimal(0) for line in lines), Decimal(0))
    return StocktakeResult(
        number=f"棚卸 {stocktake.id}",
        warehouse=stocktake.warehouse.name,
        status=STATUS_LABELS[stocktake.status],
        opened_at=stocktake.opened_at,
        closed_at=stocktake.closed_at,
        lines=lines,
        counted_lots=sum(1 for line in lines if line.counted is not None),
        units_delta=sum(line.difference or 0 for line in lines),
        kg_delta=kg_text(kg),
    )


CSV_HEADER = (
    "棚 location",
    "品目 item",
    "ロット lot",
    "ロットコード lot_code",
    "期限 date",
    "単位 unit",
    "開始時 snapshot",
    "途中の入出庫 movements",
    "帳簿数 expected",
    "実数 counted",
    "差異 difference",
    "差異kg difference_kg",
    "理由 reason",
)


def result_csv(document: StocktakeResult) -> bytes:
    """The result as CSV, UTF-8 with BOM (Excel reads it as such), one row per lot."""
    return csv_file(
        [
            CSV_HEADER,
            *(
                (
                    line.location,
                    line.item,
                    line.lot_id,
                    line.lot_code,
                    line.expiry,
                    line.unit,
                    line.snapshot,
                    line.movements,
                    line.expected,
                    line.counted,
                    line.difference,
                    line.difference_kg,
                    line.reason,
                )
                for line in document.lines
            ),
        ]
    )
