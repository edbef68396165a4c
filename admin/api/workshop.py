"""The workshop API: `/api/v1/programmes/{code}/workshop/...`.

Piles, card placements, suggestions, the card-call position, undo and votes.
The card-call screen and the wall use these same paths (with the session cookie
and a CSRF header, see admin/web/workshop_auth.py), so a script and a screen see one
workshop. Each change is stored at once, logged for undo, and audited.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.api.workshop_schemas import (
    CardPlace,
    CardRead,
    PileCreate,
    PileMerge,
    PileRead,
    PileSplit,
    PileUpdate,
    StateChange,
    StateRead,
    SuggestionRead,
    SuggestionsRead,
    VotesRead,
    VotingChange,
)
from admin.exports.categories import category_colour, ink_on
from admin.exports.deck import Card
from admin.services import audit
from admin.services.workshop_deck import Board, PileView, load_board, votes_read
from admin.web.deps import ClockDep, SessionDep
from admin.web.workshop_auth import WorkshopUser, facilitated
from admin.web.workshop_suggest import scorer_for
from collection.models import Programme, User
from collection.workshop import store, votes
from collection.workshop.errors import WorkshopError
from collection.workshop.models import WorkshopAction
from collection.workshop.suggest import PileText

router = APIRouter(prefix="/programmes/{code}/workshop", tags=["workshop"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No API token or session"},
    403: {"description": "Only the programme's leads and administrators run its workshop"},
    404: {"description": "No such programme, pile or card"},
    409: {"description": "Not possible now (voting closed)"},
    422: {"description": "The request does not fit the workshop"},
}
Reference = Annotated[str, Path(max_length=20, description="A card's reference, e.g. W-07")]


def _refuse(error: WorkshopError) -> HTTPException:
    return HTTPException(error.status, error.message)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def card_read(board: Board, card: Card) -> CardRead:
    s = card.statement
    return CardRead(
        reference=card.reference,
        category=s.category,
        text=s.card_text,
        translation=s.translation,
        pile_id=board.pile_of(card),
        parked=board.is_parked(card),
    )


def pile_read(board: Board, view: PileView) -> PileRead:
    return PileRead(
        id=view.id,
        category=view.category,
        name=view.name,
        number=view.number,
        count=view.count,
        dots=view.dots,
        votes=view.votes,
        carried_forward=view.carried_forward,
        cards=[card_read(board, c) for c in view.cards],
    )


def _view(board: Board, pile_id: int) -> PileView:
    for views in board.piles.values():
        for view in views:
            if view.id == pile_id:
                return view
    raise WorkshopError(f"There is no pile {pile_id} in this workshop.", status=404)


def _audit(
    session: AsyncSession, user: User, programme: Programme, action: str, **detail: Any
) -> None:
    audit.record(
        session=session,
        actor=user.email,
        action=f"workshop.{action}",
        target=programme.code,
        detail=detail,
    )


async def state_read(session: AsyncSession, programme: Programme, board: Board) -> StateRead:
    state = await store.state_of(session=session, programme_id=programme.id)
    category = state.category
    current = board.by_statement(state.current_statement_id)
    if current is None or current.statement.category != category:
        current = board.next_card(category, None)
    cards = board.in_category(category)
    colour = category_colour(board.deck, category)  # type: ignore[arg-type]
    version = await session.execute(
        select(func.max(WorkshopAction.id)).where(WorkshopAction.programme_id == programme.id)
    )
    return StateRead(
        category=category,
        colour=_hex(colour),
        ink=_hex(ink_on(colour)),
        current=card_read(board, current) if current is not None else None,
        position=cards.index(current) + 1 if current is not None else len(cards),
        total=len(cards),
        called=sum(1 for c in cards if board.is_called(c)),
        parked=[card_read(board, c) for c in board.parked[category]],
        voting_open=state.voting_open,
        version=int(version.scalar_one_or_none() or 0),
    )


@router.get("/piles", response_model=list[PileRead], responses=ERRORS)
async def list_piles(
    code: str,
    session: SessionDep,
    user: WorkshopUser,
    category: Annotated[str | None, Query(pattern="^(working|not_working|future)$")] = None,
) -> list[PileRead]:
    """The piles on the wall with their cards, working first, in wall order."""
    programme = await facilitated(session=session, user=user, code=code)
    board = await load_board(session=session, programme=programme)
    return [
        pile_read(board, view)
        for name, views in board.piles.items()
        if category in (None, name)
        for view in views
    ]


@router.post("/piles", response_model=PileRead, status_code=201, responses=ERRORS)
async def create_pile(
    code: str, data: PileCreate, session: SessionDep, user: WorkshopUser, clock: ClockDep
) -> PileRead:
    """Start a pile, named with an "I" statement; with `reference`, that card goes on it."""
    programme = await facilitated(session=session, user=user, code=code)
    board = await load_board(session=session, programme=programme)
    try:
        card = board.card(data.reference) if data.reference else None
        new = await store.create_pile(
            session=session,
            programme_id=programme.id,
            category=data.category,
            name=data.name,
            actor=user.email,
            now=clock(),
            statement_id=card.statement.statement_id if card else None,
        )
        if card is not None:
            await _advance(session, programme, board, card)
    except WorkshopError as error:
        raise _refuse(error) from error
    _audit(session, user, programme, "pile.create", pile=new.id, card=data.reference)
    board = await load_board(session=session, programme=programme)
    return pile_read(board, _view(board, new.id))


@router.patch("/piles/{pile_id}", response_model=PileRead, responses=ERRORS)
async def update_pile(
    code: str,
    pile_id: int,
    data: PileUpdate,
    session: SessionDep,
    user: WorkshopUser,
    clock: ClockDep,
) -> PileRead:
    """Rename a pile (its "I" statement), type in paper dots, or mark it carried forward."""
    programme = await facilitated(session=session, user=user, code=code)
    try:
        await store.update_pile(
            session=session,
            programme_id=programme.id,
            pile_id=pile_id,
            actor=user.email,
            now=clock(),
            name=data.name,
            dots=data.dots,
            carried_forward=data.carried_forward,
        )
    except WorkshopError as error:
        raise _refuse(error) from error
    _audit(
        session, user, programme, "pile.edit", pile=pile_id, fields=sorted(data.model_fields_set)
    )
    board = await load_board(session=session, programme=programme)
    return pile_read(board, _view(board, pile_id))


@router.post("/piles/{pile_id}/merge", response_model=PileRead, responses=ERRORS)
async def merge_pile(
    code: str,
    pile_id: int,
    data: PileMerge,
    session: SessionDep,
    user: WorkshopUser,
    clock: ClockDep,
) -> PileRead:
    """This pile's cards join pile `into`; this pile leaves the wall. Answers `into`."""
    programme = await facilitated(session=session, user=user, code=code)
    try:
        await store.merge(
            session=session,
            programme_id=programme.id,
            source_id=pile_id,
            target_id=data.into,
            actor=user.email,
            now=clock(),
        )
    except WorkshopError as error:
        raise _refuse(error) from error
    _audit(session, user, programme, "pile.merge", pile=pile_id, into=data.into)
    board = await load_board(session=session, programme=programme)
    return pile_read(board, _view(board, data.into))


