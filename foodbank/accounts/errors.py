"""Errors of the accounts area."""

from __future__ import annotations

from foodbank.lib.errors import Conflict, InvalidInput, NotAuthenticated, NotFound


class InvalidCredentials(NotAuthenticated):
    slug = "invalid-credentials"
    title = "Wrong username or password"


class UsernameTaken(Conflict):
    slug = "username-taken"
    title = "The username is already in use"


class AgencyNameTaken(Conflict):
    slug = "agency-name-taken"
    title = "An agency with this name exists"


class AgencyRequired(InvalidInput):
    """Consultants see their own agency's referrals, so they must belong to one."""


class UnknownToken(NotFound):
    slug = "token-not-found"
    title = "No such token"
