"""marshmallow at the edge: the one adapter between Litestar and our schemas.

- `Load[Schema]` is a Litestar DTO for request bodies: JSON is parsed, then loaded by the schema
  (unknown fields are errors), so a handler's `data` is already valid.
- `Dump[Schema]` is the DTO for responses: whatever the handler returns is dumped by the schema
  (a list is dumped with `many=True`).
- `query(Schema)` is a dependency that loads query parameters with the schema and declares them as
  parameters, so they appear in the OpenAPI document.
- `MarshmallowSchemaPlugin` teaches Litestar's OpenAPI generator to describe marshmallow schemas,
  with apispec's field converter doing the field work. Because the same schema objects validate,
  serialise and document, the documentation cannot drift from the validation.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import re
from collections.abc import Callable, Collection, Coroutine, Generator, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, ClassVar, TypeVar

import marshmallow
import marshmallow.validate
from apispec.ext.marshmallow.field_converter import FieldConverterMixin
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.dto import AbstractDTO, DTOConfig, DTOFieldDefinition
from litestar.handlers import BaseRouteHandler
from litestar.openapi.spec import OpenAPIType, Reference, Schema
from litestar.params import QueryParameter
from litestar.plugins import OpenAPISchemaPlugin
from litestar.types.serialization import LitestarEncodableType
from litestar.typing import FieldDefinition
from marshmallow.types import UnknownOption
from packaging.version import Version

from foodbank.lib import clock
from foodbank.lib.errors import BadRequest, NotFound, UnsupportedMediaType
from foodbank.lib.messages import N_, Message

S = TypeVar("S", bound=marshmallow.Schema)


INTEGER_RANGE = (-(2**31), 2**31 - 1)
"""What PostgreSQL's `integer` holds. Every whole number a person sends ends up in such a column or is
compared with one (bigint ids included: no food bank counts past two thousand million), and a larger one
would fail in the database driver as a server error instead of a refusal."""
TOO_LARGE = Message("The number is too large or too small.")
AN_ID = marshmallow.validate.Range(min=1, max=INTEGER_RANGE[1], error=N_("Must be an id: a whole number from 1."))
"""An id that a body names (an item, a category): any other number names nothing."""


UNSTORABLE_TEXT = Message("Contains a character that cannot be stored (a NUL or a broken character): type it again.")
UNSTORABLE_KEY = Message("A field name contains a character that cannot be stored.")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""NUL, which no PostgreSQL text holds, and lone surrogates, which are no UTF-8 at all: JSON may carry
both (`\\u0000`, `\\ud800`), and the driver would fail on them as a server error."""

MAX_DEPTH = 32
"""How deep what a person sends may nest: our deepest schema nests three levels."""
TOO_DEEP = Message("The body is nested too deep (more than %(levels)s levels).", levels=MAX_DEPTH)

DAY_RANGE = (date(1900, 1, 1), date(2200, 12, 31))
"""Dates any field may hold: date arithmetic (a year later, the end of a fiscal year) stays in range,
and no record of ours is older or newer. Fields with a meaning narrow it (`DateWindow`)."""
DAY_OUT_OF_RANGE = Message("Give a date from 1900-01-01 to 2200-12-31.")


def is_unstorable(text: str) -> bool:
    """Whether `text` holds a character that no PostgreSQL text column can store."""
    return _UNSTORABLE.search(text) is not None


