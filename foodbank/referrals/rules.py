"""Pure rules of a referral's use: whether it may cover a hand-out, and counting one. Food
distributions, pantry registrations and appliance deliveries all use these, so they agree."""

from __future__ import annotations

from datetime import date
from typing import Literal

from foodbank.lib.messages import Label, Message
from foodbank.models import Referral, ReferralRequest, ReferralStatus

Purpose = Literal["food", "appliance"]


def refusal(
    referral: Referral, *, household_id: int, household_code: str, on: date, purpose: Purpose
) -> tuple[str, Message] | None:
    """Why the referral cannot cover a hand-out of `purpose` to the household on `on`:
    (reason code, the reason as a Message to follow "Referral %(id)s cannot be used: "), or None when it can."""
    if referral.household_id != household_id:
        return "other_household", Message("it was made for another household, not %(code)s.", code=household_code)
    if purpose == "food" and referral.request is ReferralRequest.appliance:
        return "not_for_food", Message("it asks for an appliance, not for food.")
    if purpose == "appliance" and referral.request is ReferralRequest.food:
        return "not_for_appliance", Message("it asks for food, not for an appliance.")
    if referral.status is ReferralStatus.fulfilled or (
        referral.status is ReferralStatus.accepted and referral.handouts_used >= referral.handouts_allowed
    ):
        return "used_up", Message(
            "all %(allowed)s hand-outs it allows have been given.", allowed=referral.handouts_allowed
        )
    if referral.status is ReferralStatus.expired:
        return "expired", Message("it expired on %(date)s.", date=referral.valid_until)
    if referral.status is not ReferralStatus.accepted:
        return "not_accepted", Message(
            "it is %(status)s, not accepted; a coordinator must accept it first.",
            status=Label("referral", referral.status),
        )
    if on < referral.valid_from:
        return "not_yet_valid", Message("it is valid from %(date)s.", date=referral.valid_from)
    if on > referral.valid_until:
        return "expired", Message("it was valid until %(date)s.", date=referral.valid_until)
    return None


def count_handout(referral: Referral) -> None:
    """One more hand-out under the referral (the caller holds its row lock); fulfilled at the limit."""
    referral.handouts_used += 1
    if referral.handouts_used >= referral.handouts_allowed:
        referral.status = ReferralStatus.fulfilled
