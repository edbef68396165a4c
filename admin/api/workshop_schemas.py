"""The workshop API's request and answer shapes (described at /openapi.json)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CategoryName = Literal["working", "not_working", "future"]


class PileCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: CategoryName
    name: str = Field(min_length=1, max_length=300, description='The "I" statement')
    reference: str | None = Field(
        None, max_length=20, description="A card (e.g. W-07) to start the pile with"
    )


class PileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=300)
    dots: int | None = Field(None, ge=0, le=10_000, description="Votes counted on a paper wall")
    carried_forward: bool | None = Field(None, description="Goes forward to the five whys")


class PileMerge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: int = Field(description="The pile that takes this pile's cards")


class PileSplit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    references: list[str] = Field(min_length=1, max_length=1000)
    name: str = Field(min_length=1, max_length=300, description="The new pile's name")


class CardPlace(BaseModel):
    """`{"pile_id": 3}` puts the card on pile 3; `{"parked": true}` parks it;
    `{"pile_id": null, "parked": false}` takes it back off the board."""

    model_config = ConfigDict(extra="forbid")

    pile_id: int | None = None
    parked: bool = False


class CardRead(BaseModel):
    reference: str
    category: CategoryName
    text: str
    translation: str | None = None
    pile_id: int | None = None
    parked: bool = False


class PileRead(BaseModel):
    id: int
    category: CategoryName
    name: str
    number: int = Field(description="The pile's number on its wall (people vote by it)")
    count: int
    dots: int
    votes: int = Field(description="Ballots from phones and texts that chose this pile")
    carried_forward: bool
    cards: list[CardRead]


class SuggestionRead(BaseModel):
    pile_id: int
    name: str
    number: int
    score: float = Field(description="Similarity, 0 to 1; best first")


class SuggestionsRead(BaseModel):
    reference: str
    scorer: str
    suggestions: list[SuggestionRead]


class StateRead(BaseModel):
    category: CategoryName
    colour: str = Field(description="The category's card colour, as printed")
    ink: str = Field(description="Text colour that reads on `colour`")
    current: CardRead | None = Field(description="The card being read out (None: all called)")
    position: int = Field(description="The current card's place in its category, from 1")
    total: int
    called: int = Field(description="Cards of this category on a pile or parked")
    parked: list[CardRead]
    voting_open: bool
    version: int = Field(description="Grows with every change: screens refresh when it moves")


class StateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: CategoryName | None = None
    reference: str | None = Field(None, max_length=20, description="Show this card")
    step: Literal["next", "previous"] | None = None


class VotingChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    open: bool


class VoteResult(BaseModel):
    pile_id: int
    number: int
    name: str
    cards: int
    votes: int
    dots: int
    total: int
    carried_forward: bool


class VotesRead(BaseModel):
    voting_open: bool
    ballots: int
    results: list[VoteResult] = Field(description="Not working themes, most votes first")
