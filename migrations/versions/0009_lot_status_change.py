"""lot_status_change: the hold history of a lot (put on hold, recalled, released), with the reason given
at the time; append-only like the ledger. Holds already in the audit log are copied in, without a reason
(the audit log keeps ids only).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lot_status_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "on_hold", "recalled", name="lot_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_lot_status_change_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_lot_status_change_lot_id_lot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot_status_change")),
    )
    op.create_index("ix_lot_status_change_lot_id_id", "lot_status_change", ["lot_id", "id"], unique=False)
    op.execute(
        "CREATE TRIGGER lot_status_change_append_only BEFORE UPDATE OR DELETE ON lot_status_change "
        "FOR EACH ROW EXECUTE FUNCTION forbid_change()"
    )
    op.execute(
        "CREATE TRIGGER lot_status_change_no_truncate BEFORE TRUNCATE ON lot_status_change "
        "FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()"
    )
    # Holds, recalls and releases recorded so far, in the order they happened.
    op.execute(
        """
        INSERT INTO lot_status_change (lot_id, status, actor_id, occurred_at)
        SELECT changed.lot_id, changed.status, changed.actor_id, changed.occurred_at
        FROM (
            SELECT ids.value::bigint AS lot_id,
                   CASE e.action WHEN 'lot.recall' THEN 'recalled' ELSE 'on_hold' END AS status,
                   e.actor_id, e.occurred_at, e.id AS event_id
            FROM audit_event e CROSS JOIN LATERAL jsonb_array_elements_text(e.details -> 'lot_ids') AS ids(value)
            WHERE e.entity = 'lot' AND e.action IN ('lot.hold', 'lot.recall')
            UNION ALL
            SELECT e.entity_id::bigint, 'active', e.actor_id, e.occurred_at, e.id
            FROM audit_event e
            WHERE e.entity = 'lot' AND e.action = 'lot.release_hold' AND e.entity_id IS NOT NULL
        ) AS changed
        JOIN lot ON lot.id = changed.lot_id
        ORDER BY changed.event_id, changed.lot_id
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER lot_status_change_no_truncate ON lot_status_change")
    op.execute("DROP TRIGGER lot_status_change_append_only ON lot_status_change")
    op.drop_index("ix_lot_status_change_lot_id_id", table_name="lot_status_change")
    op.drop_table("lot_status_change")
