"""One error shape for everything: RFC 9457 problem details.

Domain code raises `AppError` subclasses that carry their HTTP status and structured data; the
exception handlers registered in `app.py` turn those, marshmallow's validation errors, Litestar's
own HTTP errors and anything unexpected into `application/problem+json` responses.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol, Required, TypedDict

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.exceptions import ValidationException as LitestarValidationException
from litestar.response import Redirect
from marshmallow import INCLUDE, Schema, ValidationError, fields

from foodbank.lib.context import current_request_id
from foodbank.lib.logs import unexpected_error
from foodbank.lib.messages import Message, plain

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("foodbank.errors")


class AppError(Exception):
    """An expected failure: it knows its status, a stable type slug and a human title."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "The request cannot be processed"

    def __init__(self, detail: Message, *, headers: Mapping[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail: Message = detail
        """What went wrong: a msgid with its parameters, whose `str` is the English text."""
        self.extra = extra
        self.headers = dict(headers or {})


FieldError = TypedDict(
    "FieldError",
    {"field": Required[str], "message": Required[Message], "in": str, "row": int | None, "column": str | None},
    total=False,
)
"""One thing wrong in what was sent (`InvalidInput.errors`): where, and a Message saying what (FieldErrorSchema)."""


class BadRequest(AppError):
    status = 400
    slug = "bad-request"
    title = "The request is malformed"


class NotAuthenticated(AppError):
    status = 401
    slug = "not-authenticated"
    title = "Sign-in required"

    def __init__(self, detail: Message, **extra: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="foodbank"'}, **extra)


class Forbidden(AppError):
    status = 403
    slug = "forbidden"
    title = "Not allowed for your role"


class NotFound(AppError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(AppError):
    status = 409
    slug = "conflict"
    title = "The request conflicts with the current state"


class InvalidInput(AppError):
    """Input that is well-formed but breaks a rule; `errors` point at the offending fields."""

    status = 422
    slug = "validation"
    title = "Some fields are not valid"

    def __init__(self, detail: Message, *, errors: Sequence[FieldError] | None = None, **extra: Any) -> None:
        super().__init__(detail, errors=errors or [], **extra)


class UnsupportedMediaType(AppError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class ServiceUnavailable(AppError):
    """The database cannot be reached (down, restarting, out of connections): a retry later may succeed."""

    status = 503
    slug = "unavailable"
    title = "The service cannot reach its database"

    def __init__(self, detail: Message, *, retry_after_seconds: int = 10) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_seconds)})


UNAVAILABLE = ServiceUnavailable(
    Message("The database cannot be reached just now; nothing was saved. Please try again in a few seconds.")
)


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached, rather than that a statement went wrong.

    Connecting raises the socket's own errors (refused, unknown host, timeout) unwrapped; a lost connection,
    a server shutting down or out of connections comes wrapped by SQLAlchemy around asyncpg's error."""
    from asyncpg import exceptions as pg  # imported here: lib.errors is imported by everything
    from sqlalchemy import exc as sa

    unreachable = (
        ConnectionError,
        TimeoutError,
        socket.gaierror,
        sa.TimeoutError,  # no pooled connection came free in time
        pg.PostgresConnectionError,  # SQLSTATE class 08
        pg.CannotConnectNowError,
        pg.AdminShutdownError,
        pg.CrashShutdownError,
        pg.TooManyConnectionsError,
        pg.ConnectionDoesNotExistError,
    )
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, unreachable):
            return True
        if isinstance(current, sa.DBAPIError) and current.connection_invalidated:
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


class TooManyRequests(AppError):
    status = 429
    slug = "too-many-requests"
    title = "Too many attempts"

    def __init__(self, detail: Message, *, retry_after_seconds: int) -> None:
        super().__init__(
            detail,
            headers={"Retry-After": str(retry_after_seconds)},
            retry_after_seconds=retry_after_seconds,
        )


def flatten_marshmallow_errors(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """Turn marshmallow's nested error dict into a flat list of {field, message}, e.g. `lines.0.quantity`."""
    if isinstance(messages, Mapping):
        out: list[dict[str, str]] = []
        for key, value in messages.items():
            name = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(flatten_marshmallow_errors(value, name))
        return out
    if isinstance(messages, list | tuple):
        out = []
        for item in messages:
            if isinstance(item, str):
                out.append({"field": prefix or "(body)", "message": item})
            else:
                out.extend(flatten_marshmallow_errors(item, prefix))
        return out
    return [{"field": prefix or "(body)", "message": str(messages)}]


class ProblemTranslator(Protocol):
    """The language a problem is written in, chosen per request (foodbank.pages.i18n.problem_translator,
    wired in app.py): `None` from the chooser means English."""

    lang: str

    def message(self, message: str) -> str: ...

    def problem_title(self, slug: str, status: int, default: str) -> str: ...


ProblemTranslatorChooser = Callable[[Request[Any, Any, Any]], ProblemTranslator | None]


def _translator(request: Request[Any, Any, Any]) -> ProblemTranslator | None:
    chooser: ProblemTranslatorChooser | None = request.app.state.get("problem_translator")
    return chooser(request) if chooser is not None else None


def _written(value: Any, translate: Callable[[Message], str]) -> Any:
    """An error's data with its messages written out: each `message` member keeps its text (translated or
    English) and gains its `message_id` and `params` beside it."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            if key == "message" and isinstance(inner, str):
                message = plain(inner)  # marshmallow's own messages are their own msgids
                out[key] = translate(message)
                out.update({name: data for name, data in message.as_json().items() if name not in value})
            else:
                out[key] = _written(inner, translate)
        return out
    if isinstance(value, list | tuple):
        return [_written(inner, translate) for inner in value]
    if isinstance(value, Message):
        return translate(value)
    return value


class WrittenMessages(fields.Dict):
    """A dict of data with messages (a warning: {field, message}) in a response: each `message` is dumped as
    its English text with its `message_id` and `params` beside it, as in problem details."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:  # noqa: ARG002
        return None if value is None else _written(value, Message.english)


def problem_response(
    status: int,
    *,
    slug: str,
    title: str,
    detail: str | None,
    request: Request[Any, Any, Any],
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[dict[str, Any]]:
    """Problem details in English, or in the language the request asks for (`Accept-Language: ja`).

    `detail` and every `message` of the error's data (`errors[].message`) are Messages, written out as text
    with their `message_id` and `params` beside them; `detail=None` summarises the field errors."""
    translator = _translator(request)

    def translate(message: Message) -> str:
        return translator.message(message) if translator is not None else message.english()

    written: dict[str, Any] = _written(dict(extra or {}), translate)
    message = plain(detail) if detail is not None else None
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": translator.problem_title(slug, status, title) if translator is not None else title,
        "status": status,
        "detail": translate(message) if message is not None else summarise(written.get("errors") or []),
        "instance": request.url.path,
        "request_id": current_request_id(),
    }
    if message is not None:
        body.update(message.as_json())
    # The standard members are never overwritten by an error's own data.
    body.update({key: value for key, value in written.items() if key not in body})
    response_headers = {"Content-Language": translator.lang if translator is not None else "en", **(headers or {})}
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=response_headers)


def handle_app_error(request: Request[Any, Any, Any], exc: AppError) -> Response[Any]:
    if exc.status == 401 and request.route_handler.opt.get("page"):
        # A person opening a page is sent to sign in, and brought back afterwards.
        return Redirect("/sign-in", query_params={"next": request.url.path})
    return problem_response(
        exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        request=request,
        extra=exc.extra,
        headers=exc.headers,
    )


def summarise(errors: list[dict[str, Any]]) -> str:
    """One line for people: the first few field errors (already written out in the problem's language)."""
    text = "; ".join(f"{e['field']}: {str(e['message']).rstrip('.。')}" for e in errors[:5])
    return text + ("; ..." if len(errors) > 5 else ".")


def handle_marshmallow_error(request: Request[Any, Any, Any], exc: ValidationError) -> Response[dict[str, Any]]:
    return problem_response(
        422,
        slug=InvalidInput.slug,
        title=InvalidInput.title,
        detail=None,
        request=request,
        extra={"errors": flatten_marshmallow_errors(exc.messages)},
    )


_HTTP_SLUGS = {
    400: ("bad-request", "The request is malformed"),
    401: ("not-authenticated", "Sign-in required"),
    403: ("forbidden", "Not allowed for your role"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("too-large", "The request body is too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("too-many-requests", "Too many requests"),
}


def _litestar_field_error(error: Mapping[str, Any]) -> dict[str, str]:
    key, source = str(error.get("key") or ""), str(error.get("source") or "")
    if key in {"", "data"} and source in {"", "body"}:
        return {"field": "(body)", "message": Message("A JSON object is required.")}
    return {"field": key, "message": plain(str(error.get("message"))), "in": source}


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    slug, title = _HTTP_SLUGS.get(status, ("http-error", "HTTP error"))
    extra: dict[str, Any] = {}
    if isinstance(exc, LitestarValidationException) and isinstance(exc.extra, list):
        # Path and query parameters that Litestar itself parsed (ids in the URL, for example).
        slug, title, status = "validation", InvalidInput.title, 422 if exc.extra else 400
        extra["errors"] = [_litestar_field_error(e) for e in exc.extra if isinstance(e, Mapping)]
        if not extra["errors"]:
            slug, title = "bad-request", "The request is malformed"
    given = exc.detail or title
    detail: Message | None = plain(given)
    if extra.get("errors"):
        detail = None
    elif status == 400 and "JSON" in given:
        detail = Message("The body is not valid JSON.")
    elif status == 404:
        detail = Message("There is nothing at %(path)s.", path=request.url.path)
    elif status == 405:
        detail = Message("%(method)s is not allowed on %(path)s.", method=request.method, path=request.url.path)
    elif status == 413:
        limit = request.app.state.settings.http.max_body_bytes
        detail = Message("The body is larger than the limit of %(limit)s bytes.", limit=f"{limit:,}")
    return problem_response(
        status, slug=slug, title=title, detail=detail, request=request, extra=extra, headers=exc.headers or {}
    )


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if database_unavailable(exc):
        # One line, no traceback: while the database is away every request would log the same one.
        log.warning("database unavailable", extra={"path": request.url.path, "error_type": type(exc).__name__})
        return handle_app_error(request, UNAVAILABLE)
    # Not log.exception: the record keeps no exception, whose message may carry what was typed.
    log.error("unhandled error", extra={"path": request.url.path, **unexpected_error(exc)})
    return problem_response(
        500,
        slug="internal",
        title="Unexpected error",
        detail=Message("Something went wrong on our side. Nothing was saved; try again, or report the request id."),
        request=request,
    )


EXCEPTION_HANDLERS: Mapping[Any, Any] = {
    AppError: handle_app_error,
    ValidationError: handle_marshmallow_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}


class ProblemSchema(Schema):
    """RFC 9457 problem details: every error has this shape, and may carry more members with its data."""

    class Meta:
        unknown = INCLUDE  # members of an error's own (shortages, the lots concerned, retry_after_seconds)

    type = fields.String(metadata={"description": "A stable identifier, such as /problems/validation."})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String(
        metadata={
            "description": "What went wrong, for people: in English, or in Japanese when Accept-Language prefers ja "
            "(Content-Language says which)."
        }
    )
    message_id = fields.String(
        metadata={
            "description": "The detail's message id: its English template, stable across languages, such as "
            "'There is no lot with id %(id)s.'. Absent when the detail summarises field errors."
        }
    )
    params = fields.Dict(
        keys=fields.String(),
        metadata={
            "description": "The values in the detail, by placeholder name (`id` for `%(id)s`): numbers, text, ISO "
            "dates, enum values, lists, or a nested {message_id, params}. Never personal data."
        },
    )
    instance = fields.String()
    request_id = fields.String(allow_none=True)
    errors = fields.List(
        fields.Nested(lambda: FieldErrorSchema()),
        metadata={"description": "Validation errors: field (such as lines.0.quantity), message and its message_id."},
    )


class FieldErrorSchema(Schema):
    """One thing wrong in what was sent: a field of a body or query, or a cell of an imported file."""

    class Meta:
        unknown = INCLUDE  # an error may carry more data (the values allowed, a lot's id)

    field = fields.String(metadata={"description": "Where: lines.0.quantity, or (body) for the whole body."})
    message = fields.String(required=True, metadata={"description": "For people, in the language of `detail`."})
    message_id = fields.String(
        required=True, metadata={"description": "The message's id (its English template), as for `detail`."}
    )
    params = fields.Dict(keys=fields.String(), required=True, metadata={"description": "The values in the message."})
    source = fields.String(data_key="in", metadata={"description": "path, query or header, for a parameter."})
    row = fields.Integer(allow_none=True, metadata={"description": "Imported files: the spreadsheet row (header: 1)."})
    column = fields.String(
        allow_none=True, metadata={"description": "Imported files: the column, as the file names it."}
    )
