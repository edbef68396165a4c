"""The workshop's cards and board: the export's cards joined with where each one went.

The cards are exactly the printed ones (top-two picks, card-call order, the same
references such as W-07, from admin/exports/ordering.py), so a paper workshop, a
screen workshop and the cards on the table always agree. The board is built here
from the cards, the piles and the placements; nothing in it touches the database,
so the screens, the API, the report and the tests all read the same picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from admin.api.workshop_schemas import VoteResult, VotesRead
from admin.exports.deck import Card, Deck
from admin.exports.ordering import order_for_card_call
from admin.exports.source import load_deck
from bot.model import CATEGORIES
from collection.models import Programme
from collection.workshop import store
from collection.workshop.errors import WorkshopError
from collection.workshop.models import WorkshopBallot, WorkshopCard, WorkshopPile
from collection.workshop.votes import VOTE_CATEGORY, ballots_of


@dataclass
class PileView:
    """A pile as the wall shows it, numbered within its category (people vote by number)."""

    id: int
    category: str
    name: str
    number: int
    cards: list[Card] = field(default_factory=list)
    dots: int = 0
    votes: int = 0
    carried_forward: bool = False

    @property
    def count(self) -> int:
        return len(self.cards)


@dataclass
class Board:
    """Every card with its place: piles per category, parked cards, cards not yet called."""

    deck: Deck
    cards: list[Card]
    piles: dict[str, list[PileView]]
    parked: dict[str, list[Card]]
    place_of: dict[int, WorkshopCard]

    def card(self, reference: str) -> Card:
        wanted = reference.strip().upper()
        for card in self.cards:
            if card.reference == wanted:
                return card
        raise WorkshopError(f"There is no card {reference} in this workshop.", status=404)

    def in_category(self, category: str) -> list[Card]:
        return [c for c in self.cards if c.statement.category == category]

    def pile_of(self, card: Card) -> int | None:
        place = self.place_of.get(card.statement.statement_id)
        return place.pile_id if place is not None else None

    def is_parked(self, card: Card) -> bool:
        place = self.place_of.get(card.statement.statement_id)
        return place is not None and place.parked

    def is_called(self, card: Card) -> bool:
        return self.pile_of(card) is not None or self.is_parked(card)

    def by_statement(self, statement_id: int | None) -> Card | None:
        return next((c for c in self.cards if c.statement.statement_id == statement_id), None)

    def next_card(self, category: str, after: Card | None) -> Card | None:
        """The next card to read out: the next one not yet called after `after`, in
        card-call order; when every card has been called, the parked ones again."""
        cards = self.in_category(category)
        start = cards.index(after) + 1 if after in cards else 0
        for card in cards[start:] + cards[:start]:
            if not self.is_called(card):
                return card
        return next((c for c in cards if self.is_parked(c) and c is not after), None)

    def previous_card(self, category: str, before: Card | None) -> Card | None:
        cards = self.in_category(category)
        if before not in cards:
            return cards[-1] if cards else None
        index = cards.index(before)
        return cards[index - 1] if index > 0 else None


async def workshop_deck(*, session: AsyncSession, programme: Programme) -> tuple[Deck, list[Card]]:
    """The workshop's cards: the export's top-two picks, in card-call order."""
    deck = await load_deck(session=session, programme=programme, include_all=False)
    return deck, order_for_card_call(deck)


def build_board(
    deck: Deck,
    cards: list[Card],
    piles: list[WorkshopPile],
    place_of: dict[int, WorkshopCard],
    ballots: list[WorkshopBallot] | None = None,
) -> Board:
    """Join cards, piles and placements into the picture every screen shows."""
    views: dict[str, list[PileView]] = {c: [] for c in CATEGORIES}
    by_id: dict[int, PileView] = {}
    for found in piles:
        view = PileView(
            id=found.id,
            category=found.category,
            name=found.name,
            number=len(views[found.category]) + 1,
            dots=found.dots,
            carried_forward=found.carried_forward,
        )
        views[found.category].append(view)
        by_id[found.id] = view
    parked: dict[str, list[Card]] = {c: [] for c in CATEGORIES}
    for card in cards:
        place = place_of.get(card.statement.statement_id)
        if place is None:
            continue
        if place.pile_id is not None and place.pile_id in by_id:
            by_id[place.pile_id].cards.append(card)
        elif place.parked:
            parked[card.statement.category].append(card)
    for ballot in ballots or []:
        for pile_id in ballot.pile_ids:
            if pile_id in by_id:
                by_id[pile_id].votes += 1
    return Board(deck=deck, cards=cards, piles=views, parked=parked, place_of=place_of)


async def load_board(*, session: AsyncSession, programme: Programme) -> Board:
    """The board as stored now."""
    deck, cards = await workshop_deck(session=session, programme=programme)
    return build_board(
        deck,
        cards,
        await store.piles(session=session, programme_id=programme.id),
        await store.placements(session=session, programme_id=programme.id),
        await ballots_of(session=session, programme_id=programme.id),
    )


def votes_read(board: Board, voting_open: bool, ballots: int) -> VotesRead:
    """The vote count as the API and the facilitator's page both show it: most votes first."""
    results = [
        VoteResult(
            pile_id=v.id,
            number=v.number,
            name=v.name,
            cards=v.count,
            votes=v.votes,
            dots=v.dots,
            total=v.votes + v.dots,
            carried_forward=v.carried_forward,
        )
        for v in board.piles[VOTE_CATEGORY]
    ]
    results.sort(key=lambda r: (-r.total, r.number))
    return VotesRead(voting_open=voting_open, ballots=ballots, results=results)
