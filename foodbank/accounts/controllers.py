"""Accounts API: sign-in sessions, personal tokens, users and agencies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from litestar import Controller, MediaType, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts import queries, services
from foodbank.accounts.access import SESSION_COOKIE
from foodbank.accounts.schemas import (
    AgencyIn,
    AgencyOut,
    PrincipalOut,
    SignedInOut,
    SignInIn,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
)
from foodbank.config import Settings
from foodbank.lib.access import PUBLIC, Principal, allow
from foodbank.lib.clock import utcnow
from foodbank.lib.db import Database
from foodbank.lib.errors import AppError, NotFound
from foodbank.lib.idempotency import Reread, ShownOnce
from foodbank.lib.messages import N_, Message
from foodbank.lib.proxies import client_address, request_scheme
from foodbank.lib.validation import Dump, Load
from foodbank.models import Agency, ApiToken, Role, User

EVERYONE = tuple(Role)


async def user_now(session: AsyncSession, _caller: Principal, user_id: int) -> User:
    """What a retried user creation answers: the user as it is now (names are not stored twice)."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(Message("There is no user with id %(id)s.", id=user_id))
    return user


def cookies_secure(request: Request[Any, Any, Any], settings: Settings) -> bool:
    """Whether our cookies are marked Secure: FOODBANK_COOKIE_SECURE, or with `auto` whether the client's
    request came over https (directly, or as a trusted proxy's X-Forwarded-Proto says)."""
    if settings.security.cookie_secure is not None:
        return settings.security.cookie_secure
    scheme = request_scheme(
        request.scope["scheme"],
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-proto"),
        settings.http.trusted_proxies,
    )
    return scheme == "https"


def session_cookie(value: str, request: Request[Any, Any, Any], settings: Settings, *, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        httponly=True,
        samesite="lax",
        secure=cookies_secure(request, settings),
        path="/",
        max_age=max_age,
    )


async def attempt_sign_in(
    request: Request[Any, Any, Any], database: Database, settings: Settings, username: str, password: str
) -> services.SignedIn | AppError:
    """Sign in within its own transaction: a failed attempt is stored although the request then fails."""
    async with database.transaction() as session:
        return await services.sign_in(
            session,
            username=username,
            password=password,
            remote_addr=client_address(
                request.client.host if request.client else None,
                request.headers.get("x-forwarded-for"),
                settings.http.trusted_proxies,
            ),
            settings=settings.security,
            now=utcnow(),
        )


class SessionController(Controller):
    path = "/api/session"
    tags = ["accounts"]

    @post(
        "/",
        opt={**PUBLIC, "throttled": True},
        dto=Load[SignInIn],
        return_dto=Dump[SignedInOut],
        status_code=HTTP_201_CREATED,
        media_type=MediaType.JSON,
        summary="Sign in with username and password; sets the session cookie",
    )
    async def sign_in(
        self, request: Request[Any, Any, Any], data: dict[str, Any], database: Database, settings: Settings
    ) -> Response[dict[str, Any]]:
        result = await attempt_sign_in(request, database, settings, data["username"], data["password"])
        if isinstance(result, AppError):
            raise result
        max_age = int(timedelta(days=settings.security.session_days).total_seconds())
        return Response(
            {"user": result.principal},
            cookies=[session_cookie(result.session_secret, request, settings, max_age=max_age)],
        )

    @get("/", opt=allow(*EVERYONE), return_dto=Dump[PrincipalOut], summary="Who am I")
    async def me(self, principal: Principal) -> Principal:
        return principal

    @delete("/", opt=allow(*EVERYONE), status_code=HTTP_204_NO_CONTENT, summary="Sign out of this browser")
    async def sign_out(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, principal: Principal, settings: Settings
    ) -> Response[None]:
        await services.sign_out(db_session, principal)
        cookie = session_cookie("", request, settings, max_age=0)
        return Response(None, status_code=HTTP_204_NO_CONTENT, cookies=[cookie])


class TokenController(Controller):
    path = "/api/tokens"
    tags = ["accounts"]

    @get("/", opt=allow(*EVERYONE), return_dto=Dump[TokenOut], summary="My active API tokens")
    async def list_tokens(self, db_session: AsyncSession, principal: Principal) -> Sequence[ApiToken]:
        return await queries.tokens_of(db_session, principal.id)

    @post(
        "/",
        # The secret is never stored: a retry is 409, naming the token to revoke.
        opt=allow(
            *EVERYONE,
            idempotent=ShownOnce(
                N_("API token"), N_("If it was lost, revoke it (DELETE /api/tokens/%(id)s) and create another.")
            ),
        ),
        dto=Load[TokenIn],
        return_dto=Dump[TokenCreatedOut],
        summary="Create a personal API token (the secret is shown once)",
    )
    async def create_token(
        self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]
    ) -> dict[str, Any]:
        days = data["expires_in_days"]
        token, secret = await services.create_token(
            db_session,
            actor_id=principal.id,
            user_id=principal.id,
            name=data["name"],
            expires_at=utcnow() + timedelta(days=days) if days else None,
        )
        return {**{c: getattr(token, c) for c in TokenOut().fields}, "token": secret}

    @delete("/{token_id:int}", opt=allow(*EVERYONE), status_code=HTTP_204_NO_CONTENT, summary="Revoke a token")
    async def revoke_token(self, db_session: AsyncSession, principal: Principal, token_id: int) -> None:
        await services.revoke_token(db_session, principal=principal, token_id=token_id, now=utcnow())


class UserController(Controller):
    path = "/api/users"
    tags = ["accounts"]

    @get("/", opt=allow(Role.admin), return_dto=Dump[UserOut], summary="All users")
    async def list_users(self, db_session: AsyncSession) -> Sequence[User]:
        return await queries.list_users(db_session)

    @post(
        "/",
        opt=allow(Role.admin, idempotent=Reread(user_now)),
        dto=Load[UserIn],
        return_dto=Dump[UserOut],
        summary="Create a user with roles",
    )
    async def create_user(
        self, db_session: AsyncSession, principal: Principal, data: dict[str, Any], settings: Settings
    ) -> User:
        return await services.create_user(db_session, actor_id=principal.id, settings=settings.security, **data)


class AgencyController(Controller):
    path = "/api/agencies"
    tags = ["accounts"]

    @get(
        "/",
        opt=allow(Role.admin, Role.coordinator, Role.consultant),
        return_dto=Dump[AgencyOut],
        summary="Consultation and partner agencies",
    )
    async def list_agencies(self, db_session: AsyncSession) -> Sequence[Agency]:
        return await queries.list_agencies(db_session)

    @post(
        "/",
        opt=allow(Role.admin, Role.coordinator, idempotent=True),
        dto=Load[AgencyIn],
        return_dto=Dump[AgencyOut],
        summary="Register an agency",
    )
    async def create_agency(self, db_session: AsyncSession, principal: Principal, data: dict[str, Any]) -> Agency:
        return await services.create_agency(db_session, actor_id=principal.id, **data)
