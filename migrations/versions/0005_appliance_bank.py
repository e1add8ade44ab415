"""appliance bank: categories, units, status history, inspections, reservations, deliveries, disposals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    "refrigerator",
    "washing_machine",
    "microwave",
    "rice_cooker",
    "tv",
    "air_conditioner",
    "vacuum",
    "fan",
    "heater",
    "other",
)
STATUSES = ("received", "inspected", "available", "reserved", "delivered", "to_dispose", "disposed")


def upgrade() -> None:
    op.create_table(
        "appliance_category",
        sa.Column(
            "code",
            sa.Enum(*CATEGORIES, name="appliance_category", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("name_ja", sa.String(length=50), nullable=False),
        sa.Column("name_en", sa.String(length=50), nullable=False),
        sa.Column("recycling_law", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_appliance_category")),
        sa.UniqueConstraint("code", "recycling_law", name=op.f("uq_appliance_category_code_recycling_law")),
    )
    op.create_table(
        "appliance_unit",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column(
            "category",
            sa.Enum(*CATEGORIES, name="appliance_category", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("recycling_law", sa.Boolean(), nullable=False),
        sa.Column("maker", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("serial_number", sa.String(length=100), nullable=True),
        sa.Column("manufacture_year", sa.SmallInteger(), nullable=False),
        sa.Column("size", sa.String(length=100), nullable=True),
        sa.Column(
            "pse_mark",
            sa.Enum("pse", "old_law", "none", name="pse_mark", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("donor_id", sa.BigInteger(), nullable=True),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("location_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "condition_grade",
            sa.Enum("A", "B", "C", name="condition_grade", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("flags", postgresql.ARRAY(sa.String(length=32)), server_default="{}", nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="appliance_status", native_enum=False, create_constraint=True),
            server_default="received",
            nullable=False,
        ),
        sa.Column("registered_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "manufacture_year BETWEEN 1950 AND EXTRACT(YEAR FROM received_date)",
            name=op.f("ck_appliance_unit_manufacture_year_range"),
        ),
        sa.ForeignKeyConstraint(
            ["category", "recycling_law"],
            ["appliance_category.code", "appliance_category.recycling_law"],
            name=op.f("fk_appliance_unit_category_appliance_category"),
        ),
        sa.ForeignKeyConstraint(["donor_id"], ["donor.id"], name=op.f("fk_appliance_unit_donor_id_donor")),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], name=op.f("fk_appliance_unit_location_id_location")),
        sa.ForeignKeyConstraint(
            ["registered_by_id"], ["user_account.id"], name=op.f("fk_appliance_unit_registered_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appliance_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_appliance_unit_code")),
        sa.UniqueConstraint("id", "recycling_law", name=op.f("uq_appliance_unit_id_recycling_law")),
    )
    op.create_index(op.f("ix_appliance_unit_donor_id"), "appliance_unit", ["donor_id"], unique=False)
    op.create_index("ix_appliance_unit_status_category", "appliance_unit", ["status", "category"], unique=False)
    op.create_table(
        "appliance_status_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(*STATUSES, name="from_status", native_enum=False, create_constraint=True),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(*STATUSES, name="to_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_appliance_status_change_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["appliance_unit.id"], name=op.f("fk_appliance_status_change_unit_id_appliance_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appliance_status_change")),
    )
    op.create_index("ix_appliance_status_change_unit_id_id", "appliance_status_change", ["unit_id", "id"], unique=False)
    op.create_table(
        "appliance_inspection",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "visual",
                "power_on",
                "insulation",
                "cleaning",
                "recall_check",
                name="inspection_check",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "result",
            sa.Enum("pass", "fail", "not_applicable", name="check_result", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("inspector_id", sa.BigInteger(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspector_id"], ["user_account.id"], name=op.f("fk_appliance_inspection_inspector_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["appliance_unit.id"], name=op.f("fk_appliance_inspection_unit_id_appliance_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appliance_inspection")),
    )
    op.create_index("ix_appliance_inspection_unit_id_id", "appliance_inspection", ["unit_id", "id"], unique=False)
    op.create_table(
        "appliance_reservation",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=False),
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("referral_id", sa.BigInteger(), nullable=True),
        sa.Column("planned_delivery_date", sa.Date(), nullable=False),
        sa.Column("installation_needed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "released",
                "delivered",
                name="appliance_reservation_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("reserved_by_id", sa.BigInteger(), nullable=True),
        sa.Column("reserved_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("released_by_id", sa.BigInteger(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'released') = (released_at IS NOT NULL)",
            name=op.f("ck_appliance_reservation_released_when_released"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_appliance_reservation_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_appliance_reservation_referral_id_referral")
        ),
        sa.ForeignKeyConstraint(
            ["released_by_id"],
            ["user_account.id"],
            name=op.f("fk_appliance_reservation_released_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["reserved_by_id"],
            ["user_account.id"],
            name=op.f("fk_appliance_reservation_reserved_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["appliance_unit.id"], name=op.f("fk_appliance_reservation_unit_id_appliance_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appliance_reservation")),
    )
    op.create_index(
        op.f("ix_appliance_reservation_household_id"), "appliance_reservation", ["household_id"], unique=False
    )
    op.create_index(op.f("ix_appliance_reservation_unit_id"), "appliance_reservation", ["unit_id"], unique=False)
    # At most one current (open or delivered) reservation per unit, and one unit per referral.
    op.create_index(
        "uq_appliance_reservation_current_unit",
        "appliance_reservation",
        ["unit_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('open', 'delivered')"),
    )
    op.create_index(
        "uq_appliance_reservation_current_referral",
        "appliance_reservation",
        ["referral_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('open', 'delivered') AND referral_id IS NOT NULL"),
    )
    op.create_table(
        "appliance_delivery",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=False),
        sa.Column("reservation_id", sa.BigInteger(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("delivered_by_id", sa.BigInteger(), nullable=False),
        sa.Column("receipt_number", sa.String(length=40), nullable=True),
        sa.Column("receipt_signed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("installed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("recorded_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "receipt_number IS NOT NULL OR receipt_signed", name=op.f("ck_appliance_delivery_hand_over_receipt")
        ),
        sa.ForeignKeyConstraint(
            ["delivered_by_id"], ["user_account.id"], name=op.f("fk_appliance_delivery_delivered_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_appliance_delivery_recorded_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["appliance_reservation.id"],
            name=op.f("fk_appliance_delivery_reservation_id_appliance_reservation"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["appliance_unit.id"], name=op.f("fk_appliance_delivery_unit_id_appliance_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appliance_delivery")),
        sa.UniqueConstraint("reservation_id", name=op.f("uq_appliance_delivery_reservation_id")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_appliance_delivery_unit_id")),
    )
    op.create_index(op.f("ix_appliance_delivery_delivered_on"), "appliance_delivery", ["delivered_on"], unique=False)
    op.create_table(
        "appliance_disposal",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("unit_id", sa.BigInteger(), nullable=False),
        sa.Column("recycling_law", sa.Boolean(), nullable=False),
        sa.Column("disposed_on", sa.Date(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "failed_inspection",
                "damaged",
                "too_old",
                "no_pse_mark",
                "recalled",
                "unclaimed",
                "other",
                name="appliance_disposal_reason",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("recycling_ticket_number", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("disposed_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        # The recycling-law flag travels from the category to the unit to its disposal through composite
        # foreign keys, so the database itself refuses a recycling-law disposal without its ticket.
        sa.CheckConstraint(
            "NOT recycling_law OR recycling_ticket_number IS NOT NULL",
            name=op.f("ck_appliance_disposal_recycling_ticket_for_recycling_law"),
        ),
        sa.ForeignKeyConstraint(
            ["disposed_by_id"], ["user_account.id"], name=op.f("fk_appliance_disposal_disposed_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id", "recycling_law"],
            ["appliance_unit.id", "appliance_unit.recycling_law"],
            name=op.f("fk_appliance_disposal_unit_id_appliance_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appliance_disposal")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_appliance_disposal_unit_id")),
    )

    # The status history and the inspection record are append-only, like the audit log
    # (forbid_change() comes from 0001): inspections are to be kept (three years, DOMAIN.md).
    for table in ("appliance_status_change", "appliance_inspection"):
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION forbid_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()"
        )
    seed_categories()


# The four categories of the home appliance recycling law (家電リサイクル法) are marked here, as data.
APPLIANCE_CATEGORIES = [
    ("refrigerator", "冷蔵庫・冷凍庫", "Refrigerator or freezer", True),
    ("washing_machine", "洗濯機・衣類乾燥機", "Washing machine or dryer", True),
    ("microwave", "電子レンジ", "Microwave oven", False),
    ("rice_cooker", "炊飯器", "Rice cooker", False),
    ("tv", "テレビ", "TV", True),
    ("air_conditioner", "エアコン", "Air conditioner", True),
    ("vacuum", "掃除機", "Vacuum cleaner", False),
    ("fan", "扇風機", "Electric fan", False),
    ("heater", "暖房器具", "Heater", False),
    ("other", "その他", "Other", False),
]


def seed_categories() -> None:
    category = sa.table(
        "appliance_category",
        sa.column("code"),
        sa.column("name_ja"),
        sa.column("name_en"),
        sa.column("recycling_law", sa.Boolean),
        sa.column("sort_order", sa.SmallInteger),
    )
    op.bulk_insert(
        category,
        [
            {"code": code, "name_ja": ja, "name_en": en, "recycling_law": law, "sort_order": n}
            for n, (code, ja, en, law) in enumerate(APPLIANCE_CATEGORIES, start=1)
        ],
    )


def downgrade() -> None:
    for table in ("appliance_inspection", "appliance_status_change"):
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.drop_table("appliance_disposal")
    op.drop_index(op.f("ix_appliance_delivery_delivered_on"), table_name="appliance_delivery")
    op.drop_table("appliance_delivery")
    op.drop_index("uq_appliance_reservation_current_referral", table_name="appliance_reservation")
    op.drop_index("uq_appliance_reservation_current_unit", table_name="appliance_reservation")
    op.drop_index(op.f("ix_appliance_reservation_unit_id"), table_name="appliance_reservation")
    op.drop_index(op.f("ix_appliance_reservation_household_id"), table_name="appliance_reservation")
    op.drop_table("appliance_reservation")
    op.drop_index("ix_appliance_inspection_unit_id_id", table_name="appliance_inspection")
    op.drop_table("appliance_inspection")
    op.drop_index("ix_appliance_status_change_unit_id_id", table_name="appliance_status_change")
    op.drop_table("appliance_status_change")
    op.drop_index("ix_appliance_unit_status_category", table_name="appliance_unit")
    op.drop_index(op.f("ix_appliance_unit_donor_id"), table_name="appliance_unit")
    op.drop_table("appliance_unit")
    op.drop_table("appliance_category")
