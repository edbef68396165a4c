"""workshop: piles, card placements, action log, state, ballots

Revision ID: 0007_workshop
Revises: 0008_feedback
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_workshop"
down_revision = "0009_inbound_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workshop_pile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.Column("carried_forward", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_workshop_pile_programme", "workshop_pile", ["programme_id", "category"], unique=False
    )
    op.create_table(
        "workshop_card",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("pile_id", sa.Integer(), nullable=True),
        sa.Column("parked", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pile_id"], ["workshop_pile.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["statement_id"], ["statement.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("statement_id"),
    )
    op.create_index(
        "ix_workshop_card_programme_id", "workshop_card", ["programme_id"], unique=False
    )
    op.create_table(
        "workshop_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_workshop_action_programme", "workshop_action", ["programme_id", "id"], unique=False
    )
    op.create_table(
        "workshop_state",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("current_statement_id", sa.Integer(), nullable=True),
        sa.Column("voting_open", sa.Boolean(), nullable=False),
        sa.Column("vote_salt", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("programme_id"),
    )
    op.create_table(
        "workshop_ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("pile_ids", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "voter"),
    )


def downgrade() -> None:
    op.drop_table("workshop_ballot")
    op.drop_table("workshop_state")
    op.drop_index("ix_workshop_action_programme", table_name="workshop_action")
    op.drop_table("workshop_action")
    op.drop_index("ix_workshop_card_programme_id", table_name="workshop_card")
    op.drop_table("workshop_card")
    op.drop_index("ix_workshop_pile_programme", table_name="workshop_pile")
    op.drop_table("workshop_pile")