@router.post("/piles/{pile_id}/split", response_model=PileRead, status_code=201, responses=ERRORS)
async def split_pile(
    code: str,
    pile_id: int,
    data: PileSplit,
    session: SessionDep,
    user: WorkshopUser,
    clock: ClockDep,
) -> PileRead:
    """The cards named by `references` leave this pile and start a new one. Answers the new pile."""
    programme = await facilitated(session=session, user=user, code=code)
    board = await load_board(session=session, programme=programme)
    try:
        ids = [board.card(reference).statement.statement_id for reference in data.references]
        new = await store.split(
            session=session,
            programme_id=programme.id,
            pile_id=pile_id,
            statement_ids=ids,
            name=data.name,
            actor=user.email,
            now=clock(),
        )
    except WorkshopError as error:
        raise _refuse(error) from error
    _audit(session, user, programme, "pile.split", pile=pile_id, new=new.id, cards=data.references)
    board = await load_board(session=session, programme=programme)
    return pile_read(board, _view(board, new.id))


async def _advance(session: AsyncSession, programme: Programme, board: Board, card: Card) -> None:
    """After the card on the screen is placed, the screen moves on to the next card."""
    state = await store.state_of(session=session, programme_id=programme.id)
    shown = board.by_statement(state.current_statement_id) or board.next_card(state.category, None)
    if shown is not None and shown.reference == card.reference:
        refreshed = await load_board(session=session, programme=programme)
        following = refreshed.next_card(state.category, refreshed.card(card.reference))
        state.current_statement_id = following.statement.statement_id if following else None


