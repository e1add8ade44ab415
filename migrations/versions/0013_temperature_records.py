"""temperature records: the limit of each zone (seeded with the MAFF food-bank guide's figures: ambient
at or below 25 °C, chilled at or below 10 °C, frozen at or below -15 °C; a daily reading required for
chilled and frozen), the readings of each location, and holds that name the reading they were for.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ZONE = sa.Enum("ambient", "chilled", "frozen", name="zone", native_enum=False, create_constraint=True, length=7)


def upgrade() -> None:
    limit = op.create_table(
        "temperature_limit",
        sa.Column("zone", ZONE, nullable=False),
        sa.Column("max_celsius", sa.Numeric(4, 1), nullable=False),
        sa.Column("daily_reading_required", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user_account.id"], name=op.f("fk_temperature_limit_updated_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("zone", name=op.f("pk_temperature_limit")),
    )
    op.bulk_insert(
        limit,
        [
            {"zone": "ambient", "max_celsius": 25, "daily_reading_required": False},
            {"zone": "chilled", "max_celsius": 10, "daily_reading_required": True},
            {"zone": "frozen", "max_celsius": -15, "daily_reading_required": True},
        ],
    )
    op.create_table(
        "temperature_reading",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("location_id", sa.BigInteger(), nullable=False),
        sa.Column("min_celsius", sa.Numeric(4, 1), nullable=False),
        sa.Column("max_celsius", sa.Numeric(4, 1), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("typed", "logger", name="reading_source", native_enum=False, create_constraint=True, length=6),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_id", sa.BigInteger(), nullable=True),
        sa.Column("limit_max_celsius", sa.Numeric(4, 1), nullable=False),
        sa.Column("out_of_range", sa.Boolean(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.BigInteger(), nullable=True),
        sa.Column("review_decision", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("min_celsius <= max_celsius", name=op.f("ck_temperature_reading_min_not_above_max")),
        sa.CheckConstraint(
            "out_of_range = (max_celsius > limit_max_celsius)", name=op.f("ck_temperature_reading_judged_by_its_limit")
        ),
        sa.CheckConstraint(
            "(reviewed_at IS NULL) = (review_decision IS NULL)", name=op.f("ck_temperature_reading_review_has_decision")
        ),
        sa.CheckConstraint(
            "reviewed_at IS NULL OR out_of_range", name=op.f("ck_temperature_reading_only_out_of_range_reviewed")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_temperature_reading_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_temperature_reading_recorded_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["user_account.id"], name=op.f("fk_temperature_reading_reviewed_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_temperature_reading")),
    )
    op.create_index(
        "ix_temperature_reading_location_id_read_at", "temperature_reading", ["location_id", "read_at"], unique=False
    )
    op.create_index("ix_temperature_reading_read_on", "temperature_reading", ["read_on"], unique=False)
    op.create_index(
        "ix_temperature_reading_unreviewed",
        "temperature_reading",
        ["id"],
        unique=False,
        postgresql_where=sa.text("out_of_range AND reviewed_at IS NULL"),
    )
    op.add_column("lot_status_change", sa.Column("temperature_reading_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_lot_status_change_temperature_reading_id_temperature_reading"),
        "lot_status_change",
        "temperature_reading",
        ["temperature_reading_id"],
        ["id"],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_lot_status_change_temperature_reading_id_temperature_reading"), "lot_status_change", type_="foreignkey"
    )
    op.drop_column("lot_status_change", "temperature_reading_id")
    op.drop_index("ix_temperature_reading_unreviewed", table_name="temperature_reading")
    op.drop_index("ix_temperature_reading_read_on", table_name="temperature_reading")
    op.drop_index("ix_temperature_reading_location_id_read_at", table_name="temperature_reading")
    op.drop_table("temperature_reading")
    op.drop_table("temperature_limit")
