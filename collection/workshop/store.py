"""Storing the card call: piles, placements and the action log that makes undo possible.

Every function changes the database inside the caller's transaction and logs one
`WorkshopAction` listing each row it changed with its values before and after.
Undo writes the `before` values back, newest action first, so whatever the
facilitator did (a placement, a new pile, a merge, a split, a rename) can be
taken back the same way, from any screen following the workshop.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.model import CATEGORIES
from collection.models import Statement
from collection.workshop.errors import WorkshopError
from collection.workshop.models import WorkshopAction, WorkshopCard, WorkshopPile, WorkshopState

NAME_LIMIT = 300
_PILE_FIELDS = ("name", "removed", "position", "dots", "carried_forward")


class Changes:
    """What one action changed, row by row, with the values before and after."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def card(self, statement_id: int, before: dict[str, Any], after: dict[str, Any]) -> None:
        if before != after:
            self.items.append(
                {"table": "card", "id": statement_id, "before": before, "after": after}
            )

    def pile(self, pile_id: int, before: dict[str, Any], after: dict[str, Any]) -> None:
        if before != after:
            self.items.append({"table": "pile", "id": pile_id, "before": before, "after": after})


def clean_name(name: str) -> str:
    """A pile's "I" statement, trimmed; refused when empty or too long for the wall."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise WorkshopError('A pile needs a name (an "I" statement, e.g. "I am lonely").')
    if len(cleaned) > NAME_LIMIT:
        raise WorkshopError(f"A pile's name can be at most {NAME_LIMIT} characters.")
    return cleaned


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise WorkshopError(f"The category must be one of {', '.join(CATEGORIES)}.")
    return category


async def state_of(*, session: AsyncSession, programme_id: int) -> WorkshopState:
    """The workshop's shared state, made on first use (starting with what is working)."""
    state = await session.get(WorkshopState, programme_id)
    if state is None:
        state = WorkshopState(programme_id=programme_id, category="working", voting_open=False)
        session.add(state)
        await session.flush()
    return state


async def piles(
    *, session: AsyncSession, programme_id: int, category: str | None = None
) -> list[WorkshopPile]:
    """The piles on the board (not merged away), in wall order."""
    query = select(WorkshopPile).where(
        WorkshopPile.programme_id == programme_id, WorkshopPile.removed.is_(False)
    )
    if category is not None:
        query = query.where(WorkshopPile.category == category)
    query = query.order_by(WorkshopPile.category, WorkshopPile.position, WorkshopPile.id)
    return list((await session.execute(query)).scalars())


async def placements(*, session: AsyncSession, programme_id: int) -> dict[int, WorkshopCard]:
    """Where every called card is, by statement id (cards not yet called have no row)."""
    rows = await session.execute(
        select(WorkshopCard).where(WorkshopCard.programme_id == programme_id)
    )
    return {card.statement_id: card for card in rows.scalars()}


async def pile(*, session: AsyncSession, programme_id: int, pile_id: int) -> WorkshopPile:
    found = await session.get(WorkshopPile, pile_id)
    if found is None or found.programme_id != programme_id or found.removed:
        raise WorkshopError(f"There is no pile {pile_id} in this workshop.", status=404)
    return found


async def _statement(session: AsyncSession, programme_id: int, statement_id: int) -> Statement:
    found = await session.get(Statement, statement_id)
    if found is None or found.programme_id != programme_id:
        raise WorkshopError("There is no such card in this workshop.", status=404)
    return found


def _card_values(card: WorkshopCard | None) -> dict[str, Any]:
    if card is None:
        return {"pile_id": None, "parked": False}
    return {"pile_id": card.pile_id, "parked": card.parked}


def _pile_values(found: WorkshopPile) -> dict[str, Any]:
    return {name: getattr(found, name) for name in _PILE_FIELDS}


async def _set_card(
    session: AsyncSession,
    changes: Changes,
    *,
    programme_id: int,
    statement_id: int,
    pile_id: int | None,
    parked: bool,
    now: datetime,
) -> None:
    card = await session.get(WorkshopCard, statement_id)
    before = _card_values(card)
    if card is None:
        card = WorkshopCard(statement_id=statement_id, programme_id=programme_id)
        session.add(card)
    card.pile_id, card.parked, card.updated_at = pile_id, parked, now
    changes.card(statement_id, before, {"pile_id": pile_id, "parked": parked})


def _log(
    session: AsyncSession,
    *,
    programme_id: int,
    actor: str,
    kind: str,
    changes: Changes,
    now: datetime,
) -> WorkshopAction:
    action = WorkshopAction(
        programme_id=programme_id, actor=actor, kind=kind, changes=changes.items, at=now
    )
    session.add(action)
    return action


