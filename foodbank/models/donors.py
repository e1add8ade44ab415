"""Donors: who gave the stock. Individuals may stay anonymous."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, String, text
from sqlalchemy.orm import Mapped, mapped_column

from foodbank.models.base import Base, BigId, CreatedAt, text_enum


class DonorKind(StrEnum):
    individual = "individual"  # 個人
    company = "company"  # 企業
    farm = "farm"  # 農家
    retailer = "retailer"  # 小売店
    food_drive = "food_drive"  # フードドライブ
    government_stockpile = "government_stockpile"  # 行政の備蓄品
    other_food_bank = "other_food_bank"  # 他フードバンク (reported apart)


class Donor(Base):
    __tablename__ = "donor"

    id: Mapped[BigId]
    kind: Mapped[DonorKind] = mapped_column(text_enum(DonorKind, "donor_kind"))
    name: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(500))
    is_anonymous: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        CheckConstraint("is_anonymous OR name IS NOT NULL", name="named_unless_anonymous"),
        CheckConstraint("NOT is_anonymous OR kind = 'individual'", name="only_individuals_anonymous"),
    )
