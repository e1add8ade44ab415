"""Stock: receipts, lots with their balances, the append-only movement ledger, and reservations.

A lot's `on_hand` and `reserved` are a projection of its movements: they change only together with
a movement row, in the same transaction (see `foodbank.stock.ledger`), under CHECK constraints, and
`foodbank stock verify` rebuilds them from the ledger to prove it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foodbank.models.base import Base, BigId, CreatedAt, text_enum
from foodbank.models.catalogue import Channel, Item
from foodbank.models.storage import Location
from foodbank.picking.fefo import LotStatus


class ReceiptKind(StrEnum):
    donation = "donation"  # 寄贈
    opening_balance = "opening_balance"  # stock that was there before the service was


class DatePrecision(StrEnum):
    day = "day"
    month = "month"  # 年月 only on the label: the date is the last day of that month


class MovementKind(StrEnum):
    receipt = "receipt"
    reservation = "reservation"
    release = "release"
    issue = "issue"
    return_ = "return"
    transfer = "transfer"
    adjustment = "adjustment"
    disposal = "disposal"


class DisposalReason(StrEnum):
    expired = "expired"
    damaged = "damaged"
    recalled = "recalled"


class ReservationPurpose(StrEnum):
    household = "household"
    pantry_event = "pantry_event"
    partner = "partner"
    other = "other"


class ReservationStatus(StrEnum):
    open = "open"
    picked = "picked"
    released = "released"


class Receipt(Base):
    __tablename__ = "receipt"

    id: Mapped[BigId]
    kind: Mapped[ReceiptKind] = mapped_column(text_enum(ReceiptKind, "receipt_kind"))
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donor.id"), index=True)
    received_date: Mapped[date] = mapped_column(Date)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    notes: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[CreatedAt]

    lots: Mapped[list[Lot]] = relationship(back_populates="receipt", order_by="Lot.receipt_line_no")

    __table_args__ = (CheckConstraint("kind <> 'donation' OR donor_id IS NOT NULL", name="donation_has_donor"),)


class Lot(Base):
    __tablename__ = "lot"

    id: Mapped[BigId]
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipt.id"), index=True)
    receipt_line_no: Mapped[int] = mapped_column(SmallInteger)
    parent_lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    """Set when a transfer of part of a lot split it: the new lot keeps the origin."""
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[DatePrecision | None] = mapped_column(text_enum(DatePrecision, "date_precision"))
    crop_year: Mapped[int | None] = mapped_column(SmallInteger)
    lot_code: Mapped[str | None] = mapped_column(String(64))
    received_date: Mapped[date] = mapped_column(Date)
    quantity_received: Mapped[int] = mapped_column(Integer)
    on_hand: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    status: Mapped[LotStatus] = mapped_column(text_enum(LotStatus, "lot_status"), server_default="active")
    hold_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[CreatedAt]

    item: Mapped[Item] = relationship(lazy="joined", innerjoin=True)
    location: Mapped[Location] = relationship(lazy="joined", innerjoin=True)
    receipt: Mapped[Receipt] = relationship(back_populates="lots")

    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("quantity_received > 0", name="received_positive"),
        CheckConstraint("(expiry_date IS NULL) = (date_precision IS NULL)", name="date_has_precision"),
        CheckConstraint("crop_year IS NULL OR crop_year BETWEEN 1990 AND 2100", name="crop_year_range"),
        CheckConstraint("status = 'active' OR hold_reason IS NOT NULL", name="hold_has_reason"),
        Index("ix_lot_item_id_expiry_date", "item_id", "expiry_date"),
        Index("ix_lot_available", "item_id", postgresql_where=text("on_hand > reserved AND status = 'active'")),
    )

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class LotStatusChange(Base):
    """A lot put on hold, recalled, or released: the lot's hold history, shown beside its movements.
    Holds change no balance, so they are not ledger rows; they are kept here, append-only (the database
    refuses changes), with the reason given at the time (the lot itself keeps only the current one)."""

    __tablename__ = "lot_status_change"

    id: Mapped[BigId]
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    status: Mapped[LotStatus] = mapped_column(text_enum(LotStatus, "lot_status"))
    """The lot's status from then on: `on_hold`, `recalled`, or `active` for a release."""
    reason: Mapped[str | None] = mapped_column(String(500))
    """Why (None for a release, and for holds recorded before this table existed)."""
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    temperature_reading_id: Mapped[int | None] = mapped_column(ForeignKey("temperature_reading.id"))
    """A hold because of this out-of-range reading: released only once the reading has a review."""

    __table_args__ = (Index("ix_lot_status_change_lot_id_id", "lot_id", "id"),)


