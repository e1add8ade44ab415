"""docker-compose.yml: the app's image installs what a checkout's set-up installs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from foodbank.bootstrap import COMMON_REQUIREMENTS

REPO = Path(__file__).resolve().parents[2]


def compose() -> Any:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def dockerfile() -> str:
    text: str = compose()["services"]["app"]["build"]["dockerfile_inline"]
    return text


def test_the_image_has_every_debian_package_the_application_needs() -> None:
    apt_line = next(line for line in dockerfile().splitlines() if "apt-get install" in line)
    packages = set(dockerfile().split(apt_line, 1)[1].split("&&", 1)[0].replace("\\", " ").split())
    assert {requirement.package for requirement in COMMON_REQUIREMENTS} <= packages


def test_the_image_installs_the_pinned_dependencies_then_the_project_without_any() -> None:
    lines = [line.strip() for line in dockerfile().splitlines()]
    locked = lines.index("RUN pip install --require-hashes -r requirements.lock")
    assert lines.index("COPY requirements.lock .") < locked
    project = next(number for number, line in enumerate(lines) if "pip install --no-deps" in line)
    assert locked < project
    assert "-e ." in lines[project]


def test_the_app_waits_for_a_healthy_official_postgres() -> None:
    services = compose()["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert "healthcheck" in services["db"]
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
