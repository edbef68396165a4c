"""floods: counters shared by every process (per sender, new conversations)

Revision ID: 0003_floods
Revises: 0006_quality
Create Date: 2026-12-01 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_floods"
down_revision = "0005_safeguarding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flood_counter",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", "slot"),
    )
    with op.batch_alter_table("flood_counter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_flood_counter_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("flood_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flood_counter_expires_at"))
    op.drop_table("flood_counter")
