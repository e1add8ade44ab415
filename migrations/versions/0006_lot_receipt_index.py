"""index lot.receipt_id: a receipt's lots are read back after every receipt (found by the benchmark)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 11:55:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_lot_receipt_id"), "lot", ["receipt_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_lot_receipt_id"), table_name="lot")
