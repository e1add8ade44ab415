"""The referrals API's schemas load to the commands its services take, and the referral pages' forms are
those schemas with other words: one rule for both, said in the page's words there."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from marshmallow import EXCLUDE, ValidationError

from foodbank.lib.clock import today
from foodbank.lib.errors import flatten_marshmallow_errors
from foodbank.models import ConsentMethod, ReferralRequest, Urgency, WhoConsulted
from foodbank.pages import referrals as pages
from foodbank.referrals.schemas import (
    Consent,
    ConsentIn,
    Decision,
    DecisionIn,
    NewReferral,
    ReferralFields,
    ReferralIn,
)


def body(**extra: Any) -> dict[str, Any]:
    on = today()
    return {
        "household_id": 7,
        "referred_on": on.isoformat(),
        "who_consulted": "self",
        "reasons": ["food_shortage"],
        "request": "food",
        "consent": {"given": True, "by": "self", "on": on.isoformat(), "method": "verbal", "scope": "name"},
        "valid_until": (on + timedelta(days=30)).isoformat(),
        "handouts_allowed": 2,
        **extra,
    }


def errors(schema: Any, data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        schema(unknown=EXCLUDE).load(data)
    return {e["field"]: e["message"] for e in flatten_marshmallow_errors(refused.value.messages)}


def test_a_referral_loads_to_its_command_with_the_consent() -> None:
    command = ReferralIn().load(body())
    assert isinstance(command, NewReferral)
    assert command.household_id == 7 and command.reasons == ("food_shortage",)
    assert command.who_consulted is WhoConsulted.self and command.request is ReferralRequest.food
    assert command.urgency is Urgency.normal and command.agency_id is None and command.valid_from is None
    assert command.consent == Consent(True, WhoConsulted.self, today(), ConsentMethod.verbal, "name")


def test_a_decision_loads_to_its_command() -> None:
    assert DecisionIn().load({"decision": "accept"}) == Decision(accept=True, note=None)
    assert DecisionIn().load({"decision": "decline", "note": "市の窓口へ"}) == Decision(False, "市の窓口へ")


def test_the_page_forms_are_the_api_schemas() -> None:
    assert issubclass(pages.ReferralForm, ReferralFields) and issubclass(pages.ConsentForm, ConsentIn)
    assert issubclass(pages.DecisionForm, DecisionIn)
    assert set(pages.ReferralForm().fields) == set(ReferralFields().fields)


def test_consent_given_wants_its_details_in_the_api_words_and_in_the_page_words() -> None:
    given = {"given": True, "by": "self"}
    assert errors(ConsentIn, given) == {
        "on": "Required when consent is given.",
        "method": "Required when consent is given.",
        "scope": "Required when consent is given.",
    }
    assert errors(pages.ConsentForm, {"given": "yes", "by": "self"}) == {
        "on": "Give the day consent was given.",
        "method": "Say how consent was given.",
        "scope": "Say what may be shared, and with whom.",
    }
    assert pages.ConsentForm().load({"given": "no"}) == Consent(False)


@pytest.mark.parametrize(
    ("typed", "api", "page"),
    [
        ("53", "Must be greater than or equal to 1 and less than or equal to 52.", "Give a number from 1 to 52."),
        ("2.5", "Not a valid integer.", "Give a number from 1 to 52."),
    ],
)
def test_hand_outs_are_a_whole_number_from_1_to_52_on_both(typed: str, api: str, page: str) -> None:
    """The API takes a JSON number only (strict); a page posts text, which the same rule reads."""
    fields = {k: v for k, v in body().items() if k != "household_id"}
    assert errors(pages.ReferralForm, {**fields, "handouts_allowed": typed})["handouts_allowed"] == page
    refused = errors(ReferralFields, {**fields, "handouts_allowed": json.loads(typed)})  # as JSON sends it
    assert refused["handouts_allowed"] == api
    assert errors(ReferralFields, {**fields, "handouts_allowed": "2"})["handouts_allowed"] == "Not a valid integer."
    assert pages.ReferralForm().load({**fields, "handouts_allowed": "2"})["handouts_allowed"] == 2


def test_the_page_command_is_the_api_command() -> None:
    fields = {k: v for k, v in body().items() if k != "household_id"}
    loaded = pages.ReferralForm().load({**fields, "handouts_allowed": "2"})
    assert NewReferral.of(loaded, household_id=7) == ReferralIn().load(body())


def test_dates_before_2000_are_refused_the_same_way() -> None:
    old = date(1999, 12, 31).isoformat()
    fields = {k: v for k, v in body().items() if k != "household_id"}
    assert "referred_on" in errors(pages.ReferralForm, {**fields, "referred_on": old})
    assert "referred_on" in errors(ReferralIn, body(referred_on=old))