def _walk(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value in nested mappings, lists and dataclasses (typed commands from `post_load`) with its
    path; iterative, so depth cannot overflow."""
    stack = [(path, value)]
    while stack:
        here, current = stack.pop()
        yield here, current
        if len(here) > MAX_DEPTH:
            continue
        if dataclasses.is_dataclass(current) and not isinstance(current, type):  # a command from post_load
            stack.extend(((*here, f.name), getattr(current, f.name)) for f in dataclasses.fields(current))
        elif isinstance(current, Mapping):
            stack.extend(((*here, key), inner) for key, inner in current.items())
        elif isinstance(current, list | tuple):
            stack.extend(((*here, index), inner) for index, inner in enumerate(current))
        elif dataclasses.is_dataclass(current) and not isinstance(current, type):
            stack.extend(((*here, f.name), getattr(current, f.name)) for f in dataclasses.fields(current))


def _nest(errors: dict[Any, Any], path: tuple[Any, ...], message: Message) -> None:
    """Put `message` at `path` in marshmallow's nested error shape (`{"lines": {0: {"x": [...]}}}`)."""
    if not path:
        errors.setdefault("_schema", []).append(message)
        return
    node = errors
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node.setdefault(path[-1], []).append(message)


def unstorable(raw: Any) -> dict[Any, Any]:
    """marshmallow-shaped errors for text that no column can hold, in what a person sent (before loading).

    A body nested deeper than MAX_DEPTH is refused whole (400): no schema of ours is that deep."""
    errors: dict[Any, Any] = {}
    for path, value in _walk(raw):
        if len(path) > MAX_DEPTH:
            raise BadRequest(TOO_DEEP)
        if path and isinstance(path[-1], str) and is_unstorable(path[-1]):
            _nest(errors, (), UNSTORABLE_KEY)  # never the name itself: it cannot be shown either
        elif isinstance(value, str) and is_unstorable(value):
            _nest(errors, path, UNSTORABLE_TEXT)
    return errors


def out_of_range(loaded: Any) -> dict[Any, Any]:
    """marshmallow-shaped errors for loaded values no column can hold: whole numbers beyond PostgreSQL's
    integer, dates outside DAY_RANGE."""
    errors: dict[Any, Any] = {}
    for path, value in _walk(loaded):
        if isinstance(value, int) and not isinstance(value, bool):
            if not INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1]:
                _nest(errors, path, TOO_LARGE)
        elif isinstance(value, date):
            day = value.date() if isinstance(value, datetime) else value
            if not DAY_RANGE[0] <= day <= DAY_RANGE[1]:
                _nest(errors, path, DAY_OUT_OF_RANGE)
    return errors


def checked_load(schema: marshmallow.Schema, raw: Any, **options: Any) -> Any:
    """`schema.load(raw)`, refusing as field errors (a 422) what the database cannot hold: NUL characters
    and broken text (before loading), whole numbers and dates out of range (after).
    Every load of what a person sent goes through here: bodies, query strings, forms, CSV rows."""
    if errors := unstorable(raw):
        raise marshmallow.ValidationError(errors)
    loaded = schema.load(raw, **options)
    if errors := out_of_range(loaded):
        raise marshmallow.ValidationError(errors)
    return loaded


EARLIEST_DAY = date(2000, 1, 1)
"""No record of a food bank kept here is older (the annual summary starts at FY2000 too)."""


@dataclass(frozen=True)
class DateWindow:
    """A validator: the dates plausible for a field's meaning, from EARLIEST_DAY up to `future` after today
    (Japan's date). A date outside is a typo far more often than a fact (a received date in 0001, an
    expiry in 9999). Records of past years stay possible: a food bank types in last year's paper records."""

    future: timedelta | None
    earliest: date = EARLIEST_DAY

    def bounds(self, today: date) -> tuple[date, date]:
        return self.earliest, DAY_RANGE[1] if self.future is None else min(DAY_RANGE[1], today + self.future)

    def __call__(self, value: date) -> date:
        start, end = self.bounds(clock.today())
        day = value.date() if isinstance(value, datetime) else value
        if not start <= day <= end:
            raise marshmallow.ValidationError(Message("Give a date from %(start)s to %(end)s.", start=start, end=end))
        return value


def years(n: int) -> timedelta:
    return timedelta(days=366 * n)


