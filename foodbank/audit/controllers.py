"""Audit log API (admins only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, get
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit import queries
from foodbank.audit.schemas import AuditEventOut, AuditFilter
from foodbank.lib.access import allow
from foodbank.lib.validation import Dump, query
from foodbank.models import AuditEvent, Role


class AuditController(Controller):
    path = "/api/audit-events"
    tags = ["audit"]

    @get(
        "/",
        opt=allow(Role.admin),
        return_dto=Dump[AuditEventOut],
        dependencies={"filters": Provide(query(AuditFilter))},
        summary="List audit events, newest first",
    )
    async def list_events(self, db_session: AsyncSession, filters: dict[str, Any]) -> Sequence[AuditEvent]:
        return await queries.list_events(db_session, **filters)
