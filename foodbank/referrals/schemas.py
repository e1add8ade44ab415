"""What the referrals API accepts and returns. Status, agency and counters are never accepted."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from foodbank.lib.messages import Message
from foodbank.lib.validation import PLANNED_DAY, RECORDED_DAY
from foodbank.models import ConsentMethod, ConsentThrough, ReferralRequest, ReferralStatus, Urgency, WhoConsulted

REASONS = (
    "food_shortage",  # 食料不足
    "low_income",  # 生活困窮
    "unemployment",  # 失業
    "illness",  # 病気
    "disability",  # 障害
    "debt",  # 債務
    "disaster",  # 災害
    "domestic_violence",  # DV
    "isolation",  # 孤立
    "housing",  # 住まい
    "moving_in",  # 新生活 (e.g. appliances for a new home)
    "other",
)


class ConsentIn(Schema):
    """APPI: sharing a person's details with the food bank needs their consent, recorded."""

    given = fields.Boolean(required=True)
    by = fields.Enum(WhoConsulted, by_value=True, load_default=None, allow_none=True)
    on = fields.Date(load_default=None, allow_none=True, validate=RECORDED_DAY)
    method = fields.Enum(ConsentMethod, by_value=True, load_default=None, allow_none=True)
    scope = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=500),
        metadata={
            "description": "What may be shared with whom, e.g. 'name, address and allergies with the food bank'."
        },
    )

    @validates_schema
    def recorded(self, data: dict[str, Any], **_: Any) -> None:
        if data["given"]:
            missing = [k for k in ("by", "on", "method", "scope") if not data.get(k)]
            if missing:
                raise ValidationError({k: [Message("Required when consent is given.")] for k in missing})


class ReferralIn(Schema):
    household_id = fields.Integer(required=True, strict=True)
    agency_id = fields.Integer(
        strict=True, metadata={"description": "Coordinators and admins only; a consultant refers for their own agency."}
    )
    referred_on = fields.Date(required=True, validate=RECORDED_DAY)
    who_consulted = fields.Enum(WhoConsulted, by_value=True, required=True)
    reasons = fields.List(
        fields.String(validate=validate.OneOf(REASONS)), required=True, validate=validate.Length(min=1)
    )
    request = fields.Enum(ReferralRequest, by_value=True, required=True)
    appliance_category = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    urgency = fields.Enum(Urgency, by_value=True, load_default=Urgency.normal)
    consent = fields.Nested(ConsentIn, required=True)
    valid_from = fields.Date(load_default=None, validate=PLANNED_DAY, metadata={"description": "Default: referred_on."})
    valid_until = fields.Date(required=True, validate=PLANNED_DAY)
    handouts_allowed = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=52))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "decline"]))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ReferralOut(Schema):
    """A referral and what became of it (no warehouse detail)."""

    id = fields.Integer()
    agency_id = fields.Integer()
    consultant_id = fields.Integer()
    household_id = fields.Integer()
    household_code = fields.String(attribute="household.code")
    referred_on = fields.Date()
    who_consulted = fields.Enum(WhoConsulted, by_value=True)
    reasons = fields.List(fields.String())
    request = fields.Enum(ReferralRequest, by_value=True)
    appliance_category = fields.String(allow_none=True)
    urgency = fields.Enum(Urgency, by_value=True)
    consent_given = fields.Boolean()
    consent_by = fields.Enum(WhoConsulted, by_value=True, allow_none=True)
    consent_on = fields.Date(allow_none=True)
    consent_method = fields.Enum(ConsentMethod, by_value=True, allow_none=True)
    consent_scope = fields.String(allow_none=True)
    consent_through = fields.Enum(
        ConsentThrough,
        by_value=True,
        metadata={
            "description": "Who recorded the consent: `agency` (the referring agency's consultant) or `food_bank` "
            "(a coordinator or admin, for the food bank itself; it does not open the household's identity "
            "to the agency's consultants). Set by the service, never accepted."
        },
    )
    valid_from = fields.Date()
    valid_until = fields.Date()
    handouts_allowed = fields.Integer()
    handouts_used = fields.Integer()
    status = fields.Enum(ReferralStatus, by_value=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class ReferralFilter(Schema):
    status = fields.Enum(ReferralStatus, by_value=True)
    household_id = fields.Integer()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
