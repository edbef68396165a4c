"""How collection is going: counts against the target, by segment, channel and perspective.

"Started" means the person agreed to take part; "completed" that they confirmed
their top two. Counted in Python from one narrow query so it reads the same on
SQLite and PostgreSQL (a programme has at most a few thousand responses).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.api.schemas import CategoryCountRead, CountRead, DayCountRead, ProgressRead
from admin.services.local_time import LONDON
from admin.web.i18n import N_
from bot.model import CATEGORIES
from collection import channel_facts
from collection.models import Pick, Programme, Response, Statement

CHANNEL_NAMES = channel_facts.labels()
"""Each channel's label (collection/channel_facts.py), for the pages' `channel_names`."""
PERSPECTIVE_NAMES = {"person": N_("People using support"), "carer": N_("Carers and family")}
CATEGORY_NAMES = {
    "working": N_("Working well"),
    "not_working": N_("Not working well"),
    "future": N_("Important for the future"),
}
NOT_SAID = N_("Not said")
CHART_DAYS = 30


@dataclass
class Tally:
    started: int = 0
    completed: int = 0
    target: int | None = None


@dataclass
class Progress:
    code: str
    target: int | None
    started: int = 0
    completed: int = 0
    statements: dict[str, int] = field(default_factory=dict)
    picks: dict[str, int] = field(default_factory=dict)
    segments: dict[str, Tally] = field(default_factory=dict)
    channels: dict[str, Tally] = field(default_factory=dict)
    perspectives: dict[str, Tally] = field(default_factory=dict)
    per_day: list[tuple[date, int]] = field(default_factory=list)

    @property
    def share_of_target(self) -> float | None:
        return self.completed / self.target if self.target else None

    def to_read(self) -> ProgressRead:
        def counts(tallies: dict[str, Tally]) -> dict[str, CountRead]:
            return {
                k: CountRead(started=t.started, completed=t.completed, target=t.target)
                for k, t in tallies.items()
            }

        return ProgressRead(
            code=self.code,
            started=self.started,
            completed=self.completed,
            target=self.target,
            categories=[
                CategoryCountRead(category=c, statements=self.statements[c], picks=self.picks[c])
                for c in CATEGORIES
            ],
            segments=counts(self.segments),
            channels=counts(self.channels),
            perspectives=counts(self.perspectives),
            per_day=[DayCountRead(day=d, started=n) for d, n in self.per_day],
        )


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date() if LONDON else moment.date()


async def progress_of(*, session: AsyncSession, programme: Programme, now: datetime) -> Progress:
    result = Progress(code=programme.code, target=programme.target)
    for segment in programme.segments:
        result.segments[str(segment["name"])] = Tally(target=segment.get("target"))
    rows = await session.execute(
        select(
            Response.channel,
            Response.perspective,
            Response.segment,
            Response.status,
            Response.consented_at,
        ).where(Response.programme_id == programme.id, Response.consented_at.is_not(None))
    )
    days: Counter[date] = Counter()
    for channel, perspective, segment, status, consented_at in rows.all():
        done = status == "complete"
        result.started += 1
        result.completed += done
        buckets: list[tuple[dict[str, Tally], str]] = [
            (result.channels, channel),
            (result.perspectives, perspective or NOT_SAID),
        ]
        if programme.segments:
            buckets.append((result.segments, segment or NOT_SAID))
        for tallies, key in buckets:
            tally = tallies.setdefault(key, Tally())
            tally.started += 1
            tally.completed += done
        if consented_at is not None:
            days[_local_day(consented_at)] += 1
    result.statements = await _per_category(session, Statement, programme.id)
    result.picks = await _per_category(session, Pick, programme.id)
    today = _local_day(now)
    first = min(days, default=today)
    span = max(min((today - first).days + 1, CHART_DAYS), 7)
    result.per_day = [
        (today - timedelta(days=offset), days[today - timedelta(days=offset)])
        for offset in reversed(range(span))
    ]
    return result


async def _per_category(
    session: AsyncSession, model: type[Statement] | type[Pick], programme_id: int
) -> dict[str, int]:
    query = select(model.category, func.count()).group_by(model.category)
    if model is Pick:
        query = query.join(Statement, Statement.id == Pick.statement_id)
    # a statement a reviewer split counts once, as its parts (the cards)
    query = query.where(Statement.programme_id == programme_id, Statement.split.is_(False))
    counts: dict[str, int] = {c: 0 for c in CATEGORIES}
    for category, number in (await session.execute(query)).all():
        counts[str(category)] = int(number)
    return counts
