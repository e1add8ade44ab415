"""Idempotency keys for creating requests (`Idempotency-Key` header).

A handler opts in with `opt=allow(..., idempotent=True)` (see `foodbank.lib.access`). Then, inside the
request's own transaction:

1. a transaction-scoped advisory lock on (caller, key) is tried: if another request holds it, the
   first one is still running and this one gets 409;
2. an existing record with the same request fingerprint is replayed; with a different fingerprint
   the client reused a key for another request: 422;
3. otherwise a record is inserted, the handler runs, and the response is stored in the record
   before the transaction commits. If the handler fails, everything rolls back, key included, so the
   client may simply retry.

Stored responses hold no personal data and no secrets (docs/decisions/0011). A route whose answer
carries them says how it is replayed, `allow(..., idempotent=Reread(...))` or `ShownOnce(...)`: its
record keeps the created resource's id (and the fields the policy names, which carry neither), and a
replay reads the resource again through the route's own query and schema, or, for a secret shown
once, answers 409 `secret-not-replayable`. Other routes' answers are stored and replayed as sent.

Page forms have their one-time key (`_once`, `foodbank.pages.forms`) kept in the same table, under
`page:<key>` with the address the first submission went to (`page_form_location`, `remember_page_form`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litestar import Request, Response
from litestar.serialization import encode_json
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.context import current_context
from foodbank.lib.errors import BadRequest, Conflict, InvalidInput
from foodbank.lib.messages import Message
from foodbank.lib.validation import schema
from foodbank.models import IdempotencyKey

if TYPE_CHECKING:
    from foodbank.lib.access import Principal

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Reread:
    """The answer carries personal data. The record keeps the created resource's `id` and the `kept`
    fields (what only the first answer knew, such as warnings; never personal data), and a replay
    answers `load(session, caller, id)` dumped by the route's own response schema, with the kept fields:
    the resource as it is now. `load` is the route's own read, with its access checks and audit."""

    load: Callable[[AsyncSession, Principal, int], Awaitable[Any]]
    kept: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShownOnce:
    """The answer carries a secret shown once (an API token). The record keeps the created resource's
    `id` only, and a replay is 409 `secret-not-replayable`, naming it and saying what to do instead."""

    what: str
    """What was created, as the problem names it: N_("API token")."""
    instead: str
    """What to do, a msgid with `%(id)s` for the created resource's id."""


ReplayPolicy = Reread | ShownOnce


class SecretNotReplayable(Conflict):
    slug = "secret-not-replayable"
    title = "The secret was shown once and is not kept"


class Replay(Exception):
    """Raised before the handler runs, to answer with the first response (or its resource now)."""

    def __init__(self, status_code: int, body: bytes, media_type: str) -> None:
        # Copied out: the session that loaded the record has ended before the reply is built.
        self.status_code = status_code
        self.body = body
        self.media_type = media_type

    @classmethod
    def of(cls, record: IdempotencyKey, body: bytes | None = None) -> Replay:
        return cls(
            record.status_code or 200,
            (record.response_body or b"") if body is None else body,
            record.media_type or "application/json",
        )


@dataclass
class Claim:
    record: IdempotencyKey
    policy: ReplayPolicy | None = None
    response: dict[str, Any] = field(default_factory=dict)


def replay_policy(request: Request[Any, Any, Any]) -> ReplayPolicy | None:
    policy = request.route_handler.opt.get("idempotent")
    return policy if isinstance(policy, Reread | ShownOnce) else None


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Same method, path and JSON body (whatever its key order or spacing) give the same fingerprint."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


