"""quality: masked personal data approval, split statements, word lists per programme

Revision ID: 0006_quality
Revises: 0002
Create Date: 2026-12-01 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_quality"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("original_approved", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("split", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("split_from_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_statement_split_from_id", ["split_from_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_statement_split_from_id_statement",
            "statement",
            ["split_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "programme_word_list",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("programme_id", "language"),
    )


def downgrade() -> None:
    op.drop_table("programme_word_list")
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.drop_constraint("fk_statement_split_from_id_statement", type_="foreignkey")
        batch_op.drop_index("ix_statement_split_from_id")
        batch_op.drop_column("split_from_id")
        batch_op.drop_column("split")
        batch_op.drop_column("original_approved")
