"""The bootstrap (`python3 -m foodbank`): the system libraries it installs, and when it reinstalls the venv.

The library checks read this machine: on one that lacks a library the suite's programs need, they
fail here, by name, instead of every end-to-end test erroring at set-up.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import playwright
import pytest

from foodbank.bootstrap import COMMAND_REQUIREMENTS, PLAYWRIGHT_DRIVER_LIBRARIES, ProjectVenv

PLAYWRIGHT_NODE = Path(playwright.__file__).parent / "driver" / "node"
DEBIAN_CHROMIUM = Path("/usr/lib/chromium/chromium")  # /usr/bin/chromium is a shell script that starts it

needs_ldd = pytest.mark.skipif(shutil.which("ldd") is None, reason="no ldd on this machine")


def linked_libraries(binary: Path) -> dict[str, str]:
    """Soname -> the file the dynamic linker finds for it, or "not found", for each library `binary` needs."""
    output = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    libraries = {}
    for line in output.splitlines():
        soname, arrow, where = line.strip().partition(" => ")
        if arrow:  # the vdso and the dynamic linker itself have no arrow
            libraries[soname] = where.split(" (")[0]
    return libraries


@needs_ldd
def test_the_test_command_installs_every_library_the_playwright_driver_links() -> None:
    if not PLAYWRIGHT_NODE.is_file():
        pytest.skip("this playwright ships no bundled Node.js")
    sonames = set(linked_libraries(PLAYWRIGHT_NODE))
    assert sonames - set(PLAYWRIGHT_DRIVER_LIBRARIES) == set(), "add them to bootstrap.PLAYWRIGHT_DRIVER_LIBRARIES"
    test_packages = {requirement.package for requirement in COMMAND_REQUIREMENTS["test"]}
    assert {PLAYWRIGHT_DRIVER_LIBRARIES[soname] for soname in sonames} <= test_packages
    assert "libatomic1" in test_packages  # the one a minimal Debian 12 lacks


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not Debian")
def test_each_driver_library_comes_from_the_package_the_bootstrap_names() -> None:
    for soname, package in PLAYWRIGHT_DRIVER_LIBRARIES.items():
        found = subprocess.run(["dpkg-query", "-S", f"*/{soname}"], capture_output=True, text=True, check=False)  # noqa: S603, S607
        owners = {line.split(":")[0] for line in found.stdout.splitlines()}
        assert package in owners, f"{soname} is in {owners or 'no installed package'}, not {package}"


@needs_ldd
@pytest.mark.parametrize("binary", [PLAYWRIGHT_NODE, DEBIAN_CHROMIUM], ids=["playwright-driver", "chromium"])
def test_the_programs_the_end_to_end_tests_start_find_all_their_libraries(binary: Path) -> None:
    if not binary.is_file():
        pytest.skip(f"{binary} is not installed")
    missing = sorted(soname for soname, where in linked_libraries(binary).items() if where == "not found")
    assert missing == [], f"{binary} cannot start: `python3 -m foodbank test` should install {missing}"


def test_the_lint_command_needs_no_debian_package() -> None:
    assert COMMAND_REQUIREMENTS["lint"] == ()


def test_the_venv_is_reinstalled_when_the_lock_or_pyproject_changes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "requirements.lock").write_text("a==1 --hash=sha256:00\n")
    venv = ProjectVenv(tmp_path)
    venv.script.parent.mkdir(parents=True)
    venv.script.touch()
    venv.stamp.write_text(venv.digest() + "\n")
    assert venv.is_up_to_date()

    (tmp_path / "requirements.lock").write_text("a==2 --hash=sha256:00\n")
    assert not venv.is_up_to_date()
    venv.stamp.write_text(venv.digest() + "\n")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'y'\n")
    assert not venv.is_up_to_date()