async def claim(session: AsyncSession, request: Request[Any, Any, Any]) -> Claim | Replay | None:
    """None when the request is not idempotent; a Replay to answer instead of running the handler
    (the caller commits first, so that the reads a replay made stay audited); else the Claim."""
    if not request.route_handler.opt.get("idempotent"):
        return None
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH:
        raise BadRequest(Message("Idempotency-Key must be 1 to %(most)s characters.", most=MAX_KEY_LENGTH))
    user_id: int = request.user.id
    digest = fingerprint(request.method, request.url.path, await request.body())

    locked = await session.scalar(
        select(func.pg_try_advisory_xact_lock(func.hashtextextended(f"idempotency:{user_id}:{key}", 0)))
    )
    if not locked:
        raise Conflict(
            Message("A request with this Idempotency-Key is still being processed. Retry after it has finished."),
            idempotency_key=key,
        )
    existing = await session.get(IdempotencyKey, (user_id, key))
    if existing is not None:
        if existing.request_hash != digest:
            raise InvalidInput(
                Message("This Idempotency-Key was already used for a different request. Use a new key for new work."),
                errors=[{"field": "Idempotency-Key", "message": Message("already used with another body")}],
            )
        return await _replay(session, request, existing)
    record = IdempotencyKey(user_id=user_id, key=key, method=request.method, path=request.url.path, request_hash=digest)
    session.add(record)
    await session.flush()
    pending = Claim(record, replay_policy(request))
    if (ctx := current_context()) is not None:
        ctx.idempotency = pending
    return pending


async def _replay(session: AsyncSession, request: Request[Any, Any, Any], record: IdempotencyKey) -> Replay:
    policy = replay_policy(request)
    if policy is None:
        return Replay.of(record)
    stored: dict[str, Any] = json.loads(record.response_body or b"{}")
    created_id = int(stored["id"])
    if isinstance(policy, ShownOnce):
        raise SecretNotReplayable(
            Message(
                "This request already created %(what)s %(id)s. Its secret was shown once, in the answer to that "
                "request, and is not kept, so it cannot be shown again. %(instead)s",
                what=Message(policy.what),
                id=created_id,
                instead=Message(policy.instead, id=created_id),
            ),
            created_id=created_id,
        )
    resource = await policy.load(session, request.user, created_id)
    dto: Any = request.route_handler.resolve_return_dto()
    now = schema(dto.model_type).dump(resource)
    return Replay.of(record, encode_json({**now, **{name: stored[name] for name in policy.kept if name in stored}}))


def _stored_body(policy: ReplayPolicy | None, content: Any) -> bytes:
    if policy is None:
        return content if isinstance(content, bytes) else encode_json(content)
    body: Mapping[str, Any] = json.loads(content) if isinstance(content, bytes) else content
    kept = policy.kept if isinstance(policy, Reread) else ()
    return encode_json({"id": body["id"], **{name: body[name] for name in kept if name in body}})


async def capture_response(response: Response[Any]) -> Response[Any]:
    """`after_request` hook: remember the response the claimed request is about to send (for a route
    with a replay policy, only the created resource's id and the kept fields)."""
    ctx = current_context()
    if ctx is not None and isinstance(ctx.idempotency, Claim):
        ctx.idempotency.response = {
            "status_code": response.status_code,
            "body": _stored_body(ctx.idempotency.policy, response.content),
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


def _page_key(once: str) -> str:
    return f"page:{once}"


async def page_form_location(session: AsyncSession, user_id: int, once: str) -> str | None:
    """Where the page form sent with the one-time key `once` went the first time, or None when it is new.
    Two posts of the same form wait for each other here (a transaction-scoped advisory lock), so the
    second one finds the first one's address."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"page:{user_id}:{once}", 0))))
    record = await session.get(IdempotencyKey, (user_id, _page_key(once)))
    return None if record is None else (record.response_body or b"/").decode()


async def remember_page_form(
    session: AsyncSession, user_id: int, once: str, *, path: str, location: str, status_code: int | None
) -> None:
    """Keep where the page form of `path` sent with `once` went (`location`; no personal data)."""
    session.add(
        IdempotencyKey(
            user_id=user_id,
            key=_page_key(once),
            method="POST",
            path=path,
            request_hash=hashlib.sha256(path.encode()).hexdigest(),
            status_code=status_code,
            response_body=location.encode(),
            media_type="text/uri-list",
        )
    )
    await session.flush()
