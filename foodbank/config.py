"""Typed settings, grouped by concern, read once from the environment.

Every variable is listed in the README's "Configuration" table; `Settings.from_env()` is the only
place that reads `os.environ` for the application (the bootstrap reads a few before anything is
installed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from foodbank.lib.proxies import parse_networks
from foodbank.models.appliances import ApplianceCategory


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot use."""


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container may narrow)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name} must be at most {maximum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _auto_bool(env: Mapping[str, str], name: str) -> bool | None:
    """`auto` (the default): None; otherwise true or false."""
    raw = (env.get(name) or "auto").strip().lower()
    if raw == "auto":
        return None
    try:
        return _bool(env, name, False)
    except SettingsError:
        raise SettingsError(f"{name} must be auto, true or false, got {env.get(name)!r}") from None


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    try:
        return tuple(str(network) for network in parse_networks(env.get(name, "")))
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc} (give addresses or networks separated by commas)") from None


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (env.get(name) or default).strip().lower()
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


@dataclass(frozen=True)
class DatabaseSettings:
    url: str | None
    """SQLAlchemy URL (postgresql+asyncpg://...). None: `foodbank run` starts a local cluster."""
    pool_size: int = 10
    echo: bool = False
    pgbouncer: bool = False
    """Connections go through PgBouncer in transaction mode: no prepared statement caches (foodbank.lib.db)."""
    replica_url: str | None = None
    """A read replica for reports and exports (never for anything that writes); None: the primary."""


@dataclass(frozen=True)
class SecuritySettings:
    session_days: int = 14
    """How long a web sign-in lasts without activity."""
    cookie_secure: bool | None = None
    """Mark the session cookie Secure (sent over https only): True always, False never, None (`auto`)
    when the request came over https, directly or as a trusted proxy's X-Forwarded-Proto says."""
    sign_in_attempts: int = 5
    """Failed sign-ins allowed per account and address in `sign_in_window_minutes`."""
    sign_in_window_minutes: int = 15
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536


@dataclass(frozen=True)
class HttpSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    """Processes `serve` and `run` start (uvicorn's multi-process mode); FOODBANK_WORKERS, default the cores."""
    max_body_bytes: int = 2 * 1024 * 1024
    """Larger request bodies get 413 before they are read into memory."""
    organisation_name: str = "フードバンクさんぶ"
    trusted_proxies: tuple[str, ...] = ()
    """Reverse proxies whose X-Forwarded-For is believed (foodbank.lib.proxies): addresses or networks,
    checked when read; kept as text, which Litestar's dependency checks understand."""


@dataclass(frozen=True)
class StockSettings:
    short_date_at_receipt: str = "warn"
    """A best-before date with fewer days left than the category's minimum at receipt: warn or refuse."""
    default_min_days: int = 7
    """Days of best-before left after a hand-out, for categories that set none."""
    stocktake_approval_units: int = 5
    stocktake_approval_percent: int = 10
    """A stocktake difference within either tolerance (at most this many units, or at most this percent
    of the expected units) may be approved by whoever counts; a larger one needs a coordinator or an
    admin. 0 and 0: every difference does."""


@dataclass(frozen=True)
class HouseholdSettings:
    min_days_between_handouts: int = 7
    """Individual support: days that must pass between two hand-outs to one household (a coordinator
    may override with a reason)."""
    retention_years: int = 5
    """Households with no activity for this long are anonymised by `foodbank households anonymise`."""


DEFAULT_APPLIANCE_MAX_AGE_YEARS = 6
"""Reuse shops take appliances up to about 5–6 years from manufacture (DOMAIN.md)."""
DEFAULT_APPLIANCE_MAX_AGE_BY_CATEGORY: Mapping[str, int] = {
    ApplianceCategory.refrigerator.value: 10,
    ApplianceCategory.washing_machine.value: 10,
}
"""About 10 years is the end of life of a fridge or a washer (DOMAIN.md)."""


def _ages_by_category(env: Mapping[str, str], name: str) -> dict[str, int]:
    """`refrigerator=10,washing_machine=12`: limits that change the defaults for these categories."""
    ages = dict(DEFAULT_APPLIANCE_MAX_AGE_BY_CATEGORY)
    raw = env.get(name) or ""
    known = {c.value for c in ApplianceCategory}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        category, equals, years = (s.strip() for s in part.partition("="))
        if not equals or category not in known:
            raise SettingsError(
                f"{name} must list category=years pairs separated by commas, with categories among "
                f"{', '.join(sorted(known))}; got {part!r}"
            )
        try:
            ages[category] = int(years)
        except ValueError:
            raise SettingsError(f"{name}: the years for {category} must be a whole number, got {years!r}") from None
        if ages[category] < 0:
            raise SettingsError(f"{name}: the years for {category} must be at least 0, got {ages[category]}")
    return ages


