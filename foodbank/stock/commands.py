"""The `foodbank stock` commands: verify the ledger, import and export CSV.

The database helpers (`_settings`, `_require_url`, `_with_database`) are imported from
`foodbank.cli` inside each command: `foodbank.cli` registers this group at its end, so importing it at
module level here would be circular.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any

import click

KINDS = ("opening_balance", "stock_count")


@click.group()
def stock() -> None:
    """Stock: verify the ledger, import opening balances and stock counts, export CSV."""


@stock.command("verify")
@click.option(
    "--repair",
    is_flag=True,
    help="Rewrite the ledger's per-day sums and the hand-outs' stored units and kg from the ledger and the lines.",
)
def stock_verify(repair: bool) -> None:
    """Rebuild every lot's balance, the ledger's per-day sums (stock_day) and each hand-out's units and kg
    from the ledger and the lines; list differences and exit 1 if there are any (--repair: rewrite the
    sums and totals that differ, and exit 1 only for lot balances, which it does not touch)."""
    from foodbank.cli import _require_url, _settings, _with_database
    from foodbank.distributions import queries as distribution_queries
    from foodbank.distributions import services as distribution_services
    from foodbank.stock import ledger

    async def check(session: Any) -> tuple[Any, Any, Any]:
        found = (
            await ledger.verify(session),
            await ledger.verify_days(session),
            await distribution_queries.total_differences(session),
        )
        if repair and (found[1] or found[2]):
            await ledger.rebuild_days(session)
            await distribution_services.repair_totals(session)
        return found

    balances, days, totals = _with_database(_require_url(_settings()), check)
    if not (balances or days or totals):
        click.echo("No differences.")
        return
    for d in balances:
        click.echo(
            f"lot {d.lot_id}: on hand {d.stored_on_hand} stored, {d.ledger_on_hand} in the ledger; "
            f"reserved {d.stored_reserved} stored, {d.ledger_reserved} in the ledger"
        )
    for day in days:
        click.echo(
            f"stock_day {day.day} item {day.item_id} {day.kind} {day.detail or '-'}: units {day.stored_units} "
            f"stored, {day.ledger_units} in the ledger; kg {day.stored_kg} stored, {day.ledger_kg} in the ledger; "
            f"category {day.stored_category_id} stored, {day.ledger_category_id} in the ledger"
        )
    for distribution_id, units, line_units, kg, line_kg in totals:
        click.echo(
            f"distribution {distribution_id}: units {units} stored, {line_units} in its lines; "
            f"kg {kg} stored, {line_kg} in its lines"
        )
    if balances:
        click.echo(f"{len(balances)} lots differ from their ledger.", err=True)
    if days:
        done = "rewritten from the ledger" if repair else "differ from the ledger (--repair rewrites them)"
        click.echo(f"{len(days)} per-day sums {done}.", err=True)
    if totals:
        done = "set from their lines" if repair else "differ from their lines (--repair sets them)"
        click.echo(f"{len(totals)} hand-out totals {done}.", err=True)
    if balances or not repair:
        sys.exit(1)


@stock.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", required=True, type=click.Choice(KINDS), help="What the rows are.")
@click.option("--warehouse", "warehouse_name", default=None, help="Warehouse name: location codes and lots are in it.")
@click.option("--as-user", "username", default=None, help="Record the changes as done by this user.")
@click.option(
    "--date",
    "on_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Received date of an opening balance, or day of a stock count (default today, Japan time).",
)
def stock_import(file: Path, kind: str, warehouse_name: str | None, username: str | None, on_date: Any) -> None:
    """Import FILE (CSV, UTF-8 or Shift_JIS, header row in English or Japanese): all rows or none.

    \b
    opening_balance: barcode/JANコード or item_id/品目ID, quantity/数量, location/棚,
                     expiry/賞味期限/期限, crop_year/産年, lot_code/ロット
    stock_count:     lot_id/ロットID, counted/実数
    """
    from foodbank.accounts import queries as accounts
    from foodbank.catalogue import queries as catalogue
    from foodbank.cli import _require_url, _settings, _with_database
    from foodbank.lib.errors import AppError
    from foodbank.stock import csvio

    settings = _settings()
    url = _require_url(settings)
    data = file.read_bytes()
    day: date | None = on_date.date() if on_date is not None else None

    async def work(session: Any) -> csvio.ImportResult:
        actor_id = None
        if username is not None:
            user = await accounts.user_by_username(session, username)
            if user is None:
                raise click.ClickException(f"No user named {username!r}.")
            actor_id = user.id
        warehouse_id = None
        if warehouse_name is not None:
            found = next((w for w in await catalogue.warehouses(session) if w.name == warehouse_name), None)
            if found is None:
                raise click.ClickException(f"No warehouse named {warehouse_name!r}.")
            warehouse_id = found.id
        table = csvio.read_csv(data, csvio.ImportKind(kind))
        with _bar(len(table.rows), "Checking") as update:
            plan = await csvio.check(
                session, table, settings=settings.stock, warehouse_id=warehouse_id, on_date=day, progress=update
            )
        with _bar(len(table.rows), "Writing ") as update:
            return await csvio.write(session, plan, actor_id=actor_id, settings=settings.stock, progress=update)

    try:
        result = _with_database(url, work)
    except csvio.ImportRefused as exc:
        for problem in exc.problems:
            click.echo(csvio.describe(problem), err=True)
        raise click.ClickException(
            f"{len(exc.problems)} problem(s) in {file.name}: nothing was imported. Fix them and import the file again."
        ) from None
    except AppError as exc:
        raise click.ClickException(exc.detail) from None

    for warning in result.warnings:
        click.echo(f"warning: {csvio.describe(warning)}", err=True)
    if result.ignored_columns:
        click.echo("Ignored columns: " + ", ".join(result.ignored_columns), err=True)
    if result.kind is csvio.ImportKind.opening_balance:
        click.echo(
            f"Imported {result.rows} rows ({result.encoding}): receipt {result.receipt_id}, "
            f"{result.lots_created} lots, {result.units_delta} units."
        )
    else:
        click.echo(
            f"Counted {result.rows} lots ({result.encoding}): {result.lots_adjusted} adjusted, "
            f"{result.units_delta:+d} units in all."
        )


@contextmanager
def _bar(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """click.progressbar on standard error, fed by csvio's `progress(rows done)` callback."""
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield lambda done: bar.update(done - bar.pos)


@stock.command("export")
@click.argument("what", type=click.Choice(["stock", "ledger"]))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Default: stdout.")
@click.option(
    "--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Ledger: movements from this day."
)
def stock_export(what: str, output: Path | None, since: Any) -> None:
    """Export current stock (one row per lot) or the whole ledger as CSV, UTF-8 with BOM for Excel."""
    from foodbank.cli import _require_url, _settings, _with_database
    from foodbank.lib.clock import today
    from foodbank.stock import csvio

    def chunks(session: Any) -> AsyncIterator[bytes]:
        if what == "stock":
            return csvio.export_stock(session, on=today())
        return csvio.export_ledger(session, since=since.date() if since is not None else None)

    async def copy(session: Any, target: IO[Any]) -> None:
        async for chunk in chunks(session):
            target.write(chunk)

    url = _require_url(_settings())
    with click.open_file("-" if output is None else str(output), "wb") as target:
        _with_database(url, lambda s: copy(s, target))
    if output is not None:
        click.echo(f"Wrote {output}.", err=True)