SINCE_2000 = DateWindow(future=None)
"""A day of record whose service checks the future itself, listing it with every other reason (receipts,
appliance intake), or a reference day that may lie ahead (lots that will have expired a week from now)."""
RECORDED_DAY = DateWindow(future=timedelta(0))
"""When something happened (received, referred, consented, inspected, handed out), or a day whose records
are asked for as they stood (stock as of a day): never ahead of today."""
PLANNED_DAY = DateWindow(future=years(2))
"""A day that is planned or that bounds a validity (a pantry day, a delivery, a referral's validity)."""
LABEL_DAY = DateWindow(future=years(10))
"""A best-before or use-by date on a label: long-life emergency food keeps about five to seven years."""


def path_ids_in_range(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """A guard: a record id in the path that no column could hold names no record (404, not a driver error)."""
    for name, value in connection.path_params.items():
        if isinstance(value, int) and not INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1]:
            raise NotFound(Message("There is no record with %(name)s %(value)s.", name=name, value=value))


@functools.cache
def schema(schema_cls: type[S], *, many: bool = False, unknown: UnknownOption | None = None) -> S:
    """The one instance of `schema_cls` (for `many` and `unknown`) that every request loads or dumps with.

    Making a schema deep-copies each of its declared fields and binds them (and, on first use, its
    nested schemas): per request that was about a fifth of a receipt's marshmallow time. An instance
    keeps no state between loads and dumps (marshmallow 4 has no `context`; what our page forms change,
    they change while the instance is made), so one serves them all."""
    return schema_cls(many=many, unknown=unknown)


def load(schema_cls: type[marshmallow.Schema], raw: Any) -> Any:
    """Load `raw` with the schema's shared instance; marshmallow.ValidationError becomes a 422 upstream."""
    if not isinstance(raw, Mapping):
        raise marshmallow.ValidationError({"_schema": [Message("The body must be a JSON object.")]})
    return checked_load(schema(schema_cls), raw)


class _MarshmallowDTO(AbstractDTO[S]):
    """Shared by Load and Dump: no field-by-field backend, the schema does the work."""

    config: ClassVar[DTOConfig] = DTOConfig()
    model_type: type[S]

    @classmethod
    def generate_field_definitions(cls, model_type: type[Any]) -> Generator[DTOFieldDefinition, None, None]:
        yield from ()  # unused: create_for_field_definition builds no backend

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        return False

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None
    ) -> None:
        # Nothing to precompute: the schema's one instance is made on first use (`schema`).
        return None

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: Any
    ) -> Reference | Schema:
        annotation: Any = cls.model_type
        if field_definition.is_subclass_of(Response) and field_definition.inner_types:
            field_definition = field_definition.inner_types[0]
        if field_definition.is_non_string_sequence:
            annotation = list[cls.model_type]  # type: ignore[name-defined]
        result: Reference | Schema = schema_creator.for_field_definition(FieldDefinition.from_annotation(annotation))
        return result


class Load(_MarshmallowDTO[S]):
    """Request-body DTO: `@post(..., dto=Load[ReceiptIn])`, then `data: dict[str, Any]`."""

    @classmethod
    def is_supported_model_type_field(cls, field_definition: FieldDefinition) -> bool:
        return False  # never used to encode responses

    def decode_bytes(self, value: bytes) -> Any:
        try:
            raw = json.loads(value)
        except (ValueError, UnicodeDecodeError):
            raise BadRequest(Message("The body is not valid JSON.")) from None
        except RecursionError:
            raise BadRequest(TOO_DEEP) from None
        return load(self.model_type, raw)

    def decode_builtins(self, value: dict[str, Any]) -> Any:
        return load(self.model_type, value)


