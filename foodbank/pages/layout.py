"""The frame every page shares: the `page()` declaration, navigation per role, the `Ui` helper that
handlers receive (language, rendering, redirects with a flash message), and error pages.

A page handler looks like this:

    @get("/warehouse/stock", opt=page(**allow(*WAREHOUSE), nav=Nav("warehouse", N_("Stock"), 20)))
    async def stock(ui: Ui, db_session: AsyncSession) -> Template:
        lots = await stock_queries.lots(db_session, as_of=today())
        return ui.render("warehouse/stock.html", lots=lots)

- `page()` marks a handler as a page: a visitor who is not signed in is sent to sign in, and errors
  become a page in the reader's language instead of problem details.
- `nav=Nav(section, label, order)` puts a parameterless GET page in the navigation; who sees the link
  follows from the roles the handler itself declares, so a role never sees a link it cannot open.
- Changing forms post with the session's CSRF token (`{{ csrf_field() }}`) and answer with
  `ui.redirect(path, flash=...)` (303, post/redirect/get).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar import Litestar, Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.response import Redirect, Template
from marshmallow import ValidationError

from foodbank.config import Settings
from foodbank.lib.access import Principal
from foodbank.lib.clock import today
from foodbank.lib.errors import (
    EXCEPTION_HANDLERS,
    UNAVAILABLE,
    AppError,
    database_unavailable,
    flatten_marshmallow_errors,
    handle_unexpected,
)
from foodbank.lib.logs import unexpected_error
from foodbank.models import Role
from foodbank.pages.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    Translator,
    UserMessage,
    choose_language,
    describe_error,
    describe_problem,
)

FLASH_COOKIE = "fb_flash"
log = logging.getLogger("foodbank.pages")


@dataclass(frozen=True)
class Section:
    """A group of the menu, and whose work it holds (`audience`: the roles it is for; empty: everyone)."""

    name: str
    label: str
    audience: frozenset[Role] = frozenset()


SECTIONS: Sequence[Section] = (
    Section("home", N_("Home")),
    Section("warehouse", N_("Warehouse"), frozenset({Role.warehouse, Role.coordinator, Role.admin})),
    Section("coordinator", N_("Coordination"), frozenset({Role.coordinator, Role.admin})),
    Section("consultant", N_("Referrals"), frozenset({Role.consultant, Role.coordinator, Role.admin})),
    Section("reports", N_("Reports"), frozenset({Role.reporter, Role.coordinator, Role.admin})),
)
"""Menu sections, in the order shown. A page joins one with `nav=Nav(section, ...)`. A person outside a
section's audience who may still open one of its pages (a consultant and the households, a volunteer
and the pantry days) finds that link in their own first section instead, after its own links: a
consultant's menu is the consultant's work, not a coordinator's menu with holes."""


@dataclass(frozen=True)
class Nav:
    """A navigation link to the page that declares it: section, label (a msgid) and order in the section."""

    section: str
    label: str
    order: int = 100


def page(*, nav: Nav | None = None, **opt: Any) -> dict[str, Any]:
    """Marks a handler as a page: `opt=page(**allow(Role.warehouse), nav=Nav(...))`."""
    if nav is not None:
        if nav.section not in {section.name for section in SECTIONS}:
            raise ValueError(f"unknown navigation section {nav.section!r}")
        opt["nav"] = nav
    return {**opt, "page": True}


