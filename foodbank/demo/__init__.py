"""Demo data: a year and a bit of a food bank's life, built through the services so that it obeys every
rule real data obeys, and the annual summary of the demo shows realistic figures.

Loaded once by `foodbank run` (and `foodbank demo load`): it does nothing when the demo admin exists.
The demo passwords are public; never load demo data into a real installation.

- `reference`: fixed tables (sign-ins, agencies, catalogue, donors, venues, parcel templates).
- `plan`: the two fiscal years planned in advance, seeded and pure (no database, no clock).
- `builder`: the plan carried out through the services, day by day, with `clock.DemoClock` at each day.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.accounts import queries as account_queries
from foodbank.config import SecuritySettings, StockSettings
from foodbank.demo.builder import Progress, build
from foodbank.demo.reference import DEMO_ITEMS, DEMO_USERS, DemoUser
from foodbank.lib.clock import today as local_today

__all__ = ["DEMO_ITEMS", "DEMO_USERS", "DemoUser", "load"]


async def load(
    session: AsyncSession,
    settings: SecuritySettings,
    stock_settings: StockSettings | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> bool:
    """Create the demo data (the previous fiscal year complete, the current one up to `today`);
    False when it was already there. `progress` receives a line now and then (the load takes a while)."""
    if await account_queries.user_by_username(session, DEMO_USERS[0].username) is not None:
        return False
    await build(
        session,
        today=today or local_today(),
        security=settings,
        stock_settings=stock_settings or StockSettings(),
        progress=progress,
    )
    return True
