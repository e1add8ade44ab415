"""`foodbank referrals ...`: housekeeping."""

from __future__ import annotations

from typing import Any

import click


@click.group()
def referrals() -> None:
    """Referrals: housekeeping."""


@referrals.command("expire")
def expire() -> None:
    """Mark open referrals past their last valid day as expired (run daily)."""
    from foodbank.cli import _require_url, _settings, _with_database
    from foodbank.lib.clock import today
    from foodbank.referrals import services

    async def work(session: Any) -> int:
        return await services.expire_overdue(session, actor_id=None, today=today())

    click.echo(f"Expired {_with_database(_require_url(_settings()), work)} referrals.")
