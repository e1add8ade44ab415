"""Test fixtures: a real PostgreSQL with the migrations applied, a fresh database for every test.

The session (each pytest-xdist worker's) starts a throwaway cluster (unless FOODBANK_TEST_DATABASE_URL
names a server we may create databases on), creates a template database and runs the Alembic migrations on it: a model
change without a migration fails `test_migrations`. Each test then gets its own database cloned from
the template, so tests may commit, run requests in parallel and lock rows, as production does.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from typing import Any

import asyncpg
import pytest
from httpx import ASGITransport, AsyncClient
from litestar import Litestar
from sqlalchemy.engine import make_url

from foodbank.accounts import services as accounts
from foodbank.app import create_app
from foodbank.config import DatabaseSettings, SecuritySettings, Settings
from foodbank.lib import clock, migrate
from foodbank.lib.db import Database
from foodbank.lib.pgcluster import LocalCluster
from foodbank.models import AgencyKind, Role
from tests.dates import TODAY

TEMPLATE = "foodbank_template" + (
    f"_{os.environ['PYTEST_XDIST_WORKER']}" if "PYTEST_XDIST_WORKER" in os.environ else ""
)
"""Each pytest-xdist worker migrates a template of its own (they may share FOODBANK_TEST_DATABASE_URL's server)."""
_counter = itertools.count(1)


def _asyncpg_dsn(url: str, database: str) -> str:
    return make_url(url).set(drivername="postgresql", database=database).render_as_string(hide_password=False)


@dataclass(frozen=True)
class Server:
    """A PostgreSQL server the tests may create and drop databases on."""

    base_url: str  # SQLAlchemy URL of any database on the server

    def url(self, database: str) -> str:
        return make_url(self.base_url).set(database=database).render_as_string(hide_password=False)

    async def execute(self, sql: str) -> None:
        conn = await asyncpg.connect(_asyncpg_dsn(self.base_url, "postgres"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()


@pytest.fixture(scope="session", autouse=True)
def one_today() -> Iterator[None]:
    """The service's today is the suite's TODAY for the whole run (see tests/dates.py)."""
    with clock.holding_today(TODAY):
        yield


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    if external := os.environ.get("FOODBANK_TEST_DATABASE_URL"):
        yield Server(external)
        return
    cluster = LocalCluster.new_throwaway()
    cluster.start()
    try:
        yield Server(cluster.url("postgres"))
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
async def template_url(pg_server: Server) -> str:
    await pg_server.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
    await pg_server.execute(f"CREATE DATABASE {TEMPLATE}")
    url = pg_server.url(TEMPLATE)
    await migrate.upgrade(url)
    return url


@pytest.fixture
async def database_url(pg_server: Server, template_url: str) -> AsyncIterator[str]:
    name = f"foodbank_test_{os.getpid()}_{next(_counter)}"
    await pg_server.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY")
    try:
        yield pg_server.url(name)
    finally:
        await pg_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Cheap argon2 parameters: the tests check behaviour, not the cost of hashing.
    return Settings(
        database=DatabaseSettings(url=database_url, pool_size=5),
        security=SecuritySettings(argon2_time_cost=1, argon2_memory_kib=1024),
        log_level="WARNING",
        log_json=False,
    )


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    assert settings.database.url
    db = Database.connect(settings.database.url, pool_size=settings.database.pool_size)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def app(settings: Settings, database: Database) -> Litestar:
    return create_app(settings, database)


def client_for(app: Litestar) -> AsyncClient:
    """An HTTP client that calls the app in the test's own event loop (the pool's connections live there)."""
    return AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncClient]:
    async with client_for(app) as c:
        yield c


@dataclass
class Actor:
    id: int
    username: str
    password: str
    token: str
    agency_id: int | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Actors:
    """Creates signed-in users on demand: `await actors.make(Role.warehouse)`."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self._agencies: dict[str, int] = {}

    async def agency(self, name: str | None = None) -> int:
        name = name or "テスト相談支援センター"
        if name not in self._agencies:
            async with self.database.transaction() as session:
                agency = await accounts.create_agency(
                    session, actor_id=None, name=name, kind=AgencyKind.consultation_office
                )
                self._agencies[name] = agency.id
        return self._agencies[name]

    async def make(self, *roles: Role, username: str | None = None, agency: str | None = None) -> Actor:
        username = username or f"{roles[0].value}{next(_counter)}"
        password = f"pw-{username}-long-enough"
        agency_id = await self.agency(agency) if (agency or Role.consultant in roles) else None
        async with self.database.transaction() as session:
            user = await accounts.create_user(
                session,
                actor_id=None,
                username=username,
                display_name=username.title(),
                password=password,
                roles=roles,
                agency_id=agency_id,
                settings=self.settings.security,
            )
            _, secret = await accounts.create_token(
                session, actor_id=None, user_id=user.id, name="tests", expires_at=None
            )
        return Actor(user.id, username, password, secret, agency_id)


@pytest.fixture
def actors(database: Database, settings: Settings) -> Actors:
    return Actors(database, settings)


def with_settings(settings: Settings, **security: Any) -> Settings:
    return replace(settings, security=replace(settings.security, **security))
