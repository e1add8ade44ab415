"""Sign-in, sign-out and the language switch.

Forms post with a CSRF token: before sign-in, a double-submit cookie (`fb_login_csrf`) guards the
sign-in form against login CSRF; after sign-in, the session's own token is checked by the guard.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from marshmallow import Schema, ValidationError, fields, validate

from foodbank.accounts import services
from foodbank.accounts.controllers import EVERYONE, attempt_sign_in, cookies_secure, session_cookie
from foodbank.config import Settings
from foodbank.lib.access import PUBLIC, Principal, allow
from foodbank.lib.db import Database
from foodbank.lib.errors import AppError, TooManyRequests
from foodbank.lib.validation import checked_load
from foodbank.pages.i18n import LANGUAGE_COOKIE, LANGUAGES, N_
from foodbank.pages.layout import Ui, page, safe_next

LOGIN_CSRF_COOKIE = "fb_login_csrf"
LANGUAGE_COOKIE_DAYS = 400


class SignInForm(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    csrf = fields.String(required=True, data_key="_csrf")
    next = fields.String(load_default="/")


def _sign_in_page(
    ui: Ui, *, error: str | None = None, username: str = "", next_path: str = "/", status_code: int = 200
) -> Template:
    token = services.new_form_token()
    response = ui.render(
        "sign_in.html",
        error=ui._(error) if error else None,
        username=username,
        next=next_path,
        login_csrf=token,
        status_code=status_code,
    )
    response.cookies.append(
        Cookie(
            key=LOGIN_CSRF_COOKIE,
            value=token,
            httponly=True,
            samesite="strict",
            secure=cookies_secure(ui.request, ui.settings),
            path="/sign-in",
        )
    )
    return response


@get("/sign-in", opt=PUBLIC, include_in_schema=False)
async def sign_in_page(ui: Ui, next: str | None = None) -> Response[Any]:
    if ui.principal is not None:
        return Redirect(safe_next(next))
    return _sign_in_page(ui, next_path=safe_next(next))


@post("/sign-in", opt=PUBLIC, include_in_schema=False)
async def sign_in_submit(
    request: Request[Any, Any, Any], ui: Ui, database: Database, settings: Settings
) -> Response[Any]:
    form = dict(await request.form())
    try:
        data = checked_load(SignInForm(), {k: form[k] for k in ("username", "password", "_csrf", "next") if k in form})
    except ValidationError:
        return _sign_in_page(
            ui,
            error=N_("Enter your username and password."),
            username=str(form.get("username", "")),
            status_code=422,
        )
    next_path = safe_next(data["next"])
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie_token or not hmac.compare_digest(cookie_token, data["csrf"]):
        return _sign_in_page(
            ui,
            error=N_("The page had expired. Please sign in again."),
            username=data["username"],
            next_path=next_path,
            status_code=403,
        )
    result = await attempt_sign_in(request, database, settings, data["username"], data["password"])
    if isinstance(result, AppError):
        message = (
            N_("Too many failed sign-ins. Wait a while, then try again.")
            if isinstance(result, TooManyRequests)
            else N_("The username or password is wrong.")
        )
        return _sign_in_page(
            ui, error=message, username=data["username"], next_path=next_path, status_code=result.status
        )
    max_age = int(timedelta(days=settings.security.session_days).total_seconds())
    return Redirect(
        next_path,
        status_code=303,
        cookies=[
            session_cookie(result.session_secret, request, settings, max_age=max_age),
            Cookie(key=LOGIN_CSRF_COOKIE, value="", max_age=0, path="/sign-in"),
        ],
    )


@post("/sign-out", opt=page(**allow(*EVERYONE)), include_in_schema=False)
async def sign_out_submit(
    request: Request[Any, Any, Any], database: Database, principal: Principal, settings: Settings
) -> Redirect:
    async with database.transaction() as session:
        await services.sign_out(session, principal)
    return Redirect("/sign-in", status_code=303, cookies=[session_cookie("", request, settings, max_age=0)])


@get("/language/{lang:str}", opt=PUBLIC, include_in_schema=False)
async def switch_language(lang: str, next: str | None = None) -> Redirect:
    """Remember the chosen language in a cookie (a preference, not a change of data: a link is fine)."""
    cookies = []
    if lang in LANGUAGES:
        max_age = LANGUAGE_COOKIE_DAYS * 24 * 3600
        cookies.append(Cookie(key=LANGUAGE_COOKIE, value=lang, max_age=max_age, samesite="lax", path="/"))
    return Redirect(safe_next(next), cookies=cookies)


HANDLERS = [sign_in_page, sign_in_submit, sign_out_submit, switch_language]