class Dump(_MarshmallowDTO[S]):
    """Response DTO: `@get(..., return_dto=Dump[ReceiptOut])`; the handler returns models or dicts."""

    @classmethod
    def is_supported_model_type_field(cls, field_definition: FieldDefinition) -> bool:
        return not field_definition.is_none_type

    def data_to_encodable_type(self, data: S | Collection[S]) -> LitestarEncodableType:
        if isinstance(data, Response):  # a handler that sets cookies or headers returns a Response
            data.content = self._dump(data.content)
            return data
        return self._dump(data)

    def _dump(self, data: Any) -> Any:
        return schema(self.model_type, many=isinstance(data, list | tuple)).dump(data)


def query(schema_cls: type[marshmallow.Schema]) -> Callable[..., Coroutine[Any, Any, dict[str, Any]]]:
    """A dependency that loads the query string with `schema_cls`.

    Use: `dependencies={"filters": Provide(query(StockFilter))}` and a handler argument
    `filters: dict[str, Any]`. Each schema field is declared as an optional query parameter (with the
    type apispec derives), so Litestar documents them; the values are validated by marshmallow only.
    """
    converter = _FieldConverter()
    parameters = [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
    annotations: dict[str, Any] = {"request": Request, "return": dict[str, Any]}
    for name, field in schema_cls().load_fields.items():
        key = field.data_key or name
        prop = converter.field2property(field)
        extra = {k: v for k, v in prop.items() if k in {"type", "format", "enum", "minimum", "maximum"}}
        if isinstance(extra.get("type"), list):
            extra["type"] = next(t for t in extra["type"] if t != "null")
        extra = {k: (OpenAPIType(v) if k == "type" else v) for k, v in extra.items()}
        annotation = Annotated[
            Any,  # not parsed by Litestar: marshmallow is the only validator; the schema comes from schema_extra
            QueryParameter(
                name=key,
                required=field.required,
                description=field.metadata.get("description"),
                schema_extra=extra or None,
            ),
        ]
        arg = f"q_{name}"
        parameters.append(inspect.Parameter(arg, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation))
        annotations[arg] = annotation

    by_key = {(f.data_key or n): f for n, f in schema(schema_cls).fields.items()}

    async def provide_query(request: Request[Any, Any, Any], **_declared: Any) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for key in request.query_params:
            values = request.query_params.getall(key)
            target = by_key.get(key)
            raw[key] = values if isinstance(target, marshmallow.fields.List) else values[-1]
        loaded: dict[str, Any] = checked_load(schema(schema_cls), raw)
        return loaded

    provide_query.__signature__ = inspect.Signature(parameters, return_annotation=dict[str, Any])  # type: ignore[attr-defined]
    provide_query.__annotations__ = annotations
    provide_query.__name__ = f"query_{schema_cls.__name__}"
    return provide_query


DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


class _FieldConverter(FieldConverterMixin):
    """apispec's marshmallow field converter, with nested schemas handed back to Litestar as markers."""

    def __init__(self) -> None:
        self.openapi_version = Version("3.1.0")
        self.init_attribute_functions()  # type: ignore[no-untyped-call]

    def field2property(self, field: marshmallow.fields.Field[Any]) -> dict[str, Any]:
        prop: dict[str, Any] = super().field2property(field)
        if isinstance(field, marshmallow.fields.Decimal):
            # Bounds and defaults are Decimals, which apispec writes as strings ("1000.000"): numbers here.
            for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "default"):
                if isinstance(prop.get(key), Decimal):
                    prop[key] = float(prop[key])
            if field.as_string:
                # Sent as a string to keep every decimal exact ("0.500"): say so, and what it looks like.
                prop["type"] = ["string", "null"] if field.allow_none else "string"
                prop["pattern"] = DECIMAL_PATTERN
                prop.pop("format", None)
        return prop

    def resolve_nested_schema(self, schema: Any) -> dict[str, Any]:
        instance = schema if isinstance(schema, marshmallow.Schema) else None
        schema_cls = type(schema) if instance is not None else schema
        if isinstance(schema_cls, str):
            schema_cls = marshmallow.class_registry.get_class(schema_cls)
        marker = {"x-marshmallow-schema": schema_cls}
        if instance is not None and instance.many:
            return {"type": "array", "items": marker}
        return marker


