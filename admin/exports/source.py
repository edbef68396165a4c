"""Fill a `Deck` from the database: anonymised statements, edits and exclusions applied.

Personal data a reviewer has not approved is masked here (`admin.services.masking`), so
every format and the export page's preview print the same words.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.exports.deck import Deck, ExportStatement
from admin.services.masking import mask, mask_optional
from collection.models import Pick, Programme, Response, SafeguardingCase, Statement


async def load_deck(
    *, session: AsyncSession, programme: Programme, include_all: bool = False
) -> Deck:
    """Top-two picks by default, every statement with `include_all`; excluded ones never.

    A statement a reviewer split is never exported itself: its parts are. A statement
    with a safeguarding case nobody has decided on yet is held back from every format,
    and counted so the cover and the summary sheet can say so.
    """
    undecided = select(SafeguardingCase.statement_id).where(
        SafeguardingCase.programme_id == programme.id,
        SafeguardingCase.decision.is_(None),
        SafeguardingCase.statement_id.is_not(None),
    )
    query = (
        select(Statement, Response, Pick.rank)
        .join(Response, Response.id == Statement.response_id)
        .outerjoin(Pick, Pick.statement_id == Statement.id)
        .where(
            Statement.programme_id == programme.id,
            Statement.excluded.is_(False),
            Statement.split.is_(False),
        )
        .order_by(Statement.id)
    )
    if not include_all:
        query = query.where(Pick.rank.is_not(None))
    # A part of a split statement is held back with the statement it came from.
    # (split_from_id is NULL for most statements: compare only where it is set, or
    # SQL's NULL would make "not held" unknown and drop every statement.)
    held = Statement.id.in_(undecided) | (
        Statement.split_from_id.is_not(None) & Statement.split_from_id.in_(undecided)
    )
    held_back = (
        await session.execute(
            select(func.count()).select_from(
                query.where(held).with_only_columns(Statement.id).subquery()
            )
        )
    ).scalar_one()
    rows = (await session.execute(query.where(~held))).all()
    statements = []
    masked = 0
    for statement, response, rank in rows:
        card_text = statement.card_text or statement.text
        original = statement.text if statement.card_text else None
        translation = statement.translation
        if not statement.original_approved:
            shown = (mask(card_text), mask_optional(original), mask_optional(translation))
            masked += shown != (card_text, original, translation)
            card_text, original, translation = shown
        statements.append(
            ExportStatement(
                statement_id=statement.id,
                response_key=response.id,
                category=statement.category,  # type: ignore[arg-type]
                card_text=card_text,
                original_text=original,
                pick_rank=rank,
                perspective=response.perspective,
                segment=response.segment,
                channel=response.channel,
                language=statement.language,
                translation=translation,
                collected_at=statement.created_at,
            )
        )
    dates = [s.collected_at.date() for s in statements]
    return Deck(
        programme_code=programme.code,
        programme_name=programme.name,
        purpose=programme.purpose,
        future_colour=programme.future_colour,
        seed=programme.export_seed,
        exported_at=datetime.now(UTC),
        include_all=include_all,
        statements=statements,
        first_collected=min(dates) if dates else None,
        last_collected=max(dates) if dates else None,
        languages=tuple(programme.languages),
        held_back=int(held_back),
        masked=masked,
    )
