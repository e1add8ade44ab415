"""What the catalogue API accepts and returns."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from foodbank.catalogue.barcodes import is_valid, normalise
from foodbank.lib.messages import Message
from foodbank.models import AllergenKind, DonorKind, Unit, Zone
from foodbank.picking.fefo import DateKind

MIN_DAYS = validate.Range(min=0, max=3650)


class Barcode(fields.String):
    """JAN-13 or JAN-8, check digit verified; spaces, hyphens and full-width digits are accepted."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = normalise(super()._deserialize(value, attr, data, **kwargs))
        if not is_valid(code):
            raise ValidationError(Message("Not a valid JAN/EAN barcode (8 or 13 digits with a correct check digit)."))
        return code


class AllergenOut(Schema):
    code = fields.String()
    name_ja = fields.String()
    name_en = fields.String()
    kind = fields.Enum(AllergenKind, by_value=True)
    effective_from = fields.Date()


class AllergenFilter(Schema):
    on = fields.Date(metadata={"description": "The lists as they stand on this date (default today)."})


class CategoryIn(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{1,32}$"))
    name_ja = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=100))
    min_days_at_receipt = fields.Integer(load_default=30, strict=True, validate=MIN_DAYS)
    min_days_individual = fields.Integer(load_default=14, strict=True, validate=MIN_DAYS)
    min_days_pantry = fields.Integer(load_default=7, strict=True, validate=MIN_DAYS)
    min_days_partner = fields.Integer(load_default=3, strict=True, validate=MIN_DAYS)


class CategoryPolicyIn(Schema):
    """Minimum days of best-before left: at receipt, and after a hand-out per channel."""

    min_days_at_receipt = fields.Integer(strict=True, validate=MIN_DAYS)
    min_days_individual = fields.Integer(strict=True, validate=MIN_DAYS)
    min_days_pantry = fields.Integer(strict=True, validate=MIN_DAYS)
    min_days_partner = fields.Integer(strict=True, validate=MIN_DAYS)


class CategoryOut(CategoryIn):
    id = fields.Integer()


class ItemIn(Schema):
    name_ja = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    category_id = fields.Integer(required=True, strict=True)
    unit = fields.Enum(Unit, by_value=True, required=True)
    unit_weight_kg = fields.Decimal(
        required=True,
        places=3,
        validate=validate.Range(min=0, max=1000),
        metadata={"description": "Weight of one unit in kg, for the reports."},
    )
    barcode = Barcode(load_default=None, allow_none=True)
    zone = fields.Enum(Zone, by_value=True, required=True)
    date_kind = fields.Enum(DateKind, by_value=True, required=True)
    allergens = fields.List(fields.String(validate=validate.Length(max=32)), load_default=list)
    allergens_known = fields.Boolean(
        load_default=True, metadata={"description": "False when the label cannot be read."}
    )
    ready_to_eat = fields.Boolean(
        load_default=False, metadata={"description": "Needs no cooking (for households without a kitchen)."}
    )


class ItemOut(Schema):
    id = fields.Integer()
    name_ja = fields.String()
    name_en = fields.String(allow_none=True)
    category_id = fields.Integer()
    unit = fields.Enum(Unit, by_value=True)
    unit_weight_kg = fields.Decimal(as_string=True)
    barcode = fields.String(allow_none=True)
    zone = fields.Enum(Zone, by_value=True)
    date_kind = fields.Enum(DateKind, by_value=True)
    allergens = fields.List(fields.String(), attribute="allergen_codes")
    allergens_known = fields.Boolean()
    ready_to_eat = fields.Boolean()


class ItemFilter(Schema):
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "Name or barcode."})
    category_id = fields.Integer()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class DonorIn(Schema):
    kind = fields.Enum(DonorKind, by_value=True, required=True)
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    contact = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    is_anonymous = fields.Boolean(load_default=False)


class DonorOut(Schema):
    id = fields.Integer()
    kind = fields.Enum(DonorKind, by_value=True)
    name = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    is_anonymous = fields.Boolean()


class DonorFilter(Schema):
    q = fields.String(validate=validate.Length(max=100))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class WarehouseIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class WarehouseOut(WarehouseIn):
    id = fields.Integer()


class LocationIn(Schema):
    warehouse_id = fields.Integer(required=True, strict=True)
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    zone = fields.Enum(Zone, by_value=True, required=True)


class LocationOut(LocationIn):
    id = fields.Integer()
