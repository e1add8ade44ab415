"""`serve` and `run` start uvicorn with workers, the app factory, and the proxies the app trusts; the
scheme a trusted proxy reports; the settings of serving."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from foodbank import cli
from foodbank.config import Settings, SettingsError, available_cores
from foodbank.lib.proxies import request_scheme


def test_x_forwarded_proto_is_believed_only_from_a_trusted_proxy() -> None:
    trusted = ("127.0.0.1/32", "10.0.0.0/8")
    assert request_scheme("http", "127.0.0.1", "https", trusted) == "https"
    assert request_scheme("http", "10.1.2.3", " HTTPS ", trusted) == "https"
    assert request_scheme("https", "127.0.0.1", "http", trusted) == "http"
    assert request_scheme("http", "203.0.113.9", "https", trusted) == "http"  # not a proxy: ignored
    assert request_scheme("http", "127.0.0.1", "https, http", trusted) == "http"  # not one value: ignored
    assert request_scheme("http", "127.0.0.1", None, trusted) == "http"
    assert request_scheme("http", "127.0.0.1", "https", ()) == "http"
    assert request_scheme("http", None, "https", trusted) == "http"


def test_serving_settings() -> None:
    assert Settings.from_env({}).http.workers == available_cores()
    assert Settings.from_env({"FOODBANK_WORKERS": "3"}).http.workers == 3
    assert Settings.from_env({}).security.cookie_secure is None
    assert Settings.from_env({"FOODBANK_COOKIE_SECURE": "auto"}).security.cookie_secure is None
    assert Settings.from_env({"FOODBANK_COOKIE_SECURE": "true"}).security.cookie_secure is True
    assert Settings.from_env({"FOODBANK_COOKIE_SECURE": "false"}).security.cookie_secure is False
    for name, value in (("FOODBANK_WORKERS", "0"), ("FOODBANK_COOKIE_SECURE", "sometimes")):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({name: value})


@pytest.fixture
def uvicorn_run(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append({"app": app, **options}))
    for name in ("FOODBANK_WORKERS", "FOODBANK_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FOODBANK_LOG_JSON", "true")  # set: what `serve` writes for its workers is undone after
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@db/foodbank")
    return calls


def test_serve_starts_the_workers_with_the_app_factory(
    uvicorn_run: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOODBANK_WORKERS", "3")
    result = CliRunner().invoke(cli.main, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    (call,) = uvicorn_run
    assert call["app"] == "foodbank.app:create_app" and call["factory"] is True
    assert (call["workers"], call["port"], call["host"]) == (3, 8123, "127.0.0.1")
    assert call["proxy_headers"] is False  # no trusted proxy: uvicorn believes no header either
    result = CliRunner().invoke(cli.main, ["serve", "--workers", "2"])
    assert uvicorn_run[1]["workers"] == 2


def test_uvicorn_trusts_the_same_proxies_as_the_app(
    uvicorn_run: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOODBANK_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    assert CliRunner().invoke(cli.main, ["serve", "--workers", "1"]).exit_code == 0
    (call,) = uvicorn_run
    assert call["proxy_headers"] is True
    assert call["forwarded_allow_ips"] == "127.0.0.1/32,10.0.0.0/8"
