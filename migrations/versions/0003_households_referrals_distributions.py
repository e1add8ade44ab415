"""households referrals distributions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:43:54.286764+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("item", sa.Column("ready_to_eat", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.create_table(
        "partner_programme",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("cafeteria", "drop_in", "other", name="partner_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("agency_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_partner_programme_agency_id_agency")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_programme")),
        sa.UniqueConstraint("name", name=op.f("uq_partner_programme_name")),
    )
    op.create_table(
        "household",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
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
        sa.Column("infants", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("children", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("adults", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("seniors", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("allergens", postgresql.ARRAY(sa.String(length=32)), server_default="{}", nullable=False),
        sa.Column("no_pork", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("halal", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("vegetarian", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("ready_to_eat_only", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_activity_on", sa.Date(), nullable=True),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("infants + children + adults + seniors >= 1", name=op.f("ck_household_at_least_one_member")),
        sa.CheckConstraint(
            "infants >= 0 AND children >= 0 AND adults >= 0 AND seniors >= 0",
            name=op.f("ck_household_members_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_household_created_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
        sa.UniqueConstraint("code", name=op.f("uq_household_code")),
    )
    op.create_table(
        "household_identity",
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_kana", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("postal_code", sa.String(length=10), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_household_identity_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_household_identity")),
    )
    op.create_table(
        "referral",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("agency_id", sa.BigInteger(), nullable=False),
        sa.Column("consultant_id", sa.BigInteger(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column(
            "who_consulted",
            sa.Enum(
                "self", "family", "agency", "other", name="who_consulted", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("reasons", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column(
            "request",
            sa.Enum("food", "appliance", "both", name="referral_request", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("appliance_category", sa.String(length=32), nullable=True),
        sa.Column(
            "urgency",
            sa.Enum("normal", "urgent", "emergency", name="urgency", native_enum=False, create_constraint=True),
            server_default="normal",
            nullable=False,
        ),
        sa.Column("consent_given", sa.Boolean(), nullable=False),
        sa.Column(
            "consent_by",
            sa.Enum("self", "family", "agency", "other", name="consent_by", native_enum=False, create_constraint=True),
            nullable=True,
        ),
        sa.Column("consent_on", sa.Date(), nullable=True),
        sa.Column(
            "consent_method",
            sa.Enum(
                "written", "verbal", "electronic", name="consent_method", native_enum=False, create_constraint=True
            ),
            nullable=True,
        ),
        sa.Column("consent_scope", sa.String(length=500), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("handouts_allowed", sa.SmallInteger(), nullable=False),
        sa.Column("handouts_used", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "accepted",
                "fulfilled",
                "declined",
                "expired",
                "withdrawn",
                name="referral_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="submitted",
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "NOT consent_given OR (consent_by IS NOT NULL AND consent_on IS NOT NULL AND consent_method IS NOT NULL AND consent_scope IS NOT NULL)",
            name=op.f("ck_referral_consent_recorded"),
        ),
        sa.CheckConstraint("handouts_allowed >= 1", name=op.f("ck_referral_handouts_allowed_positive")),
        sa.CheckConstraint(
            "handouts_used BETWEEN 0 AND handouts_allowed", name=op.f("ck_referral_handouts_used_range")
        ),
        sa.CheckConstraint("valid_until >= valid_from", name=op.f("ck_referral_valid_period")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_referral_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["consultant_id"], ["user_account.id"], name=op.f("fk_referral_consultant_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"], name=op.f("fk_referral_decided_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"], name=op.f("fk_referral_household_id_household")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    op.create_index(op.f("ix_referral_agency_id"), "referral", ["agency_id"], unique=False)
    op.create_index(op.f("ix_referral_household_id"), "referral", ["household_id"], unique=False)
    op.create_table(
        "distribution",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=True),
        sa.Column("partner_programme_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "delivery",
                "pickup",
                "pantry",
                "partner",
                name="hand_out_channel",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("distributed_on", sa.Date(), nullable=False),
        sa.Column("referral_id", sa.BigInteger(), nullable=True),
        sa.Column("reservation_id", sa.BigInteger(), nullable=True),
        sa.Column("handed_over_by_id", sa.BigInteger(), nullable=True),
        sa.Column("people", sa.SmallInteger(), nullable=True),
        sa.Column("frequency_override", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(channel = 'partner') = (partner_programme_id IS NOT NULL)", name=op.f("ck_distribution_partner_channel")
        ),
        sa.CheckConstraint(
            "(household_id IS NULL) <> (partner_programme_id IS NULL)", name=op.f("ck_distribution_one_recipient")
        ),
        sa.ForeignKeyConstraint(
            ["handed_over_by_id"], ["user_account.id"], name=op.f("fk_distribution_handed_over_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_distribution_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["partner_programme_id"],
            ["partner_programme.id"],
            name=op.f("fk_distribution_partner_programme_id_partner_programme"),
        ),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"], name=op.f("fk_distribution_referral_id_referral")),
        sa.ForeignKeyConstraint(
            ["reservation_id"], ["reservation.id"], name=op.f("fk_distribution_reservation_id_reservation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution")),
        sa.UniqueConstraint("reservation_id", name=op.f("uq_distribution_reservation_id")),
    )
    op.create_index("ix_distribution_distributed_on", "distribution", ["distributed_on"], unique=False)
    op.create_index(op.f("ix_distribution_household_id"), "distribution", ["household_id"], unique=False)
    op.create_index(op.f("ix_distribution_referral_id"), "distribution", ["referral_id"], unique=False)
    op.create_table(
        "distribution_line",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("distribution_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_distribution_line_quantity_positive")),
        sa.CheckConstraint("returned BETWEEN 0 AND quantity", name=op.f("ck_distribution_line_returned_range")),
        sa.ForeignKeyConstraint(
            ["distribution_id"], ["distribution.id"], name=op.f("fk_distribution_line_distribution_id_distribution")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_distribution_line_item_id_item")),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_distribution_line_lot_id_lot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_line")),
    )
    op.create_index(
        op.f("ix_distribution_line_distribution_id"), "distribution_line", ["distribution_id"], unique=False
    )
    op.create_index(op.f("ix_distribution_line_lot_id"), "distribution_line", ["lot_id"], unique=False)
    op.add_column("stock_movement", sa.Column("distribution_id", sa.BigInteger(), nullable=True))
    op.create_index(op.f("ix_stock_movement_distribution_id"), "stock_movement", ["distribution_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_stock_movement_distribution_id_distribution"),
        "stock_movement",
        "distribution",
        ["distribution_id"],
        ["id"],
    )


def downgrade() -> None:
    op.drop_column("item", "ready_to_eat")
    op.drop_constraint(op.f("fk_stock_movement_distribution_id_distribution"), "stock_movement", type_="foreignkey")
    op.drop_index(op.f("ix_stock_movement_distribution_id"), table_name="stock_movement")
    op.drop_column("stock_movement", "distribution_id")
    op.drop_index(op.f("ix_distribution_line_lot_id"), table_name="distribution_line")
    op.drop_index(op.f("ix_distribution_line_distribution_id"), table_name="distribution_line")
    op.drop_table("distribution_line")
    op.drop_index(op.f("ix_distribution_referral_id"), table_name="distribution")
    op.drop_index(op.f("ix_distribution_household_id"), table_name="distribution")
    op.drop_index("ix_distribution_distributed_on", table_name="distribution")
    op.drop_table("distribution")
    op.drop_index(op.f("ix_referral_household_id"), table_name="referral")
    op.drop_index(op.f("ix_referral_agency_id"), table_name="referral")
    op.drop_table("referral")
    op.drop_table("household_identity")
    op.drop_table("household")
    op.drop_table("partner_programme")
