"""Per-day aggregates of the stock ledger (stock_day), kept by triggers in the same transaction as each
movement, and units and kg stored on each hand-out (distribution.units, .kg), so that the annual
summary reads neither the whole ledger nor the distribution lines. Both are filled from what exists.

- `stock_day_add()`: a statement-level AFTER INSERT trigger on stock_movement with a transition table:
  one INSERT ... ON CONFLICT DO UPDATE per statement adds its movements, dated as the summary dates them
  (receipt: the receipt's received date; issue or return of a hand-out: the hand-out's date; anything
  else: the day it was recorded, Japan time). The ledger is append-only (0002 refuses UPDATE, DELETE
  and TRUNCATE), so inserts are all there is to follow.
- `stock_day_item_changed()`: an item's new unit weight or category is carried to its stock_day rows
  and to the kg of the hand-outs it is in (the app never changes them; SQL might).

Revision ID: 0011
Revises: 0009 (the lead re-points it after 0010 at merge)
Create Date: 2026-12-03 17:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The ledger's movements summed per stock_day key; FROM `movements` (the transition table, or the ledger).
DAY_SUMS = """
SELECT CASE
           WHEN m.kind = 'receipt' THEN r.received_date
           WHEN m.kind IN ('issue', 'return') AND d.id IS NOT NULL THEN d.distributed_on
           ELSE (m.occurred_at AT TIME ZONE 'Asia/Tokyo')::date
       END AS day,
       l.item_id, m.kind,
       CASE m.kind WHEN 'receipt' THEN r.kind WHEN 'disposal' THEN m.reason ELSE '' END AS detail,
       i.category_id, sum(m.on_hand_delta) AS units, sum(m.on_hand_delta * i.unit_weight_kg) AS kg
FROM {movements} m
JOIN lot l ON l.id = m.lot_id
JOIN receipt r ON r.id = l.receipt_id
JOIN item i ON i.id = l.item_id
LEFT JOIN distribution d ON d.id = m.distribution_id
WHERE m.on_hand_delta <> 0
GROUP BY 1, 2, 3, 4, 5
"""


def upgrade() -> None:
    op.add_column("distribution", sa.Column("units", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column(
        "distribution", sa.Column("kg", sa.Numeric(precision=14, scale=3), server_default=sa.text("0"), nullable=False)
    )
    op.execute(
        """
        UPDATE distribution d SET units = s.units, kg = s.kg
        FROM (SELECT l.distribution_id, sum(l.quantity - l.returned) AS units,
                     sum((l.quantity - l.returned) * i.unit_weight_kg) AS kg
              FROM distribution_line l JOIN item i ON i.id = l.item_id
              GROUP BY l.distribution_id) s
        WHERE s.distribution_id = d.id
        """
    )
    op.create_table(
        "stock_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
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
        sa.Column("detail", sa.String(length=32), nullable=False),
        sa.Column("category_id", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("kg", sa.Numeric(precision=16, scale=3), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], name=op.f("fk_stock_day_category_id_category")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_stock_day_item_id_item")),
        sa.PrimaryKeyConstraint("day", "item_id", "kind", "detail", name=op.f("pk_stock_day")),
    )
    op.create_index("ix_stock_day_item_id", "stock_day", ["item_id"], unique=False)
    op.execute(
        "INSERT INTO stock_day (day, item_id, kind, detail, category_id, units, kg) "
        + DAY_SUMS.format(movements="stock_movement")
    )
    # Rows in key order, so that two transactions adding to the same days and items lock them in one order.
    op.execute(
        f"""
        CREATE FUNCTION stock_day_add() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO stock_day AS s (day, item_id, kind, detail, category_id, units, kg)
            SELECT * FROM ({DAY_SUMS.format(movements="new_movements")}) x
            ORDER BY day, item_id, kind, detail
            ON CONFLICT (day, item_id, kind, detail)
            DO UPDATE SET units = s.units + excluded.units, kg = s.kg + excluded.kg;
            RETURN NULL;
        END
        $$
        """  # noqa: S608 - composed of this module's constant
    )
    op.execute(
        "CREATE TRIGGER stock_movement_stock_day AFTER INSERT ON stock_movement "
        "REFERENCING NEW TABLE AS new_movements FOR EACH STATEMENT EXECUTE FUNCTION stock_day_add()"
    )
    op.execute(
        """
        CREATE FUNCTION stock_day_item_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE stock_day SET category_id = NEW.category_id, kg = units * NEW.unit_weight_kg
            WHERE item_id = NEW.id;
            UPDATE distribution d SET kg = s.kg
            FROM (SELECT l.distribution_id, sum((l.quantity - l.returned) * i.unit_weight_kg) AS kg
                  FROM distribution_line l JOIN item i ON i.id = l.item_id
                  WHERE l.distribution_id IN (SELECT distribution_id FROM distribution_line WHERE item_id = NEW.id)
                  GROUP BY l.distribution_id) s
            WHERE s.distribution_id = d.id;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER item_stock_day AFTER UPDATE OF unit_weight_kg, category_id ON item FOR EACH ROW "
        "WHEN (OLD.unit_weight_kg IS DISTINCT FROM NEW.unit_weight_kg OR OLD.category_id IS DISTINCT FROM "
        "NEW.category_id) EXECUTE FUNCTION stock_day_item_changed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER item_stock_day ON item")
    op.execute("DROP FUNCTION stock_day_item_changed()")
    op.execute("DROP TRIGGER stock_movement_stock_day ON stock_movement")
    op.execute("DROP FUNCTION stock_day_add()")
    op.drop_index("ix_stock_day_item_id", table_name="stock_day")
    op.drop_table("stock_day")
    op.drop_column("distribution", "kg")
    op.drop_column("distribution", "units")
