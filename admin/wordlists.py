"""The editable professional-language lists, one per language.

A language nobody has edited uses the starting list below (the phrases the
method names as the commonest fault); an edited list is stored and used as is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from collection.models import WordList

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


async def phrases_for(*, session: AsyncSession, language: str) -> list[str]:
    """The list that applies to statements in this language (easy read uses English's)."""
    for key in dict.fromkeys((language, base_language(language))):
        row = await session.get(WordList, key)
        if row is not None:
            return [str(p) for p in row.phrases]
        if key in DEFAULT_PHRASES:
            return list(DEFAULT_PHRASES[key])
    return []


async def save_phrases(
    *, session: AsyncSession, language: str, phrases: list[str], by: str, now: datetime
) -> list[str]:
    cleaned = list(dict.fromkeys(" ".join(p.split()) for p in phrases if p.strip()))[:500]
    row = await session.get(WordList, language)
    if row is None:
        session.add(WordList(language=language, phrases=cleaned, updated_at=now, updated_by=by))
    else:
        row.phrases, row.updated_at, row.updated_by = cleaned, now, by
    await session.flush()
    return cleaned
