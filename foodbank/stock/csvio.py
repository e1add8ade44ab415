"""CSV in and out of the stock: opening balances and stock counts in, current stock and the ledger out.

Reading accepts what spreadsheets write: UTF-8 with or without BOM, or Shift_JIS/CP932 (Japanese
Excel's "CSV"); comma- or tab-separated; a header row naming the columns in English or Japanese.
Every row is checked before anything is written, with the same schemas and rules as the API
(`ReceiptLineIn`, `AdjustmentIn`, `services.check_receipt_lines`, `services.count_problem`); any
error refuses the whole file, listing each problem by spreadsheet row (the header is row 1) and column.

    table = read_csv(data, ImportKind.opening_balance)   # decode and parse; no database
    plan = await check(session, table, ...)              # look-ups in batches, every rule, all errors
    result = await write(session, plan, ...)             # services.receive / services.book_count

`import_csv` does the three in one go. Exports are CSV text in UTF-8 with a BOM (so Excel shows
Japanese correctly), produced in chunks from a streamed query.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any

from marshmallow import ValidationError, fields
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit.services import record
from foodbank.config import StockSettings
from foodbank.lib import spreadsheet
from foodbank.lib.clock import LOCAL_TZ, today
from foodbank.lib.errors import AppError, InvalidInput, flatten_marshmallow_errors
from foodbank.lib.messages import Clauses, Message, alternatives, plain
from foodbank.lib.validation import UNSTORABLE_TEXT, checked_load, is_unstorable
from foodbank.models import Category, Item, Location, Lot, ReceiptKind, Warehouse
from foodbank.stock import ledger, queries, services, standing
from foodbank.stock.dates import format_label_date
from foodbank.stock.schemas import AdjustmentIn, ReceiptLineIn

BOM = codecs.BOM_UTF8
MAX_ROWS = 20_000  # a receipt numbers its lines with a smallint; stock counts are far smaller
MAX_ERRORS = 200  # listed in the answer; the count says how many there were
LOCK_CHUNK = 5_000  # lots locked per query (ascending ids across chunks), well under PostgreSQL's bind limit
PROGRESS_EVERY = 250

Progress = Callable[[int], None]
"""Called with the number of rows done so far in the current stage (checking, then writing)."""


class ImportKind(StrEnum):
    opening_balance = "opening_balance"  # each row becomes a lot of one receipt of kind opening_balance
    stock_count = "stock_count"  # each row names a lot and the units counted; differences are adjusted


# Column names as people write them; compared after NFKC, trimming, lower-casing and spaces/hyphens
# made underscores, so "JANコード", "ＪＡＮコード" and "jan code" are the same column.
ALIASES: dict[str, tuple[str, ...]] = {
    "barcode": ("barcode", "jan", "jan_code", "janコード", "バーコード"),
    "item_id": ("item_id", "品目id"),
    "quantity": ("quantity", "数量"),
    "expiry": ("expiry", "賞味期限", "消費期限", "期限"),
    "crop_year": ("crop_year", "産年"),
    "lot_code": ("lot_code", "ロット", "ロット番号"),
    "location": ("location", "棚", "ロケーション"),
    "lot_id": ("lot_id", "ロットid"),
    "counted": ("counted", "実数", "実棚数"),
}
KIND_COLUMNS: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.opening_balance: ("barcode", "item_id", "quantity", "expiry", "crop_year", "lot_code", "location"),
    ImportKind.stock_count: ("lot_id", "counted"),
}
REQUIRED_COLUMNS: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.opening_balance: ("quantity", "location"),
    ImportKind.stock_count: ("lot_id", "counted"),
}
INTEGER_COLUMNS = frozenset({"item_id", "quantity", "crop_year", "lot_id", "counted"})
# Receipt-line fields (schema and services.check_receipt_lines) and the CSV column they come from.
FIELD_COLUMNS = {"location_id": "location"}


def header_key(header: str) -> str:
    """A column's name as compared with the aliases (the temperature logger files use it too)."""
    return re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", header).strip().lower())


_BY_ALIAS = {header_key(alias): column for column, aliases in ALIASES.items() for alias in aliases}


