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
from foodbank.models.catalogue import (
    Allergen,
    AllergenDesignation,
    AllergenKind,
    Category,
    Channel,
    Item,
    ItemAllergen,
    Unit,
    Zone,
)
from foodbank.models.donors import Donor, DonorKind
from foodbank.models.idempotency import IdempotencyKey
from foodbank.models.stock import (
    DatePrecision,
    DisposalReason,
    Lot,
    MovementKind,
    Receipt,
    ReceiptKind,
    Reservation,
    ReservationLine,
    ReservationPurpose,
    ReservationStatus,
    StockMovement,
)
from foodbank.models.storage import Location, Warehouse

__all__ = [
    "Agency",
    "AgencyKind",
    "Allergen",
    "AllergenDesignation",
    "AllergenKind",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Category",
    "Channel",
    "DatePrecision",
    "DisposalReason",
    "Donor",
    "DonorKind",
    "IdempotencyKey",
    "Item",
    "ItemAllergen",
    "Location",
    "Lot",
    "MovementKind",
    "Receipt",
    "ReceiptKind",
    "Reservation",
    "ReservationLine",
    "ReservationPurpose",
    "ReservationStatus",
    "Role",
    "SignInAttempt",
    "StockMovement",
    "Unit",
    "User",
    "UserRole",
    "Warehouse",
    "WebSession",
    "Zone",
]
