"""Writing audit events. Services call `record` inside their own transaction, so the event and the
change it describes are committed together or not at all."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.context import current_request_id
from foodbank.models import AuditEvent


async def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event. `details` must hold ids, codes and counts only, never personal data."""
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            request_id=current_request_id(),
            details=details or {},
        )
    )
