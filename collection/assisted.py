"""Answers typed in by staff for one person (at the desk, or from a paper form).

The same rules as the conversation, from the same code: the three categories,
at most the programme's number of statements in each, and the top two picked in
each category (one or two statements are their own picks: bot/answers.py). The
answers are stored as the effects a conversation would produce. The response is marked
staff-assisted with who typed it, on the "assisted" channel, with no contact
address: nobody can be messaged about it later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.answers import PICKS, Entry, assisted_effects, own_picks
from bot.engine import PERSPECTIVES
from bot.model import CATEGORIES, Category, SetPicks
from bot.parsing import clean, has_words, preview
from bot.state import State
from collection.effects import apply_step, own_log
from collection.models import Programme, Response
from collection.routing import free_reference
from collection.safeguarding.cases import AlertSettings
from collection.safeguarding.rules import rules_for

ASSISTED_CHANNEL = "assisted"


class AssistedEntryError(Exception):
    """The typed-in answers break a rule; `problems` says which, in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class AssistedAnswers:
    statements: Mapping[str, Sequence[str]]
    """Per category, the statements in the order typed (empty boxes already left out or not)."""
    picks: Mapping[str, Sequence[int]] = field(default_factory=dict)
    """Per category, the 1-based positions of the two most important (when more than two)."""
    perspective: str | None = None
    segment: str | None = None
    language: str | None = None


def _checked(programme: Programme, answers: AssistedAnswers) -> dict[Category, list[str]]:
    problems: list[str] = []
    if programme.status != "collecting":
        problems.append("This programme is not collecting answers at the moment.")
    kept: dict[Category, list[str]] = {}
    for category in CATEGORIES:
        texts = [clean(t) for t in answers.statements.get(category, ())]
        kept[category] = [t for t in texts if has_words(t)]
        if len(kept[category]) > programme.max_statements:
            problems.append(f"At most {programme.max_statements} answers for each question.")
        count = len(kept[category])
        chosen = list(dict.fromkeys(answers.picks.get(category, ())))
        wrong = len(chosen) != PICKS or any(not 1 <= p <= count for p in chosen)
        if own_picks(count) is None and wrong:
            problems.append(_pick_problem(category))
    if not any(kept.values()):
        problems.append("Please type at least one answer.")
    if answers.perspective is not None and answers.perspective not in PERSPECTIVES:
        problems.append("Please say who is answering.")
    names = [str(s["name"]) for s in programme.segments]
    if answers.segment is not None and answers.segment not in names:
        problems.append("Please choose one of the programme's segments.")
    if answers.language is not None and answers.language not in programme.languages:
        problems.append("Please choose one of the programme's languages.")
    if problems:
        raise AssistedEntryError(list(dict.fromkeys(problems)))
    return kept


def _pick_problem(category: str) -> str:
    label = {
        "working": "working well",
        "not_working": "not working well",
        "future": "important for the future",
    }[category]
    return f'Please tick the two that matter most under "{label}".'


async def record_assisted(
    *,
    session: AsyncSession,
    programme: Programme,
    answers: AssistedAnswers,
    assisted_by: str,
    now: datetime,
    alerts: AlertSettings | None = None,
) -> Response:
    """Store one person's answers as a completed, staff-assisted response.

    The answers become the same effects a conversation would produce (bot/answers.py)
    and are stored as a conversation's are (`apply_step`), with their record on a log
    row of their own. So each statement goes through the same safeguarding check: a
    disclosure opens a case and tells the programme's contacts (`alerts`).
    """
    kept = _checked(programme, answers)
    language = answers.language or (programme.languages[0] if programme.languages else "en")
    entry = Entry(
        statements=kept,
        picks={c: list(answers.picks.get(c, ())) for c in CATEGORIES},
        perspective=answers.perspective,
        segment=answers.segment,
        language=language,
        consent_version=programme.consent_version,
    )
    effects = assisted_effects(entry, rules_for(programme.safeguarding_phrases))
    response = Response(
        reference=await free_reference(session),
        programme_id=programme.id,
        participant_id=None,
        channel=ASSISTED_CHANNEL,
        language=language,
        started_at=now,
        last_activity_at=now,
        assisted_by=assisted_by,
        state={},
    )
    session.add(response)
    await session.flush()
    await apply_step(
        session=session,
        effects=effects,
        response=response,
        participant=None,
        now=now,
        log=own_log(session=session, source=ASSISTED_CHANNEL, response=response, now=now),
        alerts=alerts,
    )
    picks = {e.category: list(e.positions) for e in effects if isinstance(e, SetPicks)}
    response.state = State(
        phase="done",
        statements={c: [preview(t) for t in kept[c]] for c in CATEGORIES},
        picks={c: picks.get(c, []) for c in CATEGORIES},
        perspective=answers.perspective,
        segment=answers.segment,
        language=language,
        completed=True,
    ).to_dict()
    await session.flush()
    return response
