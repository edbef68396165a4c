"""inbound queue: the inbound log also holds messages accepted but not yet processed

Revision ID: 0009_inbound_queue
Revises: 0003_floods
Create Date: 2026-12-01 06:20:00

A webhook now stores the message first (one insert, one commit) and processes it
within a short budget or in a background worker. The queue is the inbound log
itself: rows written before this revision were all processed, hence `done`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_inbound_queue"
down_revision = "0008_feedback"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    with op.batch_alter_table("inbound_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), nullable=False, server_default="done")
        )
        batch_op.add_column(sa.Column("sender", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("address_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("turn", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("join_code", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("language_hint", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("reply_via", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_index(
        "ix_inbound_log_pending",
        "inbound_log",
        ["channel", "sender", "id"],
        unique=False,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_log_pending", table_name="inbound_log")
    with op.batch_alter_table("inbound_log", schema=None) as batch_op:
        for column in (
            "attempts",
            "processed_at",
            "reply_via",
            "language_hint",
            "join_code",
            "turn",
            "kind",
            "address_encrypted",
            "sender",
            "status",
        ):
            batch_op.drop_column(column)
