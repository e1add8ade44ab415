"""All SQLAlchemy models, re-exported so that Alembic and the services see one metadata."""

from foodbank.models.accounts import (
    Agency,
    AgencyKind,
    ApiToken,
    Role,
    SignInAttempt,
    User,
    UserRole,
    WebSession,
)
from foodbank.models.audit import AuditEvent
from foodbank.models.base import Base
from foodbank.models.idempotency import IdempotencyKey

__all__ = [
    "Agency",
    "AgencyKind",
    "ApiToken",
    "AuditEvent",
    "Base",
    "IdempotencyKey",
    "Role",
    "SignInAttempt",
    "User",
    "UserRole",
    "WebSession",
]
