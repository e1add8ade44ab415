"""Logs never carry personal data or secrets: distinctive values go through every route that takes
them (API and pages), with validation errors, unique conflicts and unexpected database errors that
hold the values in their statement parameters and in the driver's message; everything logged at DEBUG,
SQL statements included, is captured (pytest's own capture, and our JSON and text formatters) and
searched for each value."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pytest
import sqlalchemy.exc
from httpx import AsyncClient
from litestar import Litestar
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.config import Settings
from foodbank.households import services as household_services
from foodbank.lib.db import Database
from foodbank.lib.logs import JsonFormatter, TextFormatter, redacted_traceback
from foodbank.models import Household, Role
from tests.conftest import Actors, client_for
from tests.dates import days, month_end
from tests.integration.pages.conftest import Browser, hidden

NAME = "秘密太郎XQ7"
KANA = "ヒミツタロウXQ7"
PHONE = "000-9876-5432"
ADDRESS = "山武市秘密町9-8-7XQ7"
NOTES = "玄関の暗証番号XQ7"
SEARCH = "XQ7検索"
PASSWORD = "XQ7-秘密のパスワード"
USERNAME = "xq7-secret-user"
FORGED_CSRF = "XQ7-forged-csrf-value"
FORGED_TOKEN = "fbt_XQ7notarealtokenatall"
SECRETS = [NAME, KANA, PHONE, "98765432", ADDRESS, NOTES, SEARCH, PASSWORD, USERNAME, FORGED_CSRF, FORGED_TOKEN]

IDENTITY = {"name": NAME, "name_kana": KANA, "phone": PHONE, "postal_code": "289-1324", "address": ADDRESS}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """At DEBUG, with every SQL statement logged (FOODBANK_DB_ECHO)."""
    return replace(settings, log_level="DEBUG", database=replace(settings.database, echo=True))


@dataclass
class Captured:
    caplog: pytest.LogCaptureFixture
    json: io.StringIO
    text: io.StringIO

    def everything(self) -> str:
        return "\n".join([self.caplog.text, self.json.getvalue(), self.text.getvalue()])

    def assert_clean(self, *also: str) -> None:
        logged = self.everything()
        leaked = [value for value in [*SECRETS, *also] if value in logged]
        assert not leaked, f"logged: {leaked}\n{logged[-5000:]}"


@contextmanager
def capture(caplog: pytest.LogCaptureFixture) -> Iterator[Captured]:
    """All of the app's logging, after create_app configured it: pytest's capture and both our formatters."""
    caplog.set_level(logging.DEBUG)
    captured = Captured(caplog, io.StringIO(), io.StringIO())
    handlers = []
    for stream, formatter in ((captured.json, JsonFormatter()), (captured.text, TextFormatter())):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        handlers.append(handler)
    root = logging.getLogger()
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield captured
    finally:
        for handler in handlers:
            root.removeHandler(handler)


def household(**extra: Any) -> dict[str, Any]:
    return {"municipality": "sammu", "adults": 2, "notes": NOTES, "identity": IDENTITY, **extra}


def referral(household_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "referred_on": days(-1),
        "who_consulted": "self",
        "reasons": ["food_shortage"],
        "request": "food",
        "consent": {"given": True, "by": "self", "on": days(-1), "method": "written", "scope": NOTES},
        "valid_until": month_end(2).isoformat(),
        "handouts_allowed": 2,
        "note": NOTES,
        **extra,
    }


async def test_the_api_logs_no_personal_data_or_secrets(
    client: AsyncClient, actors: Actors, caplog: pytest.LogCaptureFixture
) -> None:
    coordinator = await actors.make(Role.coordinator)
    admin = await actors.make(Role.admin)
    consultant = await actors.make(Role.consultant)
    with capture(caplog) as logs:
        created = await client.post("/api/households", json=household(), headers=coordinator.headers)
        assert created.status_code == 201, created.text
        household_id = created.json()["id"]
        lookalike = await client.post("/api/households", json=household(), headers=coordinator.headers)
        assert lookalike.json()["warnings"], "a look-alike (same phone) is warned about"
        by_consultant = await client.post("/api/households", json=household(), headers=consultant.headers)
        assert by_consultant.status_code == 201
        refused = [
            await client.post(
                "/api/households", json=household(identity={**IDENTITY, "phone": PHONE + "XQ7"}), headers=admin.headers
            ),
            await client.post("/api/households", json=household(notes=NOTES * 300), headers=admin.headers),
            await client.patch(
                f"/api/households/{household_id}", json={"notes": NOTES * 300}, headers=coordinator.headers
            ),
            await client.get("/api/households", params={"code": SEARCH * 5}, headers=coordinator.headers),
            await client.post(
                "/api/referrals", json=referral(household_id, note=NOTES * 300), headers=coordinator.headers
            ),
        ]
        assert [r.status_code for r in refused] == [422] * 5
        changed = await client.patch(
            f"/api/households/{household_id}", json={"notes": NOTES + "変更"}, headers=coordinator.headers
        )
        assert changed.status_code == 200
        assert (await client.get(f"/api/households/{household_id}/identity", headers=admin.headers)).json()["name"]
        found = await client.get("/api/households", params={"code": SEARCH}, headers=coordinator.headers)
        assert found.status_code == 200
        sent = await client.post(
            "/api/referrals", json=referral(household_id, agency_id=consultant.agency_id), headers=coordinator.headers
        )
        assert sent.status_code == 201, sent.text

        wrong = await client.post("/api/session", json={"username": coordinator.username, "password": PASSWORD})
        unknown = await client.post("/api/session", json={"username": USERNAME, "password": PASSWORD})
        assert (wrong.status_code, unknown.status_code) == (401, 401)
        user = {"username": USERNAME, "display_name": NAME, "password": PASSWORD, "roles": ["warehouse"]}
        assert (await client.post("/api/users", json=user, headers=admin.headers)).status_code == 201
        again = await client.post("/api/users", json=user, headers=admin.headers)
        assert again.status_code == 409, "a unique conflict, with the username in PostgreSQL's DETAIL"
        short = await client.post("/api/users", json={**user, "password": "XQ7-short"}, headers=admin.headers)
        assert short.status_code == 422
        signed_in = await client.post("/api/session", json={"username": USERNAME, "password": PASSWORD})
        assert signed_in.status_code == 201
        csrf = signed_in.json()["user"]["csrf_token"]
        forged = await client.post("/api/tokens", json={"name": "cli"}, headers={"X-CSRF-Token": FORGED_CSRF})
        assert forged.status_code == 403
        token = await client.post("/api/tokens", json={"name": NAME}, headers={"X-CSRF-Token": csrf})
        assert token.status_code == 201, token.text
        secret = token.json()["token"]
        assert (await client.get("/api/tokens", headers={"Authorization": f"Bearer {secret}"})).status_code == 200
        bogus = await client.get("/api/tokens", headers={"Authorization": f"Bearer {FORGED_TOKEN}"})
        assert bogus.status_code == 401
        problems = "\n".join(r.text for r in [*refused, wrong, unknown, again, short, forged, bogus])

    logs.assert_clean(csrf, secret, coordinator.token, admin.token, coordinator.password)
    assert "SELECT" in logs.everything(), "SQL statements were logged (FOODBANK_DB_ECHO), parameters hidden"
    leaked = [value for value in [*SECRETS, csrf, secret] if value in problems]
    assert not leaked, f"error bodies repeat {leaked}"


# --- unexpected database errors carrying the values ------------------------------------------------------


async def _cast_to_integer(session: AsyncSession) -> None:
    """PostgreSQL quotes the value it could not read: invalid input syntax for type integer: "..."."""
    await session.execute(text("SELECT CAST(CAST(:name AS text) AS integer)"), {"name": NAME})


async def _unencodable_argument(session: AsyncSession) -> None:
    """asyncpg quotes the argument it could not encode: invalid input for query argument $1: '...'."""
    await session.execute(select(Household.id).where(Household.id == NAME))  # type: ignore[comparison-overlap]


async def _unique_violation(session: AsyncSession) -> None:
    """PostgreSQL's DETAIL names the values: Key (phone)=(...) already exists."""
    await session.execute(text("CREATE TEMP TABLE leak (phone text PRIMARY KEY, address text)"))
    await session.execute(
        text("INSERT INTO leak VALUES (:phone, :address), (:phone, :address)"), {"phone": PHONE, "address": ADDRESS}
    )


