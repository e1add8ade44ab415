"""Authentication and authorisation of every request, in one guard.

The caller is found from a personal API token (`Authorization: Bearer fbt_...`) or from the web
session cookie. Routes declare their roles with `foodbank.lib.access.allow`; the guard answers 401
when nobody is signed in and 403 when the caller has none of the declared roles. Requests that rely
on the cookie and change something must also carry the session's CSRF token (header `X-CSRF-Token`
or form field `_csrf`): a cookie is sent by the browser on its own, a header or field is not.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.handlers import BaseRouteHandler

from foodbank.accounts import services
from foodbank.lib.access import Principal
from foodbank.lib.clock import utcnow
from foodbank.lib.db import Database
from foodbank.lib.errors import Forbidden, NotAuthenticated
from foodbank.lib.messages import Message

SESSION_COOKIE = "fb_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    if "foodbank_principal" in connection.scope:
        principal: Principal | None = connection.scope["foodbank_principal"]  # type: ignore[typeddict-item]
        return principal
    database: Database = connection.app.state.database
    authorization = connection.headers.get("authorization", "")
    scheme, _, credential = authorization.partition(" ")
    principal = None
    async with database.transaction() as session:
        if scheme.lower() == "bearer" and credential:
            principal = await services.principal_from_token(session, credential.strip(), utcnow())
            if principal is None:
                raise NotAuthenticated(Message("The API token is unknown, expired or revoked."))
        elif cookie := connection.cookies.get(SESSION_COOKIE):
            principal = await services.principal_from_session(session, cookie, utcnow())
    connection.scope["foodbank_principal"] = principal  # type: ignore[typeddict-unknown-key]
    connection.scope["user"] = principal
    return principal


async def authorize(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Guard for every route of ours. Public routes still learn who is signed in, if anyone."""
    public = bool(handler.opt.get("public"))
    roles = handler.opt.get("roles")
    principal = await authenticate(connection)
    if public:
        return
    if roles is None:  # unreachable when create_app's declaration check passed; deny anyway
        raise Forbidden(Message("This route declares no roles, so nobody may call it."))
    if principal is None:
        raise NotAuthenticated(Message("Sign in, or send an API token as 'Authorization: Bearer <token>'."))
    if not principal.has(*roles):
        raise Forbidden(
            Message("Your role does not allow this. Allowed: %(roles)s.", roles=sorted(r.value for r in roles))
        )
    if principal.via == "session" and connection.scope.get("method") not in SAFE_METHODS:
        await _check_csrf(connection, principal)


async def _check_csrf(connection: ASGIConnection[Any, Any, Any, Any], principal: Principal) -> None:
    supplied = connection.headers.get(CSRF_HEADER)
    if supplied is None and isinstance(connection, Request):
        content_type = connection.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            supplied = (await connection.form()).get(CSRF_FIELD)
    if not supplied or not principal.csrf_token or not hmac.compare_digest(supplied, principal.csrf_token):
        raise CsrfRejected(
            Message("The form has expired or did not come from this site. Reload the page and try again.")
        )


class CsrfRejected(Forbidden):
    slug = "csrf"
    title = "The form has expired"
