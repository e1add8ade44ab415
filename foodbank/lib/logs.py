"""Structured logs: one JSON object per line, with the request id of the request being served.

Logs carry no personal data and no secrets. Exception messages may (PostgreSQL's DETAIL repeats
the values of a broken constraint, asyncpg quotes the argument it could not encode, SQLAlchemy adds
the statement's parameters), so no exception message is ever logged: a traceback is its frames
(file, line, function, code) and, for each exception of the chain, its type and the facts a
developer needs that cannot carry values (SQLSTATE, constraint, table, column).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from foodbank.lib.context import current_request_id

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
# uvicorn adds `color_message` (the message with terminal colour codes): never worth logging.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"
_WITHHELD = "(exception messages are not logged: they may carry personal data)"
# Attributes of asyncpg's errors (and SQLAlchemy's adapted ones) that name things, never values.
_SAFE_FACTS = {
    "sqlstate": "sqlstate",
    "pgcode": "sqlstate",
    "constraint_name": "constraint",
    "table_name": "table",
    "column_name": "column",
    "data_type_name": "data_type",
}


def _chain(exc: BaseException) -> list[tuple[BaseException, str | None]]:
    """The exception and what led to it, oldest first as Python prints them, each with the sentence
    that introduces it (None for the first)."""
    newest_first: list[BaseException] = []
    links: list[str] = []  # links[i]: how newest_first[i + 1] led to newest_first[i]
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in newest_first):
        newest_first.append(current)
        if current.__cause__ is not None:
            links.append(_CAUSE)
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            links.append(_CONTEXT)
            current = current.__context__
        else:
            current = None
    oldest_first = newest_first[::-1]
    return [(error, links[len(oldest_first) - 1 - i] if i else None) for i, error in enumerate(oldest_first)]


def _facts_of(error: BaseException) -> dict[str, str]:
    facts: dict[str, str] = {}
    for attribute, key in _SAFE_FACTS.items():
        value = getattr(error, attribute, None)
        if isinstance(value, str) and value and key not in facts:
            facts[key] = value
    return facts


def exception_facts(exc: BaseException) -> dict[str, str]:
    """What may be logged about an exception: its type, and the SQLSTATE and the names of what it
    broke, found anywhere along its chain."""
    facts: dict[str, str] = {"error_type": type(exc).__name__}
    for error, _ in reversed(_chain(exc)):
        facts = {**_facts_of(error), **facts}
    return facts


def _describe(error: BaseException) -> str:
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    facts = ", ".join(f"{key}={value}" for key, value in _facts_of(error).items())
    return f"{name} ({facts})" if facts else name


def redacted_traceback(exc: BaseException) -> str:
    """A traceback as Python prints it, frames and chain included, with every message left out."""
    lines: list[str] = []
    for error, link in _chain(exc):
        if link:
            lines += ["", link, ""]
        frames = traceback.extract_tb(error.__traceback__)
        if frames:
            lines.append("Traceback (most recent call last):")
            lines += "".join(frames.format()).rstrip("\n").split("\n")
        lines.append(_describe(error))
        if isinstance(error, BaseExceptionGroup):
            for number, inner in enumerate(error.exceptions, 1):
                lines.append(f"+---------------- {number} ----------------")
                lines += ["    " + line for line in redacted_traceback(inner).split("\n")[:-1]]
    lines.append(_WITHHELD)
    return "\n".join(lines)


def unexpected_error(exc: BaseException) -> dict[str, str]:
    """`extra=` for logging an exception we did not expect, instead of `exc_info`: the record then
    holds no exception object, so no handler, whatever its formatter, can print its message."""
    return {**exception_facts(exc), "exception": redacted_traceback(exc)}


class RedactingFormatter(logging.Formatter):
    """A formatter whose tracebacks never show exception messages (see the module's docstring)."""

    def formatException(
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    ) -> str:
        return redacted_traceback(ei[1]) if ei[1] is not None else ""


class JsonFormatter(RedactingFormatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (request_id := current_request_id()) is not None:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(RedactingFormatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(f"{k}={v}" for k, v in vars(record).items() if k not in _STANDARD and k != "exception")
        rid = current_request_id()
        line = f"{record.levelname[:4]} {record.name}: {record.getMessage()}"
        if rid:
            line += f" request_id={rid}"
        if extras:
            line += f" {extras}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        elif isinstance(traceback_text := getattr(record, "exception", None), str):
            line += "\n" + traceback_text
        return line


def configure_logging(level: str, *, as_json: bool, sql_echo: bool = False) -> None:
    """Logs go to standard error through our formatters. `sql_echo` (FOODBANK_DB_ECHO) logs each SQL
    statement at INFO, without its parameters (the engine hides them, see `lib/db.py`); SQLAlchemy's
    DEBUG level, which logs result rows, is never turned on, whatever the level asked for."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own access log would duplicate ours, without request ids.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO if sql_echo else logging.WARNING)
