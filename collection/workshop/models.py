"""The workshop's tables: piles, where each card is, what was done (for undo), votes.

Piles are never deleted, only marked `removed`: undoing a merge or a new pile
just flips that flag back, and the action log keeps naming real rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from collection.models import Base, utcnow


class WorkshopPile(Base):
    """A cluster of cards on the board, named with a first-person "I" statement."""

    __tablename__ = "workshop_pile"
    __table_args__ = (Index("ix_workshop_pile_programme", "programme_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    """Order on the wall (and the number people vote with), within the category."""
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    """Merged away or undone; kept so that undo can bring it back."""
    dots: Mapped[int] = mapped_column(Integer, default=0)
    """Votes counted from a paper wall (sticky dots), typed in by the facilitator."""
    carried_forward: Mapped[bool] = mapped_column(Boolean, default=False)
    """Marked by the facilitator: one of the top four or five taken to step 4."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkshopCard(Base):
    """Where one card (a statement) is: on a pile, parked, or not yet called (no row)."""

    __tablename__ = "workshop_card"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statement.id", ondelete="CASCADE"), primary_key=True
    )
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), index=True
    )
    pile_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop_pile.id", ondelete="SET NULL"), default=None
    )
    parked: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkshopAction(Base):
    """One thing the facilitator did, with what it changed, for undo and audit.

    `changes` is a list of {"table": "card"|"pile", "id": ..., "before": {...},
    "after": {...}}; undo writes the `before` values back in reverse order.
    """

    __tablename__ = "workshop_action"
    __table_args__ = (Index("ix_workshop_action_programme", "programme_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    actor: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(30))
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkshopState(Base):
    """Where the card call is, shared by every screen following the workshop."""

    __tablename__ = "workshop_state"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(20), default="working")
    current_statement_id: Mapped[int | None] = mapped_column(Integer, default=None)
    """The card on the screen (None: the category's call is over)."""
    voting_open: Mapped[bool] = mapped_column(Boolean, default=False)
    vote_salt: Mapped[str] = mapped_column(String(64), default="")
    """Keys the phones' ballot cookies to this workshop, so a cookie cannot be replayed."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkshopBallot(Base):
    """One person's three "not working" themes: from a phone (a cookie) or a text."""

    __tablename__ = "workshop_ballot"
    __table_args__ = (UniqueConstraint("programme_id", "voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(100))
    """"web:<hash of the device token>" or "sms:<participant id>": never a number."""
    channel: Mapped[str] = mapped_column(String(20))
    pile_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(default=utcnow)
