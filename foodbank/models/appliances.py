"""The appliance bank (家電バンク): donated second-hand appliances, one row per unit, from intake through
inspection to a household or to disposal.

- `ApplianceCategoryRow` is reference data, seeded by the migration: which categories fall under the
  home appliance recycling law (家電リサイクル法). A unit copies the flag (`recycling_law`, held to the
  category by a composite foreign key), and so does its disposal, whose CHECK then requires the
  recycling ticket number (家電リサイクル券) for those categories, whatever code writes the row.
- `ApplianceStatusChange` is the unit's append-only status history; `ApplianceInspection` keeps every
  check (the domain asks for three years; rows are never updated or deleted, by trigger).
- A unit has at most one current reservation (open or delivered), a referral covers at most one
  appliance, and delivery and disposal happen at most once: partial unique indexes and unique keys.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from foodbank.models.base import Base, BigId, CreatedAt, text_enum


class ApplianceCategory(StrEnum):
    refrigerator = "refrigerator"  # 冷蔵庫・冷凍庫 (家電リサイクル法)
    washing_machine = "washing_machine"  # 洗濯機・衣類乾燥機 (家電リサイクル法)
    microwave = "microwave"  # 電子レンジ
    rice_cooker = "rice_cooker"  # 炊飯器
    tv = "tv"  # テレビ (家電リサイクル法)
    air_conditioner = "air_conditioner"  # エアコン (家電リサイクル法)
    vacuum = "vacuum"  # 掃除機
    fan = "fan"  # 扇風機
    heater = "heater"  # 暖房器具
    other = "other"


class PseMark(StrEnum):
    """電気用品安全法: the PSE mark, the mark of the old law (電気用品取締法, before April 2001), or neither."""

    pse = "pse"
    old_law = "old_law"
    none = "none"


class ConditionGrade(StrEnum):
    a = "A"  # like new
    b = "B"  # signs of use
    c = "C"  # works, visibly worn


class ApplianceStatus(StrEnum):
    """received -> inspected -> available -> reserved -> delivered; a failed check sends it to
    to_dispose; disposed from received, inspected, available or to_dispose (`appliances/rules.py`)."""

    received = "received"
    inspected = "inspected"
    available = "available"
    reserved = "reserved"
    delivered = "delivered"
    to_dispose = "to_dispose"
    disposed = "disposed"


class InspectionCheck(StrEnum):
    visual = "visual"  # 外観
    power_on = "power_on"  # 通電
    insulation = "insulation"  # 絶縁抵抗
    cleaning = "cleaning"  # 清掃
    recall_check = "recall_check"  # リコール照合 (model against the recall lists)


class CheckResult(StrEnum):
    passed = "pass"
    failed = "fail"
    not_applicable = "not_applicable"


class ApplianceReservationStatus(StrEnum):
    open = "open"
    released = "released"
    delivered = "delivered"


class ApplianceDisposalReason(StrEnum):
    failed_inspection = "failed_inspection"
    damaged = "damaged"
    too_old = "too_old"
    no_pse_mark = "no_pse_mark"
    recalled = "recalled"
    unclaimed = "unclaimed"
    other = "other"


class ApplianceCategoryRow(Base):
    """One appliance category; `recycling_law` marks the four of 家電リサイクル法."""

    __tablename__ = "appliance_category"

    code: Mapped[ApplianceCategory] = mapped_column(
        text_enum(ApplianceCategory, "appliance_category"), primary_key=True
    )
    name_ja: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50))
    recycling_law: Mapped[bool] = mapped_column(Boolean)
    sort_order: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (UniqueConstraint("code", "recycling_law"),)


class ApplianceUnit(Base):
    __tablename__ = "appliance_unit"

    id: Mapped[BigId]
    code: Mapped[str] = mapped_column(String(20), unique=True)
    """AP-<year>-<4 digits>, numbered per registration year: what goes on the unit's tag."""
    category: Mapped[ApplianceCategory] = mapped_column(text_enum(ApplianceCategory, "appliance_category"))
    recycling_law: Mapped[bool] = mapped_column(Boolean)
    """Copied from the category (and held to it by the composite foreign key)."""
    maker: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(100))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    manufacture_year: Mapped[int] = mapped_column(SmallInteger)
    size: Mapped[str | None] = mapped_column(String(100))
    """Size or capacity as on the label: 170L, 6kg, 32型, 5.5合."""
    pse_mark: Mapped[PseMark] = mapped_column(text_enum(PseMark, "pse_mark"))
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donor.id"), index=True)
    received_date: Mapped[date] = mapped_column(Date)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    condition_grade: Mapped[ConditionGrade] = mapped_column(text_enum(ConditionGrade, "condition_grade"))
    notes: Mapped[str | None] = mapped_column(String(2000))
    flags: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default="{}")
    """Accepted against a policy that flags rather than refuses (`no_pse_mark`)."""
    status: Mapped[ApplianceStatus] = mapped_column(
        text_enum(ApplianceStatus, "appliance_status"), server_default="received"
    )
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        ForeignKeyConstraint(
            ["category", "recycling_law"], ["appliance_category.code", "appliance_category.recycling_law"]
        ),
        UniqueConstraint("id", "recycling_law"),
        CheckConstraint(
            "manufacture_year BETWEEN 1950 AND EXTRACT(YEAR FROM received_date)", name="manufacture_year_range"
        ),
        Index("ix_appliance_unit_status_category", "status", "category"),
    )


