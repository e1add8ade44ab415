"""Page forms that are the API's schemas: the same fields and rules, with words for a person.

    DisposalForm = page_form(DisposalIn, messages={"reason": {"required": N_("Choose a reason.")}})

- What a form posts is text: the API's strict integers accept "5" here (they still refuse "5.5").
- Unknown fields (the CSRF token, buttons) are ignored.
- `messages` replaces marshmallow's messages per field (`required`, `invalid`, `unknown`...) and, under
  `"validate"`, the message of the field's validators (a range, a length, a choice). They are msgids.
- `nested` gives a nested field (or a list of them) its own page form: `nested={"checks": CheckForm}`.
- `load_command(form, Schema, extra)` loads the posted form with such a schema, whose `post_load` may give a
  typed command: it returns the `Form` (what was typed, the messages) and the command, or None. A page
  that names a field otherwise than the API (a flat `consent_by` for the nested `consent.by`) gives
  `renames`, so the message lands on the page's field.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from foodbank.lib.validation import checked_load
from foodbank.pages.forms import Form

Messages = Mapping[str, Mapping[str, str]]


def page_form(
    api: type[Schema],
    *,
    messages: Messages | None = None,
    nested: Mapping[str, type[Schema]] | None = None,
    name: str | None = None,
) -> type[Schema]:
    """A subclass of the API schema `api` for a page (see the module's docstring)."""
    wanted = {field: dict(texts) for field, texts in (messages or {}).items()}
    inner_forms = dict(nested or {})
    unknown = (set(wanted) | set(inner_forms)) - set(api._declared_fields)
    if unknown:
        raise TypeError(f"{api.__name__} has no fields {sorted(unknown)}")

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

    PageForm.__name__ = PageForm.__qualname__ = name or f"{api.__name__}Form"
    return PageForm


def _with_error(validator: Any, text: str) -> Any:
    if not hasattr(validator, "error"):
        return validator
    changed = copy.copy(validator)
    changed.error = text
    return changed


def load_command(
    form: Form,
    schema_cls: type[Schema],
    extra: Mapping[str, Any] | None = None,
    *,
    renames: Mapping[str, str] | None = None,
) -> Any:
    """Load `form.values` (empty fields count as absent) and `extra` (values the page knows, such as the
    lot of the URL) with `schema_cls`; messages go on the form (on the page's field for those in
    `renames`, API name -> page name). The loaded result, or None."""
    present: dict[str, Any] = {k: v for k, v in form.values.items() if v != ""}
    present.update(extra or {})
    try:
        return checked_load(schema_cls(unknown=EXCLUDE), present)
    except ValidationError as error:
        errors_before = set(form.errors)
        form.add_validation_error(error)
        for api_name, page_name in (renames or {}).items():
            if api_name in form.errors and api_name not in errors_before:
                form.errors.setdefault(page_name, []).extend(form.errors.pop(api_name))
        return None
