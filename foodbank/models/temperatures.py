"""Temperature records (温度記録): the limit of each zone, and the readings of each location's
minimum/maximum thermometer or data logger, each judged against the limit of its day."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Numeric, String, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from foodbank.models.base import Base, BigId, CreatedAt, text_enum
from foodbank.models.catalogue import Zone
from foodbank.models.storage import Location

Celsius = Numeric(4, 1)
"""-999.9 to 999.9 °C, one decimal, as thermometers show it."""


class ReadingSource(StrEnum):
    typed = "typed"  # typed on a phone from the thermometer
    logger = "logger"  # imported as CSV from a data logger


class TemperatureLimit(Base):
    """The highest temperature a zone may reach (the MAFF food-bank guide: ambient 25 °C, chilled 10 °C,
    frozen -15 °C), and whether each location of the zone needs a reading every day."""

    __tablename__ = "temperature_limit"

    zone: Mapped[Zone] = mapped_column(text_enum(Zone, "zone"), primary_key=True)
    max_celsius: Mapped[Decimal] = mapped_column(Celsius)
    daily_reading_required: Mapped[bool] = mapped_column(Boolean)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TemperatureReading(Base):
    """One reading of one location. It keeps the limit it was judged against, so history does not change
    when a limit does; an out-of-range reading is reviewed once (who, when, what was decided)."""

    __tablename__ = "temperature_reading"

    id: Mapped[BigId]
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    min_celsius: Mapped[Decimal] = mapped_column(Celsius)
    max_celsius: Mapped[Decimal] = mapped_column(Celsius)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_on: Mapped[date] = mapped_column(Date)
    """The day in Japan of `read_at`: the day the daily rule counts it for."""
    source: Mapped[ReadingSource] = mapped_column(text_enum(ReadingSource, "reading_source"))
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    limit_max_celsius: Mapped[Decimal] = mapped_column(Celsius)
    out_of_range: Mapped[bool] = mapped_column(Boolean)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_decision: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[CreatedAt]

    location: Mapped[Location] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        CheckConstraint("min_celsius <= max_celsius", name="min_not_above_max"),
        CheckConstraint("out_of_range = (max_celsius > limit_max_celsius)", name="judged_by_its_limit"),
        CheckConstraint("(reviewed_at IS NULL) = (review_decision IS NULL)", name="review_has_decision"),
        CheckConstraint("reviewed_at IS NULL OR out_of_range", name="only_out_of_range_reviewed"),
        Index("ix_temperature_reading_location_id_read_at", "location_id", "read_at"),
        Index("ix_temperature_reading_read_on", "read_on"),
        Index("ix_temperature_reading_unreviewed", "id", postgresql_where=text("out_of_range AND reviewed_at IS NULL")),
    )