_SNAKE = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_items",
    "maxItems": "max_items",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
    "readOnly": "read_only",
    "writeOnly": "write_only",
    "additionalProperties": "additional_properties",
    "oneOf": "one_of",
    "anyOf": "any_of",
    "allOf": "all_of",
    "multipleOf": "multiple_of",
}
_PLAIN = {
    "format",
    "enum",
    "minimum",
    "maximum",
    "default",
    "description",
    "pattern",
    "title",
    "example",
    "const",
}


class MarshmallowSchemaPlugin(OpenAPISchemaPlugin):
    """Describes marshmallow Schema classes in the OpenAPI document, each as a named component."""

    def __init__(self) -> None:
        self._converter = _FieldConverter()

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        annotation = field_definition.annotation
        return inspect.isclass(annotation) and issubclass(annotation, marshmallow.Schema)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema_cls: type[marshmallow.Schema] = field_definition.annotation
        # Registering before filling lets a schema refer to itself.
        component: Schema = schema_creator.schema_registry.get_schema_for_field_definition(field_definition)
        component.title = schema_cls.__name__
        component.type = OpenAPIType.OBJECT
        if schema_cls.__doc__:
            component.description = inspect.cleandoc(schema_cls.__doc__)
        properties: dict[str, Schema | Reference] = {}
        required: list[str] = []
        for name, field in schema_cls().fields.items():
            key = field.data_key or name
            properties[key] = self._convert(self._converter.field2property(field), schema_creator)
            if field.required:
                required.append(key)
        component.properties = properties
        component.required = required or None
        # What the schema refuses, the document refuses: marshmallow raises on unknown fields by default,
        # and what a Dump writes has exactly the schema's fields.
        if schema_cls().unknown == marshmallow.RAISE:
            component.additional_properties = False
        return component

    def _convert(self, prop: Mapping[str, Any], schema_creator: Any) -> Schema | Reference:
        if "x-marshmallow-schema" in prop:
            nested: Schema | Reference = schema_creator.for_field_definition(
                FieldDefinition.from_annotation(prop["x-marshmallow-schema"])
            )
            return nested
        kwargs: dict[str, Any] = {}
        for key, value in prop.items():
            if key == "type":
                kwargs["type"] = [OpenAPIType(v) for v in value] if isinstance(value, list) else OpenAPIType(value)
            elif key == "items":
                kwargs["items"] = self._convert(value, schema_creator)
            elif key == "additionalProperties":
                kwargs["additional_properties"] = (
                    self._convert(value, schema_creator) if isinstance(value, Mapping) and value else True
                )
            elif key in _SNAKE:
                kwargs[_SNAKE[key]] = value
            elif key in _PLAIN:
                kwargs["examples" if key == "example" else key] = [value] if key == "example" else value
        return Schema(**kwargs)


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def json_bodies_only(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """A guard: a route that loads a JSON body (`dto=Load[...]`) refuses any other media type (415), before
    the body is read, instead of parsing a form or a text as if it were JSON."""
    data_dto = getattr(handler, "resolve_data_dto", lambda: None)()
    if data_dto is None or not (inspect.isclass(data_dto) and issubclass(data_dto, Load)):
        return
    content_type = connection.headers.get("content-type", "")
    no_body = connection.headers.get("content-length", "0") == "0" and "transfer-encoding" not in connection.headers
    if not content_type and no_body:
        return  # nothing sent at all: the schema says what is missing (422)
    if not _is_json(content_type):
        raise UnsupportedMediaType(
            Message(
                "Send the body as JSON with Content-Type: application/json (not %(sent)s).",
                sent=content_type.split(";", 1)[0].strip()[:60],
            )
            if content_type
            else Message("Send the body as JSON with Content-Type: application/json.")
        )
