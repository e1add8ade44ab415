"""Page forms that are the API's schemas: the same fields and rules, with words for a person.

    DisposalForm = page_form(DisposalIn, messages={"reason": {"required": N_("Choose a reason.")}})

- What a form posts is text: the API's strict integers accept "5" here (they still refuse "5.5").
- Unknown fields (the CSRF token, buttons) are ignored.
- `messages` replaces marshmallow's messages per field (`required`, `invalid`, `unknown`...) and, under
  `"validate"`, the message of the field's validators (a range, a length, a choice). They are msgids.
- `rewords` replaces what the schema's own validators say (`@validates_schema`, which names API fields:
  "Must be at least min_people.") by page words, msgid for msgid; each msgid must be one the schema says.
- `nested` gives a nested field (or a list of them) its own page form: `nested={"checks": CheckForm}`.
- `load_command(form, Schema, extra)` loads the posted form with such a schema, whose `post_load` may give a
  typed command: it returns the `Form` (what was typed, the messages) and the command, or None. A page
  that names a field otherwise than the API (a flat `consent_by` for the nested `consent.by`) gives
  `renames`, so the message lands on the page's field. A list of nested rows posted as
  `lines-<n>-<field>` (rows left empty skipped) is loaded as the API's `lines` with `rows=("lines",)`;
  its messages land on the posted row (`lines.1.quantity` on `lines-4-quantity` when the second row
  posted was the fifth), and `row_names(form, "lines")` maps a service's field errors the same way.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from foodbank.lib.errors import flatten_marshmallow_errors
from foodbank.lib.messages import Message
from foodbank.lib.validation import checked_load, schema
from foodbank.pages.forms import FORM_ERROR, Form

Messages = Mapping[str, Mapping[str, str]]


def page_form(
    api: type[Schema],
    *,
    messages: Messages | None = None,
    nested: Mapping[str, type[Schema]] | None = None,
    rewords: Mapping[str, str] | None = None,
    name: str | None = None,
) -> type[Schema]:
    """A subclass of the API schema `api` for a page (see the module's docstring)."""
    wanted = {field: dict(texts) for field, texts in (messages or {}).items()}
    inner_forms = dict(nested or {})
    unknown = (set(wanted) | set(inner_forms)) - set(api._declared_fields)
    if unknown:
        raise TypeError(f"{api.__name__} has no fields {sorted(unknown)}")
    page_words = dict(rewords or {})
    source = inspect.getsource(api)
    if unsaid := [msgid for msgid in page_words if repr(msgid) not in source and f'"{msgid}"' not in source]:
        raise TypeError(f"{api.__name__} never says {unsaid}")

    class PageForm(api):  # type: ignore[valid-type,misc]
        class Meta:
            unknown = EXCLUDE

        def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
            super().on_bind_field(field_name, field_obj)
            if isinstance(field_obj, fields.Integer):
                field_obj.strict = False  # a form posts text
            texts = dict(wanted.get(field_name, {}))
            if (validator_text := texts.pop("validate", None)) is not None:
                field_obj.validators = [_with_error(v, validator_text) for v in field_obj.validators]
            field_obj.error_messages = {**field_obj.error_messages, **texts}
            if (inner_form := inner_forms.get(field_name)) is not None:
                inner = field_obj.inner if isinstance(field_obj, fields.List) else field_obj
                if not isinstance(inner, fields.Nested):
                    raise TypeError(f"{api.__name__}.{field_name} is not a nested field")
                inner.nested = inner_form

        def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
            if page_words:
                _reword(error.messages, page_words)
            super().handle_error(error, data, many=many, **kwargs)

    PageForm.__name__ = PageForm.__qualname__ = name or f"{api.__name__}Form"
    return PageForm


def _reword(messages: Any, words: Mapping[str, str]) -> None:
    """Replace, in place, the messages of marshmallow's error tree whose msgid `words` names."""
    children = messages.values() if isinstance(messages, dict) else messages if isinstance(messages, list) else ()
    if isinstance(messages, list):
        for n, said in enumerate(messages):
            msgid = said.msgid if isinstance(said, Message) else said
            if isinstance(said, str) and msgid in words:
                messages[n] = Message(words[msgid], **(said.params if isinstance(said, Message) else {}))
    for child in children:
        if isinstance(child, dict | list):
            _reword(child, words)


def _with_error(validator: Any, text: str) -> Any:
    if not hasattr(validator, "error"):
        return validator
    changed = copy.copy(validator)
    changed.error = text
    return changed


class RowNames(Mapping[str, str]):
    """`lines.<n>.<field>` (the n-th row posted, as the API numbers it) -> `lines-<index>-<field>`, for the
    rows that were posted and not left empty, whatever the field (one left empty is named too)."""

    def __init__(self, prefix: str, indexes: Sequence[int]) -> None:
        self.prefix, self.indexes = prefix, list(indexes)

    def __getitem__(self, path: str) -> str:
        head, _, rest = path.partition(".")
        n, _, name = rest.partition(".")
        if head != self.prefix or not n.isdigit() or int(n) >= len(self.indexes) or not name.isidentifier():
            raise KeyError(path)
        return f"{self.prefix}-{self.indexes[int(n)]}-{name}"

    def __iter__(self) -> Iterator[str]:
        return iter(f"{self.prefix}.{n}" for n in range(len(self.indexes)))  # the rows; any field of one maps

    def __len__(self) -> int:
        return len(self.indexes)


def row_names(form: Form, prefix: str) -> RowNames:
    """How the API names the fields of the rows `<prefix>-<n>-<field>` posted, to the page's names."""
    return RowNames(prefix, list(form.posted_rows(prefix)))


def load_command(
    form: Form,
    schema_cls: type[Schema],
    extra: Mapping[str, Any] | None = None,
    *,
    renames: Mapping[str, str] | None = None,
    rows: Sequence[str] = (),
) -> Any:
    """Load `form.values` (empty fields count as absent), the posted `rows` as lists, and `extra` (values
    the page knows, such as the lot of the URL) with `schema_cls`; messages go on the form (on the page's
    field for those in `renames`, API name -> page name, and on the posted row's field). The loaded
    result, or None."""
    row_keys = {key for prefix in rows for key in form.row_keys(prefix)}
    present: dict[str, Any] = {k: v for k, v in form.values.items() if v != "" and k not in row_keys}
    names: list[Mapping[str, str]] = [renames or {}]
    for prefix in rows:
        if posted := form.posted_rows(prefix):
            present[prefix] = list(posted.values())
        names.append(row_names(form, prefix))
    present.update(extra or {})
    try:
        return checked_load(schema(schema_cls, unknown=EXCLUDE), present)
    except ValidationError as error:
        for problem in flatten_marshmallow_errors(error.messages):
            name = problem["field"]
            if name in {"(body)", ""}:
                name = FORM_ERROR
            else:
                name = next((found[name] for found in names if name in found), name)
            form.add_error(name, form.ui.tr.message(problem["message"]))
        return None
