"""Splitting one statement into several: one idea per card, the original kept.

The method asks for one idea per card. A reviewer who finds several on one
(the "Several ideas on one card" flag suggests where) splits it here. The
original is never deleted: it is marked split, linked from its parts
(`split_from_id`), and left out of every export. The parts keep the original's
response (so its perspective and segment), category, language and date. If the
original was one of the person's top-two picks, the pick moves to the part the
reviewer chooses, keeping its rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.web.i18n import N_
from collection.models import Pick, Statement

MAX_PARTS = 6
MAX_LENGTH = 2000
SPLIT_POSITIONS = 1000
"""Parts are numbered from here within their response and category, so they never take a
position the conversation may still use (BACK, picks by number)."""


class SplitError(Exception):
    """A split that cannot be saved as asked (the message says why, for the reviewer)."""


@dataclass(frozen=True)
class SplitResult:
    parts: list[Statement]
    pick_moved_to: Statement | None


def cleaned_parts(parts: Sequence[str]) -> list[str]:
    """The non-empty parts, each trimmed, checked for number and length."""
    kept = [part.replace("\r\n", "\n").strip() for part in parts]
    kept = [part for part in kept if part]
    if len(kept) < 2:
        raise SplitError(N_("Please give at least two parts: a split needs two or more ideas."))
    if len(kept) > MAX_PARTS:
        raise SplitError(f"A statement can be split into at most {MAX_PARTS} parts.")
    if any(len(part) > MAX_LENGTH for part in kept):
        raise SplitError(f"Each part can be at most {MAX_LENGTH:,} characters.")
    return kept


async def pick_of(*, session: AsyncSession, statement: Statement) -> Pick | None:
    return (
        await session.execute(select(Pick).where(Pick.statement_id == statement.id))
    ).scalar_one_or_none()


async def split_statement(
    *,
    session: AsyncSession,
    statement: Statement,
    parts: Sequence[str],
    pick_to: int | None,
) -> SplitResult:
    """Make the parts, mark the original split, move its pick to part `pick_to` (1-based)."""
    if statement.split:
        raise SplitError(N_("This statement has already been split."))
    texts = cleaned_parts(parts)
    pick = await pick_of(session=session, statement=statement)
    if pick is not None and (pick_to is None or not 1 <= pick_to <= len(texts)):
        raise SplitError(
            "This statement is one of the person's top-two picks: "
            "please choose which part keeps the pick."
        )
    highest = (
        await session.execute(
            select(func.max(Statement.position)).where(
                Statement.response_id == statement.response_id,
                Statement.category == statement.category,
            )
        )
    ).scalar_one()
    start = max(highest or 0, SPLIT_POSITIONS)
    made = [
        Statement(
            response_id=statement.response_id,
            programme_id=statement.programme_id,
            category=statement.category,
            position=start + offset,
            text=text,
            language=statement.language,
            flags=[],
            original_approved=statement.original_approved,
            split_from_id=statement.id,
            created_at=statement.created_at,
        )
        for offset, text in enumerate(texts, 1)
    ]
    session.add_all(made)
    statement.split = True
    await session.flush()
    moved = None
    if pick is not None and pick_to is not None:
        moved = made[pick_to - 1]
        pick.statement_id = moved.id
        await session.flush()
    return SplitResult(made, moved)