# --- errors ----------------------------------------------------------------------------------------


def row_error(row: int | None, column: str | None, message: Message | str) -> dict[str, Any]:
    """One problem of a file: its row (None: the whole file) and column, as `ImportRefused` lists it."""
    where = "(file)" if row is None else f"rows.{row}" + (f".{column}" if column else "")
    return {"row": row, "column": column, "field": where, "message": message}


class ImportRefused(InvalidInput):
    """The file has errors: nothing was written. `errors` lists the first 200 as {row, column, message}
    (row: as the spreadsheet numbers it, the header being row 1); `error_count` says how many in all."""

    title = "Some rows of the file are not valid"

    def __init__(self, problems: Sequence[dict[str, Any]]) -> None:
        self.problems = list(problems)
        first = Clauses(describe(p) for p in self.problems[:3])
        AppError.__init__(
            self,
            Message("Nothing was imported: %(first)s (and %(more)s more).", first=first, more=len(self.problems) - 3)
            if len(self.problems) > 3
            else Message("Nothing was imported: %(first)s.", first=first),
            errors=self.problems[:MAX_ERRORS],
            error_count=len(self.problems),
        )


def describe(problem: dict[str, Any]) -> Message:
    """`row 12, expiry: Write the date as ...`, as the command line prints it."""
    message = plain(problem["message"])
    if problem["row"] is None:
        return message
    if problem["column"]:
        return Message(
            "row %(row)s, %(column)s: %(message)s", row=problem["row"], column=problem["column"], message=message
        )
    return Message("row %(row)s: %(message)s", row=problem["row"], message=message)


# --- reading ---------------------------------------------------------------------------------------


