"""Warehouses and their locations (shelves, bins), each location in one temperature zone."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foodbank.models.base import Base, BigId, CreatedAt, text_enum
from foodbank.models.catalogue import Zone


class Warehouse(Base):
    __tablename__ = "warehouse"

    id: Mapped[BigId]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[CreatedAt]


class Location(Base):
    __tablename__ = "location"

    id: Mapped[BigId]
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    code: Mapped[str] = mapped_column(String(32))
    zone: Mapped[Zone] = mapped_column(text_enum(Zone, "zone"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[CreatedAt]

    warehouse: Mapped[Warehouse] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)
