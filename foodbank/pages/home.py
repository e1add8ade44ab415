"""The home page: what needs doing, for each role the person has."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts.controllers import EVERYONE
from foodbank.config import Settings
from foodbank.lib.access import PUBLIC, Principal, allow
from foodbank.lib.clock import today
from foodbank.models import PantryEventStatus, ReferralStatus, Role
from foodbank.pages.coordinator import year_so_far
from foodbank.pages.i18n import N_
from foodbank.pages.layout import Nav, Ui, page
from foodbank.pantry import queries as pantry_queries
from foodbank.picking.fefo import LotStatus
from foodbank.referrals import queries as referral_queries
from foodbank.stock import queries as stock_queries
from foodbank.stock.controllers import WAREHOUSE
from foodbank.temperatures.controllers import alerts as temperature_alerts

EXPIRING_DAYS = 14
PANTRY_DAYS_AHEAD = 30


@get("/", opt=page(**allow(*EVERYONE), nav=Nav("home", N_("Home"), 0)), include_in_schema=False)
async def home(ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings) -> Template:
    on = today()
    context: dict[str, Any] = {"expiring_days": EXPIRING_DAYS, "pantry_days_ahead": PANTRY_DAYS_AHEAD}
    if principal.has(*WAREHOUSE):
        context["expiring"] = await stock_queries.lots(
            db_session, expiring_within_days=EXPIRING_DAYS, as_of=on, status=LotStatus.active, limit=8
        )
        context["expired_count"] = await stock_queries.expired_count(db_session, as_of=on)
        context["picking"] = await stock_queries.open_reservations(db_session, limit=8)
    if principal.has(Role.admin, Role.coordinator):
        events = await pantry_queries.events(db_session, since=on, until=on + timedelta(days=PANTRY_DAYS_AHEAD))
        context["pantry_days"] = [
            e for e in events if e.status not in {PantryEventStatus.closed, PantryEventStatus.cancelled}
        ]
        context["temperature_alerts"] = await temperature_alerts(db_session)
        context["waiting_referrals"] = await referral_queries.list_visible(
            db_session, principal, status=ReferralStatus.submitted, limit=10
        )
    if principal.has(Role.reporter):
        context["year"] = await year_so_far(db_session, settings, ui.lang)
    if principal.has(Role.consultant) and not principal.has(Role.admin, Role.coordinator):
        context["my_referrals"] = await referral_queries.list_visible(db_session, principal, limit=10)
    return ui.render("home.html", **context)


@get("/{address:path}", opt=page(**PUBLIC), include_in_schema=False, name="page-not-found")
async def not_found(address: str) -> None:  # noqa: ARG001 - matched, not used
    """Any other address a browser opens (a mistyped one, a link to what is gone): the 404 page with the
    menu of whoever is signed in. Routed, unlike a path no router knows, so the sign-in is read. The API
    under /api answers its problem details as before (`layout.handle_page_error`)."""
    raise NotFoundException()


HANDLERS = [home, not_found]