@dataclass
class Table:
    """A decoded, parsed file: its encoding, its columns and its non-blank data rows."""

    kind: ImportKind
    encoding: str
    headers: list[str]
    columns: dict[str, int]  # our column name -> index in a row
    ignored_columns: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)

    def cell(self, cells: Sequence[str], column: str) -> str:
        index = self.columns.get(column)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def header(self, column: str) -> str:
        """The column as the file names it (errors speak the file's language), or our name if absent."""
        index = self.columns.get(column)
        return column if index is None else self.headers[index].strip()


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, else CP932 (Shift_JIS as Windows writes it)."""
    if data.startswith(BOM):
        try:
            return data[len(BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ImportRefused(
                [
                    row_error(
                        None,
                        None,
                        Message("The file starts as UTF-8 but byte %(byte)s is not UTF-8.", byte=exc.start + len(BOM)),
                    )
                ]
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportRefused(
            [
                row_error(
                    None,
                    None,
                    Message(
                        "The file is UTF-16 (Excel's 'Unicode text'). Save it as 'CSV UTF-8 (comma delimited)' or "
                        "'CSV'."
                    ),
                )
            ]
        )
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportRefused(
        [
            row_error(
                None,
                None,
                Message(
                    "The file is neither UTF-8 nor Shift_JIS (CP932). Save it from the spreadsheet as "
                    "'CSV UTF-8 (comma delimited)' or 'CSV'."
                ),
            )
        ]
    )


def _column_name(headers: Sequence[str], index: int) -> str | None:
    return headers[index].strip() if index < len(headers) else None


def read_csv(data: bytes, kind: ImportKind) -> Table:
    """Decode and parse; refuses a file without a usable header row (nothing is looked up yet)."""
    text, encoding = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[dict[str, Any]] = []
    try:
        records = list(reader)
    except csv.Error as exc:
        message = Message(
            "The file is not valid CSV near line %(line)s: %(error)s.", line=reader.line_num, error=str(exc)
        )
        raise ImportRefused([row_error(None, None, message)]) from None
    unstorable = [
        row_error(
            number, records[0][index].strip() if number > 1 and index < len(records[0]) else None, UNSTORABLE_TEXT
        )
        for number, cells in enumerate(records, start=1)
        for index, cell in enumerate(cells)
        if is_unstorable(cell)
    ]
    if unstorable:  # before any cell is looked up: no column holds them
        raise ImportRefused(unstorable)
    if not records or not any(cell.strip() for cell in records[0]):
        raise ImportRefused(
            [
                row_error(
                    1,
                    None,
                    Message("The first row must name the columns, e.g. %(example)s.", example=_example_header(kind)),
                )
            ]
        )
    headers = records[0]
    columns: dict[str, int] = {}
    ignored: list[str] = []
    wanted = KIND_COLUMNS[kind]
    for index, header in enumerate(headers):
        column = _BY_ALIAS.get(header_key(header))
        if column is None or column not in wanted:
            if header.strip():
                ignored.append(header.strip())
            continue
        if column in columns:
            problems.append(
                row_error(
                    1,
                    header.strip(),
                    Message(
                        "Two columns mean %(column)s: %(other)s and this.",
                        column=column,
                        other=headers[columns[column]].strip(),
                    ),
                )
            )
            continue
        columns[column] = index
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in columns]
    if kind is ImportKind.opening_balance and "barcode" not in columns and "item_id" not in columns:
        missing.insert(0, "barcode")
    for column in missing:
        names = alternatives([a for a in ALIASES[column] if a != "jan_code"])
        message = Message(
            "The column %(column)s is missing (write %(names)s in the first row).", column=column, names=names
        )
        if column == "barcode":
            message = Message("Name the items with a barcode (JANコード) or an item_id (品目ID) column.")
        problems.append(row_error(1, column, message))
    if problems:
        raise ImportRefused(problems)

    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets leave empty rows (",,,,") at the end
        extra = [cell for cell in cells[len(headers) :] if cell.strip()]
        if extra:
            message = Message(
                "This row has %(cells)s cells but the header has %(headers)s: quote values with commas.",
                cells=len(cells),
                headers=len(headers),
            )
            problems.append(row_error(number, None, message))
        rows.append((number, cells))
    if not rows:
        problems.append(row_error(None, None, Message("The file has a header row but no data rows.")))
    if len(rows) > MAX_ROWS:
        message = Message(
            "The file has %(rows)s rows; import at most %(most)s at once.", rows=f"{len(rows):,}", most=f"{MAX_ROWS:,}"
        )
        problems.append(row_error(None, None, message))
    if problems:
        raise ImportRefused(problems)
    return Table(kind, encoding, headers, columns, ignored, rows)


def _example_header(kind: ImportKind) -> str:
    if kind is ImportKind.opening_balance:
        return "'JANコード,数量,賞味期限,棚' or 'barcode,quantity,expiry,location'"
    return "'ロットID,実数' or 'lot_id,counted'"


_EXCEL_EXPONENT = re.compile(r"^\d(\.\d+)?e\+\d+$", re.IGNORECASE)


def _number(text: str) -> Any:
    """A whole number as spreadsheets write them (full-width digits, thousands separators) becomes an int;
    anything else stays text for the schema to refuse with its own message."""
    plain = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    return int(plain) if re.fullmatch(r"[+-]?\d+", plain) else text


# --- checking --------------------------------------------------------------------------------------


class _Problems:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.items: list[dict[str, Any]] = []

    def add(self, row: int, column: str | None, message: Message) -> None:
        self.items.append(row_error(row, None if column is None else self.table.header(column), message))

    def add_marshmallow(self, row: int, exc: ValidationError, messages: dict[str, Message] | None = None) -> None:
        for error in flatten_marshmallow_errors(exc.messages):
            name = error["field"]
            column = FIELD_COLUMNS.get(name, name)
            if column == "item_id" and "item_id" not in self.table.columns:
                column = "barcode"
            self.add(row, column, (messages or {}).get(column) or plain(error["message"]))


@dataclass
class Plan:
    """A checked file, ready to write: receipt lines (opening balance) or counted lots (stock count)."""

    table: Table
    on_date: date
    lines: list[services.ReceiptLine] = field(default_factory=list)
    counts: list[tuple[Lot, int]] = field(default_factory=list)  # ascending lot id
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kind(self) -> ImportKind:
        return self.table.kind


@dataclass
class ImportResult:
    kind: ImportKind
    encoding: str
    rows: int
    receipt_id: int | None = None
    lots_created: int = 0
    lots_adjusted: int = 0
    units_delta: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


class CountRowIn(AdjustmentIn):
    """A stock-count row: the lot, and `counted` and `reason` as for one adjustment."""

    lot_id = fields.Integer(required=True, strict=True)


async def check(
    session: AsyncSession,
    table: Table,
    *,
    settings: StockSettings,
    warehouse_id: int | None = None,
    on_date: date | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Check every row, looking things up in batches; raise ImportRefused listing every problem.

    A stock count locks its lots here (ascending ids), so the balances checked are those written.
    `on_date` is the received date of an opening balance or the day of a stock count (default today).
    """
    if warehouse_id is not None and await session.get(Warehouse, warehouse_id) is None:
        raise InvalidInput(
            Message("There is no warehouse with id %(id)s.", id=warehouse_id),
            errors=[{"field": "warehouse_id", "message": Message("unknown warehouse")}],
        )
    plan = Plan(table, on_date or today())
    problems = _Problems(table)
    if table.kind is ImportKind.opening_balance:
        await _check_opening_balance(session, plan, problems, settings, warehouse_id, progress)
    else:
        await _check_stock_count(session, plan, problems, warehouse_id, progress)
    if problems.items:
        problems.items.sort(key=lambda p: p["row"] or 0)
        raise ImportRefused(problems.items)
    return plan


