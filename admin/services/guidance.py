"""The method's step 1 advice on levels and sample sizes, shown beside the target field.

Worded from the WTfC report's guidance (see shared/design/wtfc-method.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from admin.web.i18n import N_


@dataclass(frozen=True)
class LevelGuidance:
    level: str
    title: str
    covers: str
    sample: str
    suggested: str
    """A plain hint for the target field."""


LEVEL_GUIDANCE: dict[str, LevelGuidance] = {
    "unit": LevelGuidance(
        "unit",
        N_("Unit"),
        N_("a few people sharing one service, such as a supported living house"),
        N_("Everyone; at least half of the people if the unit is large."),
        N_("The number of people in the unit (or at least half)."),
    ),
    "provider": LevelGuidance(
        "provider",
        N_("Provider"),
        N_("one provider organisation"),
        N_(
            "A cross-section of people's needs. 15 people (20%) is the smallest sample "
            "seen to work."
        ),
        N_("At least 15, or 20% of the people you support."),
    ),
    "service": LevelGuidance(
        "service",
        N_("Service"),
        N_("several providers of one type of service, such as homecare"),
        N_("At least 10% of people or 100, whichever is lower; no more than 100 people."),
        N_("10% of the people using the service, up to 100."),
    ),
    "population": LevelGuidance(
        "population",
        N_("Population"),
        N_("many services for one group of people"),
        N_("A broad mix of people; no more than 100, and possibly far fewer."),
        N_("Up to 100 people, chosen for a broad mix."),
    ),
}

ABOVE_100 = N_("Above about 100 people, more answers mostly confirm the patterns you already have.")
