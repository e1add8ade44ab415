"""Errors of the appliance bank; each carries its status and the data a client needs to act on it."""

from __future__ import annotations

from foodbank.distributions.errors import ReferralNotUsable
from foodbank.lib.errors import Conflict, NotFound


class ApplianceNotFound(NotFound):
    slug = "appliance-not-found"
    title = "No such appliance"


class ApplianceStatusConflict(Conflict):
    """The step is not possible in the unit's status: `current_status`, `action` and `allowed_actions`
    (what can be done from here). Not `status`: in a problem document that is the HTTP status."""

    slug = "appliance-status"
    title = "The appliance cannot take this step in its current status"


class ApplianceReferralNotUsable(ReferralNotUsable):
    """The referral cannot cover this appliance (the same problem type as for food hand-outs). `reason`:
    other_household, not_accepted, used_up, expired, not_yet_valid, not_for_appliance, other_category,
    already_covered (another unit is reserved or delivered through it). The referral's own status is
    `referral_status`."""
