"""Households (pseudonymous), their identity kept apart, partner programmes, referrals and distributions.

Warehouse volunteers work with `Household.code`; `HouseholdIdentity` (name, phone, address) lives in
its own table, read only by coordinators, admins and consultants of a referring agency, and every read
is audited.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foodbank.models.base import Base, BigId, CreatedAt, text_enum
from foodbank.models.catalogue import NEEDS_COOKING


class Municipality(StrEnum):
    """The Sanbu district (山武郡市), and elsewhere."""

    togane = "togane"  # 東金市
    sammu = "sammu"  # 山武市
    oamishirasato = "oamishirasato"  # 大網白里市
    kujukuri = "kujukuri"  # 九十九里町
    shibayama = "shibayama"  # 芝山町
    yokoshibahikari = "yokoshibahikari"  # 横芝光町
    other = "other"


class HandOutChannel(StrEnum):
    delivery = "delivery"  # 個別支援: delivered to the household
    pickup = "pickup"  # 個別支援: collected by the household
    pantry = "pantry"  # フードパントリー
    partner = "partner"  # partner programme (cafeteria, drop-in site)


class WhoConsulted(StrEnum):
    """相談者: who came to the consultation (the published figures count these)."""

    self = "self"  # 本人
    family = "family"  # 家族
    agency = "agency"  # 関係機関
    other = "other"  # その他


class ReferralRequest(StrEnum):
    food = "food"
    appliance = "appliance"
    both = "both"


class Urgency(StrEnum):
    normal = "normal"
    urgent = "urgent"
    emergency = "emergency"


class ReferralStatus(StrEnum):
    submitted = "submitted"
    accepted = "accepted"
    fulfilled = "fulfilled"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"


class ConsentThrough(StrEnum):
    """Who recorded a referral and the household's consent on it. Consent is recorded by whoever holds
    the relationship: the referring agency (its consultant), or the food bank itself (a coordinator or
    admin). The food bank's consent opens the household's identity to the food bank's staff, never to
    the consultants of an agency it named as the referrer."""

    agency = "agency"
    food_bank = "food_bank"


class ConsentMethod(StrEnum):
    written = "written"
    verbal = "verbal"
    electronic = "electronic"


class PartnerKind(StrEnum):
    cafeteria = "cafeteria"  # ちいき食堂 / こども食堂
    drop_in = "drop_in"  # ホッとステーション
    other = "other"


class Household(Base):
    __tablename__ = "household"

    id: Mapped[BigId]
    code: Mapped[str] = mapped_column(String(20), unique=True)
    municipality: Mapped[Municipality] = mapped_column(text_enum(Municipality, "municipality"))
    infants: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    children: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    adults: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    seniors: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    allergens: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default="{}")
    no_pork: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    halal: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    vegetarian: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    ready_to_eat_only: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    """No cooking facilities: only food that needs no cooking."""
    notes: Mapped[str | None] = mapped_column(String(2000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[CreatedAt]
    last_activity_on: Mapped[date | None] = mapped_column(Date)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    identity: Mapped[HouseholdIdentity | None] = relationship(lazy="raise", uselist=False)
    """Never loaded with the household: identity is read on its own, audited (households.services)."""

    __table_args__ = (
        CheckConstraint("infants >= 0 AND children >= 0 AND adults >= 0 AND seniors >= 0", name="members_not_negative"),
        CheckConstraint("infants + children + adults + seniors >= 1", name="at_least_one_member"),
    )

    @property
    def size(self) -> int:
        return self.infants + self.children + self.adults + self.seniors

    def avoided_allergens(self) -> frozenset[str]:
        """Allergen codes (and the needs-cooking tag) never to be allocated to this household."""
        avoid = set(self.allergens)
        if self.ready_to_eat_only:
            avoid.add(NEEDS_COOKING)
        if self.no_pork or self.halal:
            avoid.add("pork")
        if self.halal:
            avoid.add("gelatin")  # usually porcine in Japan; halal households avoid it
        if self.vegetarian:
            avoid.update(
                {
                    "beef",
                    "pork",
                    "chicken",
                    "gelatin",
                    "mackerel",
                    "salmon",
                    "shrimp",
                    "crab",
                    "squid",
                    "abalone",
                    "salmon_roe",
                }
            )
        return frozenset(avoid)


class HouseholdIdentity(Base):
    """Who the household is. Kept apart from the pseudonymous household; never logged."""

    __tablename__ = "household_identity"

    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_kana: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[CreatedAt]


class PartnerProgramme(Base):
    """A programme that receives stock in bulk: a community cafeteria, a drop-in site."""

    __tablename__ = "partner_programme"

    id: Mapped[BigId]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[PartnerKind] = mapped_column(text_enum(PartnerKind, "partner_kind"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    created_at: Mapped[CreatedAt]


class Referral(Base):
    __tablename__ = "referral"

    id: Mapped[BigId]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    referred_on: Mapped[date] = mapped_column(Date)
    who_consulted: Mapped[WhoConsulted] = mapped_column(text_enum(WhoConsulted, "who_consulted"))
    reasons: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    request: Mapped[ReferralRequest] = mapped_column(text_enum(ReferralRequest, "referral_request"))
    appliance_category: Mapped[str | None] = mapped_column(String(32))
    urgency: Mapped[Urgency] = mapped_column(text_enum(Urgency, "urgency"), server_default="normal")
    consent_given: Mapped[bool] = mapped_column(Boolean)
    consent_by: Mapped[WhoConsulted | None] = mapped_column(text_enum(WhoConsulted, "consent_by"))
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_method: Mapped[ConsentMethod | None] = mapped_column(text_enum(ConsentMethod, "consent_method"))
    consent_scope: Mapped[str | None] = mapped_column(String(500))
    """What the household agreed to share, and with whom (APPI: purpose of the third-party provision)."""
    consent_through: Mapped[ConsentThrough] = mapped_column(text_enum(ConsentThrough, "consent_through"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    handouts_allowed: Mapped[int] = mapped_column(SmallInteger)
    handouts_used: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    status: Mapped[ReferralStatus] = mapped_column(
        text_enum(ReferralStatus, "referral_status"), server_default="submitted"
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(String(1000))
    note: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[CreatedAt]

    household: Mapped[Household] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        CheckConstraint("valid_until >= valid_from", name="valid_period"),
        CheckConstraint("handouts_allowed >= 1", name="handouts_allowed_positive"),
        CheckConstraint("handouts_used BETWEEN 0 AND handouts_allowed", name="handouts_used_range"),
        CheckConstraint(
            "NOT consent_given OR (consent_by IS NOT NULL AND consent_on IS NOT NULL AND consent_method IS NOT NULL "
            "AND consent_scope IS NOT NULL)",
            name="consent_recorded",
        ),
    )


class Distribution(Base):
    """A hand-over of stock to a household, or in bulk to a partner programme. Never edited: a mistake
    is corrected by a return."""

    __tablename__ = "distribution"

    id: Mapped[BigId]
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    partner_programme_id: Mapped[int | None] = mapped_column(ForeignKey("partner_programme.id"))
    channel: Mapped[HandOutChannel] = mapped_column(text_enum(HandOutChannel, "hand_out_channel"))
    distributed_on: Mapped[date] = mapped_column(Date)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"), index=True)
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservation.id"))
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    people: Mapped[int | None] = mapped_column(SmallInteger)
    """People served (household size, or meals/participants for a partner programme)."""
    frequency_override: Mapped[str | None] = mapped_column(String(500))
    pantry_event_id: Mapped[int | None] = mapped_column(ForeignKey("pantry_event.id"), index=True)
    """The pantry day it was handed out at (a registered household checked in, or a walk-in)."""
    walk_in: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    """An anonymous walk-in at a pantry day: no household, counted in `people`."""
    units: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    """Units handed out and not returned: the sum of the lines' quantity - returned, kept by the hand-out
    service (`distributions.services`) when it writes the lines and when goods come back, so that the
    annual summary reads it instead of grouping the lines. `foodbank stock verify` checks it."""
    kg: Mapped[Decimal] = mapped_column(Numeric(14, 3), server_default=text("0"))
    """The same in kg (units x the items' unit weights)."""
    created_at: Mapped[CreatedAt]

    lines: Mapped[list[DistributionLine]] = relationship(lazy="selectin", order_by="DistributionLine.id")

    __table_args__ = (
        CheckConstraint(
            "CASE WHEN walk_in THEN household_id IS NULL AND partner_programme_id IS NULL"
            " ELSE (household_id IS NULL) <> (partner_programme_id IS NULL) END",
            name="one_recipient",
        ),
        CheckConstraint(
            "NOT walk_in OR (pantry_event_id IS NOT NULL AND people IS NOT NULL AND referral_id IS NULL)",
            name="walk_in_at_pantry_event",
        ),
        CheckConstraint("pantry_event_id IS NULL OR channel = 'pantry'", name="pantry_event_channel"),
        CheckConstraint("(channel = 'partner') = (partner_programme_id IS NOT NULL)", name="partner_channel"),
        Index("ix_distribution_distributed_on", "distributed_on"),
        UniqueConstraint("reservation_id"),
    )


class DistributionLine(Base):
    __tablename__ = "distribution_line"

    id: Mapped[BigId]
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distribution.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    returned: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("returned BETWEEN 0 AND quantity", name="returned_range"),
    )
