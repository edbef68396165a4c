"""The quality checkpoint: every statement with its flags, and who/where flags come from.

Flags are worked out when the page is drawn, from the current word lists, so an
edited list applies at once to everything already collected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.services import flags as flagging
from admin.services import ideas
from admin.services.flags import PERSONAL_KINDS, Flag
from admin.services.masking import mask
from admin.services.wordlists import phrases_for
from admin.web.i18n import N_
from collection.models import Pick, Programme, Response, Statement

NOT_ASSISTED = N_("Nobody (people answered themselves)")
NO_SEGMENT = "Not said"


class StatementEditError(Exception):
    """A card edit or exclusion that cannot be saved as asked."""


@dataclass
class ReviewItem:
    statement: Statement
    response: Response
    pick_rank: int | None
    flags: list[Flag]
    parts: list[int] = field(default_factory=list)
    """For a split statement: the ids of its parts."""

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(f.kind for f in self.flags))

    @property
    def personal(self) -> bool:
        return any(f.kind in PERSONAL_KINDS for f in self.flags)

    @property
    def suggested_parts(self) -> list[str]:
        """The split form's fields: the suggested parts, then empty ones to add more."""
        found = ideas.parts(self.statement.card_text or self.statement.text)
        return found + [""] * max(3 - len(found), 1)

    @property
    def masked_text(self) -> str | None:
        """The words as the export prints them when personal data is masked, else None."""
        if self.statement.original_approved or not self.personal:
            return None
        text = self.statement.card_text or self.statement.text
        shown = mask(text)
        return shown if shown != text else None


@dataclass
class Share:
    total: int = 0
    flagged: int = 0

    @property
    def share(self) -> float:
        return self.flagged / self.total if self.total else 0.0


@dataclass
class Review:
    items: list[ReviewItem]
    by_channel: dict[str, Share] = field(default_factory=dict)
    by_segment: dict[str, Share] = field(default_factory=dict)
    by_staff: dict[str, Share] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def flagged(self) -> int:
        return sum(1 for item in self.items if item.flags)


async def review(*, session: AsyncSession, programme: Programme) -> Review:
    rows = (
        await session.execute(
            select(Statement, Response, Pick.rank)
            .join(Response, Response.id == Statement.response_id)
            .outerjoin(Pick, Pick.statement_id == Statement.id)
            .where(Statement.programme_id == programme.id)
            .order_by(Statement.created_at, Statement.id)
        )
    ).all()
    phrases: dict[str, list[str]] = {}
    for language in {s.language for s, _, _ in rows}:
        phrases[language] = await phrases_for(
            session=session, programme_id=programme.id, language=language
        )
    texts = [
        "" if statement.split else statement.card_text or statement.text for statement, _, _ in rows
    ]
    repeated = flagging.duplicates(texts)
    parts: dict[int, list[int]] = {}
    for statement, _, _ in rows:
        if statement.split_from_id is not None:
            parts.setdefault(statement.split_from_id, []).append(statement.id)
    items = []
    for index, (statement, response, rank) in enumerate(rows):
        if statement.split:  # kept for the record, never exported: nothing to flag
            items.append(ReviewItem(statement, response, rank, [], parts.get(statement.id, [])))
            continue
        found = flagging.check(
            texts[index],
            phrases=phrases.get(statement.language, []),
            language=statement.language,
        )
        if "safeguarding" in (statement.flags or []):  # set at intake (collection/safeguarding)
            found.insert(0, Flag("safeguarding"))
        if index in repeated:
            found.append(Flag("duplicate"))
        items.append(ReviewItem(statement, response, rank, found))
    result = Review(items)
    for item in items:
        groups = (
            (result.by_channel, item.response.channel),
            (result.by_segment, item.response.segment or NO_SEGMENT),
            (result.by_staff, item.response.assisted_by or NOT_ASSISTED),
        )
        for table, key in groups:
            share = table.setdefault(key, Share())
            share.total += 1
            share.flagged += bool(item.flags)
        for kind in item.kinds:
            result.by_kind[kind] = result.by_kind.get(kind, 0) + 1
    return result


def select_items(
    items: Iterable[ReviewItem], *, show: str, category: str, hide_reviewed: bool
) -> list[ReviewItem]:
    """The statements the filter asks for: flagged (default), all, or one kind of flag."""
    chosen = []
    for item in items:
        if category and item.statement.category != category:
            continue
        if hide_reviewed and item.statement.reviewed:
            continue
        if show == "flagged" and not item.flags and item.statement.card_text is None:
            continue  # an edited statement stays in view so the reviewer sees the result
        if show in flagging.FLAG_NAMES and show not in item.kinds:
            continue
        if show == "personal" and not item.personal:
            continue
        if show == "split" and not (item.statement.split or item.statement.split_from_id):
            continue
        if show == "excluded" and not item.statement.excluded:
            continue
        chosen.append(item)
    return chosen


async def statement_in(
    *, session: AsyncSession, programme: Programme, statement_id: int
) -> Statement | None:
    statement = await session.get(Statement, statement_id)
    if statement is None or statement.programme_id != programme.id:
        return None
    return statement


def set_card_text(statement: Statement, text: str, now: datetime) -> bool:
    """Change what goes on the card. The person's own words stay in `text`.

    Saving the original words again (or nothing) removes the edit.
    """
    cleaned = text.strip()
    if len(cleaned) > 2000:
        raise StatementEditError("The card text can be at most 2,000 characters.")
    new = None if not cleaned or cleaned == statement.text else cleaned
    if new == statement.card_text:
        return False
    statement.card_text = new
    return True


def set_translation(statement: Statement, text: str) -> bool:
    """Add or change the translation printed beneath the statement; nothing removes it.

    The room hears every card read aloud, so a statement in Urdu or Welsh needs
    words everyone there understands; the person's own words stay on the card
    above it. Returns whether anything changed (so an unchanged save is not
    audited as an edit).
    """
    cleaned = text.replace("\r\n", "\n").strip()
    if len(cleaned) > 2000:
        raise StatementEditError("The translation can be at most 2,000 characters.")
    new = cleaned or None
    if new == statement.translation:
        return False
    statement.translation = new
    return True


def exclude(statement: Statement, reason: str) -> None:
    reason = " ".join(reason.split())
    if not reason:
        raise StatementEditError("Please say why this statement is left out of the export.")
    statement.excluded, statement.exclude_reason = True, reason[:500]


def approve_original(statement: Statement, approved: bool) -> bool:
    """Print the words as they are (personal data unmasked), or mask them again."""
    if statement.original_approved == approved:
        return False
    statement.original_approved = approved
    return True


def include(statement: Statement) -> None:
    statement.excluded, statement.exclude_reason = False, None
