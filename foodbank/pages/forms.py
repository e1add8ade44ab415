"""HTML forms: load what was posted with a marshmallow schema, keep what was typed, and say per field
what is wrong, in the reader's language.

    form = await load_form(ui, ReceiptForm)
    if (replay := await form.replayed(db_session)) is not None:
        return replay  # a second tap on the same form: where the first one went
    if form.ok:
        done = await attempt(form, db_session, lambda: services.something(db_session, form.data))
        if form.ok:
            return await form.remember(db_session, ui.redirect(f"/things/{done.id}", flash=ui._("Saved.")))
    return ui.render("same_template.html", form=form, status_code=form.status)

- `attempt` runs the service in a savepoint: a refusal (AppError) rolls back what it wrote and lands on
  the form's fields (its status becomes the form's), so the page re-renders with what was typed.
- Every form that carries `{{ m.csrf_field() }}` also posts a fresh `_once` key. A handler that
  creates something asks `form.replayed(...)` first and `form.remember(...)` on success: the key and
  where the success went are kept (in idempotency_key, with the page's path, no personal data;
  `lib.idempotency.page_form_location` and `remember_page_form`), so a double tap, or a resent form
  after a lost answer, goes to the first result instead of creating a second one. Two taps at once
  wait for each other on a transaction-scoped advisory lock.

- Empty fields count as absent, so `required=True` says "fill this in" and `load_default` applies.
- Repeated rows are named `<prefix>-<n>-<field>` (`lines-0-quantity`); `form.rows(prefix, Schema)`
  loads them, and errors of a service for `lines.0.quantity` land on `lines-0-quantity`.
- Messages are msgids: page schemas give their own with `N_("...")` (`error_messages=` or a
  validator's `error=`); marshmallow's usual English messages are translated here, and the Messages
  of services (msgid and parameters) with `Translator.message`.
- Templates show a field with the `field()` macro of `_macros.html`: label, value as typed, messages.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from litestar.response import Redirect
from marshmallow import EXCLUDE, Schema, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib import idempotency
from foodbank.lib.errors import AppError, flatten_marshmallow_errors
from foodbank.lib.validation import checked_load, schema
from foodbank.pages.i18n import N_, describe_error
from foodbank.pages.layout import Ui

FORM_ERROR = "_form"
"""The key of messages about the whole form rather than one field."""

ONCE_FIELD = "_once"
"""The hidden field that makes a creating form idempotent (rendered by the `csrf_field()` macro)."""

_ONCE_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

T = TypeVar("T")


def new_once_key() -> str:
    """A fresh key for one rendering of a form (a template global)."""
    return secrets.token_urlsafe(18)


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
    refused_status: int | None = None
    """The status of the service's refusal, when `attempt` met one."""
    _claimed_once: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> int:
        """The status to re-render with: the refusal's, else 422 when something is wrong."""
        if self.ok:
            return 200
        return self.refused_status or 422

    async def replayed(self, db_session: AsyncSession) -> Redirect | None:
        """Where this form's first submission went, if this `_once` key was already used; else None
        (and the key is claimed for this request: `remember` keeps it with the result). A form without
        a key (an old page, a script) is simply not idempotent."""
        key = self.values.get(ONCE_FIELD, "")
        principal = self.ui.principal
        if principal is None or not _ONCE_KEY.fullmatch(key):
            return None
        location = await idempotency.page_form_location(db_session, principal.id, key)
        if location is None:
            self._claimed_once = key
            return None
        return self.ui.redirect(location, flash=self.ui._("This was already saved; it was not saved twice."))

    async def remember(self, db_session: AsyncSession, response: Redirect) -> Redirect:
        """Keep where a successful submission went, under the key `replayed` claimed; returns `response`."""
        principal = self.ui.principal
        if self._claimed_once is None or principal is None:
            return response
        await idempotency.remember_page_form(
            db_session,
            principal.id,
            self._claimed_once,
            path=self.ui.request.url.path,
            location=response.url,
            status_code=response.status_code,
        )
        return response

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)

    def add_error(self, name: str, message: str) -> None:
        """`message` is already translated (use `ui._(...)`)."""
        self.errors.setdefault(name, []).append(message)

    def add_validation_error(self, error: ValidationError, *, prefix: str = "") -> None:
        for item in flatten_marshmallow_errors(error.messages):
            name = item["field"]
            name = FORM_ERROR if name in {"(body)", ""} else name
            self.add_error(f"{prefix}{name}", self.ui.tr.message(item["message"]))

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
        raw = self.posted_rows(prefix)
        loaded = []
        for index in raw:
            try:
                loaded.append({"_index": index, **checked_load(schema(schema_cls, unknown=EXCLUDE), raw[index])})
            except ValidationError as error:
                self.add_validation_error(error, prefix=f"{prefix}-{index}-")
        return loaded

    def posted_rows(self, prefix: str) -> dict[int, dict[str, str]]:
        """The rows `<prefix>-<n>-<field>` posted, by index in order, with their fields that are not empty;
        rows left empty are not there."""
        raw: dict[int, dict[str, str]] = {}
        for key, value in self.values.items():
            match = _ROW_KEY.match(key)
            if match and match["prefix"] == prefix and value != "":
                raw.setdefault(int(match["index"]), {})[match["field"]] = value
        return dict(sorted(raw.items()))

    def row_keys(self, prefix: str) -> set[str]:
        """The names of every field posted in a row `<prefix>-<n>-<field>`, empty or not."""
        return {key for key in self.values if (m := _ROW_KEY.match(key)) and m["prefix"] == prefix}

    def row_indexes(self, prefix: str) -> list[int]:
        """The indexes of the rows that were posted (to render them again)."""
        indexes = {int(m["index"]) for key in self.values if (m := _ROW_KEY.match(key)) and m["prefix"] == prefix}
        return sorted(indexes)

    def messages(self, name: str) -> list[str]:
        return self.errors.get(name, [])


async def attempt(
    form: Form,
    db_session: AsyncSession,
    action: Callable[[], Awaitable[T]],
    *,
    field_names: Mapping[str, str] | None = None,
    reraise: tuple[type[AppError], ...] = (),
) -> T | None:
    """Run a service call in a savepoint. A refusal (AppError) rolls back what it wrote and is put on the
    form's fields (or renamed by `field_names`), `form.ok` turns False and `form.status` becomes the
    refusal's status; then None is returned. Refusals without field errors are explained above the
    form from their data (`problems.explain`: shortages, full slots...). Anything else propagates, and
    so do the refusals in `reraise` (rolled back too) for a page that shows them its own way."""
    from foodbank.pages.problems import add_problem  # problems builds on forms: imported when used

    try:
        async with db_session.begin_nested():
            return await action()
    except reraise:
        raise
    except AppError as error:
        add_problem(form, error, field_names=field_names)
        form.refused_status = error.status
        return None


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
        form.data = checked_load(schema(schema_cls, unknown=EXCLUDE), present)
    except ValidationError as error:
        form.add_validation_error(error)
    return form


def load_query(ui: Ui, schema_cls: type[Schema]) -> Form:
    """Filters in the query string (GET forms), loaded like a posted form."""
    params = ui.request.query_params
    values = {key: str(params.get(key) or "").strip() for key in params}
    form = Form(ui, values=values)
    try:
        form.data = checked_load(schema(schema_cls, unknown=EXCLUDE), {k: v for k, v in values.items() if v != ""})
    except ValidationError as error:
        form.add_validation_error(error)
    return form
