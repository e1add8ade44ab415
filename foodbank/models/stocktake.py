"""Stocktakes (棚卸): a count of a warehouse, a zone or a set of locations.

When a count opens, `StocktakeLot` rows keep the snapshot: each lot of its locations with units on hand,
and the ledger position (the lot's last movement id) that balance stands at. Counters add
`StocktakeCount` lines (append-only: a recount is a new line, the latest per lot and location counts),
each with the lot's ledger position when it was counted, so the review knows which movements happened
before the lot was counted and which after (`foodbank.stocktakes.services`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foodbank.models.base import Base, BigId, CreatedAt, text_enum
from foodbank.models.catalogue import Zone
from foodbank.models.stock import Lot
from foodbank.models.storage import Location, Warehouse


class StocktakeStatus(StrEnum):
    open = "open"  # being counted
    approved = "approved"  # its differences are booked in the ledger
    abandoned = "abandoned"  # closed without effect


class StocktakeReason(StrEnum):
    """Why a counted figure differs from the expected one (the reason code of an adjustment)."""

    damaged = "damaged"
    expired = "expired"
    miscount = "miscount"
    unrecorded_hand_out = "unrecorded_hand_out"
    theft = "theft"
    other = "other"


class Stocktake(Base):
    __tablename__ = "stocktake"

    id: Mapped[BigId]
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"), index=True)
    zone: Mapped[Zone | None] = mapped_column(text_enum(Zone, "zone"))
    """Only this zone's locations (None: every zone, or the locations chosen)."""
    status: Mapped[StocktakeStatus] = mapped_column(
        text_enum(StocktakeStatus, "stocktake_status"), server_default="open"
    )
    note: Mapped[str | None] = mapped_column(String(500))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[CreatedAt]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    warehouse: Mapped[Warehouse] = relationship(lazy="joined", innerjoin=True)
    locations: Mapped[list[StocktakeLocation]] = relationship(
        lazy="selectin", order_by="StocktakeLocation.location_id", back_populates="stocktake"
    )

    __table_args__ = (CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_when_not_open"),)


class StocktakeLocation(Base):
    """A location the count covers: fixed when it opens."""

    __tablename__ = "stocktake_location"

    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktake.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)

    stocktake: Mapped[Stocktake] = relationship(back_populates="locations")
    location: Mapped[Location] = relationship(lazy="joined", innerjoin=True)


class StocktakeLot(Base):
    """A lot of the count: its snapshot (units on hand and ledger position when the count opened; 0 and 0
    for a lot counted that had no units there then), and the review's reason for its difference."""

    __tablename__ = "stocktake_lot"

    id: Mapped[BigId]
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktake.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    snapshot_on_hand: Mapped[int] = mapped_column(Integer)
    snapshot_movement_id: Mapped[int] = mapped_column(BigInteger)
    """The lot's last movement when the snapshot was taken (0: none, or not in the snapshot)."""
    in_snapshot: Mapped[bool]
    reason: Mapped[StocktakeReason | None] = mapped_column(text_enum(StocktakeReason, "stocktake_reason"))
    note: Mapped[str | None] = mapped_column(String(500))
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movement.id"))
    """The adjustment its approval booked (None: no difference, or not approved)."""

    lot: Mapped[Lot] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("stocktake_id", "lot_id"),
        CheckConstraint("snapshot_on_hand >= 0", name="snapshot_not_negative"),
    )


class StocktakeCount(Base):
    """One count of one lot at one location: append-only; the latest per lot and location counts."""

    __tablename__ = "stocktake_count"

    id: Mapped[BigId]
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktake.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    counted: Mapped[int] = mapped_column(Integer)
    movement_id: Mapped[int] = mapped_column(BigInteger)
    """The lot's last movement when this line was recorded (0: none): what the shelf held then."""
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    counted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    location: Mapped[Location] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        CheckConstraint("counted >= 0", name="counted_not_negative"),
        Index("ix_stocktake_count_stocktake_id_lot_id", "stocktake_id", "lot_id", "location_id", "id"),
    )


__all__ = ["Stocktake", "StocktakeCount", "StocktakeLocation", "StocktakeLot", "StocktakeReason", "StocktakeStatus"]
