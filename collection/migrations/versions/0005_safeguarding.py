"""safeguarding: cases, programme contacts and phrases, alerts to staff through the outbox

Revision ID: 0005_safeguarding
Revises: 0006_quality
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_safeguarding"
down_revision = "0006_quality"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("safeguarding_contacts", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("safeguarding_help", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("safeguarding_phrases", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_encrypted", sa.Text(), nullable=True))
    op.create_table(
        "safeguarding_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("phrase", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=254), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=254), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_by", sa.String(length=254), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["statement_id"], ["statement.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("safeguarding_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_safeguarding_case_programme_status", ["programme_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safeguarding_case_statement_id"), ["statement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("safeguarding_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safeguarding_case_statement_id"))
        batch_op.drop_index("ix_safeguarding_case_programme_status")
    op.drop_table("safeguarding_case")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("address_encrypted")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("safeguarding_phrases")
        batch_op.drop_column("safeguarding_help")
        batch_op.drop_column("safeguarding_contacts")
