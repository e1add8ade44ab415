"""All web pages, in one router: the `ui` dependency (language, rendering) and error pages apply to
every page handler listed here. The pages themselves live in one module per audience:

- auth.py        sign-in, sign-out, the language switch
- home.py        the home page: what needs doing, per role
- receive.py     receiving a donation (registering an unknown item on the way), a saved receipt
- stock_pages.py the stock list (search), a lot (history with holds, hold, disposal), expired lots
- stocktake_pages.py stocktakes: the counts and opening one, counting blind on a phone, the review
- picking_pages.py picking lists ticked line by line (tap or scan), short lines, confirming
- households.py  households by code, registering one, its allocations and hand-outs; its identity apart
- pantry_planning.py the pantry days listed, planning one (venue, slots, templates), the parcel templates
- pantry_day.py  a pantry day: its page (plan, slots, registrations, allocation, closing), check-in
                 (start, search, check in, no-show, walk-ins) and its figures
- coordinator.py the annual report
- appliances.py  the appliance bank: board, intake, inspection, reservation, delivery, disposal, waiting list
- referrals.py   refer a household (with consent), the agency's referrals, the coordinators' inbox

Infrastructure: layout.py (page(), navigation, Ui, error pages), forms.py (forms with marshmallow,
`attempt`, one-time keys), api_forms.py (page forms that are the API's schemas), problems.py (refusals
explained), i18n.py (catalogs, language choice, translated problem details). Pages read through the
areas' queries; they hold no SQL (tests/unit/pages/test_pages_hold_no_sql.py).
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from litestar import Router
from litestar.di import Provide

from foodbank.pages import (
    appliances,
    auth,
    coordinator,
    forms,
    home,
    households,
    i18n,
    pantry_day,
    pantry_planning,
    picking_pages,
    receive,
    referrals,
    stock_pages,
    stocktake_pages,
    temperatures,
)
from foodbank.pages.layout import PAGE_EXCEPTION_HANDLERS, page, provide_ui, safe_next

__all__ = ["PAGE_HANDLERS", "install_templates", "page", "safe_next"]


def install_templates(environment: Environment) -> None:
    """Set up the pages' Jinja environment: translations and date filters (i18n), and the key that
    makes every form idempotent (forms)."""
    i18n.install(environment)
    environment.globals["new_once_key"] = forms.new_once_key


PAGE_ROUTER = Router(
    "/",
    route_handlers=[
        *auth.HANDLERS,
        *home.HANDLERS,
        *receive.HANDLERS,
        *stock_pages.HANDLERS,
        *stocktake_pages.HANDLERS,
        *picking_pages.HANDLERS,
        *households.HANDLERS,
        *referrals.HANDLERS,
        *pantry_planning.HANDLERS,
        *pantry_day.HANDLERS,
        *coordinator.HANDLERS,
        *appliances.HANDLERS,
        *temperatures.HANDLERS,
    ],
    dependencies={"ui": Provide(provide_ui, sync_to_thread=False)},
    exception_handlers=dict(PAGE_EXCEPTION_HANDLERS),
    include_in_schema=False,
)

PAGE_HANDLERS: list[Any] = [PAGE_ROUTER]
"""What app.py mounts (inside the router whose guard authenticates every request)."""
