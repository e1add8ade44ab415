"""referral.consent_through: whether the referring agency's consultant or the food bank's staff
recorded a referral and its consent (only the agency's own opens identity to its consultants)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "referral",
        sa.Column(
            "consent_through",
            sa.Enum("agency", "food_bank", name="consent_through", native_enum=False, create_constraint=True),
            nullable=True,
        ),
    )
    # Existing referrals: the agency's own only when a consultant of that agency, who is not one of the
    # food bank's staff, recorded it; anything else was recorded by the food bank in the agency's name.
    op.execute(
        """
        UPDATE referral SET consent_through = CASE WHEN EXISTS (
            SELECT 1 FROM user_account u
            WHERE u.id = referral.consultant_id AND u.agency_id = referral.agency_id
              AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id AND r.role = 'consultant')
              AND NOT EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id AND r.role IN ('admin', 'coordinator'))
        ) THEN 'agency' ELSE 'food_bank' END
        """
    )
    op.alter_column("referral", "consent_through", nullable=False)


def downgrade() -> None:
    op.drop_column("referral", "consent_through")
