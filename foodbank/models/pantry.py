"""Pantry days: venues, parcel templates, events with their time slots, and registrations.

What a pantry day hands out is recorded as distributions (channel `pantry`, `Distribution.pantry_event_id`);
the stock set aside for it is reservations (purpose `pantry_event`): one per registration, and one for
the walk-in buffer (`PantryEvent.walk_in_reservation_id`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foodbank.models.base import Base, BigId, CreatedAt, text_enum
from foodbank.models.households import Municipality
from foodbank.picking import parcels


class PantryEventStatus(StrEnum):
    """planned -> open (registrations) -> allocated (stock reserved) -> in_progress (the day) -> closed;
    cancelled from planned, open or allocated."""

    planned = "planned"
    open = "open"
    allocated = "allocated"
    in_progress = "in_progress"
    closed = "closed"
    cancelled = "cancelled"


class RegistrationStatus(StrEnum):
    booked = "booked"
    checked_in = "checked_in"
    no_show = "no_show"
    cancelled = "cancelled"


class PantryVenue(Base):
    """Where pantry days are held (a community centre, a church hall); reused from one event to the next."""

    __tablename__ = "pantry_venue"

    id: Mapped[BigId]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(String(500))
    municipality: Mapped[Municipality] = mapped_column(text_enum(Municipality, "municipality"))
    created_at: Mapped[CreatedAt]


class ParcelTemplate(Base):
    """What one household receives, by household size (a band of people), reusable across events."""

    __tablename__ = "parcel_template"

    id: Mapped[BigId]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    min_people: Mapped[int] = mapped_column(SmallInteger)
    max_people: Mapped[int] = mapped_column(SmallInteger)
    ready_to_eat_only: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    """For households without cooking facilities; they get the ordinary template of their size if none fits."""
    note: Mapped[str | None] = mapped_column(String(1000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[CreatedAt]
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when retired: no longer offered for new pantry days (never deleted: days and registrations use it)."""

    lines: Mapped[list[ParcelTemplateLine]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ParcelTemplateLine.id"
    )

    __table_args__ = (CheckConstraint("min_people >= 1 AND max_people >= min_people", name="people_band"),)

    def demand(self, avoid: frozenset[str] = frozenset()) -> parcels.ParcelDemand:
        """What one parcel of this template asks for: item units and "any item of this category" units."""
        items: dict[int, int] = defaultdict(int)
        categories: dict[int, int] = defaultdict(int)
        for line in self.lines:
            if line.item_id is not None:
                items[line.item_id] += line.quantity
            elif line.category_id is not None:
                categories[line.category_id] += line.quantity
        return parcels.ParcelDemand(dict(items), dict(categories), avoid)


class ParcelTemplateLine(Base):
    """An item, or a category (any item of it, chosen FEFO), and how many units."""

    __tablename__ = "parcel_template_line"

    id: Mapped[BigId]
    template_id: Mapped[int] = mapped_column(ForeignKey("parcel_template.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("(item_id IS NULL) <> (category_id IS NULL)", name="item_or_category"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class PantryEvent(Base):
    __tablename__ = "pantry_event"

    id: Mapped[BigId]
    venue_id: Mapped[int] = mapped_column(ForeignKey("pantry_venue.id"), index=True)
    event_date: Mapped[date] = mapped_column(Date)
    status: Mapped[PantryEventStatus] = mapped_column(
        text_enum(PantryEventStatus, "pantry_event_status"), server_default="planned"
    )
    expected_walk_in_people: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    walk_in_household_size: Mapped[int] = mapped_column(SmallInteger, server_default=text("3"))
    """The typical walk-in household: expected walk-in people become parcels of this size (rounded up)."""
    walk_in_parcels: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    """Set by the allocation: how many walk-in parcels the buffer holds."""
    walk_in_template_id: Mapped[int | None] = mapped_column(ForeignKey("parcel_template.id"))
    walk_in_reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservation.id"))
    note: Mapped[str | None] = mapped_column(String(2000))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[CreatedAt]
    allocated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    venue: Mapped[PantryVenue] = relationship(lazy="joined", innerjoin=True)
    slots: Mapped[list[PantrySlot]] = relationship(lazy="selectin", order_by="[PantrySlot.start_time, PantrySlot.id]")
    template_links: Mapped[list[PantryEventTemplate]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PantryEventTemplate.template_id"
    )

    __table_args__ = (
        CheckConstraint("expected_walk_in_people >= 0", name="walk_in_people_not_negative"),
        CheckConstraint("walk_in_household_size >= 1", name="walk_in_household_size_positive"),
        CheckConstraint("walk_in_parcels >= 0", name="walk_in_parcels_not_negative"),
        Index("ix_pantry_event_event_date", "event_date"),
    )

    @property
    def template_ids(self) -> list[int]:
        return [link.template_id for link in self.template_links]


class PantryEventTemplate(Base):
    """The parcel templates an event uses (their size bands must not overlap)."""

    __tablename__ = "pantry_event_template"

    event_id: Mapped[int] = mapped_column(ForeignKey("pantry_event.id", ondelete="CASCADE"), primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("parcel_template.id"), primary_key=True)


class PantrySlot(Base):
    """A time slot of an event; `booked` counts its active registrations, under the slot's row lock."""

    __tablename__ = "pantry_slot"

    id: Mapped[BigId]
    event_id: Mapped[int] = mapped_column(ForeignKey("pantry_event.id"), index=True)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    capacity: Mapped[int] = mapped_column(SmallInteger)
    """Households."""
    booked: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))

    __table_args__ = (
        CheckConstraint("end_time > start_time", name="time_order"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("booked BETWEEN 0 AND capacity", name="booked_within_capacity"),
        UniqueConstraint("event_id", "start_time"),
    )

    @property
    def places_left(self) -> int:
        return self.capacity - self.booked


class PantryRegistration(Base):
    """A household booked into a slot. At most one that is not cancelled per household and event."""

    __tablename__ = "pantry_registration"

    id: Mapped[BigId]
    event_id: Mapped[int] = mapped_column(ForeignKey("pantry_event.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("pantry_slot.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"))
    people: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[RegistrationStatus] = mapped_column(
        text_enum(RegistrationStatus, "registration_status"), server_default="booked"
    )
    template_id: Mapped[int | None] = mapped_column(ForeignKey("parcel_template.id"))
    """The template its parcel was allocated from."""
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservation.id"))
    """Its parcel: the stock reserved for it by the latest allocation."""
    distribution_id: Mapped[int | None] = mapped_column(ForeignKey("distribution.id"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[CreatedAt]
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (
        CheckConstraint("people >= 1", name="people_positive"),
        CheckConstraint("(status = 'checked_in') = (distribution_id IS NOT NULL)", name="checked_in_has_distribution"),
        Index(
            "uq_pantry_registration_event_id_household_id_active",
            "event_id",
            "household_id",
            unique=True,
            postgresql_where=text("status <> 'cancelled'"),
        ),
        UniqueConstraint("reservation_id"),
        UniqueConstraint("distribution_id"),
    )
