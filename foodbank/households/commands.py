"""`foodbank households ...`: privacy housekeeping."""

from __future__ import annotations

from typing import Any

import click


@click.group()
def households() -> None:
    """Households: privacy housekeeping."""


@households.command("anonymise")
@click.option("--years", type=click.IntRange(min=1), default=None, help="Default FOODBANK_RETENTION_YEARS (5).")
@click.option("--dry-run", is_flag=True, help="List the codes that would be anonymised; change nothing.")
def anonymise(years: int | None, dry_run: bool) -> None:
    """Remove identity and notes of households with no activity for YEARS; codes and figures stay."""
    from foodbank.cli import _require_url, _settings, _with_database
    from foodbank.households import services
    from foodbank.lib.clock import today

    settings = _settings()
    span = years or settings.households.retention_years

    async def work(session: Any) -> list[str]:
        return await services.anonymise_inactive(session, actor_id=None, years=span, today=today(), dry_run=dry_run)

    codes = _with_database(_require_url(settings), work)
    verb = "Would anonymise" if dry_run else "Anonymised"
    listed = f": {', '.join(codes)}" if codes else "."
    click.echo(f"{verb} {len(codes)} households inactive for {span} years{listed}")
