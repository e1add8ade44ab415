"""Running Alembic from Python: `foodbank db upgrade`, `foodbank run` and the test suite use this."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from foodbank.lib.db import new_engine
from foodbank.models import Base

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(url: str, revision: str = "head") -> None:
    engine = new_engine(url)
    try:
        async with engine.begin() as conn:

            def run(sync_conn: Connection) -> None:
                cfg = alembic_config()
                cfg.attributes["connection"] = sync_conn
                command.upgrade(cfg, revision)

            await conn.run_sync(run)
    finally:
        await engine.dispose()


async def drift(url: str) -> list[Any]:
    """Differences between the models and a migrated database; empty when they agree."""
    engine = new_engine(url)
    try:
        async with engine.connect() as conn:

            def compare(sync_conn: Connection) -> list[Any]:
                ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True, "compare_server_default": True})
                return list(compare_metadata(ctx, Base.metadata))

            return await conn.run_sync(compare)
    finally:
        await engine.dispose()