@dataclass(frozen=True)
class ApplianceSettings:
    max_age_years: int = DEFAULT_APPLIANCE_MAX_AGE_YEARS
    """Oldest a unit may be when it is received (years from its manufacture year), for categories
    without their own limit."""
    max_age_by_category: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_APPLIANCE_MAX_AGE_BY_CATEGORY))
    """Limits of their own, by category code."""
    no_pse_mark: str = "refuse"
    """A unit with neither the PSE mark nor the old-law mark: refuse (422) or flag (accepted, flagged)."""

    def max_age_for(self, category: str) -> int:
        return self.max_age_by_category.get(category, self.max_age_years)


@dataclass(frozen=True)
class ReportSettings:
    fiscal_year_start_month: int = 4
    """The month a fiscal year (年度) starts in: April in Japan; 1 for calendar years."""


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings
    security: SecuritySettings = field(default_factory=SecuritySettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    stock: StockSettings = field(default_factory=StockSettings)
    households: HouseholdSettings = field(default_factory=HouseholdSettings)
    appliances: ApplianceSettings = field(default_factory=ApplianceSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    log_level: str = "INFO"
    log_json: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database=DatabaseSettings(
                url=env.get("DATABASE_URL") or None,
                pool_size=_int(env, "FOODBANK_DB_POOL_SIZE", 10, minimum=1),
                echo=_bool(env, "FOODBANK_DB_ECHO", False),
                pgbouncer=_bool(env, "FOODBANK_DB_PGBOUNCER", False),
                replica_url=env.get("DATABASE_REPLICA_URL") or None,
            ),
            security=SecuritySettings(
                session_days=_int(env, "FOODBANK_SESSION_DAYS", 14, minimum=1),
                cookie_secure=_auto_bool(env, "FOODBANK_COOKIE_SECURE"),
                sign_in_attempts=_int(env, "FOODBANK_SIGN_IN_ATTEMPTS", 5, minimum=1),
                sign_in_window_minutes=_int(env, "FOODBANK_SIGN_IN_WINDOW_MINUTES", 15, minimum=1),
                argon2_time_cost=_int(env, "FOODBANK_ARGON2_TIME_COST", 3, minimum=1),
                argon2_memory_kib=_int(env, "FOODBANK_ARGON2_MEMORY_KIB", 65536, minimum=1024),
            ),
            http=HttpSettings(
                host=env.get("FOODBANK_HOST", "127.0.0.1"),
                port=_int(env, "FOODBANK_PORT", 8000, minimum=1),
                workers=_int(env, "FOODBANK_WORKERS", available_cores(), minimum=1, maximum=64),
                max_body_bytes=_int(env, "FOODBANK_MAX_BODY_BYTES", 2 * 1024 * 1024, minimum=1024),
                organisation_name=env.get("FOODBANK_ORGANISATION", "フードバンクさんぶ"),
                trusted_proxies=_networks(env, "FOODBANK_TRUSTED_PROXIES"),
            ),
            stock=StockSettings(
                short_date_at_receipt=_choice(env, "FOODBANK_SHORT_DATE_AT_RECEIPT", ("warn", "refuse"), "warn"),
                default_min_days=_int(env, "FOODBANK_DEFAULT_MIN_DAYS", 7),
                stocktake_approval_units=_int(env, "FOODBANK_STOCKTAKE_APPROVAL_UNITS", 5),
                stocktake_approval_percent=_int(env, "FOODBANK_STOCKTAKE_APPROVAL_PERCENT", 10, maximum=100),
            ),
            households=HouseholdSettings(
                min_days_between_handouts=_int(env, "FOODBANK_MIN_DAYS_BETWEEN_HANDOUTS", 7),
                retention_years=_int(env, "FOODBANK_RETENTION_YEARS", 5, minimum=1),
            ),
            appliances=ApplianceSettings(
                max_age_years=_int(env, "FOODBANK_APPLIANCE_MAX_AGE_YEARS", DEFAULT_APPLIANCE_MAX_AGE_YEARS),
                max_age_by_category=_ages_by_category(env, "FOODBANK_APPLIANCE_MAX_AGE_BY_CATEGORY"),
                no_pse_mark=_choice(env, "FOODBANK_APPLIANCE_NO_PSE_MARK", ("refuse", "flag"), "refuse"),
            ),
            reports=ReportSettings(
                fiscal_year_start_month=_int(env, "FOODBANK_FISCAL_YEAR_START_MONTH", 4, minimum=1, maximum=12),
            ),
            log_level=env.get("FOODBANK_LOG_LEVEL", "INFO").upper(),
            log_json=_bool(env, "FOODBANK_LOG_JSON", True),
        )
