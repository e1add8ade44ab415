"""marshmallow schemas of the temperature records: what comes in (each loads a typed command) and goes out."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from foodbank.lib.messages import Message
from foodbank.lib.validation import AN_ID, RECORDED_DAY
from foodbank.models import ReadingSource, Zone
from foodbank.temperatures.commands import LimitChange, NewReading, Review

CELSIUS_RANGE = (Decimal("-60"), Decimal("60"))
"""What a food bank's thermometer shows: anything beyond is a typo."""


def one_decimal(value: Decimal) -> None:
    if not CELSIUS_RANGE[0] <= value <= CELSIUS_RANGE[1]:
        raise ValidationError(Message("Give a temperature from -60 to 60 °C."))
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError(Message("Give the temperature with at most one decimal."))


def celsius(description: str, **options: Any) -> fields.Decimal:
    return fields.Decimal(validate=one_decimal, metadata={"description": description}, **options)


class ReadingIn(Schema):
    """A reading typed from a minimum/maximum thermometer."""

    location_id = fields.Integer(required=True, strict=True, validate=AN_ID)
    min_celsius = celsius("The lowest temperature since the last reading (°C, one decimal).", required=True)
    max_celsius = celsius("The highest temperature since the last reading (°C, one decimal).", required=True)
    read_at = fields.AwareDateTime(
        metadata={"description": "When it was read (ISO 8601 with an offset); default now. Never ahead."}
    )
    note = fields.String(validate=validate.Length(max=500))

    @validates_schema
    def min_not_above_max(self, data: dict[str, Any], **_: Any) -> None:
        low, high = data.get("min_celsius"), data.get("max_celsius")
        if low is not None and high is not None and low > high:
            raise ValidationError(Message("The minimum is above the maximum."), field_name="min_celsius")
        read_at = data.get("read_at")
        if read_at is not None:
            RECORDED_DAY(read_at)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> NewReading:
        return NewReading(**data)


class TemperatureReviewIn(Schema):
    decision = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "What was decided (checked the lots, moved them, disposed of some...)."},
    )

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> Review:
        return Review(**data)


class LimitIn(Schema):
    max_celsius = celsius("The highest temperature allowed (°C, one decimal).", required=True)
    daily_reading_required = fields.Boolean(required=True)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> LimitChange:
        return LimitChange(**data)


class LimitOut(Schema):
    zone = fields.Enum(Zone, by_value=True)
    max_celsius = fields.Decimal(as_string=True)
    daily_reading_required = fields.Boolean()
    updated_by_id = fields.Integer(allow_none=True)
    updated_at = fields.AwareDateTime()


class ReadingOut(Schema):
    id = fields.Integer()
    location_id = fields.Integer()
    location_code = fields.Function(lambda r: r.location.code)
    zone = fields.Function(lambda r: r.location.zone.value)
    min_celsius = fields.Decimal(as_string=True)
    max_celsius = fields.Decimal(as_string=True)
    read_at = fields.AwareDateTime()
    read_on = fields.Date(metadata={"description": "The day in Japan the reading counts for."})
    source = fields.Enum(ReadingSource, by_value=True)
    note = fields.String(allow_none=True)
    recorded_by_id = fields.Integer(allow_none=True)
    limit_max_celsius = fields.Decimal(as_string=True, metadata={"description": "The limit it was judged by."})
    out_of_range = fields.Boolean()
    reviewed_at = fields.AwareDateTime(allow_none=True)
    reviewed_by_id = fields.Integer(allow_none=True)
    review_decision = fields.String(allow_none=True)


class ReadingFilter(Schema):
    location_id = fields.Integer(strict=True, validate=AN_ID)
    since = fields.Date(
        validate=RECORDED_DAY, metadata={"description": "From this day in Japan (default: 7 days ago)."}
    )
    until = fields.Date(validate=RECORDED_DAY, metadata={"description": "Up to this day in Japan (default: today)."})


class TemperaturePeriod(Schema):
    since = fields.Date(required=True, validate=RECORDED_DAY)
    until = fields.Date(required=True, validate=RECORDED_DAY)

    @validates_schema
    def ordered(self, data: dict[str, Any], **_: Any) -> None:
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None:
            if since > until:
                raise ValidationError(Message("The first day is after the last."), field_name="since")
            if until - since > timedelta(days=366):
                raise ValidationError(Message("Ask for at most a year at once."), field_name="since")


class TemperatureHoldOut(Schema):
    reading_id = fields.Integer()
    lot_ids = fields.List(fields.Integer())


class MissingDayOut(Schema):
    location_id = fields.Integer()
    location_code = fields.String()
    zone = fields.Enum(Zone, by_value=True)
    day = fields.Date()


class AlertsOut(Schema):
    out_of_range = fields.List(
        fields.Nested(ReadingOut), metadata={"description": "Out-of-range readings without a review, newest first."}
    )
    missing = fields.List(
        fields.Nested(MissingDayOut),
        metadata={"description": "Days (today and the 7 before) a location whose zone needs a daily reading has none."},
    )


class TemperatureImportOut(Schema):
    imported = fields.Integer()
    out_of_range = fields.Integer()
    readings = fields.List(fields.Nested(ReadingOut))
