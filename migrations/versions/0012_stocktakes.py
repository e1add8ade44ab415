"""stocktake, stocktake_location, stocktake_lot, stocktake_count: counts (棚卸) of a warehouse, a zone or a
set of locations, their snapshot and their count lines (append-only, like the ledger).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=max(map(len, values)))


def upgrade() -> None:
    op.create_table(
        "stocktake",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("zone", _enum("zone", "ambient", "chilled", "frozen"), nullable=True),
        sa.Column(
            "status",
            _enum("stocktake_status", "open", "approved", "abandoned"),
            server_default="open",
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("opened_by_id", sa.BigInteger(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("closed_by_id", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("(status = 'open') = (closed_at IS NULL)", name=op.f("ck_stocktake_closed_when_not_open")),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["user_account.id"], name=op.f("fk_stocktake_closed_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["user_account.id"], name=op.f("fk_stocktake_opened_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouse.id"], name=op.f("fk_stocktake_warehouse_id_warehouse")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktake")),
    )
    op.create_index(op.f("ix_stocktake_warehouse_id"), "stocktake", ["warehouse_id"], unique=False)
    op.create_table(
        "stocktake_location",
        sa.Column("stocktake_id", sa.BigInteger(), nullable=False),
        sa.Column("location_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_stocktake_location_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["stocktake_id"], ["stocktake.id"], name=op.f("fk_stocktake_location_stocktake_id_stocktake")
        ),
        sa.PrimaryKeyConstraint("stocktake_id", "location_id", name=op.f("pk_stocktake_location")),
    )
    op.create_table(
        "stocktake_lot",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("stocktake_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("snapshot_on_hand", sa.Integer(), nullable=False),
        sa.Column("snapshot_movement_id", sa.BigInteger(), nullable=False),
        sa.Column("in_snapshot", sa.Boolean(), nullable=False),
        sa.Column(
            "reason",
            _enum("stocktake_reason", "damaged", "expired", "miscount", "unrecorded_hand_out", "theft", "other"),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("adjustment_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("snapshot_on_hand >= 0", name=op.f("ck_stocktake_lot_snapshot_not_negative")),
        sa.ForeignKeyConstraint(
            ["adjustment_id"], ["stock_movement.id"], name=op.f("fk_stocktake_lot_adjustment_id_stock_movement")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_stocktake_lot_lot_id_lot")),
        sa.ForeignKeyConstraint(
            ["stocktake_id"], ["stocktake.id"], name=op.f("fk_stocktake_lot_stocktake_id_stocktake")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktake_lot")),
        sa.UniqueConstraint("stocktake_id", "lot_id", name=op.f("uq_stocktake_lot_stocktake_id_lot_id")),
    )
    op.create_index(op.f("ix_stocktake_lot_lot_id"), "stocktake_lot", ["lot_id"], unique=False)
    op.create_table(
        "stocktake_count",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("stocktake_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("location_id", sa.BigInteger(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("movement_id", sa.BigInteger(), nullable=False),
        sa.Column("counted_by_id", sa.BigInteger(), nullable=True),
        sa.Column("counted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("counted >= 0", name=op.f("ck_stocktake_count_counted_not_negative")),
        sa.ForeignKeyConstraint(
            ["counted_by_id"], ["user_account.id"], name=op.f("fk_stocktake_count_counted_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], name=op.f("fk_stocktake_count_location_id_location")),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_stocktake_count_lot_id_lot")),
        sa.ForeignKeyConstraint(
            ["stocktake_id"], ["stocktake.id"], name=op.f("fk_stocktake_count_stocktake_id_stocktake")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stocktake_count")),
    )
    op.create_index(
        "ix_stocktake_count_stocktake_id_lot_id",
        "stocktake_count",
        ["stocktake_id", "lot_id", "location_id", "id"],
        unique=False,
    )
    # Count lines are evidence: never changed nor deleted (a recount is a new line).
    op.execute(
        "CREATE TRIGGER stocktake_count_append_only BEFORE UPDATE OR DELETE ON stocktake_count "
        "FOR EACH ROW EXECUTE FUNCTION forbid_change()"
    )
    op.execute(
        "CREATE TRIGGER stocktake_count_no_truncate BEFORE TRUNCATE ON stocktake_count "
        "FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER stocktake_count_no_truncate ON stocktake_count")
    op.execute("DROP TRIGGER stocktake_count_append_only ON stocktake_count")
    op.drop_index("ix_stocktake_count_stocktake_id_lot_id", table_name="stocktake_count")
    op.drop_table("stocktake_count")
    op.drop_index(op.f("ix_stocktake_lot_lot_id"), table_name="stocktake_lot")
    op.drop_table("stocktake_lot")
    op.drop_table("stocktake_location")
    op.drop_index(op.f("ix_stocktake_warehouse_id"), table_name="stocktake")
    op.drop_table("stocktake")
