"""What the referrals API accepts and returns. Status, agency and counters are never accepted.

What comes in loads to the commands the services take (`NewReferral`, `Decision`); the referral pages'
forms are these schemas too (`foodbank/pages/referrals.py`, through `api_forms.page_form`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from foodbank.lib.messages import N_
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


@dataclass(frozen=True)
class Consent:
    """The household's consent to share its details, as the referrer recorded it."""

    given: bool
    by: WhoConsulted | None = None
    on: date | None = None
    method: ConsentMethod | None = None
    scope: str | None = None


@dataclass(frozen=True)
class NewReferral:
    """The command to submit a referral (`services.submit`): what `ReferralIn` loads to."""

    household_id: int
    referred_on: date
    who_consulted: WhoConsulted
    reasons: tuple[str, ...]
    request: ReferralRequest
    consent: Consent
    valid_until: date
    handouts_allowed: int
    urgency: Urgency = Urgency.normal
    agency_id: int | None = None
    """None: not given (a consultant's own agency; coordinators and admins must give one)."""
    appliance_category: str | None = None
    valid_from: date | None = None
    """None: from `referred_on`."""
    note: str | None = None

    @classmethod
    def of(cls, loaded: dict[str, Any], *, household_id: int) -> NewReferral:
        """The command from what `ReferralFields` loaded, for the household `household_id`."""
        return cls(**{**loaded, "reasons": tuple(loaded["reasons"])}, household_id=household_id)


@dataclass(frozen=True)
class Decision:
    """The command to decide a submitted referral (`services.decide`): what `DecisionIn` loads to."""

    accept: bool
    note: str | None = None


WHEN_GIVEN = N_("Required when consent is given.")


class ConsentIn(Schema):
    """APPI: sharing a person's details with the food bank needs their consent, recorded.

    Given consent needs who, when, how and for what: each missing one is refused with that field's
    `required` message (a page gives its own words there)."""

    given = fields.Boolean(required=True)
    by = fields.Enum(
        WhoConsulted, by_value=True, load_default=None, allow_none=True, error_messages={"required": WHEN_GIVEN}
    )
    on = fields.Date(load_default=None, allow_none=True, validate=RECORDED_DAY, error_messages={"required": WHEN_GIVEN})
    method = fields.Enum(
        ConsentMethod, by_value=True, load_default=None, allow_none=True, error_messages={"required": WHEN_GIVEN}
    )
    scope = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=500),
        error_messages={"required": WHEN_GIVEN},
        metadata={
            "description": "What may be shared with whom, e.g. 'name, address and allergies with the food bank'."
        },
    )

    @validates_schema
    def recorded(self, data: dict[str, Any], **_: Any) -> None:
        if data["given"]:
            missing = [k for k in ("by", "on", "method", "scope") if not data.get(k)]
            if missing:
                raise ValidationError({k: [self.fields[k].error_messages["required"]] for k in missing})

    @post_load
    def consent(self, data: dict[str, Any], **_: Any) -> Consent:
        return Consent(**data)


class ReferralFields(Schema):
    """What a referral says, but for its household: `ReferralIn` adds the household. The referral page
    loads this for a household it registers in the same step (its id is known only then)."""

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


class ReferralIn(ReferralFields):
    household_id = fields.Integer(required=True, strict=True)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> NewReferral:
        household_id = data.pop("household_id")
        return NewReferral.of(data, household_id=household_id)


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "decline"]))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> Decision:
        return Decision(accept=data["decision"] == "accept", note=data["note"])


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
