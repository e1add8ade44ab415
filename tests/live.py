"""The real app served by uvicorn on a free localhost port, for the browser tests and the API fuzzing.

`live_server` serves the app on its own thread and event loop, against this test's database (cloned from
the migrated template, like every integration test); `live_server.url("/path")`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from foodbank.app import create_app
from foodbank.config import Settings


@dataclass
class LiveServer:
    base: str

    def url(self, path: str = "/") -> str:
        return self.base + path


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The app served for real; its database connections live on the server's own event loop."""
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:  # startup takes a moment; this is the one wait that is not on an element
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