@router.get("/cards", response_model=list[CardRead], responses=ERRORS)
async def list_cards(
    code: str,
    session: SessionDep,
    user: WorkshopUser,
    category: Annotated[str | None, Query(pattern="^(working|not_working|future)$")] = None,
) -> list[CardRead]:
    """Every card in card-call order (the export's references), with where it is now."""
    programme = await facilitated(session=session, user=user, code=code)
    board = await load_board(session=session, programme=programme)
    return [card_read(board, c) for c in board.cards if category in (None, c.statement.category)]


@router.put("/cards/{reference}", response_model=CardRead, responses=ERRORS)
async def place_card(
    code: str,
    reference: Reference,
    data: CardPlace,
    session: SessionDep,
    user: WorkshopUser,
    clock: ClockDep,
) -> CardRead:
    """Put a card on a pile (`pile_id`), park it (`parked: true`), or take it off (neither).

    When it is the card on the screen, the screens move on to the next card.
    """
    programme = await facilitated(session=session, user=user, code=code)
    board = await load_board(session=session, programme=programme)
    try:
        card = board.card(reference)
        await store.place(
            session=session,
            programme_id=programme.id,
            statement_id=card.statement.statement_id,
            pile_id=data.pile_id,
            parked=data.parked,
            actor=user.email,
            now=clock(),
        )
        if data.pile_id is not None or data.parked:
            await _advance(session, programme, board, card)
    except WorkshopError as error:
        raise _refuse(error) from error
    _audit(
        session,
        user,
        programme,
        "card.place",
        card=card.reference,
        pile=data.pile_id,
        parked=data.parked,
    )
    board = await load_board(session=session, programme=programme)
    return card_read(board, board.card(reference))


@router.get("/cards/{reference}/suggestions", response_model=SuggestionsRead, responses=ERRORS)
async def suggestions(
    code: str,
    reference: Reference,
    request: Request,
    session: SessionDep,
    user: WorkshopUser,
    limit: Annotated[int, Query(ge=1, le=50)] = 3,
) -> SuggestionsRead:
    """The piles of this card's category, likeliest first, with a score (a hint only)."""
    programme = await facilitated(session=session, user=user, code=code)
    board = await load_board(session=session, programme=programme)
    try:
        card = board.card(reference)
    except WorkshopError as error:
        raise _refuse(error) from error
    views = board.piles[card.statement.category]
    texts = [
        PileText(
            pile_id=v.id,
            name=v.name,
            cards=tuple(c.statement.card_text for c in v.cards if c != card),
        )
        for v in views
    ]
    # In a worker thread: the embedding model loads on first use and encodes on the CPU,
    # which must not hold up every other request of this process meanwhile.
    scorer = await asyncio.to_thread(scorer_for, request.app)
    ranked = await asyncio.to_thread(scorer.rank, card.statement.card_text, texts)
    by_id = {v.id: v for v in views}
    return SuggestionsRead(
        reference=card.reference,
        scorer=scorer.name,
        suggestions=[
            SuggestionRead(
                pile_id=s.pile_id,
                name=by_id[s.pile_id].name,
                number=by_id[s.pile_id].number,
                score=s.score,
            )
            for s in ranked[:limit]
        ],
    )


