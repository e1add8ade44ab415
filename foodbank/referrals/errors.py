"""Errors of the referrals area."""

from __future__ import annotations

from foodbank.lib.errors import Conflict, NotFound


class ReferralNotFound(NotFound):
    """Also what a consultant gets for another agency's referral."""

    slug = "referral-not-found"
    title = "No such referral"


class ReferralStateConflict(Conflict):
    slug = "referral-state"
    title = "The referral cannot change like that"