async def _check_opening_balance(
    session: AsyncSession,
    plan: Plan,
    problems: _Problems,
    settings: StockSettings,
    warehouse_id: int | None,
    progress: Progress | None,
) -> None:
    table = plan.table
    codes = {_code(table.cell(cells, "location")) for _, cells in table.rows}
    locations = await _locations_by_code(session, codes - {""}, warehouse_id)
    schema = ReceiptLineIn()
    line_rows: list[int] = []
    for done, (row, cells) in enumerate(table.rows, start=1):
        raw: dict[str, Any] = {}
        for column in ("item_id", "barcode", "quantity", "expiry", "crop_year", "lot_code"):
            if text := table.cell(cells, column):
                raw[column] = _number(text) if column in INTEGER_COLUMNS else text
        code = _code(table.cell(cells, "location"))
        found = locations.get(code)
        if not code:
            problems.add(row, "location", Message("Give the location code (棚), e.g. A-01."))
        elif isinstance(found, int):
            raw["location_id"] = found
        else:
            problems.add(row, "location", found or _unknown_location(code, warehouse_id))
        barcode = raw.get("barcode", "")
        excel_hint = {}
        if isinstance(barcode, str) and _EXCEL_EXPONENT.match(barcode):
            excel_hint["barcode"] = Message(
                "%(barcode)s is how Excel shows a long number: format the column as text (文字列) and type the 13 "
                "digits.",
                barcode=barcode,
            )
        try:
            line = checked_load(schema, raw, partial=() if "location_id" in raw else ("location_id",))
        except ValidationError as exc:
            problems.add_marshmallow(row, exc, excel_hint)
        else:
            plan.lines.append(line)
            line_rows.append(row)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(table.rows)):
            progress(done)

    checked = await services.check_receipt_lines(
        session, plan.lines, received_date=plan.on_date, settings=settings, kind=ReceiptKind.opening_balance
    )
    for problem in checked.errors:
        problems.add(line_rows[problem.line], FIELD_COLUMNS.get(problem.field, problem.field), problem.message)
    for warning in checked.warnings:
        column = table.header(FIELD_COLUMNS.get(warning.field, warning.field))
        plan.warnings.append(row_error(line_rows[warning.line], column, warning.message))


