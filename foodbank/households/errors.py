"""Errors of the households area."""

from __future__ import annotations

from foodbank.lib.errors import Conflict, Forbidden, NotFound


class HouseholdNotFound(NotFound):
    """Also what a consultant gets for another agency's household: its existence is not disclosed."""

    slug = "household-not-found"
    title = "No such household"


class IdentityWithoutConsent(Forbidden):
    slug = "no-consent"
    title = "The household has not consented to sharing its identity"


class IdentityNotSharedWithAgency(Forbidden):
    """A consultant's agency follows the household (a referral in its name) but did not register it,
    nor refer it itself with the household's consent."""

    slug = "identity-not-shared"
    title = "The household's identity is not shared with your agency"


class NoTemplate(Conflict):
    slug = "no-parcel-template"
    title = "No parcel template fits this household"
