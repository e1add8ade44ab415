"""What the distributions API accepts and returns. Households appear by code, never by identity."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from foodbank.distributions.services import HandOut, HandOutLine, ReturnLine
from foodbank.lib.clock import today
from foodbank.lib.messages import Message
from foodbank.lib.validation import PLANNED_DAY
from foodbank.models import DisposalReason, DonorKind, HandOutChannel, PartnerKind, Zone
from foodbank.picking.fefo import LotStatus
from foodbank.stock.dates import format_label_date
from foodbank.stock.schemas import QUANTITY, LabelDateField


class HandOutLineIn(Schema):
    lot_id = fields.Integer(required=True, strict=True)
    quantity = fields.Integer(required=True, strict=True, validate=QUANTITY)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> HandOutLine:
        return HandOutLine(**data)


class DistributionIn(Schema):
    """A hand-out: to a household or a partner programme; goods from a reservation or named lots."""

    household_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    partner_programme_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    channel = fields.Enum(HandOutChannel, by_value=True, required=True)
    distributed_on = fields.Date(
        load_default=today, validate=PLANNED_DAY, metadata={"description": "Defaults to today (Japan time)."}
    )
    referral_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    reservation_id = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        metadata={"description": "Hand out a reservation: an open one in full, a picked one as picked."},
    )
    lines = fields.List(
        fields.Nested(HandOutLineIn),
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Or name the lots and quantities directly."},
    )
    people = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "People served; default the household's size. Required for partner programmes."},
    )
    frequency_override = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Why the household is served again so soon (coordinators and admins only)."},
    )

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> HandOut:
        return HandOut(**{**data, "lines": tuple(data.get("lines") or ())})


class GoodsReturnLineIn(Schema):
    line_id = fields.Integer(required=True, strict=True)
    quantity = fields.Integer(required=True, strict=True, validate=QUANTITY)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> ReturnLine:
        return ReturnLine(**data)


class GoodsReturnIn(Schema):
    lines = fields.List(fields.Nested(GoodsReturnLineIn), required=True, validate=validate.Length(min=1, max=200))


class DistributionFilter(Schema):
    household_id = fields.Integer()
    household_code = fields.String(validate=validate.Length(min=1, max=20))
    partner_programme_id = fields.Integer()
    on = fields.Date(metadata={"description": "Hand-outs of this day."})
    since = fields.Date()
    until = fields.Date()
    channel = fields.Enum(HandOutChannel, by_value=True)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class DistributionLineOut(Schema):
    line_id = fields.Integer()
    lot_id = fields.Integer()
    item_id = fields.Integer()
    item_name = fields.String()
    expiry = fields.String(allow_none=True, metadata={"description": "As printed: YYYY-MM-DD or YYYY-MM."})
    crop_year = fields.Integer(allow_none=True)
    lot_code = fields.String(allow_none=True)
    quantity = fields.Integer()
    returned = fields.Integer()


class DistributionOut(Schema):
    id = fields.Integer()
    household_id = fields.Integer(allow_none=True)
    household_code = fields.String(allow_none=True)
    partner_programme_id = fields.Integer(allow_none=True)
    partner_programme = fields.String(allow_none=True)
    channel = fields.Enum(HandOutChannel, by_value=True)
    distributed_on = fields.Date()
    referral_id = fields.Integer(allow_none=True)
    reservation_id = fields.Integer(allow_none=True)
    handed_over_by_id = fields.Integer(allow_none=True)
    people = fields.Integer(allow_none=True)
    frequency_overridden = fields.Boolean()
    frequency_override = fields.String(
        allow_none=True, metadata={"description": "The override's reason; shown to coordinators and admins only."}
    )
    created_at = fields.AwareDateTime()
    units = fields.Integer(metadata={"description": "Units handed out and not returned."})
    lines = fields.List(fields.Nested(DistributionLineOut))


class TraceFilter(Schema):
    """Which product: an item (narrowed by best-before/use-by date or lot code), or one lot."""

    item_id = fields.Integer()
    lot_id = fields.Integer()
    expiry = LabelDateField(metadata={"description": "YYYY-MM-DD, or YYYY-MM for every date in that month."})
    lot_code = fields.String(validate=validate.Length(min=1, max=64))

    @validates_schema
    def one_product(self, data: dict[str, Any], **_: Any) -> None:
        if "item_id" not in data and "lot_id" not in data:
            raise ValidationError(
                Message("Give item_id (with expiry or lot_code to narrow it) or lot_id."), field_name="item_id"
            )
        if "item_id" not in data and ("expiry" in data or "lot_code" in data):
            raise ValidationError(Message("expiry and lot_code narrow an item_id."), field_name="item_id")


class TraceLotOut(Schema):
    id = fields.Integer()
    parent_lot_id = fields.Integer(allow_none=True, metadata={"description": "Set when split off by a transfer."})
    item_id = fields.Integer()
    item_name = fields.String(attribute="item.name_ja")
    zone = fields.Enum(Zone, by_value=True, attribute="item.zone")
    receipt_id = fields.Integer()
    location_code = fields.String(attribute="location.code")
    expiry = fields.Function(lambda lot: format_label_date(lot.expiry_date, lot.date_precision), allow_none=True)
    crop_year = fields.Integer(allow_none=True)
    lot_code = fields.String(allow_none=True)
    received_date = fields.Date()
    quantity_received = fields.Integer()
    on_hand = fields.Integer()
    reserved = fields.Integer()
    status = fields.Enum(LotStatus, by_value=True)


class TraceLineOut(Schema):
    distribution_id = fields.Integer()
    line_id = fields.Integer()
    lot_id = fields.Integer()
    item_id = fields.Integer()
    item_name = fields.String()
    distributed_on = fields.Date()
    channel = fields.Enum(HandOutChannel, by_value=True)
    household_code = fields.String(allow_none=True)
    partner_programme = fields.String(allow_none=True)
    quantity = fields.Integer()
    returned = fields.Integer()


class TraceOut(Schema):
    lots = fields.List(fields.Nested(TraceLotOut), metadata={"description": "What is left, and its status."})
    lines = fields.List(fields.Nested(TraceLineOut), metadata={"description": "Every hand-out from these lots."})
    household_codes = fields.List(
        fields.String(), metadata={"description": "Households still holding units (returned lines excluded)."}
    )
    partner_programmes = fields.List(fields.String())


class ChannelImpactOut(Schema):
    channel = fields.Enum(HandOutChannel, by_value=True)
    units = fields.Integer()
    kg = fields.Decimal(as_string=True)
    distributions = fields.Integer(metadata={"description": "Hand-outs (延べ) that carried these units."})


class PartnerImpactOut(Schema):
    name = fields.String()
    units = fields.Integer()


class DisposalImpactOut(Schema):
    reason = fields.Enum(DisposalReason, by_value=True)
    units = fields.Integer()
    kg = fields.Decimal(as_string=True)


class DonorImpactOut(Schema):
    """Where a donor's donations went, without personal data (households are only counted)."""

    donor_id = fields.Integer()
    donor_kind = fields.Enum(DonorKind, by_value=True)
    received_units = fields.Integer()
    received_kg = fields.Decimal(as_string=True)
    handed_out = fields.List(fields.Nested(ChannelImpactOut))
    handed_out_units = fields.Integer()
    handed_out_kg = fields.Decimal(
        as_string=True, metadata={"description": "Food that reached people (食品ロス削減量)."}
    )
    households_reached = fields.Integer(metadata={"description": "Distinct households (実)."})
    partner_programmes = fields.List(fields.Nested(PartnerImpactOut))
    disposed = fields.List(fields.Nested(DisposalImpactOut))
    in_stock_units = fields.Integer()
    in_stock_kg = fields.Decimal(as_string=True)


class PartnerProgrammeIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Enum(PartnerKind, by_value=True, required=True)
    agency_id = fields.Integer(load_default=None, allow_none=True, strict=True)


class PartnerProgrammeOut(PartnerProgrammeIn):
    id = fields.Integer()
