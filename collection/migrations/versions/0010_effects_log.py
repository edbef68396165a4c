"""effects log: each inbound message's effects are stored with its log entry

Revision ID: 0010_effects_log
Revises: 0007_workshop
Create Date: 2026-12-01 11:10:00

Every change to what a person told us is an effect; the effects each message (or
an assisted entry, or the quiet-period timer) caused are kept, in order, so the
history of a response can be replayed and audited. Rows written before this
revision have no record: an empty list.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_effects_log"
down_revision = "0007_workshop"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effects", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("inbound_log", schema=None) as batch_op:
        batch_op.drop_column("effects")
