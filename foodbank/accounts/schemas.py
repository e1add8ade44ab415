"""What the accounts API accepts and returns."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from foodbank.lib.messages import N_
from foodbank.models import AgencyKind, Role

USERNAME = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$",
    error=N_("3 to 64 letters, digits, dots, hyphens or underscores, starting with a letter or digit."),
)


class SignInIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1000))


class PrincipalOut(Schema):
    """The signed-in caller."""

    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.Enum(Role, by_value=True), attribute="sorted_roles")
    agency_id = fields.Integer(allow_none=True)
    via = fields.String(metadata={"description": "How the caller authenticated: session or token."})
    csrf_token = fields.String(
        allow_none=True,
        metadata={"description": "Send as X-CSRF-Token with changing requests made with the session cookie."},
    )


class SignedInOut(Schema):
    user = fields.Nested(PrincipalOut)


class AgencyIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Enum(AgencyKind, by_value=True, required=True)


class AgencyOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.Enum(AgencyKind, by_value=True)
    created_at = fields.AwareDateTime()


class UserIn(Schema):
    username = fields.String(required=True, validate=USERNAME)
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(
        load_default=None,
        load_only=True,
        validate=validate.Length(min=10, max=1000, error=N_("At least 10 characters.")),
        metadata={"description": "Leave out for an account that only uses API tokens."},
    )
    roles = fields.List(fields.Enum(Role, by_value=True), required=True, validate=validate.Length(min=1))
    agency_id = fields.Integer(load_default=None, strict=True)


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.Enum(Role, by_value=True), attribute="sorted_roles")
    agency_id = fields.Integer(allow_none=True)
    is_active = fields.Boolean()
    created_at = fields.AwareDateTime()
    last_sign_in_at = fields.AwareDateTime(allow_none=True)


class TokenIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    expires_in_days = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1, max=3650))


class TokenOut(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "The first characters, to recognise the token."})
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)
    last_used_at = fields.AwareDateTime(allow_none=True)


class TokenCreatedOut(TokenOut):
    token = fields.String(metadata={"description": "The secret. Shown once; store it now."})