def _code(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _unknown_location(code: str, warehouse_id: int | None) -> Message:
    if warehouse_id is not None:
        return Message("There is no location %(code)s in this warehouse.", code=code)
    return Message("There is no location %(code)s.", code=code)


async def _locations_by_code(
    session: AsyncSession, codes: Iterable[str], warehouse_id: int | None
) -> dict[str, int | Message]:
    """Active locations by code: the id, or a message when the code is in several warehouses."""
    stmt = (
        select(Location.id, Location.code, Warehouse.name)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(Location.is_active, Location.code.in_(sorted(set(codes))))
    )
    if warehouse_id is not None:
        stmt = stmt.where(Location.warehouse_id == warehouse_id)
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for location_id, code, warehouse in (await session.execute(stmt)).all():
        found[code].append((location_id, warehouse))
    return {
        code: matches[0][0]
        if len(matches) == 1
        else Message(
            "%(code)s is a location in several warehouses (%(warehouses)s): choose the warehouse.",
            code=code,
            warehouses=sorted(w for _, w in matches),
        )
        for code, matches in found.items()
    }


async def _check_stock_count(
    session: AsyncSession,
    plan: Plan,
    problems: _Problems,
    warehouse_id: int | None,
    progress: Progress | None,
) -> None:
    table = plan.table
    schema = CountRowIn()
    reason = f"stock count {plan.on_date.isoformat()}"
    loaded: list[tuple[int, dict[str, Any]]] = []
    blank_counted = {"counted": Message("Write the units counted (0 when none are left).")}
    for row, cells in table.rows:
        raw: dict[str, Any] = {"reason": reason}
        for column in ("lot_id", "counted"):
            if text := table.cell(cells, column):
                raw[column] = _number(text)
        try:
            loaded.append((row, checked_load(schema, raw)))
        except ValidationError as exc:
            problems.add_marshmallow(row, exc, blank_counted if "counted" not in raw else None)

    lots: dict[int, Lot] = {}
    ids = sorted({data["lot_id"] for _, data in loaded})
    for start in range(0, len(ids), LOCK_CHUNK):
        lots.update(await ledger.lock_lots(session, ids[start : start + LOCK_CHUNK]))
    first_row: dict[int, int] = {}
    for done, (row, data) in enumerate(loaded, start=1):
        lot_id, counted = data["lot_id"], data["counted"]
        lot = lots.get(lot_id)
        if lot is None:
            problems.add(row, "lot_id", Message("There is no lot with id %(id)s.", id=lot_id))
        elif warehouse_id is not None and lot.location.warehouse_id != warehouse_id:
            message = Message(
                "Lot %(lot)s is in %(warehouse)s, not in this warehouse.",
                lot=lot_id,
                warehouse=lot.location.warehouse.name,
            )
            problems.add(row, "lot_id", message)
        elif lot_id in first_row:
            message = Message("Lot %(lot)s is already counted in row %(row)s.", lot=lot_id, row=first_row[lot_id])
            problems.add(row, "lot_id", message)
        elif (problem := services.count_problem(lot, counted)) is not None:
            problems.add(row, "counted", problem)
        else:
            first_row[lot_id] = row
            plan.counts.append((lot, counted))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(loaded)):
            progress(done)
    plan.counts.sort(key=lambda pair: pair[0].id)


# --- writing ---------------------------------------------------------------------------------------


async def write(
    session: AsyncSession,
    plan: Plan,
    *,
    actor_id: int | None,
    settings: StockSettings,
    progress: Progress | None = None,
) -> ImportResult:
    """Write a checked plan in the caller's transaction (nothing commits here)."""
    table = plan.table
    result = ImportResult(
        plan.kind, table.encoding, len(table.rows), warnings=plan.warnings, ignored_columns=table.ignored_columns
    )
    if plan.kind is ImportKind.opening_balance:
        command = services.ReceiveCommand(
            kind=ReceiptKind.opening_balance,
            donor_id=None,
            received_date=plan.on_date,
            lines=tuple(plan.lines),
            notes=f"Opening balance imported from CSV ({len(plan.lines)} rows).",
        )
        receipt = await services.receive(session, command, actor_id=actor_id, settings=settings)
        result.receipt_id = receipt.id
        result.lots_created = len(plan.lines)
        result.units_delta = sum(line.quantity for line in plan.lines)
        if progress is not None:
            progress(len(plan.lines))
    else:
        reason = f"stock count {plan.on_date.isoformat()}"
        for done, (lot, counted) in enumerate(plan.counts, start=1):
            delta = await services.book_count(session, lot, counted=counted, reason=reason, actor_id=actor_id)
            if delta:
                result.lots_adjusted += 1
                result.units_delta += delta
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(plan.counts)):
                progress(done)
        await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="stock.import",
        entity="receipt" if result.receipt_id is not None else "stock",
        entity_id=result.receipt_id,
        details={
            "kind": plan.kind.value,
            "rows": result.rows,
            "lots_created": result.lots_created,
            "lots_adjusted": result.lots_adjusted,
            "units_delta": result.units_delta,
        },
    )
    return result


