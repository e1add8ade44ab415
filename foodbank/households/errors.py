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


class NoTemplate(Conflict):
    slug = "no-parcel-template"
    title = "No parcel template fits this household"
