"""What the stock API accepts and returns."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from foodbank.catalogue.schemas import Barcode
from foodbank.lib.clock import today
from foodbank.lib.errors import WrittenMessages
from foodbank.lib.messages import N_, Message
from foodbank.lib.validation import LABEL_DAY, PLANNED_DAY, SINCE_2000
from foodbank.models import (
    Channel,
    DisposalReason,
    MovementKind,
    ReceiptKind,
    ReservationPurpose,
    Zone,
)
from foodbank.picking.fefo import LotStatus
from foodbank.stock.dates import LabelDate, LabelDateError, format_label_date, parse_label_date
from foodbank.stock.services import Disposal, HoldRequest, ReceiptLine, ReceiveCommand
from foodbank.stock.standing import standing

QUANTITY = validate.Range(min=1, max=1_000_000, error=N_("Must be a whole number from 1 to 1,000,000."))


class LabelDateField(fields.String):
    """A label date: YYYY-MM-DD, or YYYY-MM for labels that print only year and month."""

    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> LabelDate:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            label = parse_label_date(text)
        except LabelDateError as exc:
            raise ValidationError(exc.message) from None
        LABEL_DAY(label.value)  # a year-month label counts as its last day
        return label


class ReceiptLineIn(Schema):
    item_id = fields.Integer(strict=True, metadata={"description": "The item; or give its barcode."})
    barcode = Barcode(metadata={"description": "The item's JAN/EAN barcode, instead of item_id."})
    quantity = fields.Integer(required=True, strict=True, validate=QUANTITY)
    expiry = LabelDateField(
        load_default=None,
        allow_none=True,
        metadata={"description": "Best-before or use-by date: YYYY-MM-DD, or YYYY-MM if the label has no day."},
    )
    crop_year = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(1990, 2100))
    lot_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    location_id = fields.Integer(required=True, strict=True)
    date_confirmed = fields.Boolean(
        load_default=False,
        metadata={
            "description": "The date was checked: an unusual one (a use-by a month away, a best-before more "
            "than five years away, an old crop year) is then not listed in warnings."
        },
    )

    @validates_schema
    def item_or_barcode(self, data: dict[str, Any], **_: Any) -> None:
        if ("item_id" in data) == ("barcode" in data):
            raise ValidationError(Message("Give either item_id or barcode."), field_name="item_id")

    @post_load
    def line(self, data: dict[str, Any], **_: Any) -> ReceiptLine:
        return ReceiptLine(**data)


class ReceiptIn(Schema):
    kind = fields.Enum(ReceiptKind, by_value=True, load_default=ReceiptKind.donation)
    donor_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    received_date = fields.Date(
        load_default=None, validate=SINCE_2000, metadata={"description": "Defaults to today (Japan time)."}
    )
    received_date_confirmed = fields.Boolean(
        load_default=False,
        metadata={"description": "The received date was checked: one more than a week back is then not warned about."},
    )
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    lines = fields.List(fields.Nested(ReceiptLineIn), required=True, validate=validate.Length(min=1, max=500))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> ReceiveCommand:
        return ReceiveCommand(**{**data, "lines": tuple(data["lines"])})


class FreeUnits(fields.Integer):
    """A lot's units that could be reserved today: `stock.standing`'s rule, the one the pages show as
    引当可能. Today (in Japan, `lib.clock.today`) is read when the answer is written, at the edge."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | int | None:  # noqa: ARG002
        # the model's `available` (on hand - reserved) is what can be disposed of, not what can be reserved
        return super()._serialize(standing(obj, today()).free, attr, obj, **kwargs)


AVAILABLE = (
    "Units that could be reserved today: on hand minus reserved, and 0 for a lot on hold, recalled or past "
    "its best-before or use-by date (its units are still on hand, to dispose of or count)."
)


class LotOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    item_name = fields.String(attribute="item.name_ja")
    zone = fields.Enum(Zone, by_value=True, attribute="item.zone")
    receipt_id = fields.Integer()
    location_id = fields.Integer()
    location_code = fields.String(attribute="location.code")
    expiry = fields.Function(lambda lot: format_label_date(lot.expiry_date, lot.date_precision), allow_none=True)
    expiry_date = fields.Date(allow_none=True, metadata={"description": "The date used for FEFO and checks."})
    date_kind = fields.String(attribute="item.date_kind")
    crop_year = fields.Integer(allow_none=True)
    lot_code = fields.String(allow_none=True)
    received_date = fields.Date()
    on_hand = fields.Integer()
    reserved = fields.Integer()
    available = FreeUnits(metadata={"description": AVAILABLE})
    status = fields.Enum(LotStatus, by_value=True)
    hold_reason = fields.String(allow_none=True)


class ReceiptOut(Schema):
    id = fields.Integer()
    kind = fields.Enum(ReceiptKind, by_value=True)
    donor_id = fields.Integer(allow_none=True)
    received_date = fields.Date()
    received_by_id = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    lots = fields.List(fields.Nested(LotOut))
    warnings = fields.List(
        WrittenMessages(),
        metadata={"description": "Accepted, but worth a look (short dates): field, message, message_id, params."},
    )


class MovementOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    kind = fields.Enum(MovementKind, by_value=True)
    on_hand_delta = fields.Integer()
    reserved_delta = fields.Integer()
    reason = fields.String(allow_none=True)
    reservation_id = fields.Integer(allow_none=True)
    counterpart_lot_id = fields.Integer(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    occurred_at = fields.AwareDateTime()


class LotStatusChangeOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    status = fields.Enum(LotStatus, by_value=True, metadata={"description": "From then on; active: released."})
    reason = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    occurred_at = fields.AwareDateTime()


class HoldIn(Schema):
    """Which lots: one lot, or every lot of an item, optionally only those with a date or lot code."""

    lot_id = fields.Integer(strict=True)
    item_id = fields.Integer(strict=True)
    expiry = LabelDateField(metadata={"description": "Only lots with this best-before/use-by date."})
    lot_code = fields.String(validate=validate.Length(max=64))
    status = fields.Enum(
        LotStatus,
        by_value=True,
        required=True,
        validate=validate.OneOf([LotStatus.on_hold, LotStatus.recalled]),
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))

    @validates_schema
    def one_target(self, data: dict[str, Any], **_: Any) -> None:
        if ("lot_id" in data) == ("item_id" in data):
            raise ValidationError(Message("Give either lot_id or item_id."), field_name="lot_id")
        if "lot_id" in data and ("expiry" in data or "lot_code" in data):
            raise ValidationError(Message("expiry and lot_code narrow an item_id, not a lot_id."), field_name="lot_id")

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> HoldRequest:
        return HoldRequest(**data)


class HoldOut(Schema):
    status = fields.Enum(LotStatus, by_value=True)
    lot_ids = fields.List(fields.Integer())


class DisposalIn(Schema):
    quantity = fields.Integer(required=True, strict=True, validate=QUANTITY)
    reason = fields.Enum(DisposalReason, by_value=True, required=True, metadata={"description": "No default."})

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> Disposal:
        return Disposal(**data)


class LotFilter(Schema):
    """Which lots to list (`GET /api/lots` and the stock page): all filters together."""

    q = fields.String(
        attribute="search",
        validate=validate.Length(max=100),
        metadata={"description": "Item name, barcode, lot code or lot number (123, #123, L-123)."},
    )
    received_date = fields.Date(validate=SINCE_2000, metadata={"description": "Lots received on this day."})
    item_id = fields.Integer()
    category_id = fields.Integer()
    zone = fields.Enum(Zone, by_value=True)
    location_id = fields.Integer()
    status = fields.Enum(LotStatus, by_value=True)
    expiring_within_days = fields.Integer(validate=validate.Range(min=0, max=3650))
    as_of = fields.Date(metadata={"description": "Reference date for expiring_within_days (default today)."})
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class DisposeExpiredIn(Schema):
    as_of = fields.Date(
        load_default=None, validate=SINCE_2000, metadata={"description": "Defaults to today (Japan time)."}
    )


class AdjustmentIn(Schema):
    counted = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class TransferIn(Schema):
    quantity = fields.Integer(required=True, strict=True, validate=QUANTITY)
    to_location_id = fields.Integer(required=True, strict=True)


class ReturnIn(Schema):
    quantity = fields.Integer(required=True, strict=True, validate=QUANTITY)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class RequestLineIn(Schema):
    item_id = fields.Integer(required=True, strict=True)
    quantity = fields.Integer(required=True, strict=True, validate=QUANTITY)


class ReservationIn(Schema):
    purpose = fields.Enum(ReservationPurpose, by_value=True, required=True)
    purpose_ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    channel = fields.Enum(Channel, by_value=True, required=True)
    distribution_date = fields.Date(required=True, validate=PLANNED_DAY)
    lines = fields.List(fields.Nested(RequestLineIn), required=True, validate=validate.Length(min=1, max=500))
    avoid_allergens = fields.List(fields.String(validate=validate.Length(max=32)), load_default=list)
    allow_partial = fields.Boolean(
        load_default=False,
        metadata={"description": "Reserve what there is instead of failing on a shortage."},
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ShortageOut(Schema):
    item_id = fields.Integer()
    item_name = fields.String(allow_none=True)
    requested = fields.Integer()
    allocated = fields.Integer()
    missing = fields.Integer()
    unusable = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": "Free units that could not be used, by reason: on_hold, recalled, use_by_passed, "
            "best_before_too_close, no_date, allergen."
        },
    )
    avoided = fields.List(
        fields.String(),
        metadata={
            "description": "For `allergen`: what the household avoids that those units hold (allergen codes, "
            "needs_cooking, or label_unreadable for an allergen label that could not be read)."
        },
    )


class PickLineOut(Schema):
    line_id = fields.Integer(attribute="id")
    lot_id = fields.Integer()
    item_id = fields.Integer()
    item_name = fields.String(attribute="lot.item.name_ja")
    zone = fields.Enum(Zone, by_value=True, attribute="lot.item.zone")
    location_code = fields.String(attribute="lot.location.code")
    expiry = fields.Function(
        lambda line: format_label_date(line.lot.expiry_date, line.lot.date_precision), allow_none=True
    )
    lot_code = fields.String(attribute="lot.lot_code", allow_none=True)
    quantity = fields.Integer()
    picked_quantity = fields.Integer(allow_none=True)
    lot_status = fields.Enum(LotStatus, by_value=True, attribute="lot.status")


class ReservationOut(Schema):
    id = fields.Integer()
    purpose = fields.Enum(ReservationPurpose, by_value=True)
    purpose_ref = fields.String(allow_none=True)
    channel = fields.Enum(Channel, by_value=True)
    distribution_date = fields.Date()
    status = fields.String()
    note = fields.String(allow_none=True)
    picking_list = fields.List(
        fields.Nested(PickLineOut),
        metadata={"description": "Grouped by zone, then location, then item: the order to walk the shelves."},
    )
    shortages = fields.List(fields.Nested(ShortageOut))


class PickedLineIn(Schema):
    line_id = fields.Integer(required=True, strict=True)
    picked_quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))


class ConfirmPickIn(Schema):
    lines = fields.List(fields.Nested(PickedLineIn), required=True, validate=validate.Length(min=1))
