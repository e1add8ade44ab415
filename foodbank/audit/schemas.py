"""What the audit API accepts and returns."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class AuditEventOut(Schema):
    """One audit event. `details` holds ids, codes and counts, never personal data."""

    id = fields.Integer()
    occurred_at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    details = fields.Dict()


class AuditFilter(Schema):
    entity = fields.String(validate=validate.Length(max=64))
    entity_id = fields.String(validate=validate.Length(max=64))
    actor_id = fields.Integer(strict=False)
    action = fields.String(validate=validate.Length(max=64))
    since = fields.AwareDateTime(metadata={"description": "Only events at or after this time (ISO 8601)."})
    before_id = fields.Integer(metadata={"description": "Keyset pagination: events older than this id."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
