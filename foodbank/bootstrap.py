"""What `python3 -m foodbank ARGS...` does before handing over to the real CLI.

Standard library only: it runs on a fresh machine before any dependency is installed.  It makes
sure the Debian packages the command needs are present, that `<repo>/.venv` holds an up-to-date
editable install of the project, then execs `<repo>/.venv/bin/foodbank ARGS...`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from foodbank.lib.pgcluster import ClusterError, find_bin_dir

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Requirement:
    """A Debian package, and a cheap test of whether what we need from it is already there."""

    package: str
    present: Callable[[], bool]


def _dpkg_installed(package: str) -> bool:
    dpkg_query = shutil.which("dpkg-query")
    if dpkg_query is None:
        return True  # not Debian: nothing we could install, so let the program's own error speak
    result = subprocess.run(  # noqa: S603
        [dpkg_query, "-W", "-f=${db:Status-Abbrev}", package], capture_output=True, text=True, check=False
    )
    return result.stdout.startswith("ii")


def _debian_package(package: str) -> Requirement:
    return Requirement(package, lambda: _dpkg_installed(package))


def _has_japanese_font() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    result = subprocess.run([fc_list, ":lang=ja", "family"], capture_output=True, text=True, check=False)  # noqa: S603
    return bool(result.stdout.strip())


def _has_postgres_server() -> bool:
    try:
        find_bin_dir()
    except ClusterError:
        return False
    return True


def _postgres_server_unless(database_url_variable: str) -> Requirement:
    """The server is needed only when no external database is configured for the command."""
    return Requirement("postgresql", lambda: bool(os.environ.get(database_url_variable)) or _has_postgres_server())


# WeasyPrint loads Pango and HarfBuzz through ffi; reports print Japanese text.  Any command may
# import the application, and so WeasyPrint: these are the requirements of every command.
COMMON_REQUIREMENTS = (
    _debian_package("libpango-1.0-0"),
    _debian_package("libpangoft2-1.0-0"),
    _debian_package("libharfbuzz-subset0"),
    Requirement("fontconfig", lambda: shutil.which("fc-list") is not None),
    Requirement("fonts-ipaexfont", _has_japanese_font),
)
# The end-to-end tests start Playwright's driver, a Node.js binary inside the playwright wheel
# (playwright/driver/node).  These are the shared libraries it is linked against (`ldd`), by soname,
# and the Debian package that has each; a minimal Debian lacks libatomic1, and without it every
# end-to-end test fails at set-up.  tests/unit/test_bootstrap.py holds this table against `ldd`.
PLAYWRIGHT_DRIVER_LIBRARIES = {
    "libatomic.so.1": "libatomic1",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6",
}
COMMAND_REQUIREMENTS: dict[str, tuple[Requirement, ...]] = {
    "run": (*COMMON_REQUIREMENTS, _postgres_server_unless("DATABASE_URL")),
    "test": (
        *COMMON_REQUIREMENTS,
        _postgres_server_unless("FOODBANK_TEST_DATABASE_URL"),
        # Debian's Chromium, which the end-to-end tests drive (Playwright never downloads a browser here);
        # apt brings the libraries it needs with it.
        _debian_package("chromium"),
        *(_debian_package(package) for package in sorted(set(PLAYWRIGHT_DRIVER_LIBRARIES.values()))),
    ),
    # ruff and mypy come as wheels and import nothing of the application: only the venv is needed.
    "lint": (),
}
# Debian splits ensurepip out of python3, and `python -m venv` cannot install pip without it.
VENV_REQUIREMENT = Requirement("python3-venv", lambda: importlib.util.find_spec("ensurepip") is not None)


def _say(message: str) -> None:
    print(f"foodbank: {message}", file=sys.stderr, flush=True)


def _run(
    command: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    quiet: bool = False,
) -> None:
    """Run a set-up step; stop with its exit code if it fails.  A quiet step shows its output only then."""
    capture = subprocess.PIPE if quiet else None
    result = subprocess.run(  # noqa: S603
        command, cwd=cwd, env=env, stdout=capture, stderr=subprocess.STDOUT if quiet else None, check=False
    )
    if result.returncode != 0:
        if quiet:
            sys.stderr.buffer.write(result.stdout)
        _say(f"`{' '.join(command)}` failed (exit {result.returncode})")
        sys.exit(result.returncode)


def ensure_debian_packages(requirements: Sequence[Requirement]) -> None:
    """Install the missing packages with apt-get as root; otherwise say how, and stop."""
    missing = [requirement.package for requirement in requirements if not requirement.present()]
    if not missing:
        return
    install = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        _say(f"missing Debian packages: {' '.join(missing)}; install them with")
        print(f"  sudo apt-get update && sudo {' '.join(install)}", file=sys.stderr)
        sys.exit(1)
    _say(f"installing Debian packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run(["apt-get", "update"], env=env, quiet=True)
    _run(install, env=env, quiet=True)
    still_missing = [requirement.package for requirement in requirements if not requirement.present()]
    if still_missing:
        _say(f"still missing after apt-get install: {' '.join(still_missing)}")
        sys.exit(1)


class ProjectVenv:
    """`<repo>/.venv` with the pinned dependencies of requirements.lock and the project, editable.

    Every dependency, the development tools and the build backend included, is installed from the
    lock with its hashes checked, so a new release of any of them cannot change an install; then the
    project itself, without dependencies or build isolation (nothing else is downloaded).  The install
    is redone only when pyproject.toml or the lock changes: their sha256 is kept in a stamp file
    inside the venv, written after a successful install.
    """

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.path = repo / ".venv"
        self.python = self.path / "bin" / "python"
        self.script = self.path / "bin" / "foodbank"
        self.stamp = self.path / "foodbank-install.sha256"
        self.pyproject = repo / "pyproject.toml"
        self.lock = repo / "requirements.lock"

    def is_active(self) -> bool:
        """Whether this very interpreter is the venv's."""
        return Path(sys.prefix).resolve() == self.path.resolve()

    def is_up_to_date(self) -> bool:
        return self.script.exists() and self.stamp.exists() and self.stamp.read_text().strip() == self.digest()

    def ensure(self) -> None:
        """Create the venv if needed and (re)install when pyproject.toml or the lock changed."""
        if self.is_up_to_date():
            return
        with self._locked():
            if self.is_up_to_date():  # another `python3 -m foodbank` did it while we waited
                return
            if not self.python.exists():
                _say("creating the virtual environment .venv")
                _run([sys.executable, "-m", "venv", "--clear", str(self.path)])
            _say(f"installing the pinned dependencies into .venv (pip install --require-hashes -r {self.lock.name})")
            pip = [str(self.python), "-m", "pip", "install", "-q"]
            env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
            _run([*pip, "--require-hashes", "-r", str(self.lock)], cwd=self.repo, env=env)
            _say("installing the project into .venv (pip install --no-deps --no-build-isolation -e .)")
            _run([*pip, "--no-deps", "--no-build-isolation", "-e", "."], cwd=self.repo, env=env)
            self.stamp.write_text(self.digest() + "\n")

    def digest(self) -> str:
        """What the stamp holds: the sha256 of pyproject.toml's and the lock's own sha256."""
        digest = hashlib.sha256()
        for path in (self.pyproject, self.lock):
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise set-up between concurrent invocations (say `run` and `test` in two terminals).

        The lock is taken on pyproject.toml itself, which always exists and is tracked by the stamp,
        so no lock file is left in the checkout.
        """
        with open(self.pyproject, "rb") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield


def _command(args: Sequence[str]) -> str | None:
    """The subcommand: the first argument that is not an option (None for `--help`)."""
    return next((arg for arg in args if not arg.startswith("-")), None)


def main(args: Sequence[str]) -> None:
    """Set up what `args` needs, then replace this process with the venv's `foodbank` CLI."""
    venv = ProjectVenv(REPO)
    if not (venv.is_active() and venv.is_up_to_date()):
        requirements = list(COMMAND_REQUIREMENTS.get(_command(args) or "", COMMON_REQUIREMENTS))
        if not venv.python.exists():
            requirements.append(VENV_REQUIREMENT)
        ensure_debian_packages(requirements)
        venv.ensure()
    os.execv(venv.script, [str(venv.script), *args])  # noqa: S606
