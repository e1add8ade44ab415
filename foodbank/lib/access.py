"""Who may call a route: every handler declares it in its `opt`, and the app refuses to start otherwise.

    @get("/stock", opt=allow(Role.warehouse, Role.coordinator))
    @post("/sign-in", opt=PUBLIC)
    @post("/receipts", opt=allow(Role.warehouse, idempotent=True))
    @post("/households", opt=allow(Role.coordinator, idempotent=Reread(household_now)))

The guard that enforces these declarations is `foodbank.accounts.access.authorize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

from foodbank.models import Role

if TYPE_CHECKING:
    from foodbank.lib.idempotency import ReplayPolicy

PUBLIC: dict[str, Any] = {"public": True}


def allow(*roles: Role, idempotent: bool | ReplayPolicy = False) -> dict[str, Any]:
    """`idempotent`: True, or how a replay answers when the response carries personal data or a
    secret (`foodbank.lib.idempotency.Reread` or `ShownOnce`)."""
    if not roles:
        raise ValueError("allow() needs at least one role; use PUBLIC for open routes")
    opt: dict[str, Any] = {"roles": frozenset(roles)}
    if idempotent:
        opt["idempotent"] = idempotent
    return opt


@dataclass(frozen=True)
class Principal:
    """The signed-in caller, as the rest of the code sees it: ids and roles, no ORM object."""

    id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    agency_id: int | None
    via: str  # "session" or "token"
    session_id: int | None = None
    csrf_token: str | None = None

    @property
    def sorted_roles(self) -> list[Role]:
        return sorted(self.roles)

    def has(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)


def undeclared_routes(app: Litestar) -> list[str]:
    """Our handlers that declare neither roles nor PUBLIC (Litestar's own schema routes are public)."""
    missing: list[str] = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or handler.fn.__module__.startswith("litestar."):
                continue
            if "roles" not in handler.opt and not handler.opt.get("public"):
                missing.extend(f"{m} {route.path}" for m in sorted(handler.http_methods))
    return missing