class ApplianceStatusChange(Base):
    """One step of a unit's workflow. Append-only, like the audit log (the database refuses changes)."""

    __tablename__ = "appliance_status_change"

    id: Mapped[BigId]
    unit_id: Mapped[int] = mapped_column(ForeignKey("appliance_unit.id"))
    from_status: Mapped[ApplianceStatus | None] = mapped_column(text_enum(ApplianceStatus, "from_status"))
    """None for the registration."""
    to_status: Mapped[ApplianceStatus] = mapped_column(text_enum(ApplianceStatus, "to_status"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    note: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_appliance_status_change_unit_id_id", "unit_id", "id"),)


class ApplianceInspection(Base):
    """One check of one unit, by one inspector on one day. A later check of the same kind supersedes an
    earlier one; none is ever changed or deleted (kept at least three years, as the domain asks)."""

    __tablename__ = "appliance_inspection"

    id: Mapped[BigId]
    unit_id: Mapped[int] = mapped_column(ForeignKey("appliance_unit.id"))
    kind: Mapped[InspectionCheck] = mapped_column(text_enum(InspectionCheck, "inspection_check"))
    result: Mapped[CheckResult] = mapped_column(text_enum(CheckResult, "check_result"))
    note: Mapped[str | None] = mapped_column(String(500))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    inspected_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[CreatedAt]

    __table_args__ = (Index("ix_appliance_inspection_unit_id_id", "unit_id", "id"),)


class ApplianceReservation(Base):
    """A unit set aside for a household, optionally through a referral that asks for an appliance."""

    __tablename__ = "appliance_reservation"

    id: Mapped[BigId]
    unit_id: Mapped[int] = mapped_column(ForeignKey("appliance_unit.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"))
    planned_delivery_date: Mapped[date] = mapped_column(Date)
    installation_needed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    status: Mapped[ApplianceReservationStatus] = mapped_column(
        text_enum(ApplianceReservationStatus, "appliance_reservation_status"), server_default="open"
    )
    reserved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reserved_at: Mapped[CreatedAt]
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # The last guard against two reservations of one unit, and two appliances through one referral.
        Index(
            "uq_appliance_reservation_current_unit",
            "unit_id",
            unique=True,
            postgresql_where=text("status IN ('open', 'delivered')"),
        ),
        Index(
            "uq_appliance_reservation_current_referral",
            "referral_id",
            unique=True,
            postgresql_where=text("status IN ('open', 'delivered') AND referral_id IS NOT NULL"),
        ),
        CheckConstraint("(status = 'released') = (released_at IS NOT NULL)", name="released_when_released"),
    )


class ApplianceDelivery(Base):
    """The hand-over of a reserved unit: who, when, and the hand-over receipt (受領書)."""

    __tablename__ = "appliance_delivery"

    id: Mapped[BigId]
    unit_id: Mapped[int] = mapped_column(ForeignKey("appliance_unit.id"), unique=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("appliance_reservation.id"), unique=True)
    delivered_on: Mapped[date] = mapped_column(Date, index=True)
    delivered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    receipt_number: Mapped[str | None] = mapped_column(String(40))
    receipt_signed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    installed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[CreatedAt]

    __table_args__ = (CheckConstraint("receipt_number IS NOT NULL OR receipt_signed", name="hand_over_receipt"),)


class ApplianceDisposal(Base):
    """A unit written off. For the recycling-law categories the recycling ticket number is required."""

    __tablename__ = "appliance_disposal"

    id: Mapped[BigId]
    unit_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    recycling_law: Mapped[bool] = mapped_column(Boolean)
    disposed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[ApplianceDisposalReason] = mapped_column(
        text_enum(ApplianceDisposalReason, "appliance_disposal_reason")
    )
    recycling_ticket_number: Mapped[str | None] = mapped_column(String(40))
    """家電リサイクル券 (お問合せ管理票番号)."""
    note: Mapped[str | None] = mapped_column(String(500))
    disposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[CreatedAt]

    __table_args__ = (
        ForeignKeyConstraint(["unit_id", "recycling_law"], ["appliance_unit.id", "appliance_unit.recycling_law"]),
        CheckConstraint(
            "NOT recycling_law OR recycling_ticket_number IS NOT NULL", name="recycling_ticket_for_recycling_law"
        ),
    )
