"""The catalogue: allergens (data with effective dates), categories with their date policies, items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foodbank.models.base import Base, BigId, CreatedAt, text_enum
from foodbank.picking.fefo import DateKind

NEEDS_COOKING = "needs_cooking"
"""A pseudo-allergen tag: households without cooking facilities avoid it like an allergen."""


def allergen_profile(allergens_known: bool, ready_to_eat: bool, codes: Iterable[str]) -> frozenset[str] | None:
    """`Item.allergen_set` from an item's columns and allergen codes, for readers that load no ORM objects."""
    if not allergens_known:
        return None
    tags = set(codes)
    if not ready_to_eat:
        tags.add(NEEDS_COOKING)
    return frozenset(tags)


class Channel(StrEnum):
    """How stock leaves the warehouse; each has its own minimum of best-before days left."""

    individual = "individual"  # 個別支援: delivery or pick-up for one household
    pantry = "pantry"  # フードパントリー
    partner = "partner"  # ちいき食堂, drop-in sites and other partner programmes


class Zone(StrEnum):
    ambient = "ambient"  # 常温, up to 25 °C
    chilled = "chilled"  # 冷蔵, up to 10 °C
    frozen = "frozen"  # 冷凍, -15 °C or colder


class Unit(StrEnum):
    piece = "piece"
    pack = "pack"
    can = "can"
    bottle = "bottle"
    bag = "bag"
    box = "box"
    kg = "kg"


class AllergenKind(StrEnum):
    mandatory = "mandatory"  # 特定原材料
    recommended = "recommended"  # 特定原材料に準ずるもの


class Allergen(Base):
    __tablename__ = "allergen"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50))


class AllergenDesignation(Base):
    """Which list an allergen is on, and since when: the lists change (カシューナッツ, ピスタチオ)."""

    __tablename__ = "allergen_designation"

    id: Mapped[BigId]
    allergen_code: Mapped[str] = mapped_column(ForeignKey("allergen.code"))
    kind: Mapped[AllergenKind] = mapped_column(text_enum(AllergenKind, "allergen_kind"))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_until: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (CheckConstraint("effective_until IS NULL OR effective_until > effective_from", name="period"),)


class Category(Base):
    __tablename__ = "category"

    id: Mapped[BigId]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_ja: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    min_days_at_receipt: Mapped[int] = mapped_column(Integer, server_default=text("30"))
    min_days_individual: Mapped[int] = mapped_column(Integer, server_default=text("14"))
    min_days_pantry: Mapped[int] = mapped_column(Integer, server_default=text("7"))
    min_days_partner: Mapped[int] = mapped_column(Integer, server_default=text("3"))
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        CheckConstraint(
            "min_days_at_receipt >= 0 AND min_days_individual >= 0 AND min_days_pantry >= 0 AND min_days_partner >= 0",
            name="min_days_not_negative",
        ),
    )

    def min_days(self, channel: Channel) -> int:
        days: int = getattr(self, f"min_days_{channel.value}")
        return days


class Item(Base):
    __tablename__ = "item"

    id: Mapped[BigId]
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    unit: Mapped[Unit] = mapped_column(text_enum(Unit, "unit"))
    unit_weight_kg: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    barcode: Mapped[str | None] = mapped_column(String(14), unique=True)
    zone: Mapped[Zone] = mapped_column(text_enum(Zone, "zone"))
    date_kind: Mapped[DateKind] = mapped_column(text_enum(DateKind, "date_kind"))
    allergens_known: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    """False when the label could not be read: the item may contain anything."""
    ready_to_eat: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    """Needs no cooking: what a household without cooking facilities can use."""
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[CreatedAt]

    category: Mapped[Category] = relationship(lazy="joined")
    allergen_rows: Mapped[list[ItemAllergen]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ItemAllergen.allergen_code"
    )

    __table_args__ = (CheckConstraint("unit_weight_kg >= 0", name="unit_weight_not_negative"),)

    @property
    def allergen_codes(self) -> list[str]:
        return [row.allergen_code for row in self.allergen_rows]

    @property
    def allergen_set(self) -> frozenset[str] | None:
        """What allocation must check against a household's needs: allergen codes, plus the tag
        NEEDS_COOKING for items that need cooking. None: the label is unreadable, so anyone avoiding
        an allergen must not get it."""
        return allergen_profile(self.allergens_known, self.ready_to_eat, self.allergen_codes)


class ItemAllergen(Base):
    __tablename__ = "item_allergen"

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    allergen_code: Mapped[str] = mapped_column(ForeignKey("allergen.code"), primary_key=True)
