"""`/api/v1/programmes/{code}/feedback`: "you said, we did" rounds from a script.

Write a round (one text per programme language) and see what it costs by SMS
and whom it would reach; send it; watch each person's delivery; read the
replies; repeat it later as a new round. Leads and administrators only, as for
statements: replies are people's own words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from admin.api.schemas import Text
from admin.services import access
from admin.services.feedback_view import RoundView, round_view
from admin.web.deps import ApiUser, ClockDep, SessionDep
from admin.web.errors import ForbiddenError, NotFoundError, unprocessable
from collection import feedback
from collection.models import FeedbackRound, Programme, User

router = APIRouter(prefix="/programmes/{code}/feedback", tags=["feedback"])

ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "No API token, or one that does not work"},
    403: {"description": "Only a project lead or an administrator can do this"},
    404: {"description": "No such programme visible to the token's owner, or no such round"},
}

DeliveryState = Literal["queued", "sent", "delivered", "failed"]


class FeedbackCreate(BaseModel):
    """A round's texts: one for each of the programme's languages (`{"en": "...", "cy": "..."}`)."""

    texts: dict[str, Text] = Field(min_length=1)


class SmsCostRead(BaseModel):
    language: str
    segments: int = Field(description="SMS segments the text is sent (and billed) as")
    encoding: Literal["GSM-7", "UCS-2"]
    characters: int


class AudienceRead(BaseModel):
    channel: str
    language: str
    people: int


class FeedbackRoundRead(BaseModel):
    """A round: its texts and cost, who sending now would add, and delivery so far."""

    number: int
    texts: dict[str, str]
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    sms_cost: list[SmsCostRead]
    not_yet_sent_to: list[AudienceRead] = Field(
        description="Who pressing send now would add: said YES to hearing back, no STOP, "
        "not erased, on SMS, WhatsApp or Telegram, and not yet queued for this round"
    )
    delivery: dict[DeliveryState, int]
    replies: int


class RecipientRead(BaseModel):
    response_reference: str | None
    channel: str
    language: str
    state: DeliveryState
    reason: str | None = Field(description="Why it failed (Twilio's or Telegram's error)")
    queued_at: datetime


class FeedbackReplyRead(BaseModel):
    response_reference: str | None
    channel: str
    text: str
    received_at: datetime


class FeedbackSendRead(BaseModel):
    queued: int = Field(description="People queued by this call")
    already: int = Field(description="People who had this round queued before")
    by: list[AudienceRead]


async def _programme(session: SessionDep, user: User, code: str) -> Programme:
    try:
        programme = await access.programme_for(session=session, user=user, code=code)
        access.require_manage(user)
    except NotFoundError as error:
        raise HTTPException(404, error.message) from error
    except ForbiddenError as error:
        raise HTTPException(403, error.message) from error
    return programme


async def _round(session: SessionDep, programme: Programme, number: int) -> FeedbackRound:
    try:
        return await feedback.get_round(session=session, programme=programme, number=number)
    except feedback.RoundNotFoundError as error:
        raise HTTPException(404, str(error)) from error


def _audience(counts: dict[tuple[str, str], int]) -> list[AudienceRead]:
    return [AudienceRead(channel=c, language=lang, people=n) for (c, lang), n in counts.items()]


def _read(view: RoundView) -> FeedbackRoundRead:
    r = view.round
    return FeedbackRoundRead(
        number=r.number,
        texts={str(k): str(v) for k, v in r.texts.items()},
        created_by=r.created_by,
        created_at=r.created_at,
        sent_at=r.sent_at,
        sms_cost=[
            SmsCostRead(
                language=lang,
                segments=cost.segments,
                encoding="GSM-7" if cost.encoding == "GSM-7" else "UCS-2",
                characters=cost.characters,
            )
            for lang, cost in view.costs.items()
        ],
        not_yet_sent_to=_audience(view.pending),
        delivery={state: view.states.get(state, 0) for state in feedback.STATES},
        replies=len(view.replies),
    )


@router.get("", response_model=list[FeedbackRoundRead], responses=ERRORS)
async def list_rounds(code: str, session: SessionDep, user: ApiUser) -> list[FeedbackRoundRead]:
    """The programme's rounds, newest first."""
    programme = await _programme(session, user, code)
    rounds = await feedback.list_rounds(session=session, programme=programme)
    return [_read(await round_view(session=session, programme=programme, round_=r)) for r in rounds]


