"""stock: catalogue, allergens, donors, storage, lots, ledger, reservations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:30:59.070406+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allergen",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_ja", sa.String(length=50), nullable=False),
        sa.Column("name_en", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_allergen")),
    )
    op.create_table(
        "category",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_ja", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("min_days_at_receipt", sa.Integer(), server_default=sa.text("30"), nullable=False),
        sa.Column("min_days_individual", sa.Integer(), server_default=sa.text("14"), nullable=False),
        sa.Column("min_days_pantry", sa.Integer(), server_default=sa.text("7"), nullable=False),
        sa.Column("min_days_partner", sa.Integer(), server_default=sa.text("3"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "min_days_at_receipt >= 0 AND min_days_individual >= 0 AND min_days_pantry >= 0 AND min_days_partner >= 0",
            name=op.f("ck_category_min_days_not_negative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("code", name=op.f("uq_category_code")),
    )
    op.create_table(
        "donor",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "individual",
                "company",
                "farm",
                "retailer",
                "food_drive",
                "government_stockpile",
                "other_food_bank",
                name="donor_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("contact", sa.String(length=500), nullable=True),
        sa.Column("is_anonymous", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("NOT is_anonymous OR kind = 'individual'", name=op.f("ck_donor_only_individuals_anonymous")),
        sa.CheckConstraint("is_anonymous OR name IS NOT NULL", name=op.f("ck_donor_named_unless_anonymous")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_donor")),
    )
    op.create_table(
        "warehouse",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouse")),
        sa.UniqueConstraint("name", name=op.f("uq_warehouse_name")),
    )
    op.create_table(
        "allergen_designation",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("allergen_code", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("mandatory", "recommended", name="allergen_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "effective_until IS NULL OR effective_until > effective_from",
            name=op.f("ck_allergen_designation_period"),
        ),
        sa.ForeignKeyConstraint(
            ["allergen_code"], ["allergen.code"], name=op.f("fk_allergen_designation_allergen_code_allergen")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allergen_designation")),
    )
    op.create_table(
        "item",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("name_ja", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("category_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "unit",
            sa.Enum(
                "piece",
                "pack",
                "can",
                "bottle",
                "bag",
                "box",
                "kg",
                name="unit",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("unit_weight_kg", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("barcode", sa.String(length=14), nullable=True),
        sa.Column(
            "zone",
            sa.Enum("ambient", "chilled", "frozen", name="zone", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "date_kind",
            sa.Enum(
                "best_before",
                "use_by",
                "crop_year",
                "none",
                name="date_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("allergens_known", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("unit_weight_kg >= 0", name=op.f("ck_item_unit_weight_not_negative")),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], name=op.f("fk_item_category_id_category")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint("barcode", name=op.f("uq_item_barcode")),
    )
    op.create_index(op.f("ix_item_category_id"), "item", ["category_id"], unique=False)
    op.create_table(
        "location",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column(
            "zone",
            sa.Enum("ambient", "chilled", "frozen", name="zone", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouse.id"], name=op.f("fk_location_warehouse_id_warehouse")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
        sa.UniqueConstraint("warehouse_id", "code", name=op.f("uq_location_warehouse_id_code")),
    )
    op.create_table(
        "item_allergen",
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("allergen_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["allergen_code"], ["allergen.code"], name=op.f("fk_item_allergen_allergen_code_allergen")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_item_allergen_item_id_item"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", "allergen_code", name=op.f("pk_item_allergen")),
    )
    op.create_table(
        "receipt",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("donation", "opening_balance", name="receipt_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("donor_id", sa.BigInteger(), nullable=True),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("received_by_id", sa.BigInteger(), nullable=True),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind <> 'donation' OR donor_id IS NOT NULL", name=op.f("ck_receipt_donation_has_donor")),
        sa.ForeignKeyConstraint(["donor_id"], ["donor.id"], name=op.f("fk_receipt_donor_id_donor")),
        sa.ForeignKeyConstraint(
            ["received_by_id"], ["user_account.id"], name=op.f("fk_receipt_received_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt")),
    )
    op.create_index(op.f("ix_receipt_donor_id"), "receipt", ["donor_id"], unique=False)
    op.create_table(
        "reservation",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "household",
                "pantry_event",
                "partner",
                "other",
                name="reservation_purpose",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("purpose_ref", sa.String(length=64), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("individual", "pantry", "partner", name="channel", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("distribution_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "picked",
                "released",
                name="reservation_status",
                native_enum=False,
                create_constraint=True,
            ),
            server_default="open",
            nullable=False,
        ),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("picked_by_id", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_reservation_created_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["picked_by_id"], ["user_account.id"], name=op.f("fk_reservation_picked_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation")),
    )
    op.create_table(
        "lot",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("receipt_id", sa.BigInteger(), nullable=False),
        sa.Column("receipt_line_no", sa.SmallInteger(), nullable=False),
        sa.Column("parent_lot_id", sa.BigInteger(), nullable=True),
        sa.Column("location_id", sa.BigInteger(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column(
            "date_precision",
            sa.Enum("day", "month", name="date_precision", native_enum=False, create_constraint=True),
            nullable=True,
        ),
        sa.Column("crop_year", sa.SmallInteger(), nullable=True),
        sa.Column("lot_code", sa.String(length=64), nullable=True),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("quantity_received", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "on_hold", "recalled", name="lot_status", native_enum=False, create_constraint=True),
            server_default="active",
            nullable=False,
        ),
        sa.Column("hold_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status = 'active' OR hold_reason IS NOT NULL", name=op.f("ck_lot_hold_has_reason")),
        sa.CheckConstraint("(expiry_date IS NULL) = (date_precision IS NULL)", name=op.f("ck_lot_date_has_precision")),
        sa.CheckConstraint("crop_year IS NULL OR crop_year BETWEEN 1990 AND 2100", name=op.f("ck_lot_crop_year_range")),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_lot_on_hand_not_negative")),
        sa.CheckConstraint("quantity_received > 0", name=op.f("ck_lot_received_positive")),
        sa.CheckConstraint("reserved <= on_hand", name=op.f("ck_lot_reserved_within_on_hand")),
        sa.CheckConstraint("reserved >= 0", name=op.f("ck_lot_reserved_not_negative")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_lot_item_id_item")),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], name=op.f("fk_lot_location_id_location")),
        sa.ForeignKeyConstraint(["parent_lot_id"], ["lot.id"], name=op.f("fk_lot_parent_lot_id_lot")),
        sa.ForeignKeyConstraint(["receipt_id"], ["receipt.id"], name=op.f("fk_lot_receipt_id_receipt")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot")),
    )
    op.create_index(
        "ix_lot_available",
        "lot",
        ["item_id"],
        unique=False,
        postgresql_where=sa.text("on_hand > reserved AND status = 'active'"),
    )
    op.create_index("ix_lot_item_id_expiry_date", "lot", ["item_id", "expiry_date"], unique=False)
    op.create_index(op.f("ix_lot_location_id"), "lot", ["location_id"], unique=False)
    op.create_table(
        "reservation_line",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("reservation_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("picked_quantity", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "picked_quantity IS NULL OR picked_quantity BETWEEN 0 AND quantity",
            name=op.f("ck_reservation_line_picked_range"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_reservation_line_quantity_positive")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_reservation_line_item_id_item")),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_reservation_line_lot_id_lot")),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservation.id"],
            name=op.f("fk_reservation_line_reservation_id_reservation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation_line")),
    )
    op.create_index(op.f("ix_reservation_line_lot_id"), "reservation_line", ["lot_id"], unique=False)
    op.create_index(op.f("ix_reservation_line_reservation_id"), "reservation_line", ["reservation_id"], unique=False)
    op.create_table(
        "stock_movement",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "receipt",
                "reservation",
                "release",
                "issue",
                "return",
                "transfer",
                "adjustment",
                "disposal",
                name="movement_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("on_hand_delta", sa.Integer(), nullable=False),
        sa.Column("reserved_delta", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("reservation_id", sa.BigInteger(), nullable=True),
        sa.Column("counterpart_lot_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "CASE kind WHEN 'receipt' THEN on_hand_delta > 0 AND reserved_delta = 0 WHEN 'reservation' THEN on_hand_delta = 0 AND reserved_delta > 0 WHEN 'release' THEN on_hand_delta = 0 AND reserved_delta < 0 WHEN 'issue' THEN on_hand_delta < 0 AND reserved_delta <= 0 WHEN 'return' THEN on_hand_delta > 0 AND reserved_delta = 0 WHEN 'transfer' THEN reserved_delta = 0 AND counterpart_lot_id IS NOT NULL WHEN 'adjustment' THEN reserved_delta = 0 AND reason IS NOT NULL WHEN 'disposal' THEN on_hand_delta < 0 AND reason IN ('expired', 'damaged', 'recalled') END",
            name=op.f("ck_stock_movement_kind_rules"),
        ),
        sa.CheckConstraint(
            "on_hand_delta <> 0 OR reserved_delta <> 0", name=op.f("ck_stock_movement_changes_something")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_stock_movement_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["counterpart_lot_id"], ["lot.id"], name=op.f("fk_stock_movement_counterpart_lot_id_lot")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_stock_movement_lot_id_lot")),
        sa.ForeignKeyConstraint(
            ["reservation_id"], ["reservation.id"], name=op.f("fk_stock_movement_reservation_id_reservation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movement")),
    )
    op.create_index("ix_stock_movement_lot_id_id", "stock_movement", ["lot_id", "id"], unique=False)
    op.create_index("ix_stock_movement_occurred_at", "stock_movement", ["occurred_at"], unique=False)
    op.create_index(op.f("ix_stock_movement_reservation_id"), "stock_movement", ["reservation_id"], unique=False)

    # The ledger is append-only, like the audit log (forbid_change() comes from 0001).
    op.execute(
        "CREATE TRIGGER stock_movement_append_only BEFORE UPDATE OR DELETE ON stock_movement "
        "FOR EACH ROW EXECUTE FUNCTION forbid_change()"
    )
    op.execute(
        "CREATE TRIGGER stock_movement_no_truncate BEFORE TRUNCATE ON stock_movement "
        "FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()"
    )
    seed_allergens()


# 食品表示基準: allergens are data with effective dates, not code. くるみ became mandatory on
# 2023-03-09; カシューナッツ is expected to become mandatory, and ピスタチオ recommended, from
# 2026-04-01 (with a transition period for labels).
ALLERGENS = [
    ("shrimp", "えび", "shrimp"),
    ("crab", "かに", "crab"),
    ("walnut", "くるみ", "walnut"),
    ("wheat", "小麦", "wheat"),
    ("buckwheat", "そば", "buckwheat"),
    ("egg", "卵", "egg"),
    ("milk", "乳", "milk"),
    ("peanut", "落花生", "peanut"),
    ("almond", "アーモンド", "almond"),
    ("abalone", "あわび", "abalone"),
    ("squid", "いか", "squid"),
    ("salmon_roe", "いくら", "salmon roe"),
    ("orange", "オレンジ", "orange"),
    ("cashew", "カシューナッツ", "cashew nut"),
    ("kiwi", "キウイフルーツ", "kiwi fruit"),
    ("beef", "牛肉", "beef"),
    ("sesame", "ごま", "sesame"),
    ("salmon", "さけ", "salmon"),
    ("mackerel", "さば", "mackerel"),
    ("soybean", "大豆", "soybean"),
    ("chicken", "鶏肉", "chicken"),
    ("banana", "バナナ", "banana"),
    ("pork", "豚肉", "pork"),
    ("macadamia", "マカダミアナッツ", "macadamia nut"),
    ("peach", "もも", "peach"),
    ("yam", "やまいも", "yam"),
    ("apple", "りんご", "apple"),
    ("gelatin", "ゼラチン", "gelatin"),
    ("pistachio", "ピスタチオ", "pistachio"),
]
SINCE_EVER = "2001-04-01"
DESIGNATIONS = [
    *[
        (code, "mandatory", SINCE_EVER, None)
        for code in ("shrimp", "crab", "wheat", "buckwheat", "egg", "milk", "peanut")
    ],
    ("walnut", "recommended", SINCE_EVER, "2023-03-09"),
    ("walnut", "mandatory", "2023-03-09", None),
    *[
        (code, "recommended", SINCE_EVER, None)
        for code in (
            "almond",
            "abalone",
            "squid",
            "salmon_roe",
            "orange",
            "kiwi",
            "beef",
            "sesame",
            "salmon",
            "mackerel",
            "soybean",
            "chicken",
            "banana",
            "pork",
            "macadamia",
            "peach",
            "yam",
            "apple",
            "gelatin",
        )
    ],
    ("cashew", "recommended", SINCE_EVER, "2026-04-01"),
    ("cashew", "mandatory", "2026-04-01", None),
    ("pistachio", "recommended", "2026-04-01", None),
]


def seed_allergens() -> None:
    allergen = sa.table("allergen", sa.column("code"), sa.column("name_ja"), sa.column("name_en"))
    op.bulk_insert(allergen, [{"code": c, "name_ja": ja, "name_en": en} for c, ja, en in ALLERGENS])
    designation = sa.table(
        "allergen_designation",
        sa.column("allergen_code"),
        sa.column("kind"),
        sa.column("effective_from", sa.Date),
        sa.column("effective_until", sa.Date),
    )
    from datetime import date

    op.bulk_insert(
        designation,
        [
            {
                "allergen_code": code,
                "kind": kind,
                "effective_from": date.fromisoformat(start),
                "effective_until": date.fromisoformat(end) if end else None,
            }
            for code, kind, start, end in DESIGNATIONS
        ],
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER stock_movement_no_truncate ON stock_movement")
    op.execute("DROP TRIGGER stock_movement_append_only ON stock_movement")
    op.drop_index(op.f("ix_stock_movement_reservation_id"), table_name="stock_movement")
    op.drop_index("ix_stock_movement_occurred_at", table_name="stock_movement")
    op.drop_index("ix_stock_movement_lot_id_id", table_name="stock_movement")
    op.drop_table("stock_movement")
    op.drop_index(op.f("ix_reservation_line_reservation_id"), table_name="reservation_line")
    op.drop_index(op.f("ix_reservation_line_lot_id"), table_name="reservation_line")
    op.drop_table("reservation_line")
    op.drop_index(op.f("ix_lot_location_id"), table_name="lot")
    op.drop_index("ix_lot_item_id_expiry_date", table_name="lot")
    op.drop_index(
        "ix_lot_available",
        table_name="lot",
        postgresql_where=sa.text("on_hand > reserved AND status = 'active'"),
    )
    op.drop_table("lot")
    op.drop_table("reservation")
    op.drop_index(op.f("ix_receipt_donor_id"), table_name="receipt")
    op.drop_table("receipt")
    op.drop_table("item_allergen")
    op.drop_table("location")
    op.drop_index(op.f("ix_item_category_id"), table_name="item")
    op.drop_table("item")
    op.drop_table("allergen_designation")
    op.drop_table("warehouse")
    op.drop_table("donor")
    op.drop_table("category")
    op.drop_table("allergen")
