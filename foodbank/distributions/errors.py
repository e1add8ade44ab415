"""Errors of the distributions area; each carries its status and the data a client needs to act on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from foodbank.lib.errors import Conflict, Forbidden, NotFound
from foodbank.lib.messages import Message

if TYPE_CHECKING:
    from foodbank.models import Household


class DistributionNotFound(NotFound):
    slug = "distribution-not-found"
    title = "No such distribution"


class HouseholdNotFound(NotFound):
    slug = "household-not-found"
    title = "No such household"


class PartnerProgrammeNotFound(NotFound):
    slug = "partner-programme-not-found"
    title = "No such partner programme"


class ReferralNotFound(NotFound):
    slug = "referral-not-found"
    title = "No such referral"


class HouseholdAnonymised(Conflict):
    slug = "household-anonymised"
    title = "The household was anonymised"

    @classmethod
    def refuse(cls, household: Household) -> None:
        """Raise if `household` was anonymised: nothing more may be given under it (hand-outs, pantry
        bookings, appliances alike)."""
        if household.anonymised_at is not None:
            raise cls(
                Message(
                    "Household %(id)s was anonymised after a long time without activity; register it again.",
                    id=household.id,
                ),
                household_id=household.id,
            )


class ReferralNotUsable(Conflict):
    """The referral cannot cover this hand-out; `reason` says why (other_household, not_accepted,
    not_for_food, not_yet_valid, expired, used_up)."""

    slug = "referral-not-usable"
    title = "The referral cannot be used for this hand-out"


class FrequencyRule(Conflict):
    """The household had individual support too recently; a coordinator may override with a reason."""

    slug = "frequency-rule"
    title = "Too soon after the last hand-out"


class OverrideNotAllowed(Forbidden):
    slug = "frequency-override-not-allowed"
    title = "Only coordinators and admins may override the frequency rule"


class ReservationAlreadyHandedOut(Conflict):
    slug = "reservation-already-handed-out"
    title = "The reservation was already handed out"


class ReturnTooLarge(Conflict):
    slug = "return-too-large"
    title = "More would come back than was handed out"


class NothingToHandOut(Conflict):
    slug = "nothing-to-hand-out"
    title = "There is nothing to hand out"