async def _dbapi_error(_session: AsyncSession) -> None:
    """SQLAlchemy's error built by hand, parameters not hidden, the driver's message holding values."""
    raise sqlalchemy.exc.DBAPIError(
        "INSERT INTO household_identity (name, phone) VALUES ($1, $2)",
        {"name": NAME, "phone": PHONE},
        ValueError(f"the driver failed on {ADDRESS!r}"),
    ) from KeyError(NOTES)


FAILURES = [_cast_to_integer, _unencodable_argument, _unique_violation, _dbapi_error]


@pytest.mark.parametrize("failure", FAILURES, ids=lambda f: f.__name__.strip("_"))
async def test_an_unexpected_database_error_logs_its_kind_and_frames_but_no_values(
    app: Litestar,
    actors: Actors,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    failure: Callable[[AsyncSession], Awaitable[None]],
) -> None:
    real = household_services.register

    async def failing(session: AsyncSession, **kwargs: Any) -> Any:
        await real(session, **kwargs)
        await failure(session)

    monkeypatch.setattr(household_services, "register", failing)
    coordinator = await actors.make(Role.coordinator)
    browser = Browser(client_for(app))
    await browser.sign_in(coordinator)
    with capture(caplog) as logs:
        async with client_for(app) as client:
            api = await client.post("/api/households", json=household(), headers=coordinator.headers)
        page = await browser.post("/households", {"municipality": "sammu", "adults": 1, "notes": NOTES, **IDENTITY})
    assert (api.status_code, page.status_code) == (500, 500)
    assert api.json()["type"] == "/problems/internal"
    logs.assert_clean()
    records = [r for r in caplog.records if r.getMessage().startswith("unhandled error")]
    assert len(records) == 2 and all(r.exc_info is None for r in records), "the records hold no exception"
    logged = logs.text.getvalue()
    assert "Traceback (most recent call last):" in logged and f"in {failing.__name__}" in logged
    assert "exception messages are not logged" in logged
    if failure is _unique_violation:
        assert "sqlstate=23505" in logged and "constraint=leak_pkey" in logged
    if failure is _cast_to_integer:
        assert "sqlstate=22P02" in logged


