"""Use cases of the accounts area. They write audit events and never commit."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts import queries, throttle
from foodbank.accounts.credentials import TOKEN_PREFIX, digest, hash_password, new_secret, verify_password
from foodbank.accounts.errors import (
    AgencyNameTaken,
    AgencyRequired,
    InvalidCredentials,
    UnknownToken,
    UsernameTaken,
)
from foodbank.audit.services import record
from foodbank.config import SecuritySettings
from foodbank.lib.access import Principal
from foodbank.lib.db import add_unique
from foodbank.lib.errors import AppError, InvalidInput, TooManyRequests
from foodbank.lib.messages import Message
from foodbank.models import Agency, AgencyKind, ApiToken, Role, SignInAttempt, User, UserRole, WebSession


async def create_agency(session: AsyncSession, *, actor_id: int | None, name: str, kind: AgencyKind) -> Agency:
    agency = Agency(name=name, kind=kind)
    await add_unique(
        session,
        agency,
        {"uq_agency_name": AgencyNameTaken(Message("An agency named %(name)s already exists.", name=repr(name)))},
    )
    await record(session, actor_id=actor_id, action="agency.create", entity="agency", entity_id=agency.id)
    return agency


async def create_user(
    session: AsyncSession,
    *,
    actor_id: int | None,
    username: str,
    display_name: str,
    password: str | None,
    roles: Iterable[Role],
    agency_id: int | None,
    settings: SecuritySettings,
) -> User:
    role_set = frozenset(roles)
    if Role.consultant in role_set and agency_id is None:
        raise AgencyRequired(
            Message("A consultant must belong to an agency."),
            errors=[{"field": "agency_id", "message": Message("Required for the consultant role.")}],
        )
    if agency_id is not None and await session.get(Agency, agency_id) is None:
        raise InvalidInput(
            Message("There is no agency with id %(id)s.", id=agency_id),
            errors=[{"field": "agency_id", "message": Message("There is no agency with id %(id)s.", id=agency_id)}],
        )
    user = User(
        username=username,
        display_name=display_name,
        password_hash=await hash_password(password, settings) if password else None,
        agency_id=agency_id,
        role_rows=[UserRole(role=r) for r in sorted(role_set)],
    )
    await add_unique(
        session,
        user,
        # The message does not repeat the username: error bodies carry no personal data.
        {"uq_user_account_username_lower": UsernameTaken(Message("That username is already in use: choose another."))},
    )
    await record(
        session,
        actor_id=actor_id,
        action="user.create",
        entity="user_account",
        entity_id=user.id,
        details={"roles": sorted(role_set), "agency_id": agency_id},
    )
    return user


async def set_password(
    session: AsyncSession, *, actor_id: int | None, user: User, password: str, settings: SecuritySettings
) -> None:
    user.password_hash = await hash_password(password, settings)
    # A new password ends every browser session of that user.
    await session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    await record(session, actor_id=actor_id, action="user.set_password", entity="user_account", entity_id=user.id)


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    session_secret: str


async def sign_in(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    remote_addr: str,
    settings: SecuritySettings,
    now: datetime,
) -> SignedIn | AppError:
    """Check the password and open a web session. The attempt is recorded whatever the result, so a
    failure is returned, not raised: the caller commits the attempt, then raises it."""
    window = timedelta(minutes=settings.sign_in_window_minutes)
    pair, address = await queries.sign_in_failures(
        session, username=username, remote_addr=remote_addr, now=now, window=window
    )
    free = settings.sign_in_attempts
    left = max(
        throttle.wait(pair, free=free, cap=window, now=now),
        throttle.wait(address, free=free * throttle.ADDRESS_FACTOR, cap=window, now=now),
    )
    if left > timedelta(0):
        # Not recorded: waiting out the delay is what is asked, and retrying early must not lengthen it.
        return TooManyRequests(
            Message("Too many failed sign-ins. Wait a moment and try again."),
            retry_after_seconds=math.ceil(left.total_seconds()),
        )
    user = await queries.user_by_username(session, username)
    ok = await verify_password(user.password_hash if user else None, password, settings)
    succeeded = ok and user is not None and user.is_active
    session.add(SignInAttempt(username=username.lower(), remote_addr=remote_addr, succeeded=succeeded))
    if not succeeded or user is None:
        return InvalidCredentials(Message("The username or the password is not correct."))
    secret = new_secret()
    web_session = WebSession(
        user_id=user.id,
        token_hash=digest(secret),
        csrf_token=new_secret(),
        expires_at=now + timedelta(days=settings.session_days),
    )
    session.add(web_session)
    user.last_sign_in_at = now
    await session.flush()
    await record(session, actor_id=user.id, action="session.create", entity="web_session", entity_id=web_session.id)
    return SignedIn(principal_for(user, web_session), secret)


async def unlock(session: AsyncSession, *, actor_id: int | None, username: str) -> int:
    """Forget the failed sign-ins of `username` (from every address), so its waits end now; audited.
    What an admin does when a volunteer is kept waiting. Returns how many failures were forgotten."""
    result = await session.execute(
        delete(SignInAttempt).where(SignInAttempt.username == username.lower(), SignInAttempt.succeeded.is_(False))
    )
    forgotten = int(result.rowcount or 0)  # type: ignore[attr-defined]
    user = await queries.user_by_username(session, username)
    await record(
        session,
        actor_id=actor_id,
        action="user.unlock",
        entity="user_account",
        entity_id=user.id if user else None,
        details={"failures_forgotten": forgotten},
    )
    return forgotten


async def sign_out(session: AsyncSession, principal: Principal) -> None:
    if principal.session_id is None:
        return
    await session.execute(delete(WebSession).where(WebSession.id == principal.session_id))
    await record(
        session,
        actor_id=principal.id,
        action="session.delete",
        entity="web_session",
        entity_id=principal.session_id,
    )


async def create_token(
    session: AsyncSession, *, actor_id: int | None, user_id: int, name: str, expires_at: datetime | None
) -> tuple[ApiToken, str]:
    """A personal API token; the secret is returned once and only its digest is kept."""
    secret = new_secret(TOKEN_PREFIX)
    token = ApiToken(user_id=user_id, name=name, token_hash=digest(secret), prefix=secret[:10], expires_at=expires_at)
    session.add(token)
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="api_token.create",
        entity="api_token",
        entity_id=token.id,
        details={"user_id": user_id},
    )
    return token, secret


async def revoke_token(session: AsyncSession, *, principal: Principal, token_id: int, now: datetime) -> None:
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == principal.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiToken.id)
    )
    if result.scalar_one_or_none() is None:
        raise UnknownToken(Message("You have no active token with id %(id)s.", id=token_id))
    await record(session, actor_id=principal.id, action="api_token.revoke", entity="api_token", entity_id=token_id)


def principal_for(user: User, web_session: WebSession | None = None, *, via: str = "session") -> Principal:
    return Principal(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=user.roles,
        agency_id=user.agency_id,
        via=via,
        session_id=web_session.id if web_session else None,
        csrf_token=web_session.csrf_token if web_session else None,
    )


async def principal_from_token(session: AsyncSession, secret: str, now: datetime) -> Principal | None:
    row = (
        await session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None), User.is_active)
        )
    ).first()
    if row is None:
        return None
    token, user = row
    if token.expires_at is not None and token.expires_at <= now:
        return None
    # Touch at most every five minutes: a script's every call should not write a row.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return principal_for(user, via="token")


async def principal_from_session(session: AsyncSession, secret: str, now: datetime) -> Principal | None:
    row = (
        await session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == digest(secret), WebSession.expires_at > now, User.is_active)
        )
    ).first()
    if row is None:
        return None
    web_session, user = row
    return principal_for(user, web_session)


def new_form_token() -> str:
    """A token for a form shown before sign-in (double-submit cookie)."""
    return new_secret()
