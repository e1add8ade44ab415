"""`foodbank serve` started for real in a subprocess, on a free loopback port, for the tests of several
workers (tests/integration/test_workers.py) and the read-load benchmark (bench/read_load.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base: str

    def url(self, path: str = "/") -> str:
        return self.base + path

    def worker_pids(self) -> list[int]:
        """The worker processes uvicorn's supervisor spawned (not multiprocessing's resource tracker)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _wait_until_healthy(served: Served, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(f"foodbank serve exited with {served.process.returncode}:\n{log.read_text()[-4000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(served.url("/health"), timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"foodbank serve did not answer /health in {START_TIMEOUT_S:.0f} s:\n{log.read_text()[-4000:]}")


@contextlib.contextmanager
def serving(database_url: str, *, workers: int = 1, env: Mapping[str, str] | None = None) -> Iterator[Served]:
    """`foodbank serve --workers N` on DATABASE_URL, stopped (SIGTERM, then SIGKILL) when the block ends."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FOODBANK_", "DATABASE_"))},
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": database_url,
        "FOODBANK_LOG_LEVEL": "WARNING",
        "FOODBANK_LOG_JSON": "false",
        **(env or {}),
    }
    command = [sys.executable, "-c", "from foodbank.cli import main; main()", "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with tempfile.NamedTemporaryFile(prefix="foodbank-serve-", suffix=".log") as log:
        process = subprocess.Popen(  # noqa: S603 - our own command, with this interpreter
            command, cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        served = Served(process, f"http://127.0.0.1:{port}")
        try:
            _wait_until_healthy(served, Path(log.name))
            yield served
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # the supervisor stops its workers
                try:
                    process.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)  # its own session: the workers too
                    process.wait(timeout=STOP_TIMEOUT_S)