class StockMovement(Base):
    """One change of one lot's balance. Rows are never updated or deleted (a trigger refuses)."""

    __tablename__ = "stock_movement"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    kind: Mapped[MovementKind] = mapped_column(text_enum(MovementKind, "movement_kind"))
    on_hand_delta: Mapped[int] = mapped_column(Integer)
    reserved_delta: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    reason: Mapped[str | None] = mapped_column(String(500))
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservation.id"), index=True)
    counterpart_lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    """For a transfer: the lot on the other side."""
    distribution_id: Mapped[int | None] = mapped_column(ForeignKey("distribution.id"), index=True)
    """For an issue or a return: the hand-over it belongs to (traceability for recalls)."""
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("ix_stock_movement_lot_id_id", "lot_id", "id"),
        Index("ix_stock_movement_occurred_at", "occurred_at"),
        CheckConstraint("on_hand_delta <> 0 OR reserved_delta <> 0", name="changes_something"),
        CheckConstraint(
            "CASE kind"
            " WHEN 'receipt' THEN on_hand_delta > 0 AND reserved_delta = 0"
            " WHEN 'reservation' THEN on_hand_delta = 0 AND reserved_delta > 0"
            " WHEN 'release' THEN on_hand_delta = 0 AND reserved_delta < 0"
            " WHEN 'issue' THEN on_hand_delta < 0 AND reserved_delta <= 0"
            " WHEN 'return' THEN on_hand_delta > 0 AND reserved_delta = 0"
            " WHEN 'transfer' THEN reserved_delta = 0 AND counterpart_lot_id IS NOT NULL"
            " WHEN 'adjustment' THEN reserved_delta = 0 AND reason IS NOT NULL"
            " WHEN 'disposal' THEN on_hand_delta < 0 AND reason IN ('expired', 'damaged', 'recalled')"
            " END",
            name="kind_rules",
        ),
    )


class StockDay(Base):
    """The ledger summed per day: what moved each item's stock on a day (Japan), by movement kind and
    `detail` (a receipt's kind for receipts, the reason for disposals, '' otherwise), in units and kg.

    Kept by the database, not by Python: a statement-level AFTER INSERT trigger on `stock_movement`
    (migration 0011) adds each statement's new movements here with one INSERT ... ON CONFLICT DO UPDATE,
    in the same transaction, so `ledger.post` and bulk Core inserts need not know about it. A movement
    is dated as the annual summary dates it (`foodbank.reports.rules`): a receipt on its receipt's
    received date, an issue or a return of a hand-out on the hand-out's date, anything else on the day
    it was recorded; movements that change no units on hand (reservations, releases) are left out. The
    ledger is append-only (a trigger refuses updates, deletes and truncation), so rows only grow; a
    change of an item's unit weight or category is carried here by a trigger on `item`. `foodbank stock
    verify` rebuilds it from the ledger and compares; `--repair` rewrites it."""

    __tablename__ = "stock_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    kind: Mapped[MovementKind] = mapped_column(text_enum(MovementKind, "movement_kind"), primary_key=True)
    detail: Mapped[str] = mapped_column(String(32), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    """The item's category (kept with it: the summary groups by category without joining items)."""
    units: Mapped[int] = mapped_column(BigInteger)
    kg: Mapped[Decimal] = mapped_column(Numeric(16, 3))

    __table_args__ = (Index("ix_stock_day_item_id", "item_id"),)


class Reservation(Base):
    """Stock set aside for a purpose on a date; its lines are the picking list."""

    __tablename__ = "reservation"

    id: Mapped[BigId]
    purpose: Mapped[ReservationPurpose] = mapped_column(text_enum(ReservationPurpose, "reservation_purpose"))
    purpose_ref: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(text_enum(Channel, "channel"))
    distribution_date: Mapped[date] = mapped_column(Date)
    status: Mapped[ReservationStatus] = mapped_column(
        text_enum(ReservationStatus, "reservation_status"), server_default="open"
    )
    note: Mapped[str | None] = mapped_column(String(2000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[CreatedAt]
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    lines: Mapped[list[ReservationLine]] = relationship(
        lazy="selectin", order_by="ReservationLine.id", back_populates="reservation"
    )


class ReservationLine(Base):
    __tablename__ = "reservation_line"

    id: Mapped[BigId]
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservation.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    picked_quantity: Mapped[int | None] = mapped_column(Integer)
    """What the picker actually took; a difference from `quantity` is kept, the rest released."""

    reservation: Mapped[Reservation] = relationship(back_populates="lines")
    lot: Mapped[Lot] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("picked_quantity IS NULL OR picked_quantity BETWEEN 0 AND quantity", name="picked_range"),
    )
