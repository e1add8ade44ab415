"""requirements.lock: every dependency pinned with hashes, and the running venv installed from it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
# `name==version`, optionally `; marker`, then the ` \` that continues to the --hash lines.
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+?)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$")


@dataclass(frozen=True)
class Pin:
    version: str
    marker: Marker | None
    hashes: int


def lock_pins() -> dict[str, list[Pin]]:
    """The lock's entries by canonical name (a universal lock may pin a name twice, under other markers)."""
    pins: dict[str, list[Pin]] = {}
    lines = (REPO / "requirements.lock").read_text().splitlines()
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if match is None:
            continue
        hashes = 0
        for following in lines[number + 1 :]:
            if not following.strip().startswith("--hash=sha256:"):
                break
            hashes += 1
        marker = Marker(match["marker"]) if match["marker"] else None
        pins.setdefault(canonicalize_name(match["name"]), []).append(Pin(match["version"], marker, hashes))
    return pins


def declared_requirements() -> list[Requirement]:
    """What pyproject.toml names: the dependencies, the `dev` extra and the build backend."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    declared = [
        *pyproject["project"]["dependencies"],
        *pyproject["project"]["optional-dependencies"]["dev"],
        *pyproject["build-system"]["requires"],
    ]
    return [Requirement(text) for text in declared]


def applies_here(pin: Pin) -> bool:
    return pin.marker is None or pin.marker.evaluate()


PINS = lock_pins()


def test_the_lock_pins_many_packages_with_hashes() -> None:
    assert len(PINS) > 50  # the whole tree, not just the direct dependencies
    unhashed = sorted(name for name, pins in PINS.items() for pin in pins if pin.hashes == 0)
    assert unhashed == []


@pytest.mark.parametrize("requirement", declared_requirements(), ids=str)
def test_every_dependency_named_in_pyproject_is_pinned_within_its_bounds(requirement: Requirement) -> None:
    pins = [pin for pin in PINS.get(canonicalize_name(requirement.name), []) if applies_here(pin)]
    assert pins, f"{requirement.name} is not in requirements.lock: regenerate it (README, Development)"
    for pin in pins:
        assert requirement.specifier.contains(pin.version, prereleases=True), (
            f"requirements.lock pins {requirement.name}=={pin.version}, outside {requirement.specifier}: regenerate it"
        )


def test_the_running_venv_has_exactly_the_locked_versions() -> None:
    differ = {}
    for name, pins in PINS.items():
        for pin in filter(applies_here, pins):
            try:
                installed = version(name)
            except PackageNotFoundError:
                installed = "not installed"
            if installed != pin.version:
                differ[name] = f"locked {pin.version}, installed {installed}"
    assert differ == {}, "run `python3 -m foodbank --help` to reinstall .venv from the lock"
