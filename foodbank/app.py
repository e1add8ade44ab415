"""The composition root: the one place that lists controllers, plugins, dependencies and error handlers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from foodbank.accounts.access import authorize
from foodbank.accounts.controllers import AgencyController, SessionController, TokenController, UserController
from foodbank.appliances.controllers import ApplianceController
from foodbank.audit.controllers import AuditController
from foodbank.catalogue.controllers import CatalogueController
from foodbank.config import Settings
from foodbank.distributions.controllers import DistributionController, PartnerProgrammeController
from foodbank.households.controllers import HouseholdController
from foodbank.lib import idempotency
from foodbank.lib.access import PUBLIC, Principal, undeclared_routes
from foodbank.lib.context import RequestContextMiddleware
from foodbank.lib.db import Database, provide_db_session, provide_report_session
from foodbank.lib.errors import PROBLEM_MEDIA_TYPE, ProblemSchema
from foodbank.lib.logs import configure_logging
from foodbank.lib.messages import Message
from foodbank.lib.validation import Load, MarshmallowSchemaPlugin, json_bodies_only, path_ids_in_range
from foodbank.pages import i18n
from foodbank.pages.controllers import PAGE_HANDLERS, install_templates
from foodbank.pages.layout import SITE_EXCEPTION_HANDLERS
from foodbank.pantry.controllers import PantryEventController, PantryVenueController, ParcelTemplateController
from foodbank.referrals.controllers import ReferralController
from foodbank.reports.controllers import ReportController
from foodbank.stock.controllers import StockController
from foodbank.stocktakes.controllers import StocktakeController
from foodbank.system.controllers import health
from foodbank.system.docs import RapidocDocs
from foodbank.temperatures.controllers import TemperatureController

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

API_CONTROLLERS: list[Any] = [
    SessionController,
    TokenController,
    UserController,
    AgencyController,
    AuditController,
    CatalogueController,
    StockController,
    StocktakeController,
    HouseholdController,
    ReferralController,
    DistributionController,
    PartnerProgrammeController,
    PantryVenueController,
    ParcelTemplateController,
    PantryEventController,
    ApplianceController,
    ReportController,
    TemperatureController,
]


def provide_database(state: State) -> Database:
    database: Database = state.database
    return database


def provide_report_database(state: State) -> Database:
    """Where reports and exports read: the replica, or the primary when there is none."""
    replica: Database = state.replica
    return replica


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal: Principal = request.scope["foodbank_principal"]  # type: ignore[typeddict-item]
    return principal


PROBLEM_STATUSES = {
    400: "Malformed request (problem details)",
    401: "Sign-in required (problem details)",
    403: "Not allowed for your role (problem details)",
    404: "Not found (problem details)",
    409: "Conflicts with the current state (problem details)",
    422: "Invalid fields, listed in errors (problem details)",
    503: "The database cannot be reached; retry after Retry-After seconds (problem details)",
}
BODY_PROBLEM_STATUSES = {
    413: "The body is larger than FOODBANK_MAX_BODY_BYTES (problem details)",
    415: "The body is not application/json (problem details)",
}
THROTTLED_STATUS = {429: "Too many failed sign-ins; retry after Retry-After seconds (problem details)"}


def _problem_responses(statuses: dict[int, str]) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=ProblemSchema, media_type=PROBLEM_MEDIA_TYPE, description=text, generate_examples=False
        )
        for status, text in statuses.items()
    }


def document_problems(app: Litestar) -> None:
    """Every route of ours answers errors as problem details: say so in the OpenAPI document, with the
    statuses that only a body (413, 415) or a sign-in (429) can cause on the routes that take them."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and not handler.fn.__module__.startswith("litestar."):
                statuses = dict(PROBLEM_STATUSES)
                data_dto = handler.resolve_data_dto()
                if data_dto is not None and issubclass(data_dto, Load):
                    statuses |= BODY_PROBLEM_STATUSES
                if handler.opt.get("throttled"):
                    statuses |= THROTTLED_STATUS
                handler.responses = {**_problem_responses(statuses), **(handler.responses or {})}


def create_app(
    settings: Settings | None = None, database: Database | None = None, replica: Database | None = None
) -> Litestar:
    """Build the application. Tests pass their own settings and database (and maybe a replica); `foodbank
    serve` passes none. Reports and exports read from the replica (DATABASE_REPLICA_URL), else the primary."""
    settings = settings or Settings.from_env()
    db_settings = settings.database
    if database is None:
        if not db_settings.url:
            raise RuntimeError("DATABASE_URL is not set (foodbank run sets it for the local cluster)")
        database = Database.connect(db_settings.url, pool_size=db_settings.pool_size, pgbouncer=db_settings.pgbouncer)
    if replica is None and db_settings.replica_url:
        replica = Database.connect(
            db_settings.replica_url, pool_size=db_settings.pool_size, pgbouncer=db_settings.pgbouncer
        )
    reports = replica or database
    configure_logging(settings.log_level, as_json=settings.log_json, sql_echo=settings.database.echo)

    async def close_database() -> None:
        await database.dispose()
        if reports is not database:
            await reports.dispose()

    app = Litestar(
        route_handlers=[
            health,
            create_static_files_router(path="/static", directories=[TEMPLATES / "pages" / "static"], opt=PUBLIC),
            Router(
                "/",
                guards=[authorize, path_ids_in_range, json_bodies_only],
                route_handlers=[*API_CONTROLLERS, *PAGE_HANDLERS],
            ),
        ],
        template_config=TemplateConfig(
            directory=TEMPLATES / "pages",
            engine=JinjaTemplateEngine,
            engine_callback=lambda engine: install_templates(engine.engine),  # gettext, date filters, form keys
        ),
        # problem_translator: the API's problems in English, or in Japanese when Accept-Language asks.
        state=State(
            {
                "database": database,
                "replica": reports,
                "settings": settings,
                "problem_translator": i18n.problem_translator,
            }
        ),
        dependencies={
            "database": Provide(provide_database, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "db_session": Provide(provide_db_session),
            "report_session": Provide(provide_report_session),
            "report_database": Provide(provide_report_database, sync_to_thread=False),
            "principal": Provide(provide_principal, sync_to_thread=False),
        },
        exception_handlers={idempotency.Replay: idempotency.replay_response, **SITE_EXCEPTION_HANDLERS},
        after_request=idempotency.capture_response,
        type_encoders={Message: Message.english},  # a Message that reaches a response is its English text
        plugins=[MarshmallowSchemaPlugin()],
        openapi_config=OpenAPIConfig(
            title="foodbank",
            version="0.1.0",
            description=(
                "Stock, FEFO picking, referrals and annual figures for food banks. Errors are RFC 9457 problem details."
            ),
            path="/schema",
            render_plugins=[RapidocDocs()],
            components=Components(
                security_schemes={
                    "token": SecurityScheme(type="http", scheme="bearer", description="Personal API token (fbt_...)"),
                    "session": SecurityScheme(
                        type="apiKey",
                        security_scheme_in="cookie",
                        name="fb_session",
                        description="Web sign-in; changing requests also need X-CSRF-Token",
                    ),
                }
            ),
            security=[{"token": []}, {"session": []}],
        ),
        request_max_body_size=settings.http.max_body_bytes,
        on_shutdown=[close_database],
        logging_config=None,
        debug=False,
    )
    if missing := undeclared_routes(app):
        raise RuntimeError("Routes without an access declaration (use allow(...) or PUBLIC): " + ", ".join(missing))
    document_problems(app)
    # Outermost, so that unroutable requests and errors get a request id and an access-log line too.
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler)
    return app