async def _next_position(session: AsyncSession, programme_id: int, category: str) -> int:
    result = await session.execute(
        select(func.max(WorkshopPile.position)).where(
            WorkshopPile.programme_id == programme_id, WorkshopPile.category == category
        )
    )
    return int(result.scalar_one_or_none() or 0) + 1


async def create_pile(
    *,
    session: AsyncSession,
    programme_id: int,
    category: str,
    name: str,
    actor: str,
    now: datetime,
    statement_id: int | None = None,
) -> WorkshopPile:
    """A new pile at the end of its category's wall; with `statement_id`, that card on it.

    Starting a pile from the card being read out is one action, so one undo takes
    both back.
    """
    check_category(category)
    new = WorkshopPile(
        programme_id=programme_id,
        category=category,
        name=clean_name(name),
        position=await _next_position(session, programme_id, category),
        removed=False,
        dots=0,
        carried_forward=False,
        created_at=now,
    )
    if statement_id is not None:
        statement = await _statement(session, programme_id, statement_id)
        if statement.category != category:
            raise WorkshopError("That card belongs to another category's wall.")
    session.add(new)
    await session.flush()
    changes = Changes()
    changes.pile(new.id, {**_pile_values(new), "removed": True}, _pile_values(new))
    if statement_id is not None:
        await _set_card(
            session,
            changes,
            programme_id=programme_id,
            statement_id=statement_id,
            pile_id=new.id,
            parked=False,
            now=now,
        )
    _log(session, programme_id=programme_id, actor=actor, kind="new_pile", changes=changes, now=now)
    await session.flush()
    return new


async def place(
    *,
    session: AsyncSession,
    programme_id: int,
    statement_id: int,
    pile_id: int | None,
    parked: bool,
    actor: str,
    now: datetime,
) -> WorkshopAction:
    """Put a card on a pile, park it (`parked`), or take it back off (neither)."""
    statement = await _statement(session, programme_id, statement_id)
    if pile_id is not None:
        if parked:
            raise WorkshopError("A card is either on a pile or parked, not both.")
        target = await pile(session=session, programme_id=programme_id, pile_id=pile_id)
        if target.category != statement.category:
            raise WorkshopError("That pile is on another category's wall.")
    changes = Changes()
    await _set_card(
        session,
        changes,
        programme_id=programme_id,
        statement_id=statement_id,
        pile_id=pile_id,
        parked=parked,
        now=now,
    )
    kind = "park" if parked else ("place" if pile_id is not None else "unplace")
    action = _log(
        session, programme_id=programme_id, actor=actor, kind=kind, changes=changes, now=now
    )
    await session.flush()
    return action


async def update_pile(
    *,
    session: AsyncSession,
    programme_id: int,
    pile_id: int,
    actor: str,
    now: datetime,
    name: str | None = None,
    dots: int | None = None,
    carried_forward: bool | None = None,
    position: int | None = None,
) -> WorkshopPile:
    """Rename a pile, type in its paper dots, mark it carried forward, or move it on the wall."""
    found = await pile(session=session, programme_id=programme_id, pile_id=pile_id)
    before = _pile_values(found)
    if name is not None:
        found.name = clean_name(name)
    if dots is not None:
        if not 0 <= dots <= 10_000:
            raise WorkshopError("Dots must be a count from 0 to 10000.")
        found.dots = dots
    if carried_forward is not None:
        if carried_forward and found.category != "not_working":
            raise WorkshopError('Only "not working" themes go forward to the five whys.')
        found.carried_forward = carried_forward
    if position is not None:
        found.position = position
    changes = Changes()
    changes.pile(found.id, before, _pile_values(found))
    _log(
        session, programme_id=programme_id, actor=actor, kind="edit_pile", changes=changes, now=now
    )
    await session.flush()
    return found


async def merge(
    *,
    session: AsyncSession,
    programme_id: int,
    source_id: int,
    target_id: int,
    actor: str,
    now: datetime,
) -> WorkshopPile:
    """Every card of `source` joins `target`; `source` leaves the wall (undo brings it back)."""
    if source_id == target_id:
        raise WorkshopError("A pile cannot be merged into itself.")
    source = await pile(session=session, programme_id=programme_id, pile_id=source_id)
    target = await pile(session=session, programme_id=programme_id, pile_id=target_id)
    if source.category != target.category:
        raise WorkshopError("Piles of different categories cannot be merged.")
    changes = Changes()
    for card in await _cards_on(session, source.id):
        await _set_card(
            session,
            changes,
            programme_id=programme_id,
            statement_id=card.statement_id,
            pile_id=target.id,
            parked=False,
            now=now,
        )
    before = _pile_values(source)
    source.removed = True
    changes.pile(source.id, before, _pile_values(source))
    _log(session, programme_id=programme_id, actor=actor, kind="merge", changes=changes, now=now)
    await session.flush()
    return target