def safe_next(target: str | None) -> str:
    """Only same-site paths, so a link cannot be used to send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


# --- navigation -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavLink:
    section: str
    label: str
    order: int
    path: str
    roles: frozenset[Any]


def _nav_links(app: Litestar) -> list[NavLink]:
    cached: list[NavLink] | None = app.state.get("page_nav")
    if cached is not None:
        return cached
    links = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            nav = handler.opt.get("nav") if isinstance(handler, HTTPRouteHandler) else None
            if nav is None:
                continue
            if "GET" not in handler.http_methods or "{" in route.path:
                raise RuntimeError(f"{route.path}: only GET pages without path parameters can be in the navigation")
            links.append(NavLink(nav.section, nav.label, nav.order, route.path, frozenset(handler.opt["roles"])))
    order = [section.name for section in SECTIONS]
    links.sort(key=lambda link: (order.index(link.section), link.order, link.path))
    app.state["page_nav"] = links
    return links


@dataclass(frozen=True)
class NavSection:
    name: str
    label: str
    links: list[NavLink]


def navigation(app: Litestar, principal: Principal | None) -> list[NavSection]:
    """The sections and links this person may use (the links' own role declarations decide), each link
    in its section if the person is of that section's audience, else in the person's own first one."""
    if principal is None:
        return []
    mine = [s.name for s in SECTIONS if s.audience and principal.has(*s.audience)]
    placed: dict[str, list[NavLink]] = {section.name: [] for section in SECTIONS}
    moved: dict[str, list[NavLink]] = {section.name: [] for section in SECTIONS}
    for link in _nav_links(app):
        if not principal.has(*link.roles):
            continue
        section = next(s for s in SECTIONS if s.name == link.section)
        if not section.audience or principal.has(*section.audience) or not mine:
            placed[section.name].append(link)
        else:
            moved[mine[0]].append(link)
    return [
        NavSection(section.name, section.label, placed[section.name] + moved[section.name])
        for section in SECTIONS
        if placed[section.name] or moved[section.name]
    ]


# --- flash messages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flash:
    """A message shown once, on the page after a redirect: kind is ok, warning or error."""

    text: str
    kind: str = "ok"

    def encode(self) -> str:
        raw = json.dumps({"t": self.text[:600], "k": self.kind}, ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(raw).decode()

    @classmethod
    def decode(cls, value: str | None) -> Flash | None:
        if not value:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(value.encode()))
        except (ValueError, binascii.Error):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("t"), str):
            return None
        kind = str(data.get("k")) if data.get("k") in {"ok", "warning", "error"} else "ok"
        return cls(data["t"], kind)


# --- the Ui helper ----------------------------------------------------------------------------------------


@dataclass
class Ui:
    """What a page handler needs besides its data: `ui.tr` (gettext), `ui.render`, `ui.redirect`."""

    request: Request[Any, Any, Any]
    principal: Principal | None
    tr: Translator
    settings: Settings
    flash: Flash | None

    @classmethod
    def for_request(cls, request: Request[Any, Any, Any]) -> Ui:
        lang = choose_language(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language"))
        return cls(
            request=request,
            principal=request.scope.get("foodbank_principal"),  # type: ignore[arg-type]
            tr=Translator(lang),
            settings=request.app.state.settings,
            flash=Flash.decode(request.cookies.get(FLASH_COOKIE)),
        )

    @property
    def lang(self) -> str:
        return self.tr.lang

    def _(self, message: str, **params: Any) -> str:
        return self.tr.gettext(message, **params)

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> Template:
        """Render a page with everything the layout needs; the flash message is shown once."""
        url = self.request.url
        here = url.path + (f"?{url.query}" if url.query else "")
        base: dict[str, Any] = {
            "lang": self.lang,
            "user": self.principal,
            "nav": navigation(self.request.app, self.principal),
            "current_path": url.path,
            "languages": [
                {"code": code, "name": LANGUAGE_NAMES[code], "href": f"/language/{code}?next={quote(here, safe='')}"}
                for code in LANGUAGES
                if code != self.lang
            ],
            "flash": self.flash,
            "csrf_token": self.principal.csrf_token if self.principal else None,
            "organisation": self.settings.http.organisation_name,
            "today": today(),
        }
        cookies = [Cookie(key=FLASH_COOKIE, value="", max_age=0, path="/")] if self.flash else []
        return Template(template, context={**base, **context}, status_code=status_code, cookies=cookies)

    def redirect(self, path: str, *, flash: str | None = None, kind: str = "ok") -> Redirect:
        """303 to a page (after a successful POST), with a message for the next page."""
        cookies = []
        if flash:
            cookies.append(
                Cookie(key=FLASH_COOKIE, value=Flash(flash, kind).encode(), httponly=True, samesite="lax", path="/")
            )
        return Redirect(path, status_code=303, cookies=cookies)

    def error_page(self, message: UserMessage) -> Template:
        return self.render("error.html", status_code=message.status, problem=message)


def provide_ui(request: Request[Any, Any, Any]) -> Ui:
    return Ui.for_request(request)


# --- errors on pages --------------------------------------------------------------------------------------


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """Browsers ask for text/html; scripts and API clients (`*/*`, JSON) keep getting problem details."""
    return "text/html" in request.headers.get("accept", "")


def handle_page_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Errors of page routes: for a browser, a page in the reader's language with the status kept;
    otherwise the problem details every route answers with. 401 always sends to sign-in."""
    if not isinstance(exc, AppError) and database_unavailable(exc):
        log.warning("database unavailable", extra={"path": request.url.path, "error_type": type(exc).__name__})
        exc = UNAVAILABLE
    if isinstance(exc, AppError) and exc.status == 401:
        return Redirect("/sign-in", query_params={"next": request.url.path})
    if not wants_html(request) or is_api_path(request.url.path):
        return _problem_details(request, exc)
    ui = Ui.for_request(request)
    if isinstance(exc, AppError):
        if exc.status >= 500 and exc is not UNAVAILABLE:
            log.error("page error", extra={"path": request.url.path, "error_type": type(exc).__name__})
        page = ui.error_page(describe_error(ui.tr, exc))
        page.headers.update(exc.headers)
        return page
    if isinstance(exc, ValidationError):
        errors = flatten_marshmallow_errors(exc.messages)
        return ui.error_page(describe_problem(ui.tr, 422, "validation", "", {"errors": errors}))
    if isinstance(exc, HTTPException):
        # Litestar's own details ("Not Found") are English: the page says it from the status alone.
        page = ui.error_page(describe_problem(ui.tr, exc.status_code, "", "", {}))
        page.headers.update(exc.headers or {})
        return page
    log.error("unhandled error on a page", extra={"path": request.url.path, **unexpected_error(exc)})
    return ui.error_page(describe_problem(ui.tr, 500, "internal", "", {}))


def _problem_details(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    for kind, handler in EXCEPTION_HANDLERS.items():
        if isinstance(exc, kind):
            response: Response[Any] = handler(request, exc)
            return response
    return handle_unexpected(request, exc)


def is_api_path(path: str) -> bool:
    """The API (and the health check, for machines) always answers problem details."""
    return path in {"/api", "/health"} or path.startswith("/api/")


def handle_site_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Errors that no page route handled: a path no router knows, a method a route does not take, and the
    errors of API routes. A browser asking for HTML outside /api gets a page in the reader's language
    (404, 405 ... kept); the API, and every client that does not ask for HTML, get problem details."""
    if wants_html(request) and not is_api_path(request.url.path):
        return handle_page_error(request, exc)
    return _problem_details(request, exc)


PAGE_EXCEPTION_HANDLERS: Mapping[Any, Any] = {
    AppError: handle_page_error,
    ValidationError: handle_page_error,
    HTTPException: handle_page_error,
    Exception: handle_page_error,
}

SITE_EXCEPTION_HANDLERS: Mapping[Any, Any] = {
    AppError: handle_site_error,
    ValidationError: handle_site_error,
    HTTPException: handle_site_error,
    Exception: handle_site_error,
}
"""The application's own handlers (app.py): pages for browsers outside /api, problem details otherwise."""
