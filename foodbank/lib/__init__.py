"""The few shared mechanisms: errors, validation and OpenAPI glue, database unit of work, idempotency."""
