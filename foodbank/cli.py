"""The `foodbank` command: run, serve, test, database, users and demo data.

Each command that writes opens one unit of work (`Database.transaction()`) and commits at its end,
like a request does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from foodbank.config import Settings, SettingsError
from foodbank.households.commands import households
from foodbank.lib.clock import today
from foodbank.referrals.commands import referrals
from foodbank.stock.commands import stock

REPO = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def _require_url(settings: Settings) -> str:
    """DATABASE_URL, or else the local cluster that `run` made (started if it is not running)."""
    if settings.database.url:
        return settings.database.url
    from foodbank.lib.pgcluster import LocalCluster, default_dev_data_root

    data_root = default_dev_data_root(REPO)
    if not (data_root / "data" / "PG_VERSION").exists():
        raise click.ClickException(
            "DATABASE_URL is not set and there is no local database yet. Run `python3 -m foodbank run` once, "
            "or set DATABASE_URL=postgresql+asyncpg://user:password@host:5432/foodbank."
        )
    cluster = LocalCluster(data_root)
    if not cluster.is_running():
        cluster.start()
        click.echo("Started the local PostgreSQL; it keeps running (stop it with `foodbank db stop`).", err=True)
    return cluster.url("foodbank")


def _with_database(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(session)` in one committed transaction."""
    from foodbank.lib.db import Database

    async def main() -> T:
        database = Database.connect(url, pool_size=2, pgbouncer=_settings().database.pgbouncer)
        try:
            async with database.transaction() as session:
                return await work(session)
        finally:
            await database.dispose()

    return asyncio.run(main())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """foodbank: stock, FEFO picking, referrals and annual figures for food banks."""


# --- serving ---------------------------------------------------------------------------------------


APP_FACTORY = "foodbank.app:create_app"
"""What each worker process calls to build its app: `create_app()` reads its settings from the environment."""


def _serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve with uvicorn: one process, or `workers` processes sharing the listening socket (uvicorn's
    multi-process mode), each building its own app and database pool from the environment. Nothing that
    must be shared lives in a process: sessions, sign-in throttling and idempotency keys are rows in
    PostgreSQL."""
    import uvicorn

    # What `run` chose (the local cluster, plain log lines) reaches the workers through the environment.
    if settings.database.url:
        os.environ["DATABASE_URL"] = settings.database.url
    os.environ["FOODBANK_LOG_JSON"] = "true" if settings.log_json else "false"
    trusted = settings.http.trusted_proxies
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn handled the Ctrl-C and shut down cleanly
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            lifespan="on",
            log_config=None,
            access_log=False,  # our own access log (foodbank.lib.context) has the request id and the user
            # The same proxies as the app's own reading of X-Forwarded-For/-Proto (foodbank.lib.proxies):
            # uvicorn then reports the client's address and scheme, and the app's reading agrees with it.
            proxy_headers=bool(trusted),
            forwarded_allow_ips=",".join(trusted) if trusted else None,
            timeout_graceful_shutdown=15,
        )
    click.echo("Stopped.")


WORKERS_HELP = "Worker processes (default FOODBANK_WORKERS or the number of cores)."


@main.command()
@click.option("--host", default=None, help="Address to listen on (default FOODBANK_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default FOODBANK_PORT or 8000).")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=None, help=WORKERS_HELP)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the API and pages with DATABASE_URL (migrations must be applied)."""
    settings = _settings()
    settings = replace(settings, database=replace(settings.database, url=_require_url(settings)))
    _serve(settings, host or settings.http.host, port or settings.http.port, workers or settings.http.workers)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=None, help=WORKERS_HELP)
@click.option("--no-demo", is_flag=True, help="Do not load the demo data.")
def run(host: str | None, port: int | None, workers: int | None, no_demo: bool) -> None:
    """Start everything: local PostgreSQL (unless DATABASE_URL is set), migrations, demo data, server."""
    settings = _settings()
    if "FOODBANK_LOG_JSON" not in os.environ:  # a person is watching this terminal: plain lines read better
        settings = replace(settings, log_json=False)
    if workers is not None:
        settings = replace(settings, http=replace(settings.http, workers=workers))
    url = settings.database.url
    cluster = None
    if url is None:
        from foodbank.lib.pgcluster import LocalCluster, default_dev_data_root

        data_root = default_dev_data_root(REPO)
        cluster = LocalCluster(data_root)
        click.echo(f"Starting the local PostgreSQL cluster in {data_root} ...")
        cluster.start()
        if not cluster.database_exists("foodbank"):
            cluster.create_database("foodbank")
        url = cluster.url("foodbank")
        settings = replace(settings, database=replace(settings.database, url=url))
    try:
        _prepare_and_serve(settings, url, host, port, demo_data=not no_demo)
    finally:
        if cluster is not None:
            click.echo("Stopping the local PostgreSQL cluster (the data stays).")
            cluster.stop()