async def import_csv(
    session: AsyncSession,
    data: bytes,
    *,
    kind: ImportKind,
    actor_id: int | None,
    settings: StockSettings,
    warehouse_id: int | None = None,
    on_date: date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, check and write a file: all rows or none."""
    table = read_csv(data, kind)
    plan = await check(session, table, settings=settings, warehouse_id=warehouse_id, on_date=on_date, progress=progress)
    return await write(session, plan, actor_id=actor_id, settings=settings, progress=progress)


# --- export ----------------------------------------------------------------------------------------

STOCK_COLUMNS = (
    "lot_id",
    "item_id",
    "item",
    "category",
    "zone",
    "warehouse",
    "location",
    "expiry",
    "date_kind",
    "crop_year",
    "lot_code",
    "received_date",
    "on_hand",
    "reserved",
    "available",
    "status",
)
LEDGER_COLUMNS = (
    "movement_id",
    "occurred_at",
    "kind",
    "lot_id",
    "item_id",
    "item",
    "on_hand_delta",
    "reserved_delta",
    "reason",
    "reservation_id",
    "actor_id",
)
CHUNK_ROWS = 1000


def _cell(value: Any) -> Any:
    """A value as a spreadsheet should see it; text that it would run as a formula made inert
    (`spreadsheet.cell`): item names and lot codes come from donors' labels."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return spreadsheet.cell(value)


async def _csv_chunks(header: Sequence[str], rows: AsyncIterator[Sequence[Any]]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield BOM + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    count = 0
    async for row in rows:
        writer.writerow([_cell(value) for value in row])
        count += 1
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


async def _stock_rows(session: AsyncSession, on: date) -> AsyncIterator[Sequence[Any]]:
    stmt = (
        select(
            Lot.id,
            Lot.item_id,
            Item.name_ja,
            Category.name_ja,
            Item.zone,
            Warehouse.name,
            Location.code,
            Lot.expiry_date,
            Lot.date_precision,
            Item.date_kind,
            Lot.crop_year,
            Lot.lot_code,
            Lot.received_date,
            Lot.on_hand,
            Lot.reserved,
            Lot.status,
        )
        .join(Item, Item.id == Lot.item_id)
        .join(Category, Category.id == Item.category_id)
        .join(Location, Location.id == Lot.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
        .where(Lot.on_hand > 0)
        .order_by(Warehouse.name, Location.code, Item.name_ja, Lot.expiry_date.asc().nulls_last(), Lot.id)
    )
    result = await session.stream(stmt.execution_options(yield_per=CHUNK_ROWS))
    async for row in result:
        values = list(row)
        expiry, precision = values[7], values.pop(8)
        values[7] = format_label_date(expiry, precision)
        date_kind = values[8]
        on_hand, reserved, status = values[-3:]
        values.insert(-1, standing.free_units(status, date_kind, expiry, on_hand, reserved, on))  # available
        yield values


async def export_stock(session: AsyncSession, *, on: date) -> AsyncIterator[bytes]:
    """Current stock, one row per lot with units on hand, in shelf order: UTF-8 with BOM, in chunks.

    `available` is what could be reserved on `on` (today, at the edges; `stock.standing`): 0 for lots on
    hold, recalled or past their date."""
    async for chunk in _csv_chunks(STOCK_COLUMNS, _stock_rows(session, on)):
        yield chunk


async def export_ledger(session: AsyncSession, *, since: date | None = None) -> AsyncIterator[bytes]:
    """Every movement, oldest first (from `since`, Japan time, if given): UTF-8 with BOM, in chunks."""

    async def rows() -> AsyncIterator[Sequence[Any]]:
        async for row in await queries.ledger_rows(session, since=since):
            yield tuple(row)

    async for chunk in _csv_chunks(LEDGER_COLUMNS, rows()):
        yield chunk
