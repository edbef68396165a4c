"""The editable professional-language lists: each programme's own, per language.

A programme whose lead has not edited its list uses the language's list: the
shared row an earlier version stored (`WordList`), else the starting list below
(the phrases the method names as the commonest fault). A lead's edit is stored
for that programme alone (`ProgrammeWordList`), so one lead's list never flags
another programme's statements.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from collection.models import ProgrammeWordList, WordList

DEFAULT_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "dietary intake",
        "social isolation",
        "service user",
        "package of care",
        "care package",
        "person-centred",
        "outcomes",
        "engagement",
        "signposting",
        "personal care",
        "respite provision",
        "care plan",
        "support plan",
        "safeguarding",
        "wellbeing",
        "independent living skills",
        "multi-disciplinary",
        "activities of daily living",
        "mobility needs",
        "challenging behaviour",
    ),
}


def base_language(language: str) -> str:
    return language.split("@")[0].split("_")[0]


async def language_phrases(*, session: AsyncSession, language: str) -> list[str]:
    """The language's list, the default for every programme (easy read uses English's)."""
    for key in dict.fromkeys((language, base_language(language))):
        row = await session.get(WordList, key)
        if row is not None:
            return [str(p) for p in row.phrases]
        if key in DEFAULT_PHRASES:
            return list(DEFAULT_PHRASES[key])
    return []


async def own_list(
    *, session: AsyncSession, programme_id: int, language: str
) -> ProgrammeWordList | None:
    """The programme's own list for this language, if its lead has edited one."""
    for key in dict.fromkeys((language, base_language(language))):
        row = await session.get(ProgrammeWordList, (programme_id, key))
        if row is not None:
            return row
    return None


async def phrases_for(*, session: AsyncSession, programme_id: int, language: str) -> list[str]:
    """The list that flags this programme's statements in this language."""
    row = await own_list(session=session, programme_id=programme_id, language=language)
    if row is not None:
        return [str(p) for p in row.phrases]
    return await language_phrases(session=session, language=language)


async def save_phrases(
    *,
    session: AsyncSession,
    programme_id: int,
    language: str,
    phrases: list[str],
    by: str,
    now: datetime,
) -> list[str]:
    """Store this programme's own list (even an empty one: that is a choice too)."""
    cleaned = list(dict.fromkeys(" ".join(p.split()) for p in phrases if p.strip()))[:500]
    row = await session.get(ProgrammeWordList, (programme_id, language))
    if row is None:
        session.add(
            ProgrammeWordList(
                programme_id=programme_id,
                language=language,
                phrases=cleaned,
                updated_at=now,
                updated_by=by,
            )
        )
    else:
        row.phrases, row.updated_at, row.updated_by = cleaned, now, by
    await session.flush()
    return cleaned


async def reset_phrases(*, session: AsyncSession, programme_id: int, language: str) -> bool:
    """Go back to the language's list; whether there was an own list to remove."""
    row = await session.get(ProgrammeWordList, (programme_id, language))
    if row is None:
        return False
    await session.delete(row)
    await session.flush()
    return True