async def test_the_engine_hides_parameters_in_errors(database: Database) -> None:
    """Defence in depth: even a message printed elsewhere holds no parameters."""
    with pytest.raises(sqlalchemy.exc.DBAPIError) as caught:
        async with database.transaction() as session:
            await _unique_violation(session)
    assert "SQL parameters hidden" in str(caught.value)
    assert PHONE not in str(caught.value).split("[SQL:")[1]
    assert PHONE not in redacted_traceback(caught.value) and ADDRESS not in redacted_traceback(caught.value)


async def test_the_page_routes_log_no_personal_data_or_secrets(
    app: Litestar, actors: Actors, caplog: pytest.LogCaptureFixture
) -> None:
    coordinator = await actors.make(Role.coordinator)
    consultant = await actors.make(Role.consultant)
    with capture(caplog) as logs:
        person = Browser(client_for(app))
        form = await person.get("/sign-in")
        wrong = await person.client.post(
            "/sign-in",
            data={"username": coordinator.username, "password": PASSWORD, "_csrf": hidden(form.text, "_csrf")},
        )
        assert wrong.status_code == 401
        forged = await person.client.post(
            "/sign-in", data={"username": coordinator.username, "password": PASSWORD, "_csrf": FORGED_CSRF}
        )
        assert forged.status_code == 403
        await person.sign_in(coordinator)
        typed = {"municipality": "sammu", "adults": 1, "notes": NOTES, **IDENTITY}
        registered = await person.post("/households", typed)
        assert registered.status_code == 303, registered.text
        household_path = registered.headers["location"]
        assert (await person.post("/households", {**typed, "phone": PHONE + "XQ7"})).status_code == 422
        assert NAME in (await person.get(f"{household_path}/identity")).text
        assert (await person.get("/households", params={"code": SEARCH})).status_code == 200
        assert (await person.post("/households/search", {"q": NAME})).status_code == 200
        assert (await person.post("/households/search", {"q": PHONE})).status_code == 200
        assert (await person.get("/households", params={"code": SEARCH * 5})).status_code == 422

        agency = Browser(client_for(app))
        await agency.sign_in(consultant)
        once = hidden((await agency.get("/new-referral")).text, "_once")
        referral_form = {
            "_once": once,
            "household_mode": "new",
            "municipality": "sammu",
            "adults": "1",
            "household_notes": NOTES,
            **IDENTITY,
            "referred_on": days(-1),
            "who_consulted": "self",
            "reason-food_shortage": "on",
            "request": "food",
            "handouts_allowed": "1",
            "valid_until": month_end(1).isoformat(),
            "note": NOTES,
            "consent_given": "yes",
            "consent_by": "self",
            "consent_on": days(-1),
            "consent_method": "written",
            "consent_scope": NOTES,
        }
        assert (await agency.post("/new-referral", referral_form)).status_code == 303
        again = hidden((await agency.get("/new-referral")).text, "_once")  # a new form: the first key is spent
        refused = await agency.post("/new-referral", {**referral_form, "phone": "XQ7", "_once": again})
        assert refused.status_code == 422
    logs.assert_clean(person.csrf, agency.csrf, coordinator.password, consultant.password)