def _prepare_and_serve(settings: Settings, url: str, host: str | None, port: int | None, *, demo_data: bool) -> None:
    from foodbank import demo
    from foodbank.lib import migrate

    click.echo("Applying migrations ...")
    asyncio.run(migrate.upgrade(url))
    if demo_data:
        loaded = _with_database(
            url, lambda s: demo.load(s, settings.security, settings.stock, today(), progress=click.echo)
        )
        click.echo("Demo data loaded." if loaded else "Demo data already present.")
        click.echo("Demo sign-ins (username / password), for trying the service only:")
        for user in demo.DEMO_USERS:
            click.echo(f"  {user.role.value:<12} {user.username} / {user.password}")
    click.echo(f"Other commands find this database by themselves; for other tools: DATABASE_URL='{url}'")
    host, port = host or settings.http.host, port or settings.http.port
    workers = settings.http.workers
    click.echo(
        f"Serving on http://{host}:{port} with {workers} worker process{'es' if workers > 1 else ''}"
        f"  (API documentation: http://{host}:{port}/schema)"
    )
    _serve(settings, host, port, workers)


# --- tests -----------------------------------------------------------------------------------------


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
def test(pytest_args: tuple[str, ...]) -> None:
    """Run the whole test suite on a throwaway PostgreSQL cluster (extra arguments go to pytest).

    The whole suite runs in parallel, one pytest-xdist worker per core (at most 4), each worker with a
    throwaway cluster and databases of its own; FOODBANK_TEST_WORKERS sets the number (1: no workers)."""
    import pytest

    os.chdir(REPO)
    workers = worker_count(pytest_args, os.environ.get("FOODBANK_TEST_WORKERS"), os.cpu_count() or 1)
    parallel = ["-n", str(workers), "--dist", "loadfile"] if workers > 1 else []
    code = int(pytest.main(["-p", "no:cacheprovider", *parallel, *pytest_args]))
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        raise click.ClickException("No test was collected: check the arguments given to pytest.")
    sys.exit(code)


MAX_TEST_WORKERS = 4


def worker_count(pytest_args: Sequence[str], configured: str | None, cores: int) -> int:
    """How many pytest-xdist workers `test` starts: FOODBANK_TEST_WORKERS when set; none when the
    arguments choose their own (`-n`, `-p no:xdist`) or name tests (a few tests start faster alone);
    else one per core, at most MAX_TEST_WORKERS (a worker is a PostgreSQL cluster and maybe a browser)."""
    chosen = any(a in {"-n", "--numprocesses"} or a.startswith(("-n", "--numprocesses=")) for a in pytest_args)
    if chosen or "no:xdist" in pytest_args:
        return 1
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            raise click.ClickException(f"FOODBANK_TEST_WORKERS must be a whole number, not {configured!r}.") from None
    names_tests = any(Path(a.split("::")[0]).exists() for a in pytest_args if not a.startswith("-"))
    return 1 if names_tests else max(1, min(cores, MAX_TEST_WORKERS))


# The house rules' checks, as CI runs them: lint, format and strict types (configured in pyproject.toml).
LINT_CHECKS = (
    ("ruff check", ("ruff", "check", ".")),
    ("ruff format --check", ("ruff", "format", "--check", ".")),
    ("mypy", ("mypy", "foodbank")),
)


@main.command()
def lint() -> None:
    """Run ruff check, ruff format --check and mypy (strict) from the venv; fail if any fails."""
    import subprocess

    tools = Path(sys.executable).parent  # the venv's bin/, where the development tools are installed
    failed = []
    for name, (tool, *args) in LINT_CHECKS:
        click.echo(f"--- {name}")
        if subprocess.run([str(tools / tool), *args], cwd=REPO, check=False).returncode != 0:  # noqa: S603
            failed.append(name)
    if failed:
        raise click.ClickException(f"failed: {', '.join(failed)}")
    click.echo("lint: all checks passed")


