"""What the appliance bank's API accepts and returns. Households appear by code only."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from foodbank.appliances.services import Check, Inspection, Intake
from foodbank.lib.messages import Code, Message
from foodbank.lib.validation import PLANNED_DAY, RECORDED_DAY, SINCE_2000
from foodbank.models import (
    ApplianceCategory,
    ApplianceDisposalReason,
    ApplianceReservationStatus,
    ApplianceStatus,
    CheckResult,
    ConditionGrade,
    InspectionCheck,
    PseMark,
    ReferralStatus,
    Urgency,
)

NOTE = validate.Length(max=500)
TICKET = validate.Length(min=1, max=40)


class ApplianceIn(Schema):
    """A donated unit at intake; the acceptance policy (age, PSE mark) is applied to it."""

    category = fields.Enum(ApplianceCategory, by_value=True, required=True)
    maker = fields.String(required=True, validate=validate.Length(min=1, max=100))
    model = fields.String(required=True, validate=validate.Length(min=1, max=100))
    serial_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    manufacture_year = fields.Integer(required=True, strict=True, validate=validate.Range(min=1950, max=2100))
    size = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "Size or capacity as on the label: 170L, 6kg, 32型."},
    )
    pse_mark = fields.Enum(
        PseMark,
        by_value=True,
        required=True,
        metadata={"description": "pse, old_law (the mark before April 2001) or none."},
    )
    donor_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    received_date = fields.Date(
        load_default=None, validate=SINCE_2000, metadata={"description": "Defaults to today (Japan time)."}
    )
    location_id = fields.Integer(required=True, strict=True)
    condition_grade = fields.Enum(ConditionGrade, by_value=True, required=True)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> Intake:
        return Intake(**data)


class ApplianceCheckIn(Schema):
    check = fields.Enum(InspectionCheck, by_value=True, required=True)
    result = fields.Enum(
        CheckResult,
        by_value=True,
        required=True,
        metadata={"description": "pass, fail, or not_applicable (insulation and cleaning only)."},
    )
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> Check:
        return Check(**data)


class ApplianceInspectionIn(Schema):
    """Checks done on one day by the caller; any subset, each kind at most once."""

    inspected_on = fields.Date(
        load_default=None, validate=RECORDED_DAY, metadata={"description": "Defaults to today (Japan time)."}
    )
    checks = fields.List(fields.Nested(ApplianceCheckIn), required=True, validate=validate.Length(min=1, max=5))

    @validates_schema
    def once_each(self, data: dict[str, Any], **_: Any) -> None:
        kinds = [c.check for c in data.get("checks", [])]
        twice = sorted({k.value for k in kinds if kinds.count(k) > 1})
        if twice:
            raise ValidationError(
                Message(
                    "Record each check once: %(checks)s appears twice.",
                    checks=[Code("appliance_check", k) for k in twice],
                ),
                field_name="checks",
            )

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> Inspection:
        return Inspection(checks=tuple(data["checks"]), inspected_on=data["inspected_on"])


class ApplianceReservationIn(Schema):
    """For a household, or through a referral that asks for an appliance (its household is used)."""

    household_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    referral_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    planned_delivery_date = fields.Date(required=True, validate=PLANNED_DAY)
    installation_needed = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)

    @validates_schema
    def someone(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("household_id") is None and data.get("referral_id") is None:
            raise ValidationError(Message("Give household_id, referral_id, or both."), field_name="household_id")


class ApplianceReleaseIn(Schema):
    note = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Why the unit goes back to available (no personal details)."},
    )


class ApplianceDeliveryIn(Schema):
    delivered_on = fields.Date(
        load_default=None, validate=RECORDED_DAY, metadata={"description": "Defaults to today (Japan time)."}
    )
    delivered_by_id = fields.Integer(
        load_default=None, allow_none=True, strict=True, metadata={"description": "Who handed it over; default you."}
    )
    receipt_number = fields.String(
        load_default=None,
        allow_none=True,
        validate=TICKET,
        metadata={"description": "Hand-over receipt (受領書) number."},
    )
    receipt_signed = fields.Boolean(load_default=False, metadata={"description": "The household signed a receipt."})
    installed = fields.Boolean(
        load_default=None, allow_none=True, metadata={"description": "Default: whether the reservation needed it."}
    )
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)

    @validates_schema
    def receipt(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("receipt_number") and not data.get("receipt_signed"):
            raise ValidationError(
                Message("Give the hand-over receipt number, or confirm that a receipt was signed (receipt_signed)."),
                field_name="receipt_number",
            )


class ApplianceDisposalIn(Schema):
    disposed_on = fields.Date(
        load_default=None, validate=RECORDED_DAY, metadata={"description": "Defaults to today (Japan time)."}
    )
    reason = fields.Enum(ApplianceDisposalReason, by_value=True, required=True)
    recycling_ticket_number = fields.String(
        load_default=None,
        allow_none=True,
        validate=TICKET,
        metadata={"description": "家電リサイクル券 number: required for air conditioners, TVs, fridges, washers."},
    )
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class ApplianceFilter(Schema):
    status = fields.List(fields.Enum(ApplianceStatus, by_value=True))
    category = fields.List(fields.Enum(ApplianceCategory, by_value=True))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ApplianceWaitingListFilter(Schema):
    category = fields.Enum(ApplianceCategory, by_value=True)


class ApplianceFiscalYearFilter(Schema):
    start_month = fields.Integer(
        load_default=4, validate=validate.Range(min=1, max=12), metadata={"description": "Default 4 (April)."}
    )
    fiscal_year = fields.Integer(
        validate=validate.Range(min=1989, max=2200), metadata={"description": "Only this year (FY2026: 2026)."}
    )


class ApplianceCategoryOut(Schema):
    code = fields.Enum(ApplianceCategory, by_value=True)
    name_ja = fields.String()
    name_en = fields.String()
    recycling_law = fields.Boolean(metadata={"description": "家電リサイクル法: disposal needs a recycling ticket."})
    max_age_years = fields.Integer(metadata={"description": "Oldest accepted at intake, from the manufacture year."})


class ApplianceReservationOut(Schema):
    id = fields.Integer()
    household_code = fields.String()
    referral_id = fields.Integer(allow_none=True)
    planned_delivery_date = fields.Date()
    installation_needed = fields.Boolean()
    status = fields.Enum(ApplianceReservationStatus, by_value=True)
    reserved_by_id = fields.Integer(allow_none=True)
    reserved_at = fields.AwareDateTime()
    released_by_id = fields.Integer(allow_none=True)
    released_at = fields.AwareDateTime(allow_none=True)


class ApplianceDeliveryOut(Schema):
    delivered_on = fields.Date()
    delivered_by_id = fields.Integer()
    receipt_number = fields.String(allow_none=True)
    receipt_signed = fields.Boolean()
    installed = fields.Boolean()


class ApplianceDisposalOut(Schema):
    disposed_on = fields.Date()
    reason = fields.Enum(ApplianceDisposalReason, by_value=True)
    recycling_ticket_number = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    disposed_by_id = fields.Integer(allow_none=True)


class ApplianceOut(Schema):
    id = fields.Integer()
    code = fields.String()
    category = fields.Enum(ApplianceCategory, by_value=True)
    recycling_law = fields.Boolean()
    maker = fields.String()
    model = fields.String()
    serial_number = fields.String(allow_none=True)
    manufacture_year = fields.Integer()
    size = fields.String(allow_none=True)
    pse_mark = fields.Enum(PseMark, by_value=True)
    donor_id = fields.Integer(allow_none=True)
    received_date = fields.Date()
    location_id = fields.Integer()
    location_code = fields.String()
    condition_grade = fields.Enum(ConditionGrade, by_value=True)
    notes = fields.String(allow_none=True)
    flags = fields.List(fields.String(), metadata={"description": "Accepted under a policy that flags: no_pse_mark."})
    status = fields.Enum(ApplianceStatus, by_value=True)
    allowed_actions = fields.List(
        fields.String(), metadata={"description": "Next steps: inspect, reserve, release, deliver, dispose."}
    )
    reservation = fields.Nested(
        ApplianceReservationOut, allow_none=True, metadata={"description": "The open or delivered reservation."}
    )
    delivery = fields.Nested(ApplianceDeliveryOut, allow_none=True)
    disposal = fields.Nested(ApplianceDisposalOut, allow_none=True)
    created_at = fields.AwareDateTime()


class ApplianceStatusChangeOut(Schema):
    from_status = fields.Enum(ApplianceStatus, by_value=True, allow_none=True)
    to_status = fields.Enum(ApplianceStatus, by_value=True)
    actor_id = fields.Integer(allow_none=True)
    occurred_at = fields.AwareDateTime()
    note = fields.String(allow_none=True)


class ApplianceInspectionOut(Schema):
    id = fields.Integer()
    check = fields.Enum(InspectionCheck, by_value=True, attribute="kind")
    result = fields.Enum(CheckResult, by_value=True)
    note = fields.String(allow_none=True)
    inspector_id = fields.Integer()
    inspected_on = fields.Date()
    recorded_at = fields.AwareDateTime()


class ApplianceHistoryOut(Schema):
    """Everything that happened to a unit, oldest first."""

    id = fields.Integer()
    code = fields.String()
    status = fields.Enum(ApplianceStatus, by_value=True)
    status_changes = fields.List(fields.Nested(ApplianceStatusChangeOut))
    inspections = fields.List(
        fields.Nested(ApplianceInspectionOut), metadata={"description": "Every check; kept at least three years."}
    )
    reservations = fields.List(fields.Nested(ApplianceReservationOut))


class ApplianceCategoryCountOut(Schema):
    category = fields.Enum(ApplianceCategory, by_value=True)
    name_ja = fields.String()
    recycling_law = fields.Boolean()
    total = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())


class ApplianceCountsOut(Schema):
    total = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_category = fields.List(fields.Nested(ApplianceCategoryCountOut))


class ApplianceWaitingEntryOut(Schema):
    """A referral waiting for an appliance, and the units of its category available now."""

    position = fields.Integer(metadata={"description": "Place in the queue of its category, from 1."})
    referral_id = fields.Integer()
    referral_status = fields.Enum(ReferralStatus, by_value=True)
    agency_id = fields.Integer()
    household_code = fields.String()
    category = fields.Enum(
        ApplianceCategory, by_value=True, allow_none=True, metadata={"description": "None: not a known category."}
    )
    requested_category = fields.String(metadata={"description": "As the referral wrote it."})
    urgency = fields.Enum(Urgency, by_value=True)
    referred_on = fields.Date()
    valid_from = fields.Date()
    valid_until = fields.Date()
    available_units = fields.Integer()
    available_unit_ids = fields.List(fields.Integer())


class ApplianceCategoryDeliveriesOut(Schema):
    category = fields.Enum(ApplianceCategory, by_value=True)
    name_ja = fields.String()
    deliveries = fields.Integer()


class ApplianceDeliveriesByYearOut(Schema):
    fiscal_year = fields.Integer()
    label_ja = fields.String(metadata={"description": "令和8年度"})
    label_en = fields.String(metadata={"description": "FY2026"})
    starts_on = fields.Date()
    ends_on = fields.Date()
    deliveries = fields.Integer(metadata={"description": "Units delivered (延べ)."})
    households = fields.Integer(metadata={"description": "Distinct households (実)."})
    through_referral = fields.Integer()
    with_installation = fields.Integer()
    by_category = fields.List(fields.Nested(ApplianceCategoryDeliveriesOut))
