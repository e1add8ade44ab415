"""pantry days: venues, parcel templates, events, slots, registrations; walk-in distributions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pantry_venue",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column(
            "municipality",
            sa.Enum(
                "togane",
                "sammu",
                "oamishirasato",
                "kujukuri",
                "shibayama",
                "yokoshibahikari",
                "other",
                name="municipality",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pantry_venue")),
        sa.UniqueConstraint("name", name=op.f("uq_pantry_venue_name")),
    )
    op.create_table(
        "parcel_template",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("min_people", sa.SmallInteger(), nullable=False),
        sa.Column("max_people", sa.SmallInteger(), nullable=False),
        sa.Column("ready_to_eat_only", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("min_people >= 1 AND max_people >= min_people", name=op.f("ck_parcel_template_people_band")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_parcel_template_created_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcel_template")),
        sa.UniqueConstraint("name", name=op.f("uq_parcel_template_name")),
    )
    op.create_table(
        "parcel_template_line",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("template_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=True),
        sa.Column("category_id", sa.BigInteger(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(item_id IS NULL) <> (category_id IS NULL)", name=op.f("ck_parcel_template_line_item_or_category")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_parcel_template_line_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_parcel_template_line_category_id_category")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_parcel_template_line_item_id_item")),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["parcel_template.id"],
            name=op.f("fk_parcel_template_line_template_id_parcel_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcel_template_line")),
    )
    op.create_index(op.f("ix_parcel_template_line_template_id"), "parcel_template_line", ["template_id"], unique=False)
    op.create_table(
        "pantry_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("venue_id", sa.BigInteger(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "open",
                "allocated",
                "in_progress",
                "closed",
                "cancelled",
                name="pantry_event_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="planned",
            nullable=False,
        ),
        sa.Column("expected_walk_in_people", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("walk_in_household_size", sa.SmallInteger(), server_default=sa.text("3"), nullable=False),
        sa.Column("walk_in_parcels", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("walk_in_template_id", sa.BigInteger(), nullable=True),
        sa.Column("walk_in_reservation_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("allocated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("expected_walk_in_people >= 0", name=op.f("ck_pantry_event_walk_in_people_not_negative")),
        sa.CheckConstraint("walk_in_household_size >= 1", name=op.f("ck_pantry_event_walk_in_household_size_positive")),
        sa.CheckConstraint("walk_in_parcels >= 0", name=op.f("ck_pantry_event_walk_in_parcels_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_pantry_event_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["venue_id"], ["pantry_venue.id"], name=op.f("fk_pantry_event_venue_id_pantry_venue")),
        sa.ForeignKeyConstraint(
            ["walk_in_reservation_id"],
            ["reservation.id"],
            name=op.f("fk_pantry_event_walk_in_reservation_id_reservation"),
        ),
        sa.ForeignKeyConstraint(
            ["walk_in_template_id"],
            ["parcel_template.id"],
            name=op.f("fk_pantry_event_walk_in_template_id_parcel_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pantry_event")),
    )
    op.create_index("ix_pantry_event_event_date", "pantry_event", ["event_date"], unique=False)
    op.create_index(op.f("ix_pantry_event_venue_id"), "pantry_event", ["venue_id"], unique=False)
    op.create_table(
        "pantry_event_template",
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("template_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["pantry_event.id"],
            name=op.f("fk_pantry_event_template_event_id_pantry_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"], ["parcel_template.id"], name=op.f("fk_pantry_event_template_template_id_parcel_template")
        ),
        sa.PrimaryKeyConstraint("event_id", "template_id", name=op.f("pk_pantry_event_template")),
    )
    op.create_table(
        "pantry_slot",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("capacity", sa.SmallInteger(), nullable=False),
        sa.Column("booked", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("booked BETWEEN 0 AND capacity", name=op.f("ck_pantry_slot_booked_within_capacity")),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_pantry_slot_capacity_positive")),
        sa.CheckConstraint("end_time > start_time", name=op.f("ck_pantry_slot_time_order")),
        sa.ForeignKeyConstraint(["event_id"], ["pantry_event.id"], name=op.f("fk_pantry_slot_event_id_pantry_event")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pantry_slot")),
        sa.UniqueConstraint("event_id", "start_time", name=op.f("uq_pantry_slot_event_id_start_time")),
    )
    op.create_index(op.f("ix_pantry_slot_event_id"), "pantry_slot", ["event_id"], unique=False)
    op.add_column("distribution", sa.Column("pantry_event_id", sa.BigInteger(), nullable=True))
    op.add_column("distribution", sa.Column("walk_in", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.create_index(op.f("ix_distribution_pantry_event_id"), "distribution", ["pantry_event_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_distribution_pantry_event_id_pantry_event"),
        "distribution",
        "pantry_event",
        ["pantry_event_id"],
        ["id"],
    )
    op.drop_constraint(op.f("ck_distribution_one_recipient"), "distribution", type_="check")
    op.create_check_constraint(
        op.f("ck_distribution_one_recipient"),
        "distribution",
        "CASE WHEN walk_in THEN household_id IS NULL AND partner_programme_id IS NULL"
        " ELSE (household_id IS NULL) <> (partner_programme_id IS NULL) END",
    )
    op.create_check_constraint(
        op.f("ck_distribution_walk_in_at_pantry_event"),
        "distribution",
        "NOT walk_in OR (pantry_event_id IS NOT NULL AND people IS NOT NULL AND referral_id IS NULL)",
    )
    op.create_check_constraint(
        op.f("ck_distribution_pantry_event_channel"), "distribution", "pantry_event_id IS NULL OR channel = 'pantry'"
    )
    op.create_table(
        "pantry_registration",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("slot_id", sa.BigInteger(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("referral_id", sa.BigInteger(), nullable=True),
        sa.Column("people", sa.SmallInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "booked",
                "checked_in",
                "no_show",
                "cancelled",
                name="registration_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="booked",
            nullable=False,
        ),
        sa.Column("template_id", sa.BigInteger(), nullable=True),
        sa.Column("reservation_id", sa.BigInteger(), nullable=True),
        sa.Column("distribution_id", sa.BigInteger(), nullable=True),
        sa.Column("registered_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed_by_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "(status = 'checked_in') = (distribution_id IS NOT NULL)",
            name=op.f("ck_pantry_registration_checked_in_has_distribution"),
        ),
        sa.CheckConstraint("people >= 1", name=op.f("ck_pantry_registration_people_positive")),
        sa.ForeignKeyConstraint(
            ["distribution_id"], ["distribution.id"], name=op.f("fk_pantry_registration_distribution_id_distribution")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["pantry_event.id"], name=op.f("fk_pantry_registration_event_id_pantry_event")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_pantry_registration_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_pantry_registration_referral_id_referral")
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"], ["user_account.id"], name=op.f("fk_pantry_registration_registered_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"], ["reservation.id"], name=op.f("fk_pantry_registration_reservation_id_reservation")
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["pantry_slot.id"], name=op.f("fk_pantry_registration_slot_id_pantry_slot")
        ),
        sa.ForeignKeyConstraint(
            ["status_changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_pantry_registration_status_changed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"], ["parcel_template.id"], name=op.f("fk_pantry_registration_template_id_parcel_template")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pantry_registration")),
        sa.UniqueConstraint("distribution_id", name=op.f("uq_pantry_registration_distribution_id")),
        sa.UniqueConstraint("reservation_id", name=op.f("uq_pantry_registration_reservation_id")),
    )
    op.create_index(
        "uq_pantry_registration_event_id_household_id_active",
        "pantry_registration",
        ["event_id", "household_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.create_index(op.f("ix_pantry_registration_household_id"), "pantry_registration", ["household_id"], unique=False)
    op.create_index(op.f("ix_pantry_registration_slot_id"), "pantry_registration", ["slot_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pantry_registration_slot_id"), table_name="pantry_registration")
    op.drop_index(op.f("ix_pantry_registration_household_id"), table_name="pantry_registration")
    op.drop_index(
        "uq_pantry_registration_event_id_household_id_active",
        table_name="pantry_registration",
        postgresql_where=sa.text("status <> 'cancelled'"),
    )
    op.drop_table("pantry_registration")
    op.drop_constraint(op.f("ck_distribution_pantry_event_channel"), "distribution", type_="check")
    op.drop_constraint(op.f("ck_distribution_walk_in_at_pantry_event"), "distribution", type_="check")
    op.drop_constraint(op.f("ck_distribution_one_recipient"), "distribution", type_="check")
    # Walk-ins have no recipient the old rule knows of: they must be gone before it comes back.
    op.create_check_constraint(
        op.f("ck_distribution_one_recipient"),
        "distribution",
        "(household_id IS NULL) <> (partner_programme_id IS NULL)",
    )
    op.drop_constraint(op.f("fk_distribution_pantry_event_id_pantry_event"), "distribution", type_="foreignkey")
    op.drop_index(op.f("ix_distribution_pantry_event_id"), table_name="distribution")
    op.drop_column("distribution", "walk_in")
    op.drop_column("distribution", "pantry_event_id")
    op.drop_index(op.f("ix_pantry_slot_event_id"), table_name="pantry_slot")
    op.drop_table("pantry_slot")
    op.drop_table("pantry_event_template")
    op.drop_index(op.f("ix_pantry_event_venue_id"), table_name="pantry_event")
    op.drop_index("ix_pantry_event_event_date", table_name="pantry_event")
    op.drop_table("pantry_event")
    op.drop_index(op.f("ix_parcel_template_line_template_id"), table_name="parcel_template_line")
    op.drop_table("parcel_template_line")
    op.drop_table("parcel_template")
    op.drop_table("pantry_venue")
