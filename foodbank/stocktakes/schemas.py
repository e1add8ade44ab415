"""What the stocktake API accepts and returns. Counting is blind: nothing a counter reads (the count,
its lines, the lots a scan finds) carries an expected figure; only the review does."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from foodbank.lib.messages import N_
from foodbank.lib.validation import AN_ID
from foodbank.models import StocktakeReason, StocktakeStatus, Zone
from foodbank.stock.dates import format_label_date
from foodbank.stocktakes.services import CountLine, OpenStocktake, ReasonLine

COUNTED = validate.Range(min=0, max=1_000_000, error=N_("Must be a whole number from 0 to 1,000,000."))


class StocktakeIn(Schema):
    warehouse_id = fields.Integer(required=True, strict=True, validate=AN_ID)
    zone = fields.Enum(Zone, by_value=True, load_default=None, metadata={"description": "Only this zone."})
    location_ids = fields.List(
        fields.Integer(strict=True, validate=AN_ID),
        load_default=list,
        validate=validate.Length(max=500),
        metadata={"description": "Only these locations (default: every active location of the warehouse or zone)."},
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> OpenStocktake:
        return OpenStocktake(**{**data, "location_ids": tuple(sorted(set(data["location_ids"])))})


class CountLineIn(Schema):
    lot_id = fields.Integer(required=True, strict=True, validate=AN_ID)
    location_id = fields.Integer(required=True, strict=True, validate=AN_ID, metadata={"description": "Where."})
    counted = fields.Integer(required=True, strict=True, validate=COUNTED, metadata={"description": "0: none."})

    @post_load
    def line(self, data: dict[str, Any], **_: Any) -> CountLine:
        return CountLine(**data)


class CountsIn(Schema):
    lines = fields.List(fields.Nested(CountLineIn), required=True, validate=validate.Length(min=1, max=500))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> tuple[CountLine, ...]:
        return tuple(data["lines"])


class ReasonLineIn(Schema):
    lot_id = fields.Integer(required=True, strict=True, validate=AN_ID)
    reason = fields.Enum(
        StocktakeReason, by_value=True, load_default=None, allow_none=True, metadata={"description": "None clears it."}
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))

    @post_load
    def line(self, data: dict[str, Any], **_: Any) -> ReasonLine:
        return ReasonLine(**data)


class ReasonsIn(Schema):
    lines = fields.List(fields.Nested(ReasonLineIn), required=True, validate=validate.Length(min=1, max=2000))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> tuple[ReasonLine, ...]:
        return tuple(data["lines"])


class StocktakeFilter(Schema):
    status = fields.Enum(StocktakeStatus, by_value=True)


class LookupQuery(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "A lot label (123, L-123, or its lot code) or an item barcode."},
    )


class StocktakeLocationOut(Schema):
    id = fields.Integer(attribute="location_id")
    code = fields.String(attribute="location.code")
    zone = fields.Enum(Zone, by_value=True, attribute="location.zone")


class StocktakeOut(Schema):
    id = fields.Integer()
    warehouse_id = fields.Integer()
    warehouse_name = fields.String(attribute="warehouse.name")
    zone = fields.Enum(Zone, by_value=True, allow_none=True)
    status = fields.Enum(StocktakeStatus, by_value=True)
    note = fields.String(allow_none=True)
    opened_by_id = fields.Integer(allow_none=True)
    opened_at = fields.DateTime()
    closed_by_id = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    locations = fields.List(fields.Nested(StocktakeLocationOut))


class CountOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    location_id = fields.Integer()
    location_code = fields.String(attribute="location.code")
    counted = fields.Integer()
    counted_by_id = fields.Integer(allow_none=True)
    counted_at = fields.DateTime()


class CountLotOut(Schema):
    """A lot as a counter sees it: what it is and where, never how many."""

    id = fields.Integer()
    item_id = fields.Integer()
    item_name = fields.String(attribute="item.name_ja")
    barcode = fields.String(attribute="item.barcode", allow_none=True)
    location_id = fields.Integer()
    location_code = fields.String(attribute="location.code")
    expiry = fields.Function(lambda lot: format_label_date(lot.expiry_date, lot.date_precision), allow_none=True)
    crop_year = fields.Integer(allow_none=True)
    lot_code = fields.String(allow_none=True)


class ReviewLineOut(Schema):
    lot_id = fields.Integer(attribute="lot.id")
    item_id = fields.Integer(attribute="lot.item_id")
    item_name = fields.String(attribute="lot.item.name_ja")
    location_code = fields.String(attribute="lot.location.code")
    in_snapshot = fields.Boolean(metadata={"description": "False: the lot had no units here when the count opened."})
    snapshot = fields.Integer(metadata={"description": "Units on hand when the count opened."})
    movements = fields.Integer(
        metadata={"description": "Net units moved after the snapshot and before the lot was counted."}
    )
    expected = fields.Integer(metadata={"description": "snapshot + movements."})
    counted = fields.Integer(allow_none=True, metadata={"description": "None: not counted (left as it is)."})
    difference = fields.Integer(allow_none=True, metadata={"description": "counted - expected."})
    expected_kg = fields.Decimal(as_string=True, allow_none=True)
    counted_kg = fields.Decimal(as_string=True, allow_none=True)
    difference_kg = fields.Decimal(as_string=True, allow_none=True)
    locations = fields.Integer(metadata={"description": "Locations it was counted at."})
    counted_at = fields.DateTime(allow_none=True)
    reason = fields.Enum(StocktakeReason, by_value=True, allow_none=True)
    note = fields.String(allow_none=True)
    needs_approval = fields.Boolean(metadata={"description": "Beyond the tolerances: a coordinator approves."})
    adjustment_id = fields.Integer(allow_none=True, metadata={"description": "The adjustment the approval booked."})


class ReviewOut(Schema):
    stocktake = fields.Nested(StocktakeOut)
    lines = fields.List(fields.Nested(ReviewLineOut))


class ApprovalOut(Schema):
    stocktake = fields.Nested(StocktakeOut)
    adjusted = fields.Integer(metadata={"description": "Lots whose difference was booked."})
    units_delta = fields.Integer()
    kg_delta = fields.Decimal(as_string=True)
