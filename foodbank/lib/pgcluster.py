"""A project-local PostgreSQL cluster on a Unix socket, for `foodbank run` and the test suite.

Standard library only: the bootstrap (`python3 -m foodbank`) imports it before any dependency is
installed.  The server listens on a socket in a 0700 directory inside the cluster's data root and
not on TCP, which is what makes `--auth=trust` acceptable.  As root, every server command runs as
the `postgres` system user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

PORT = 5432
SUPERUSER = "postgres"
SERVER_ACCOUNT = "postgres"
# A Unix socket path must fit in sun_path: 108 bytes on Linux, the terminating NUL included.
_MAX_SOCKET_PATH = 107
# Where throwaway clusters go (only ever through mkdtemp, with our own prefix).  On tmpfs a test
# database is created ~20x faster than on a virtual machine's disk (20 ms against 400-600 ms here),
# but Docker gives containers a 64 MB /dev/shm: it is used only with room to spare.
_TMPFS_DIR = "/dev/shm"  # noqa: S108
_DISK_DIR = "/var/tmp"  # noqa: S108
_THROWAWAY_MIN_FREE = 2 * 1024**3
_THROWAWAY_PREFIX = "foodbank-test-pg-"
_OWNER_FILE = "owner.pid"
_THROWAWAY_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class ClusterError(RuntimeError):
    """The cluster could not be found, set up, started or used; the message says what to do."""


def find_bin_dir() -> Path:
    """Locate the PostgreSQL server binaries (initdb, pg_ctl, postgres, psql).

    Order: $FOODBANK_PG_BIN, `pg_config --bindir` if it holds initdb, the newest
    /usr/lib/postgresql/*/bin (Debian keeps the server off PATH), then initdb on PATH.
    """
    override = os.environ.get("FOODBANK_PG_BIN")
    if override:
        if not (Path(override) / "initdb").is_file():
            raise ClusterError(f"FOODBANK_PG_BIN={override} holds no initdb")
        return Path(override)
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)  # noqa: S603
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").is_file():
            return bindir
    debian = sorted(
        (p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
        key=lambda bindir: _version_key(bindir.parent.name),
    )
    if debian:
        return debian[-1]
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise ClusterError(
        "PostgreSQL server binaries not found: install the Debian package `postgresql` "
        "(sudo apt-get install postgresql) or set FOODBANK_PG_BIN to the directory holding initdb"
    )


def _version_key(name: str) -> tuple[int, ...]:
    """Sort "9.6" < "15" < "16" numerically; a non-numeric directory name sorts first."""
    try:
        return tuple(int(part) for part in name.split("."))
    except ValueError:
        return ()


def default_dev_data_root(repo: Path) -> Path:
    """Where `foodbank run` keeps its persistent cluster.

    $FOODBANK_PG_DATA wins.  Otherwise `<repo>/.local/postgres`, except as root: the server then
    runs as `postgres`, which cannot reach a checkout under /root, so the cluster goes to
    /var/lib/foodbank/<repo dir name>-<first 8 hex digits of sha256(resolved repo path)>, one per
    checkout.
    """
    override = os.environ.get("FOODBANK_PG_DATA")
    if override:
        return Path(override)
    repo = repo.resolve()
    if os.geteuid() != 0:
        return repo / ".local" / "postgres"
    digest = hashlib.sha256(str(repo).encode()).hexdigest()[:8]
    return Path("/var/lib/foodbank") / f"{repo.name}-{digest}"


class LocalCluster:
    """One PostgreSQL cluster under `data_root`: `data/` holds PGDATA, `run/` the socket.

    A throwaway cluster trades durability for speed (no fsync) and allows many connections for
    parallel tests; `destroy()` removes it.  Used as a context manager, it is started on entry and
    on exit stopped, or destroyed if throwaway.
    """

    def __init__(self, data_root: Path, *, throwaway: bool = False) -> None:
        self.data_root = data_root.resolve()
        self.throwaway = throwaway
        self.bin_dir = find_bin_dir()
        self.data_dir = self.data_root / "data"
        self.socket_dir = self.data_root / "run"
        self.log_file = self.data_root / "postgres.log"
        self._as_root = os.geteuid() == 0
        socket_path = self.socket_dir / f".s.PGSQL.{PORT}"
        if len(os.fsencode(socket_path)) > _MAX_SOCKET_PATH:
            raise ClusterError(
                f"socket path {socket_path} is longer than Unix sockets allow ({_MAX_SOCKET_PATH} bytes): "
                "set FOODBANK_PG_DATA to a shorter directory"
            )

    @classmethod
    def new_throwaway(cls) -> LocalCluster:
        """A throwaway cluster in a fresh directory: on /dev/shm if it has 2 GiB free, else /var/tmp.

        Its creator's PID is recorded, and throwaway clusters whose creator has died (a test run
        that was killed never reaches `destroy()`) are removed first, servers included.
        """
        cls._reap_orphaned_throwaways()
        parent = _TMPFS_DIR if _free_bytes(_TMPFS_DIR) >= _THROWAWAY_MIN_FREE else _DISK_DIR
        path = Path(tempfile.mkdtemp(prefix=_THROWAWAY_PREFIX, dir=parent))
        try:
            (path / _OWNER_FILE).write_text(f"{os.getpid()}\n")
            return cls(path, throwaway=True)
        except BaseException:
            shutil.rmtree(path)
            raise

    @classmethod
    def _reap_orphaned_throwaways(cls) -> None:
        for parent in (_TMPFS_DIR, _DISK_DIR):
            cls._reap_orphans_in(Path(parent))

    @classmethod
    def _reap_orphans_in(cls, parent: Path) -> None:
        for path in parent.glob(f"{_THROWAWAY_PREFIX}*"):
            try:
                owner = int((path / _OWNER_FILE).read_text())
            except (OSError, ValueError):
                continue  # still being created, or not made by this module
            if _process_exists(owner):
                continue
            with contextlib.suppress(ClusterError, OSError):  # another user's, or being reaped in parallel
                cls(path, throwaway=True).destroy()

    def __enter__(self) -> LocalCluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.throwaway:
            self.destroy()
        else:
            self.stop()

    def start(self) -> None:
        """Create the cluster if needed and make sure its server runs, reusing one that already does."""
        self._prepare_dirs()
        with self._locked():
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb()
            if self._postmaster_pid() is not None:
                return
            # No live server: a postmaster.pid or socket lock left by a crash or a reboot would make
            # the new server refuse to start if its PID now belongs to another process.
            (self.data_dir / "postmaster.pid").unlink(missing_ok=True)
            (self.socket_dir / f".s.PGSQL.{PORT}.lock").unlink(missing_ok=True)
            self._server("pg_ctl", "start", "-w", "-t", "120", "-D", str(self.data_dir), "-l", str(self.log_file))

    def stop(self) -> None:
        """Stop the server with a fast shutdown (open sessions are cut); no-op if it is not running."""
        if not self.data_root.exists():
            return
        with self._locked():
            if self._postmaster_pid() is not None:
                self._server("pg_ctl", "stop", "-w", "-t", "120", "-m", "fast", "-D", str(self.data_dir))

    def destroy(self) -> None:
        """Stop the server and delete the whole data root, databases included."""
        self.stop()
        if self.data_root.exists():
            shutil.rmtree(self.data_root)

    def is_running(self) -> bool:
        """Whether this cluster's postmaster is alive (it may still be starting up)."""
        return self._postmaster_pid() is not None

    def url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        """A URL that reaches `database` over the Unix socket as the superuser.

        The same form serves SQLAlchemy (`postgresql+asyncpg`, the default) and plain asyncpg or
        libpq (`postgresql`).  The port is explicit so that a PGPORT in the environment cannot
        redirect asyncpg to another socket name.
        """
        return (
            f"{driver}://{SUPERUSER}@/{quote(database, safe='')}"
            f"?host={quote(str(self.socket_dir), safe='/')}&port={PORT}"
        )

    def create_database(self, name: str, template: str | None = None) -> None:
        """Create `name`, copied from `template` if given (which must then have no open sessions)."""
        if template is None:
            self._psql('CREATE DATABASE :"name"', name=name)
        else:
            self._psql('CREATE DATABASE :"name" TEMPLATE :"template"', name=name, template=template)

    def drop_database(self, name: str) -> None:
        """Drop `name` if it exists, terminating its sessions first."""
        self._psql('DROP DATABASE IF EXISTS :"name" WITH (FORCE)', name=name)

    def database_exists(self, name: str) -> bool:
        return self._psql("SELECT 1 FROM pg_database WHERE datname = :'name'", name=name).strip() == "1"

    def _prepare_dirs(self) -> None:
        """Create the data root and socket directory, private to the account that runs the server."""
        if self._as_root:
            self._check_reachable_by_server_account()
        self.data_root.parent.mkdir(parents=True, exist_ok=True)
        for directory in (self.data_root, self.socket_dir):
            directory.mkdir(mode=0o700, exist_ok=True)
            directory.chmod(0o700)
            if self._as_root:
                account = pwd.getpwnam(SERVER_ACCOUNT)
                os.chown(directory, account.pw_uid, account.pw_gid)

    def _check_reachable_by_server_account(self) -> None:
        try:
            pwd.getpwnam(SERVER_ACCOUNT)
        except KeyError:
            raise ClusterError(
                f"running as root needs a `{SERVER_ACCOUNT}` system account to run the server; "
                "the Debian package `postgresql` creates it"
            ) from None
        for ancestor in self.data_root.parents:
            if ancestor.exists() and not ancestor.stat().st_mode & stat.S_IXOTH:
                raise ClusterError(
                    f"{self.data_root} cannot be used as root: the `{SERVER_ACCOUNT}` account that runs the "
                    f"server cannot enter {ancestor} (a checkout under /root is the usual case); "
                    "set FOODBANK_PG_DATA to a directory outside it, such as /var/lib/foodbank/NAME"
                )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise start/stop between processes sharing this cluster (e.g. two `foodbank run`)."""
        with open(self.data_root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _initdb(self) -> None:
        locale = "C.UTF-8" if _has_c_utf8_locale() else "C"
        args = ["initdb", "-D", str(self.data_dir), f"--username={SUPERUSER}", "--auth=trust"]
        args += ["--encoding=UTF8", f"--locale={locale}"]
        if self.throwaway:
            args.append("--no-sync")
        self._server(*args)
        settings = {
            "listen_addresses": "''",
            "port": str(PORT),
            "unix_socket_directories": _conf_string(str(self.socket_dir)),
        }
        if self.throwaway:
            settings |= _THROWAWAY_SETTINGS
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write("\n# Added by foodbank.lib.pgcluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _postmaster_pid(self) -> int | None:
        """PID of this cluster's live postmaster, or None.

        Checks the process's command line, not just that the PID is alive, because after a reboot
        the PID in a stale postmaster.pid often belongs to an unrelated process.
        """
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return None
        if Path(os.fsdecode(argv[0])).name == "postgres" and os.fsencode(self.data_dir) in argv:
            return pid
        return None

    def _server(self, *args: str) -> None:
        """Run a server program (initdb, pg_ctl) from the bin dir, as `postgres` when we are root."""
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_root:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ClusterError("running the PostgreSQL server as root needs `runuser` (util-linux)")
            command = [runuser, "-u", SERVER_ACCOUNT, "--", *command]
        # cwd: as `postgres`, initdb and pg_ctl fail if they cannot enter the caller's directory.
        result = subprocess.run(  # noqa: S603
            command, cwd=self.data_root, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            log = self.log_file.read_text(errors="replace")[-3000:] if self.log_file.exists() else ""
            raise ClusterError(
                f"{' '.join(args)} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
                + (f"\nserver log {self.log_file} ends with:\n{log}" if log else "")
            )

    def _psql(self, sql: str, **variables: str) -> str:
        """Run one SQL statement as the superuser; `:"var"`/`:'var'` in `sql` quote `variables` safely.

        The SQL goes through stdin because psql does not interpolate variables in `-c`.
        """
        command = [str(self.bin_dir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        command += ["-h", str(self.socket_dir), "-p", str(PORT), "-U", SUPERUSER, "-d", "postgres"]
        for key, value in variables.items():
            command += ["-v", f"{key}={value}"]
        result = subprocess.run(  # noqa: S603
            command, input=sql + ";\n", capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise ClusterError(f"psql failed: {sql}: {result.stderr.strip()}")
        return result.stdout


def _free_bytes(directory: str) -> int:
    try:
        stats = os.statvfs(directory)
    except OSError:
        return 0
    return stats.f_bavail * stats.f_frsize


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, and someone else's
    return True


def _has_c_utf8_locale() -> bool:
    """C.UTF-8 gives Unicode-aware upper()/lower() with byte-order sorting; older systems lack it."""
    locale = shutil.which("locale")
    if locale is None:
        return False
    result = subprocess.run([locale, "-a"], capture_output=True, text=True, check=False)  # noqa: S603
    return any(name.lower().replace("-", "") == "c.utf8" for name in result.stdout.split())


def _conf_string(value: str) -> str:
    """Quote a value as a postgresql.conf string literal."""
    return "'" + value.replace("'", "''") + "'"
