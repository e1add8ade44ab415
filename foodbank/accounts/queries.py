"""Named reads of the accounts area."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts.throttle import Failures
from foodbank.models import Agency, ApiToken, SignInAttempt, User


async def user_by_username(session: AsyncSession, username: str) -> User | None:
    user: User | None = await session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    return user


async def list_users(session: AsyncSession) -> Sequence[User]:
    return (await session.scalars(select(User).order_by(User.username))).all()


async def display_names(session: AsyncSession, user_ids: Collection[int | None]) -> dict[int, str]:
    """User id -> display name, for the people a page names (who referred, decided, registered...)."""
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {user_id: name for user_id, name in rows.all()}


async def list_agencies(session: AsyncSession) -> Sequence[Agency]:
    return (await session.scalars(select(Agency).order_by(Agency.name))).all()


async def tokens_of(session: AsyncSession, user_id: int) -> Sequence[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
    return (await session.scalars(stmt)).all()


async def sign_in_failures(
    session: AsyncSession, *, username: str, remote_addr: str, now: datetime, window: timedelta
) -> tuple[Failures, Failures]:
    """Failed sign-ins in the window: (for this username from this address, since its last success there;
    from this address for any username), each with when the last one was."""
    since = now - window
    failed = select(func.count(), func.max(SignInAttempt.attempted_at)).where(
        SignInAttempt.succeeded.is_(False), SignInAttempt.remote_addr == remote_addr
    )
    last_success = (
        select(func.max(SignInAttempt.attempted_at))
        .where(
            SignInAttempt.succeeded.is_(True),
            SignInAttempt.username == username.lower(),
            SignInAttempt.remote_addr == remote_addr,
        )
        .scalar_subquery()
    )
    pair = (
        await session.execute(
            failed.where(
                SignInAttempt.username == username.lower(),
                SignInAttempt.attempted_at >= func.greatest(since, func.coalesce(last_success, since)),
            )
        )
    ).one()
    address = (await session.execute(failed.where(SignInAttempt.attempted_at >= since))).one()
    return Failures(int(pair[0]), pair[1]), Failures(int(address[0]), address[1])
