"""Idempotency keys for creating requests (`Idempotency-Key` header).

A handler opts in with `opt={"idempotent": True}` (see `foodbank.lib.routes`). Then, inside the
request's own transaction:

1. a transaction-scoped advisory lock on (caller, key) is tried: if another request holds it, the
   first one is still running and this one gets 409;
2. an existing record with the same request fingerprint is replayed as it was first sent; with a
   different fingerprint the client reused a key for another request: 422;
3. otherwise a record is inserted, the handler runs, and the response is stored in the record
   before the transaction commits. If the handler fails, everything rolls back, key included, so the
   client may simply retry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response
from litestar.serialization import encode_json
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.context import current_context
from foodbank.lib.errors import BadRequest, Conflict, InvalidInput
from foodbank.models import IdempotencyKey

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255


class Replay(Exception):
    """Raised before the handler runs, to answer with the stored first response."""

    def __init__(self, record: IdempotencyKey) -> None:
        # Copied out: the session that loaded the record is rolled back before the reply is built.
        self.status_code = record.status_code or 200
        self.body = record.response_body or b""
        self.media_type = record.media_type or "application/json"


@dataclass
class Claim:
    record: IdempotencyKey
    response: dict[str, Any] = field(default_factory=dict)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Same method, path and JSON body (whatever its key order or spacing) give the same fingerprint."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


async def claim(session: AsyncSession, request: Request[Any, Any, Any]) -> Claim | None:
    if not request.route_handler.opt.get("idempotent"):
        return None
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    user_id: int = request.user.id
    digest = fingerprint(request.method, request.url.path, await request.body())

    locked = await session.scalar(
        select(func.pg_try_advisory_xact_lock(func.hashtextextended(f"idempotency:{user_id}:{key}", 0)))
    )
    if not locked:
        raise Conflict(
            "A request with this Idempotency-Key is still being processed. Retry after it has finished.",
            idempotency_key=key,
        )
    existing = await session.get(IdempotencyKey, (user_id, key))
    if existing is not None:
        if existing.request_hash != digest:
            raise InvalidInput(
                "This Idempotency-Key was already used for a different request. Use a new key for new work.",
                errors=[{"field": "Idempotency-Key", "message": "already used with another body"}],
            )
        raise Replay(existing)
    record = IdempotencyKey(user_id=user_id, key=key, method=request.method, path=request.url.path, request_hash=digest)
    session.add(record)
    await session.flush()
    pending = Claim(record)
    if (ctx := current_context()) is not None:
        ctx.idempotency = pending
    return pending


async def capture_response(response: Response[Any]) -> Response[Any]:
    """`after_request` hook: remember the response the claimed request is about to send."""
    ctx = current_context()
    if ctx is not None and isinstance(ctx.idempotency, Claim):
        content = response.content
        body = content if isinstance(content, bytes) else encode_json(content)
        ctx.idempotency.response = {
            "status_code": response.status_code,
            "body": body,
            "media_type": str(response.media_type),
        }
    return response


async def record_response(session: AsyncSession, pending: Claim) -> None:
    if not pending.response:
        return
    pending.record.status_code = pending.response["status_code"]
    pending.record.response_body = pending.response["body"]
    pending.record.media_type = pending.response["media_type"]
    await session.flush()


def replay_response(_request: Request[Any, Any, Any], exc: Replay) -> Response[bytes]:
    return Response(
        exc.body,
        status_code=exc.status_code,
        media_type=exc.media_type,
        headers={"Idempotent-Replayed": "true"},
    )


async def purge_older_than(session: AsyncSession, days: int) -> int:
    """Keys only need to outlive a client's retries; `foodbank db purge-idempotency` calls this."""
    result = await session.execute(
        text("DELETE FROM idempotency_key WHERE created_at < now() - make_interval(days => :days)"),
        {"days": days},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
