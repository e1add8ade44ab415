"""Messages for people as message ids and parameters, translated at the edge.

A service says what went wrong as `Message("There is no lot with id %(id)s.", id=lot_id)`: an English
msgid (`%`-style placeholders, a literal percent sign written `%%`) and the values to put in it. The
message *is* its English text (a `str`), so it goes wherever text goes (a problem's `detail`, a field
error of marshmallow, a log line, the command line) and keeps what a translator needs: the pages show
it in the reader's language, the API sends its English text with `message_id` and `params`, or the
Japanese text when the request asks for it (docs/decisions/0012-error-messages-as-message-ids.md).

- Parameters are plain values (text, numbers, dates), `Label(kind, value)` for an enum value that is
  translated through the pages' labels (a zone, a status; `Code(kind, value)` where the English names
  the raw code, `power_on`), a nested `Message`, or a list of these
  (shown joined by ", "; `Clauses(...)` by "; ", `Sentences(...)` one after another).
- Parameters never hold personal data (names, phones, addresses, notes, what was searched for): they
  reach API clients and may be stored with an idempotent response. Codes and ids are fine.
- `pybabel extract` finds every `Message("...")` (foodbank/pages/locale/babel.cfg), and
  tests/unit/lib/test_messages_are_translated.py fails when a raise site gives English that is not a
  msgid, or a msgid without a Japanese text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol, TypeAlias, Union

Param: TypeAlias = Union[str, int, float, Decimal, date, "Label", "Message", Sequence["Param"], None]


def N_(message: str) -> str:
    """Mark a msgid for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Label:
    """An enum value in a message (`Label("zone", item.zone)`): English shows the raw value (`chilled`,
    `in progress` for in_progress), a translation the value's label (`冷蔵`, LABELS in foodbank/pages/i18n.py)."""

    kind: str
    value: str

    def __init__(self, kind: str, value: object) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "value", str(value.value if isinstance(value, Enum) else value))

    def __str__(self) -> str:
        return self.value


class Code(Label):
    """An enum value that English shows as its raw code (`power_on`, `washing_machine`), where an English
    message has always named the code; a translation shows its label, as for a Label."""


class Catalog(Protocol):
    """What translating a message needs: the catalog's text for a msgid, and a label for an enum value."""

    def gettext(self, message: str) -> str: ...

    def label(self, kind: str, value: str) -> str: ...


class Message(str):
    """An English msgid with its parameters; its value as a `str` is the English text."""

    msgid: str
    params: Mapping[str, Param]

    def __new__(cls, msgid: str, /, **params: Param) -> Message:
        self = super().__new__(cls, msgid % {name: _english(value) for name, value in params.items()})
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self) -> tuple[Callable[..., Message], tuple[str, dict[str, Param]]]:
        return _rebuild, (self.msgid, dict(self.params))

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {dict(self.params)!r})"

    def english(self) -> str:
        return str.__str__(self)

    def translated(self, catalog: Catalog) -> str:
        """The message in the catalog's language (the English msgid where the catalog has no text)."""
        values = {name: _translated(value, catalog) for name, value in self.params.items()}
        return catalog.gettext(self.msgid) % values

    def as_json(self) -> dict[str, Any]:
        """Machine-readable: `{"message_id": msgid, "params": {...}}` with JSON values only."""
        return {"message_id": self.msgid, "params": {name: _json(value) for name, value in self.params.items()}}


def _rebuild(msgid: str, params: dict[str, Param]) -> Message:
    return Message(msgid, **params)


def plain(text: str) -> Message:
    """A message that is its own msgid, without parameters (marshmallow's own messages, such as
    "Missing data for required field."): `%` in it is literal."""
    return text if isinstance(text, Message) else Message(text.replace("%", "%%"))


def alternatives(values: Sequence[Param]) -> Param:
    """`a`, `a or b`, `a, b or c`: one of several values (statuses, for example)."""
    if len(values) <= 1:
        return values[0] if values else ""
    return Message("%(some)s or %(last)s", some=list(values[:-1]), last=values[-1])


class Sentences(tuple[Param, ...]):
    """Sentences in a parameter, shown one after another (a plain list of values is shown joined by ", ")."""

    separator = " "


class Clauses(tuple[Param, ...]):
    """Clauses in a parameter, shown joined by "; "."""

    separator = "; "


def _joined(values: Sequence[Param], render: Callable[[Param], str]) -> str:
    separator = getattr(values, "separator", ", ")
    return str(separator).join(render(value) for value in values)


def _english(value: Param) -> str | int | float | Decimal:
    if isinstance(value, Message):
        return value.english()
    if isinstance(value, Code):
        return value.value
    if isinstance(value, Label):
        return value.value.replace("_", " ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | Decimal):
        return value
    if value is None:
        return ""
    return _joined(value, lambda inner: str(_english(inner)))


def _translated(value: Param, catalog: Catalog) -> str | int | float | Decimal:
    if isinstance(value, Message):
        return value.translated(catalog)
    if isinstance(value, Label):
        return catalog.label(value.kind, value.value)
    if isinstance(value, list | tuple):
        return _joined(value, lambda inner: str(_translated(inner, catalog)))
    return _english(value)


def _json(value: Param) -> Any:
    if isinstance(value, Message):
        return value.as_json()
    if isinstance(value, Label):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str | int | float) or value is None:
        return value
    return [_json(inner) for inner in value]