# --- database --------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema and housekeeping."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from foodbank.lib import migrate

    asyncio.run(migrate.upgrade(_require_url(_settings()), revision))
    click.echo(f"Database at {revision}.")


@db.command("url")
def db_url() -> None:
    """Print the database URL the commands use (DATABASE_URL, or the local cluster, started if needed)."""
    click.echo(_require_url(_settings()))


@db.command("stop")
def db_stop() -> None:
    """Stop the local PostgreSQL cluster (its data stays)."""
    from foodbank.lib.pgcluster import LocalCluster, default_dev_data_root

    cluster = LocalCluster(default_dev_data_root(REPO))
    if not cluster.is_running():
        click.echo("The local PostgreSQL is not running.")
        return
    cluster.stop()
    click.echo("Stopped the local PostgreSQL (the data stays).")


@db.command("check")
def db_check() -> None:
    """Fail when the models and the migrated database differ (a migration is missing)."""
    from foodbank.lib import migrate

    differences = asyncio.run(migrate.drift(_require_url(_settings())))
    if differences:
        for diff in differences:
            click.echo(f"  {diff}")
        raise click.ClickException("The models differ from the database: write a migration.")
    click.echo("Models and database agree.")


@db.command("purge-idempotency")
@click.option("--days", type=click.IntRange(min=1), default=7, show_default=True)
def db_purge_idempotency(days: int) -> None:
    """Delete idempotency keys older than DAYS."""
    from foodbank.lib import idempotency

    count = _with_database(_require_url(_settings()), lambda s: idempotency.purge_older_than(s, days))
    click.echo(f"Deleted {count} idempotency keys.")


# --- users -----------------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """User accounts and API tokens."""


@users.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Name shown in the service.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["admin", "coordinator", "warehouse", "consultant", "reporter"]),
    help="Repeat for several roles.",
)
@click.option("--agency", "agency_name", default=None, help="Agency name (required for consultants).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
@click.option("--no-password", is_flag=True, help="An account that signs in with API tokens only.")
def users_create(
    username: str,
    display_name: str,
    roles: tuple[str, ...],
    agency_name: str | None,
    password_stdin: bool,
    no_password: bool,
) -> None:
    """Create a user with one or more roles."""
    from marshmallow import ValidationError

    from foodbank.accounts import queries, services
    from foodbank.accounts.schemas import UserIn
    from foodbank.lib.errors import AppError, flatten_marshmallow_errors

    settings = _settings()
    url = _require_url(settings)
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not no_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def work(session: Any) -> int:
        agency_id = None
        if agency_name is not None:
            agency = next((a for a in await queries.list_agencies(session) if a.name == agency_name), None)
            if agency is None:
                raise click.ClickException(
                    f"No agency named {agency_name!r}; create it with `foodbank agencies create`."
                )
            agency_id = agency.id
        data = UserIn().load(
            {
                "username": username,
                "display_name": display_name,
                "password": password,
                "roles": list(roles),
                "agency_id": agency_id,
            }
        )
        user = await services.create_user(session, actor_id=None, settings=settings.security, **data)
        return user.id

    try:
        user_id = _with_database(url, work)
    except ValidationError as exc:
        problems = "; ".join(f"{e['field']}: {e['message']}" for e in flatten_marshmallow_errors(exc.messages))
        raise click.ClickException(problems) from None
    except AppError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"Created user {username} (id {user_id}) with roles {', '.join(roles)}.")


@users.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--expires-in-days", type=click.IntRange(min=1, max=3650), default=None)
def users_token(username: str, name: str, expires_in_days: int | None) -> None:
    """Create a personal API token for USERNAME and print it (once)."""
    from foodbank.accounts import queries, services
    from foodbank.lib.clock import utcnow

    url = _require_url(_settings())

    async def work(session: Any) -> str:
        user = await queries.user_by_username(session, username)
        if user is None:
            raise click.ClickException(f"No user named {username!r}.")
        expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
        _, secret = await services.create_token(session, actor_id=None, user_id=user.id, name=name, expires_at=expires)
        return secret

    secret = _with_database(url, work)
    click.echo(secret)
    click.echo("Send it as 'Authorization: Bearer <token>'. It is not shown again.", err=True)


