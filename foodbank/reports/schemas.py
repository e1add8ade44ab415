"""What the reports API accepts and returns."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

LANGUAGES = ("ja", "en")
FORMATS = ("json", "html", "pdf", "csv", "xlsx")


class AnnualSummaryQuery(Schema):
    lang = fields.String(
        load_default="ja",
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "ja (default) or en: the language of labels in html, pdf, csv and xlsx."},
    )


class RowOut(Schema):
    key = fields.String()
    label_ja = fields.String()
    label_en = fields.String()
    count = fields.Integer(allow_none=True, metadata={"description": "Donations, hand-outs or referrals (延べ)."})
    distinct = fields.Integer(allow_none=True, metadata={"description": "Distinct donors (実)."})
    households = fields.Integer(allow_none=True)
    people = fields.Integer(allow_none=True)
    units = fields.Integer(allow_none=True)
    kg = fields.Decimal(allow_none=True, as_string=True)


class AmountOut(Schema):
    units = fields.Integer()
    kg = fields.Decimal(as_string=True)


class ReceivedOut(Schema):
    donations = fields.Integer(metadata={"description": "Receipts (延べ)."})
    donors = fields.Integer(metadata={"description": "Distinct donors (実)."})
    units = fields.Integer()
    kg = fields.Decimal(as_string=True)


class IndividualSupportOut(Schema):
    occasions = fields.Integer(metadata={"description": "Delivery rounds and pick-up sessions (延べ)."})
    households_total = fields.Integer(metadata={"description": "Hand-outs to households (延べ)."})
    households_distinct = fields.Integer(metadata={"description": "Distinct households (実)."})
    people_total = fields.Integer()
    people_distinct = fields.Integer()


class HouseholdsServedOut(Schema):
    households_total = fields.Integer(metadata={"description": "Hand-outs to households, all channels (延べ)."})
    households_distinct = fields.Integer(
        metadata={"description": "Distinct households with a hand-out in the year, all channels (実)."}
    )


class PantryDayOut(Schema):
    event_id = fields.Integer()
    event_date = fields.Date()
    venue = fields.String()
    status = fields.String()
    households = fields.Integer()
    registered_people = fields.Integer()
    walk_in_parcels = fields.Integer()
    walk_in_people = fields.Integer()
    people = fields.Integer()
    kg = fields.Decimal(as_string=True)


class PantryOut(Schema):
    days_held = fields.Integer()
    people_served = fields.Integer()
    households_total = fields.Integer()
    households_distinct = fields.Integer()
    walk_in_parcels = fields.Integer()
    walk_in_people = fields.Integer()
    days = fields.List(fields.Nested(PantryDayOut))


class ProgrammeOut(Schema):
    programme_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    kind_ja = fields.String()
    kind_en = fields.String()
    sessions = fields.Integer()
    people = fields.Integer()
    kg = fields.Decimal(as_string=True)


class PartnersOut(Schema):
    sessions = fields.Integer()
    people = fields.Integer()
    cafeteria_sessions = fields.Integer()
    cafeteria_people = fields.Integer()
    programmes = fields.List(fields.Nested(ProgrammeOut))


class ApplianceRowOut(Schema):
    category = fields.String()
    name_ja = fields.String()
    name_en = fields.String()
    recycling_law = fields.Boolean()
    received = fields.Integer()
    delivered = fields.Integer()
    disposed = fields.Integer()
    disposed_recycling = fields.Integer()


class ReferralsOut(Schema):
    referrals = fields.Integer()
    households = fields.Integer()
    by_agency = fields.List(fields.Nested(RowOut))
    by_who_consulted = fields.List(fields.Nested(RowOut))
    by_request = fields.List(fields.Nested(RowOut))
    by_outcome = fields.List(fields.Nested(RowOut))


class StockOut(Schema):
    opening = fields.Nested(AmountOut)
    closing = fields.Nested(AmountOut)
    received = fields.Nested(AmountOut)
    opening_balances = fields.Nested(AmountOut)
    distributed = fields.Nested(AmountOut)
    disposed = fields.Nested(AmountOut)
    adjusted = fields.Nested(AmountOut)
    transferred = fields.Nested(AmountOut)
    by_category = fields.List(fields.Nested(RowOut))


class MonthOut(Schema):
    month = fields.Date()
    received_kg = fields.Decimal(as_string=True)
    donations = fields.Integer()
    distributed_kg = fields.Decimal(as_string=True)
    individual_occasions = fields.Integer()
    individual_households = fields.Integer()
    individual_people = fields.Integer()
    pantry_people = fields.Integer()
    partner_sessions = fields.Integer()
    partner_people = fields.Integer()
    referrals = fields.Integer()
    disposed_kg = fields.Decimal(as_string=True)


class AnnualSummaryOut(Schema):
    """The year's figures. Counting rules: README, "Annual summary: how things are counted"."""

    fiscal_year = fields.Integer(metadata={"description": "Named by the calendar year it starts in."})
    start_month = fields.Integer()
    label_ja = fields.String(metadata={"example": "令和7年度"})
    label_en = fields.String(metadata={"example": "FY2025"})
    starts_on = fields.Date()
    ends_on = fields.Date()
    organisation = fields.String()
    generated_on = fields.Date()
    received_from_donors = fields.Nested(ReceivedOut)
    received_from_food_banks = fields.Nested(ReceivedOut)
    received_by_donor_kind = fields.List(fields.Nested(RowOut))
    received_by_category = fields.List(fields.Nested(RowOut))
    distributed = fields.Nested(AmountOut)
    distributed_by_channel = fields.List(fields.Nested(RowOut))
    individual_support = fields.Nested(IndividualSupportOut)
    households_served = fields.Nested(HouseholdsServedOut)
    people_served_total = fields.Integer(
        metadata={
            "description": "People served by every counted hand-out, all channels (延べ): the people of each "
            "hand-out to a household, walk-ins at pantry days and the participants of partner programmes."
        }
    )
    pantry = fields.Nested(PantryOut)
    partners = fields.Nested(PartnersOut)
    appliances = fields.List(fields.Nested(ApplianceRowOut))
    referrals = fields.Nested(ReferralsOut)
    disposals = fields.List(fields.Nested(RowOut))
    stock = fields.Nested(StockOut)
    months = fields.List(fields.Nested(MonthOut))
