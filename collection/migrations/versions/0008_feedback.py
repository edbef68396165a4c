"""feedback rounds ("you said, we did"), their recipients and replies; admin page language

Revision ID: 0008_feedback
Revises: 0003_floods
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_feedback"
down_revision = "0003_floods"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "number"),
    )
    op.create_index(
        op.f("ix_feedback_round_programme_id"), "feedback_round", ["programme_id"], unique=False
    )
    op.create_table(
        "feedback_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["round_id"], ["feedback_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "participant_id"),
    )
    op.create_index(
        op.f("ix_feedback_recipient_participant_id"),
        "feedback_recipient",
        ["participant_id"],
        unique=False,
    )
    op.create_table(
        "feedback_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["participant_id"], ["participant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["round_id"], ["feedback_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_feedback_reply_participant_id"), "feedback_reply", ["participant_id"], unique=False
    )
    op.create_index(
        op.f("ix_feedback_reply_round_id"), "feedback_reply", ["round_id"], unique=False
    )
    with op.batch_alter_table("admin_user") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=10), server_default="en", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_user") as batch:
        batch.drop_column("language")
    op.drop_index(op.f("ix_feedback_reply_round_id"), table_name="feedback_reply")
    op.drop_index(op.f("ix_feedback_reply_participant_id"), table_name="feedback_reply")
    op.drop_table("feedback_reply")
    op.drop_index(op.f("ix_feedback_recipient_participant_id"), table_name="feedback_recipient")
    op.drop_table("feedback_recipient")
    op.drop_index(op.f("ix_feedback_round_programme_id"), table_name="feedback_round")
    op.drop_table("feedback_round")