@router.get("/state", response_model=StateRead, responses=ERRORS)
async def get_state(code: str, session: SessionDep, user: WorkshopUser) -> StateRead:
    """Where the card call is: the category, the card on the screen, how far along."""
    programme = await facilitated(session=session, user=user, code=code)
    board = await load_board(session=session, programme=programme)
    return await state_read(session, programme, board)


@router.put("/state", response_model=StateRead, responses=ERRORS)
async def change_state(
    code: str, data: StateChange, session: SessionDep, user: WorkshopUser, clock: ClockDep
) -> StateRead:
    """Move the card call: to a category, to a card, or one card on or back."""
    programme = await facilitated(session=session, user=user, code=code)
    board = await load_board(session=session, programme=programme)
    state = await store.state_of(session=session, programme_id=programme.id)
    try:
        if data.category is not None and data.category != state.category:
            state.category = data.category
            first = board.next_card(data.category, None)
            state.current_statement_id = first.statement.statement_id if first else None
        shown = board.by_statement(state.current_statement_id)
        if shown is None or shown.statement.category != state.category:
            shown = board.next_card(state.category, None)
        if data.reference is not None:
            shown = board.card(data.reference)
            if shown.statement.category != state.category:
                state.category = shown.statement.category
        if data.step == "next":
            shown = board.next_card(state.category, shown)
        elif data.step == "previous":
            shown = board.previous_card(state.category, shown) or shown
    except WorkshopError as error:
        raise _refuse(error) from error
    state.current_statement_id = shown.statement.statement_id if shown else None
    state.updated_at = clock()
    await session.flush()
    return await state_read(session, programme, board)


@router.post("/undo", response_model=StateRead, responses=ERRORS)
async def undo(code: str, session: SessionDep, user: WorkshopUser, clock: ClockDep) -> StateRead:
    """Take back the latest change (from any screen); the card it moved comes back on screen."""
    programme = await facilitated(session=session, user=user, code=code)
    action = await store.undo(
        session=session, programme_id=programme.id, actor=user.email, now=clock()
    )
    if action is None:
        raise HTTPException(409, "There is nothing to undo.")
    statement_id = store.undone_statement(action)
    if statement_id is not None:
        state = await store.state_of(session=session, programme_id=programme.id)
        state.current_statement_id = statement_id
    _audit(session, user, programme, "undo", undone=action.id, kind=action.kind)
    board = await load_board(session=session, programme=programme)
    return await state_read(session, programme, board)


@router.get("/votes", response_model=VotesRead, responses=ERRORS)
async def get_votes(code: str, session: SessionDep, user: WorkshopUser) -> VotesRead:
    """The "not working" themes with their votes (phones, texts and paper dots), most first."""
    programme = await facilitated(session=session, user=user, code=code)
    board = await load_board(session=session, programme=programme)
    state = await store.state_of(session=session, programme_id=programme.id)
    ballots = await votes.ballots_of(session=session, programme_id=programme.id)
    return votes_read(board, state.voting_open, len(ballots))


@router.put("/voting", response_model=VotesRead, responses=ERRORS)
async def set_voting(
    code: str, data: VotingChange, session: SessionDep, user: WorkshopUser, clock: ClockDep
) -> VotesRead:
    """Open or close voting (phones and texts are refused while it is closed)."""
    programme = await facilitated(session=session, user=user, code=code)
    await votes.set_voting(session=session, programme_id=programme.id, open_=data.open, now=clock())
    _audit(session, user, programme, "voting", open=data.open)
    board = await load_board(session=session, programme=programme)
    ballots = await votes.ballots_of(session=session, programme_id=programme.id)
    return votes_read(board, data.open, len(ballots))
