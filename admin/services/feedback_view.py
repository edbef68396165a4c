"""One feedback round as the page and the API show it: texts, cost, audience, delivery, replies.

Both read the same `RoundView`, so the numbers a lead sees on the page are the
numbers a script gets from the API. No address is ever in it: people are known
by their response reference.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from admin.services.feedback_costs import SmsCost, sms_costs
from collection import feedback
from collection.models import FeedbackReply, FeedbackRound, Programme


@dataclass(frozen=True)
class RoundView:
    round: FeedbackRound
    costs: dict[str, SmsCost]
    pending: dict[tuple[str, str], int]
    """Who pressing send now would add, by (channel, language)."""
    recipients: list[feedback.RecipientStatus]
    states: dict[str, int]
    replies: list[tuple[FeedbackReply, str | None]]

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())


async def round_view(
    *, session: AsyncSession, programme: Programme, round_: FeedbackRound
) -> RoundView:
    pending = await feedback.not_yet_reached(session=session, programme=programme, round_=round_)
    recipients = await feedback.recipients(session=session, round_=round_)
    return RoundView(
        round=round_,
        costs=sms_costs({str(k): str(v) for k, v in round_.texts.items()}),
        pending=feedback.count_by_channel_language(pending),
        recipients=recipients,
        states=feedback.count_states(recipients),
        replies=await feedback.replies(session=session, round_=round_),
    )
