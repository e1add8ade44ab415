"""`/health`: answers 200 when the service can reach its database, 503 otherwise."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import get
from litestar.status_codes import HTTP_200_OK
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from foodbank.lib.access import PUBLIC
from foodbank.lib.db import Database
from foodbank.lib.errors import ServiceUnavailable
from foodbank.lib.messages import Message


@get("/health", opt=PUBLIC, status_code=HTTP_200_OK, tags=["system"], summary="Liveness and database check")
async def health(database: Database) -> dict[str, Any]:
    try:
        async with asyncio.timeout(3), database.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        raise ServiceUnavailable(Message("Database check failed: %(error)s.", error=type(exc).__name__)) from None
    return {"status": "ok", "database": "ok"}
