"""queue indexes: the outbox's and the inbound queue's claims read pending rows only

Revision ID: 0011_queue_indexes
Revises: 0010_effects_log
Create Date: 2026-12-07 08:15:00

Both queues keep every row they ever held (sent, done), and both claim the oldest
pending row that nothing earlier of the same person holds back. Without these
indexes each claim walked the whole table: with thousands of replies queued after
a burst, the outbox's claim took over PostgreSQL's 10 s command timeout. Partial
indexes hold the pending rows only, so they stay small however long the log grows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_queue_indexes"
down_revision = "0010_effects_log"
branch_labels = None
depends_on = None

OUTBOX_QUEUED = sa.text("status = 'queued'")
OUTBOX_PENDING = sa.text("status IN ('queued', 'sending')")
INBOUND_PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_index(
        "ix_outbox_queued",
        "outbox",
        ["id"],
        postgresql_where=OUTBOX_QUEUED,
        sqlite_where=OUTBOX_QUEUED,
    )
    op.create_index(
        "ix_outbox_pending_person",
        "outbox",
        ["participant_id", "id"],
        postgresql_where=OUTBOX_PENDING,
        sqlite_where=OUTBOX_PENDING,
    )
    op.create_index(
        "ix_inbound_log_pending_id",
        "inbound_log",
        ["id"],
        postgresql_where=INBOUND_PENDING,
        sqlite_where=INBOUND_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_log_pending_id", table_name="inbound_log")
    op.drop_index("ix_outbox_pending_person", table_name="outbox")
    op.drop_index("ix_outbox_queued", table_name="outbox")