@router.post("", response_model=FeedbackRoundRead, status_code=201, responses=ERRORS)
async def create_round(
    code: str, data: FeedbackCreate, session: SessionDep, user: ApiUser, clock: ClockDep
) -> FeedbackRoundRead:
    """Write a round (not sent yet): the answer shows its SMS cost and whom it would reach."""
    programme = await _programme(session, user, code)
    try:
        created = await feedback.create_round(
            session=session, programme=programme, texts=data.texts, actor=user.email, now=clock()
        )
    except feedback.FeedbackError as error:
        raise unprocessable(str(error)) from error
    view = await round_view(session=session, programme=programme, round_=created)
    await session.commit()
    return _read(view)


@router.get("/{number}", response_model=FeedbackRoundRead, responses=ERRORS)
async def get_round(
    code: str, number: int, session: SessionDep, user: ApiUser
) -> FeedbackRoundRead:
    programme = await _programme(session, user, code)
    found = await _round(session, programme, number)
    return _read(await round_view(session=session, programme=programme, round_=found))


@router.post("/{number}/send", response_model=FeedbackSendRead, responses=ERRORS)
async def send_round(
    code: str, number: int, session: SessionDep, user: ApiUser, clock: ClockDep
) -> FeedbackSendRead:
    """Queue the round for everyone who asked to hear back; calling it again queues nobody twice."""
    programme = await _programme(session, user, code)
    found = await _round(session, programme, number)
    summary = await feedback.send_round(
        session=session, programme=programme, round_=found, actor=user.email, now=clock()
    )
    await session.commit()
    return FeedbackSendRead(
        queued=summary.queued, already=summary.already, by=_audience(summary.by_channel_language)
    )


@router.post(
    "/{number}/repeat", response_model=FeedbackRoundRead, status_code=201, responses=ERRORS
)
async def repeat_round(
    code: str, number: int, session: SessionDep, user: ApiUser, clock: ClockDep
) -> FeedbackRoundRead:
    """A second update: a new round with this round's texts (send it to reach everyone again)."""
    programme = await _programme(session, user, code)
    try:
        created = await feedback.repeat_round(
            session=session, programme=programme, number=number, actor=user.email, now=clock()
        )
    except feedback.RoundNotFoundError as error:
        raise HTTPException(404, str(error)) from error
    except feedback.FeedbackError as error:
        raise unprocessable(str(error)) from error
    view = await round_view(session=session, programme=programme, round_=created)
    await session.commit()
    return _read(view)


@router.get("/{number}/recipients", response_model=list[RecipientRead], responses=ERRORS)
async def list_recipients(
    code: str, number: int, session: SessionDep, user: ApiUser
) -> list[RecipientRead]:
    """Each person the round was queued for, with its delivery state and any failure reason."""
    programme = await _programme(session, user, code)
    found = await _round(session, programme, number)
    return [
        RecipientRead(
            response_reference=s.reference,
            channel=s.channel,
            language=s.language,
            state=s.state,
            reason=s.reason,
            queued_at=s.queued_at,
        )
        for s in await feedback.recipients(session=session, round_=found)
    ]


@router.get("/{number}/replies", response_model=list[FeedbackReplyRead], responses=ERRORS)
async def list_replies(
    code: str, number: int, session: SessionDep, user: ApiUser
) -> list[FeedbackReplyRead]:
    """What people wrote back to the round, oldest first."""
    programme = await _programme(session, user, code)
    found = await _round(session, programme, number)
    return [
        FeedbackReplyRead(
            response_reference=reference,
            channel=reply.channel,
            text=reply.text,
            received_at=reply.received_at,
        )
        for reply, reference in await feedback.replies(session=session, round_=found)
    ]
