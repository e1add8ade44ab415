"""parcel_template.retired_at: a template is retired (never deleted: past days and registrations use it)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("parcel_template", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("parcel_template", "retired_at")
