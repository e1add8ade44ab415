"""HTML forms: load what was posted with a marshmallow schema, keep what was typed, and say per field
what is wrong, in the reader's language.

    form = await load_form(ui, ReceiptForm)
    if form.ok:
        try:
            async with db_session.begin_nested():  # a refused change leaves nothing behind
                await services.something(db_session, **form.data)
        except AppError as error:
            form.add_problem(error)
        else:
            return ui.redirect("/somewhere", flash=ui._("Saved."))
    return ui.render("same_template.html", form=form, status_code=form.status)

- Empty fields count as absent, so `required=True` says "fill this in" and `load_default` applies.
- Repeated rows are named `<prefix>-<n>-<field>` (`lines-0-quantity`); `form.rows(prefix, Schema)`
  loads them, and errors of a service for `lines.0.quantity` land on `lines-0-quantity`.
- Messages are msgids: page schemas give their own with `N_("...")` (`error_messages=` or a
  validator's `error=`); marshmallow's usual English messages are translated here, and English
  messages of services through `i18n.SERVICE_MESSAGES`.
- Templates show a field with the `field()` macro of `_macros.html`: label, value as typed, messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError

from foodbank.lib.errors import AppError, flatten_marshmallow_errors
from foodbank.lib.validation import checked_load
from foodbank.pages.i18n import N_, describe_error, translate_message
from foodbank.pages.layout import Ui

FORM_ERROR = "_form"
"""The key of messages about the whole form rather than one field."""

MARSHMALLOW_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid date."),
    N_("Not a valid string."),
    N_("Not a valid boolean."),
    N_("Invalid value."),
    N_("Unknown field."),
    N_("Must be one of the choices."),
    N_("The number is too large or too small."),  # foodbank.lib.validation.TOO_LARGE
)
"""marshmallow's default messages, so that the catalogs translate them."""

_ROW_KEY = re.compile(r"^(?P<prefix>[a-z_]+)-(?P<index>\d{1,3})-(?P<field>[a-z_]+)$")


class FormSchema(Schema):
    """Base for page forms: fields not in the schema (the CSRF token, buttons) are ignored."""

    class Meta:
        unknown = EXCLUDE


@dataclass
class Form:
    """What a person typed (`values`), what it loaded to (`data`) and what is wrong (`errors`)."""

    ui: Ui
    values: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> int:
        """The status to re-render with: 422 when something is wrong."""
        return 200 if self.ok else 422

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)

    def add_error(self, name: str, message: str) -> None:
        """`message` is already translated (use `ui._(...)`)."""
        self.errors.setdefault(name, []).append(message)

    def add_validation_error(self, error: ValidationError, *, prefix: str = "") -> None:
        for item in flatten_marshmallow_errors(error.messages):
            name = item["field"]
            name = FORM_ERROR if name in {"(body)", ""} else name
            self.add_error(f"{prefix}{name}", translate_message(self.ui.tr, item["message"]))

    def add_problem(self, error: AppError, *, field_names: Mapping[str, str] | None = None) -> None:
        """A service refused: its field errors go to the matching fields (`lines.0.expiry` to
        `lines-0-expiry`, or as renamed by `field_names`), the rest to the whole form."""
        message = describe_error(self.ui.tr, error)
        if not message.fields:
            self.add_error(FORM_ERROR, message.title + (f" {message.detail}" if message.detail else ""))
            return
        for service_field, texts in message.fields.items():
            name = (field_names or {}).get(service_field) or _form_name(service_field)
            for text in texts:
                self.add_error(name if name in self.known_fields() else FORM_ERROR, text)

    def known_fields(self) -> set[str]:
        return set(self.values) | set(self.errors) | set(self.data)

    def rows(self, prefix: str, schema_cls: type[Schema]) -> list[dict[str, Any]]:
        """Load the repeated rows `<prefix>-<n>-<field>` with `schema_cls`, in index order; errors are
        recorded on the row's fields. Rows whose fields are all empty are skipped."""
        raw: dict[int, dict[str, str]] = {}
        for key, value in self.values.items():
            match = _ROW_KEY.match(key)
            if match and match["prefix"] == prefix and value != "":
                raw.setdefault(int(match["index"]), {})[match["field"]] = value
        loaded = []
        for index in sorted(raw):
            try:
                loaded.append({"_index": index, **checked_load(schema_cls(unknown=EXCLUDE), raw[index])})
            except ValidationError as error:
                self.add_validation_error(error, prefix=f"{prefix}-{index}-")
        return loaded

    def row_indexes(self, prefix: str) -> list[int]:
        """The indexes of the rows that were posted (to render them again)."""
        indexes = {int(m["index"]) for key in self.values if (m := _ROW_KEY.match(key)) and m["prefix"] == prefix}
        return sorted(indexes)

    def messages(self, name: str) -> list[str]:
        return self.errors.get(name, [])


def _form_name(service_field: str) -> str:
    """`lines.0.expiry` -> `lines-0-expiry`; plain names stay."""
    return service_field.replace(".", "-")


def empty_form(ui: Ui, values: Mapping[str, Any] | None = None) -> Form:
    """A form to show for the first time, with initial values."""
    return Form(ui, values={k: "" if v is None else str(v) for k, v in (values or {}).items()})


async def load_form(ui: Ui, schema_cls: type[Schema], *, only: Iterable[str] | None = None) -> Form:
    """Read the posted form and load it with `schema_cls` (only the fields in `only`, if given)."""
    posted = await ui.request.form()
    values = {key: str(value).strip() for key, value in posted.items() if key != "_csrf" and isinstance(value, str)}
    form = Form(ui, values=values)
    present = {k: v for k, v in values.items() if v != "" and (only is None or k in set(only))}
    try:
        form.data = checked_load(schema_cls(unknown=EXCLUDE), present)
    except ValidationError as error:
        form.add_validation_error(error)
    return form


def load_query(ui: Ui, schema_cls: type[Schema]) -> Form:
    """Filters in the query string (GET forms), loaded like a posted form."""
    params = ui.request.query_params
    values = {key: str(params.get(key) or "").strip() for key in params}
    form = Form(ui, values=values)
    try:
        form.data = checked_load(schema_cls(unknown=EXCLUDE), {k: v for k, v in values.items() if v != ""})
    except ValidationError as error:
        form.add_validation_error(error)
    return form
