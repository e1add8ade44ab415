"""The request context: request id, access log, security headers, and a per-request holder for mechanisms such
as idempotency.

Every request gets an id (the caller's `X-Request-ID` when it is sane, else a new one). It is echoed
in the response, included in problem details and in every log line written while the request runs.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from foodbank.lib.headers import STATIC_PREFIX, security_headers


@dataclass
class RequestContext:
    """Mutable on purpose: child tasks copy the context variable but share this object."""

    request_id: str
    idempotency: Any = None


_context: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("foodbank.access")


def current_request_id() -> str | None:
    ctx = _context.get()
    return ctx.request_id if ctx else None


def current_context() -> RequestContext | None:
    return _context.get()


class RequestContextMiddleware:
    """Outermost ASGI wrapper, so that even unroutable requests get an id and an access-log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        supplied = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = supplied if _SANE_ID.match(supplied) else uuid.uuid4().hex
        token = _context.set(RequestContext(request_id))
        started = time.perf_counter()
        status: dict[str, int] = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if not (name.lower() == b"cache-control" and not scope["path"].startswith(STATIC_PREFIX))
                ]
                headers += security_headers(scope["path"], headers)
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            user: Any = scope.get("user")
            # The path, not the query string: searches may contain names.
            access_log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "path": scope["path"],
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": getattr(user, "id", None),
                },
            )
            _context.reset(token)
