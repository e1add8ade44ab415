"""Named reads of the accounts area."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.models import Agency, ApiToken, SignInAttempt, User


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    user: User | None = await session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    return user


async def list_users(session: AsyncSession) -> Sequence[User]:
    return (await session.scalars(select(User).order_by(User.username))).all()


async def list_agencies(session: AsyncSession) -> Sequence[Agency]:
    return (await session.scalars(select(Agency).order_by(Agency.name))).all()


async def tokens_of(session: AsyncSession, user_id: int) -> Sequence[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
    return (await session.scalars(stmt)).all()


async def recent_failures(
    session: AsyncSession, *, username: str, remote_addr: str, now: datetime, window: timedelta
) -> tuple[int, int]:
    """Failed sign-ins in the window: (for this username, from this address)."""
    since = now - window
    failed = select(func.count()).where(SignInAttempt.succeeded.is_(False), SignInAttempt.attempted_at >= since)
    by_user = await session.scalar(failed.where(SignInAttempt.username == username.lower()))
    by_addr = await session.scalar(failed.where(SignInAttempt.remote_addr == remote_addr))
    return int(by_user or 0), int(by_addr or 0)
