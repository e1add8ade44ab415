"""Sign-in, sign-out and the home page.

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
from foodbank.accounts.controllers import EVERYONE, attempt_sign_in, session_cookie
from foodbank.config import Settings
from foodbank.lib.access import PUBLIC, Principal, allow
from foodbank.lib.db import Database
from foodbank.lib.errors import AppError, TooManyRequests

LOGIN_CSRF_COOKIE = "fb_login_csrf"


def page(**opt: Any) -> dict[str, Any]:
    """Marks a handler as a page: a visitor who is not signed in is sent to the sign-in page."""
    return {**opt, "page": True}


def safe_next(target: str | None) -> str:
    """Only same-site paths, so the sign-in form cannot be used to send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class SignInForm(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    csrf = fields.String(required=True, data_key="_csrf")
    next = fields.String(load_default="/")


def _sign_in_page(
    *, error: str | None = None, username: str = "", next_path: str = "/", status_code: int = 200
) -> Template:
    token = services.new_form_token()
    return Template(
        "sign_in.html",
        context={"error": error, "username": username, "next": next_path, "csrf": token},
        status_code=status_code,
        cookies=[Cookie(key=LOGIN_CSRF_COOKIE, value=token, httponly=True, samesite="strict", path="/sign-in")],
    )


@get("/sign-in", opt=PUBLIC, include_in_schema=False)
async def sign_in_page(request: Request[Any, Any, Any], next: str | None = None) -> Response[Any]:
    if request.scope.get("foodbank_principal") is not None:
        return Redirect(safe_next(next))
    return _sign_in_page(next_path=safe_next(next))


@post("/sign-in", opt=PUBLIC, include_in_schema=False)
async def sign_in_submit(request: Request[Any, Any, Any], database: Database, settings: Settings) -> Response[Any]:
    form = dict(await request.form())
    try:
        data = SignInForm().load({k: form[k] for k in ("username", "password", "_csrf", "next") if k in form})
    except ValidationError:
        return _sign_in_page(
            error="ユーザー名とパスワードを入力してください。",
            username=str(form.get("username", "")),
            status_code=422,
        )
    next_path = safe_next(data["next"])
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie_token or not hmac.compare_digest(cookie_token, data["csrf"]):
        return _sign_in_page(
            error="画面の有効期限が切れました。もう一度サインインしてください。",
            username=data["username"],
            next_path=next_path,
            status_code=403,
        )
    result = await attempt_sign_in(request, database, settings, data["username"], data["password"])
    if isinstance(result, AppError):
        message = (
            "サインインの失敗が続いたため、しばらく待ってからもう一度お試しください。"
            if isinstance(result, TooManyRequests)
            else "ユーザー名またはパスワードが違います。"
        )
        return _sign_in_page(error=message, username=data["username"], next_path=next_path, status_code=result.status)
    max_age = int(timedelta(days=settings.security.session_days).total_seconds())
    return Redirect(
        next_path,
        cookies=[
            session_cookie(result.session_secret, settings, max_age=max_age),
            Cookie(key=LOGIN_CSRF_COOKIE, value="", max_age=0, path="/sign-in"),
        ],
    )


@post("/sign-out", opt=page(**allow(*EVERYONE)), include_in_schema=False)
async def sign_out_submit(database: Database, principal: Principal, settings: Settings) -> Redirect:
    async with database.transaction() as session:
        await services.sign_out(session, principal)
    return Redirect("/sign-in", cookies=[session_cookie("", settings, max_age=0)])


@get("/", opt=page(**allow(*EVERYONE)), include_in_schema=False)
async def home(principal: Principal, settings: Settings) -> Template:
    return Template(
        "home.html",
        context={"user": principal, "organisation": settings.http.organisation_name},
    )


PAGE_HANDLERS = [sign_in_page, sign_in_submit, sign_out_submit, home]
