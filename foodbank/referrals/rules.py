"""Pure rules of a referral's use: whether it may cover a hand-out, and counting one. Food
distributions, pantry registrations and appliance deliveries all use these, so they agree."""

from __future__ import annotations

from datetime import date
from typing import Literal

from foodbank.models import Referral, ReferralRequest, ReferralStatus

Purpose = Literal["food", "appliance"]


def refusal(
    referral: Referral, *, household_id: int, household_code: str, on: date, purpose: Purpose
) -> tuple[str, str] | None:
    """Why the referral cannot cover a hand-out of `purpose` to the household on `on`:
    (reason code, plain words), or None when it can."""
    if referral.household_id != household_id:
        return "other_household", f"it was made for another household, not {household_code}."
    if purpose == "food" and referral.request is ReferralRequest.appliance:
        return "not_for_food", "it asks for an appliance, not for food."
    if purpose == "appliance" and referral.request is ReferralRequest.food:
        return "not_for_appliance", "it asks for food, not for an appliance."
    if referral.status is ReferralStatus.fulfilled or (
        referral.status is ReferralStatus.accepted and referral.handouts_used >= referral.handouts_allowed
    ):
        return "used_up", f"all {referral.handouts_allowed} hand-outs it allows have been given."
    if referral.status is ReferralStatus.expired:
        return "expired", f"it expired on {referral.valid_until.isoformat()}."
    if referral.status is not ReferralStatus.accepted:
        return "not_accepted", f"it is {referral.status.value}, not accepted; a coordinator must accept it first."
    if on < referral.valid_from:
        return "not_yet_valid", f"it is valid from {referral.valid_from.isoformat()}."
    if on > referral.valid_until:
        return "expired", f"it was valid until {referral.valid_until.isoformat()}."
    return None


def count_handout(referral: Referral) -> None:
    """One more hand-out under the referral (the caller holds its row lock); fulfilled at the limit."""
    referral.handouts_used += 1
    if referral.handouts_used >= referral.handouts_allowed:
        referral.status = ReferralStatus.fulfilled
