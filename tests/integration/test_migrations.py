"""Migrations apply to an empty database, agree with the models, and can be rolled back."""

from __future__ import annotations

import asyncpg
import pytest
from alembic import command
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from foodbank.lib import migrate
from tests.conftest import Server, _asyncpg_dsn


async def test_template_has_no_drift_between_models_and_migrations(template_url: str) -> None:
    differences = await migrate.drift(template_url)
    assert differences == [], f"models and migrations differ; write a migration: {differences}"


async def test_migrations_apply_to_an_empty_database_and_roll_back(pg_server: Server) -> None:
    await pg_server.execute("DROP DATABASE IF EXISTS foodbank_empty")
    await pg_server.execute("CREATE DATABASE foodbank_empty")
    url = pg_server.url("foodbank_empty")
    try:
        await migrate.upgrade(url)
        conn = await asyncpg.connect(_asyncpg_dsn(url, "foodbank_empty"))
        try:
            tables = {
                r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
            }
        finally:
            await conn.close()
        assert {"user_account", "user_role", "audit_event", "idempotency_key", "alembic_version"} <= tables

        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:

                def downgrade(sync_conn: Connection) -> None:
                    cfg = migrate.alembic_config()
                    cfg.attributes["connection"] = sync_conn
                    command.downgrade(cfg, "base")

                await conn.run_sync(downgrade)
        finally:
            await engine.dispose()
        await migrate.upgrade(url)
        assert await migrate.drift(url) == []
    finally:
        await pg_server.execute("DROP DATABASE IF EXISTS foodbank_empty WITH (FORCE)")


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event", "TRUNCATE audit_event"]
)
async def test_audit_log_is_append_only_even_in_sql(database_url: str, statement: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(database_url, database_url.rsplit("/", 1)[-1].split("?")[0]))
    try:
        await conn.execute("INSERT INTO audit_event (action, entity) VALUES ('test.write', 'test')")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement)
        assert await conn.fetchval("SELECT count(*) FROM audit_event") == 1
    finally:
        await conn.close()