async def split(
    *,
    session: AsyncSession,
    programme_id: int,
    pile_id: int,
    statement_ids: Sequence[int],
    name: str,
    actor: str,
    now: datetime,
) -> WorkshopPile:
    """Some cards of a pile start a new pile beside it, named `name`."""
    source = await pile(session=session, programme_id=programme_id, pile_id=pile_id)
    on_pile = {card.statement_id for card in await _cards_on(session, source.id)}
    wanted = list(dict.fromkeys(statement_ids))
    if not wanted:
        raise WorkshopError("Choose the cards that make the new pile.")
    if not set(wanted) <= on_pile:
        raise WorkshopError("Only cards on the pile being split can move to the new pile.")
    new = WorkshopPile(
        programme_id=programme_id,
        category=source.category,
        name=clean_name(name),
        position=await _next_position(session, programme_id, source.category),
        removed=False,
        dots=0,
        carried_forward=False,
        created_at=now,
    )
    session.add(new)
    await session.flush()
    changes = Changes()
    changes.pile(new.id, {**_pile_values(new), "removed": True}, _pile_values(new))
    for statement_id in wanted:
        await _set_card(
            session,
            changes,
            programme_id=programme_id,
            statement_id=statement_id,
            pile_id=new.id,
            parked=False,
            now=now,
        )
    _log(session, programme_id=programme_id, actor=actor, kind="split", changes=changes, now=now)
    await session.flush()
    return new


async def _cards_on(session: AsyncSession, pile_id: int) -> list[WorkshopCard]:
    rows = await session.execute(
        select(WorkshopCard)
        .where(WorkshopCard.pile_id == pile_id)
        .order_by(WorkshopCard.updated_at, WorkshopCard.statement_id)
    )
    return list(rows.scalars())


async def undo(
    *, session: AsyncSession, programme_id: int, actor: str, now: datetime
) -> WorkshopAction | None:
    """Take back the latest action not yet undone; None when there is nothing to undo.

    Returns the undone action: its first card change tells the screen which
    card to show again.
    """
    result = await session.execute(
        select(WorkshopAction)
        .where(
            WorkshopAction.programme_id == programme_id,
            WorkshopAction.undone.is_(False),
            WorkshopAction.kind != "undo",
        )
        .order_by(WorkshopAction.id.desc())
        .limit(1)
        .with_for_update()
    )
    action = result.scalar_one_or_none()
    if action is None:
        return None
    for change in reversed(action.changes):
        await _restore(session, change, now)
    action.undone = True
    session.add(
        WorkshopAction(
            programme_id=programme_id,
            actor=actor,
            kind="undo",
            changes=[{"table": "action", "id": action.id}],
            undone=False,
            at=now,
        )
    )
    await session.flush()
    return action


async def _restore(session: AsyncSession, change: dict[str, Any], now: datetime) -> None:
    before: dict[str, Any] = change["before"]
    if change["table"] == "pile":
        found = await session.get(WorkshopPile, change["id"])
        if found is not None:
            for name, value in before.items():
                setattr(found, name, value)
        return
    card = await session.get(WorkshopCard, change["id"])
    if before["pile_id"] is None and not before["parked"]:
        if card is not None:
            await session.delete(card)
        return
    if card is None:
        statement = await session.get(Statement, change["id"])
        if statement is None:
            return
        card = WorkshopCard(statement_id=statement.id, programme_id=statement.programme_id)
        session.add(card)
    card.pile_id, card.parked, card.updated_at = before["pile_id"], before["parked"], now


def undone_statement(action: WorkshopAction) -> int | None:
    """The card an undone action was about, so the screen can show it again."""
    for change in action.changes:
        if change.get("table") == "card":
            return int(change["id"])
    return None


async def history(
    *, session: AsyncSession, programme_id: int, limit: int = 50
) -> list[WorkshopAction]:
    result = await session.execute(
        select(WorkshopAction)
        .where(WorkshopAction.programme_id == programme_id)
        .order_by(WorkshopAction.id.desc())
        .limit(limit)
    )
    return list(result.scalars())