@users.command("unlock")
@click.argument("username")
def users_unlock(username: str) -> None:
    """Forget USERNAME's failed sign-ins, so any wait ends now (audited)."""
    from foodbank.accounts import services

    async def work(session: Any) -> int:
        return await services.unlock(session, actor_id=None, username=username)

    forgotten = _with_database(_require_url(_settings()), work)
    click.echo(f"{username}: {forgotten} failed sign-in(s) forgotten; they can sign in now.")


@users.command("list")
def users_list() -> None:
    """List users and their roles."""
    from foodbank.accounts import queries

    async def work(session: Any) -> list[str]:
        return [
            f"{u.id:>5}  {u.username:<20} {','.join(u.sorted_roles):<30} " + ("active" if u.is_active else "inactive")
            for u in await queries.list_users(session)
        ]

    for line in _with_database(_require_url(_settings()), work):
        click.echo(line)


@main.group()
def agencies() -> None:
    """Consultation and partner agencies."""


@agencies.command("create")
@click.argument("name")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(
        [
            "core_consultation",
            "consultation_office",
            "social_welfare_council",
            "regional_support_centre",
            "municipal_office",
            "other",
        ]
    ),
)
def agencies_create(name: str, kind: str) -> None:
    """Register an agency."""
    from foodbank.accounts import services
    from foodbank.lib.errors import AppError
    from foodbank.models import AgencyKind

    async def work(session: Any) -> int:
        agency = await services.create_agency(session, actor_id=None, name=name, kind=AgencyKind(kind))
        return agency.id

    try:
        agency_id = _with_database(_require_url(_settings()), work)
    except AppError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"Created agency {name} (id {agency_id}).")


# --- reports ---------------------------------------------------------------------------------------


@main.group()
def report() -> None:
    """Reports: the annual summary of a fiscal year."""


@report.command("annual")
@click.option(
    "--year",
    "fiscal_year",
    type=int,
    default=None,
    help="Fiscal year, named by the year it starts in (2025 = 令和7年度). Default: the last complete year.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "xlsx", "csv", "html", "json"]), default="pdf", show_default=True
)
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None, help="Default: a name in ."
)
def report_annual(fiscal_year: int | None, fmt: str, lang: str, output: str | None) -> None:
    """Write the annual summary to a file (PDF, Excel, CSV, HTML or JSON)."""
    import json

    from foodbank.lib.errors import AppError
    from foodbank.reports import rules, services
    from foodbank.reports.schemas import AnnualSummaryOut

    settings = _settings()
    start_month = settings.reports.fiscal_year_start_month
    year = fiscal_year if fiscal_year is not None else rules.fiscal_year_of(today(), start_month) - 1

    async def work(session: Any) -> tuple[str, bytes]:
        summary = await services.build_annual_summary(
            session,
            fiscal_year=year,
            start_month=start_month,
            organisation=settings.http.organisation_name,
            today=today(),
        )
        if fmt == "json":
            body = json.dumps(AnnualSummaryOut().dump(summary), ensure_ascii=False, indent=2).encode()
        else:
            body = await services.render(summary, fmt, lang)
        return services.filename(summary, fmt, lang), body

    try:
        name, body = _with_database(_require_url(settings), work)
    except AppError as exc:
        raise click.ClickException(exc.detail) from None
    target = Path(output or name)
    target.write_bytes(body)
    click.echo(f"Wrote {target} ({len(body):,} bytes).")


# --- demo data -------------------------------------------------------------------------------------


@main.group()
def demo() -> None:
    """Demo data for trying the service."""


@demo.command("load")
def demo_load() -> None:
    """Load the demo data into DATABASE_URL (once)."""
    from foodbank import demo as demo_data

    settings = _settings()
    loaded = _with_database(
        _require_url(settings),
        lambda s: demo_data.load(s, settings.security, settings.stock, today(), progress=click.echo),
    )
    click.echo("Demo data loaded." if loaded else "Demo data already present.")


main.add_command(stock)
main.add_command(households)
main.add_command(referrals)
