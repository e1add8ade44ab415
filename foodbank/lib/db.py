"""The database: engine, session factory and the per-request unit of work.

Services and queries never commit. `provide_db_session` opens one transaction per request and
commits it when the handler returned normally (after the response body was built, so that the
idempotency record and the work are committed together), or rolls it back when anything raised.
CLI commands use `Database.transaction()` for the same boundary.

Reports and exports read through `provide_report_session` / `Database.snapshot()`: a REPEATABLE READ
READ ONLY transaction on the read replica (DATABASE_REPLICA_URL), or on the primary when there is none.

Behind PgBouncer in transaction mode (FOODBANK_DB_PGBOUNCER) consecutive transactions of one client
connection may run on different server connections, so a statement prepared in one may be missing, or
its name taken, in the next: `engine_options(pgbouncer=True)` turns off both statement caches (asyncpg's
and SQLAlchemy's) and gives every prepared statement a unique name.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any
from uuid import uuid4

from litestar import Request
from litestar.datastructures import State
from sqlalchemy import DateTime, Table, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from foodbank.lib import idempotency


def new_engine(url: str, **options: Any) -> AsyncEngine:
    """Every engine of ours: errors and SQL logs never show a statement's parameters, which are the
    values people typed (names, phones, addresses, notes, passwords). SQL logging itself is a logging
    setting (`FOODBANK_DB_ECHO`, see `lib/logs.py`), not the engine's `echo`."""
    return create_async_engine(url, hide_parameters=True, **options)


def unique_statement_name() -> str:
    """A prepared statement's name that no other client of a PgBouncer server connection has taken."""
    return f"__asyncpg_{uuid4().hex}__"


def engine_options(*, pool_size: int, pgbouncer: bool = False) -> dict[str, Any]:
    options: dict[str, Any] = {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True}
    if pgbouncer:
        options["connect_args"] = {
            "statement_cache_size": 0,  # asyncpg's own cache of prepared statements
            "prepared_statement_cache_size": 0,  # SQLAlchemy's, in its asyncpg adaptor
            "prepared_statement_name_func": unique_statement_name,
        }
    return options


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: str, *, pool_size: int = 10, pgbouncer: bool = False) -> Database:
        engine = new_engine(url, **engine_options(pool_size=pool_size, pgbouncer=pgbouncer))
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work outside a request (CLI, demo data, tests): commit on success, else roll back."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """One read-only transaction that sees one snapshot (reports, exports): a write in it fails."""
        async with self.sessionmaker() as session, session.begin():
            await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


async def provide_db_session(state: State, request: Request[Any, Any, Any]) -> AsyncGenerator[AsyncSession, None]:
    database: Database = state.database
    replay = None
    async with database.sessionmaker() as session, session.begin():
        claim = await idempotency.claim(session, request)
        if isinstance(claim, idempotency.Replay):
            replay = claim  # answered instead of the handler, after this transaction commits its reads
        else:
            yield session
            if claim is not None:
                await idempotency.record_response(session, claim)
    if replay is not None:
        raise replay


async def provide_report_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    """The session of reports and exports: a read-only snapshot on the read replica, if there is one.
    Never for a handler that reserves or writes (a write through it fails)."""
    replica: Database = state.replica
    async with replica.snapshot() as session:
        yield session


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint an IntegrityError broke (asyncpg reports it on the original error)."""
    cause = getattr(exc.orig, "__cause__", None)
    name = getattr(cause, "constraint_name", None)
    return str(name) if name else None


async def add_unique(session: AsyncSession, obj: object, conflicts: Mapping[str, Exception]) -> None:
    """Insert `obj`; a unique constraint named in `conflicts` turns into that (domain) error.

    The insert runs in a savepoint, so the caller's transaction stays usable after a conflict.
    """
    session.add(obj)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        error = conflicts.get(violated_constraint(exc) or "")
        if error is None:
            raise
        raise error from None


RECORDING_MOMENT = "foodbank.recording_moment"
"""`session.info` key: a callable giving the moment rows are recorded at, when it is not now (the demo's
replayed days); `insert_rows` fills the timestamps the database would default with it."""


async def insert_rows(
    session: AsyncSession, table: Table, rows: Mapping[str, Sequence[Any]], returning: Sequence[str] = ()
) -> Sequence[tuple[Any, ...]]:
    """Insert many rows in one statement and one round trip, whatever their number: `INSERT ... SELECT
    FROM unnest(one array per column)`, with plain values (an enum as its value). `rows` maps each column
    to its values, all of one length; `returning` names the columns to return (the order of the rows
    returned is not promised: return a column that tells them apart). The ORM sees none of it: use it
    for rows no one loads in the same session, or load them afterwards."""
    count = {len(values) for values in rows.values()}
    moment = session.info.get(RECORDING_MOMENT)
    if moment is not None and len(count) == 1:  # a replayed day (the demo): its time, not the database's now()
        n = next(iter(count))
        rows = {
            **{
                column.name: [moment()] * n
                for column in table.c
                if column.name not in rows
                and isinstance(column.type, DateTime)
                and column.type.timezone
                and column.server_default is not None
            },
            **rows,
        }
    columns = list(rows)
    if len(count) != 1:
        raise ValueError("insert_rows needs the same number of values for every column")
    if not count.pop():
        return []
    dialect = session.get_bind().dialect
    arrays = ", ".join(f"CAST(:{name} AS {table.c[name].type.compile(dialect=dialect)}[])" for name in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"  # noqa: S608 - names from the table
    if returning:
        sql += f" RETURNING {', '.join(table.c[name].name for name in returning)}"
    params = {name: [_plain(value) for value in values] for name, values in rows.items()}
    result = await session.execute(text(sql), params)
    return [tuple(row) for row in result] if returning else []


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value
