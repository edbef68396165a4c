"""Professional language: a small, explainable scorer over the signs of a professional voice.

The method's commonest fault is a statement written about the person instead of
by them ("the service user requires more social inclusion activities"). A word
list alone catches about a quarter of those, so this adds up signs, each with a
weight and a reason a reviewer can read:

- talk about the person in the third person ("service user", "the client",
  "he presents as", "Mrs X requires", "his needs");
- care-system terms from public plain-language glossaries (`admin/data/care_terms_<lang>.txt`);
- the programme's own word list (a lead asked for these words to be caught);
- nominal and passive style ("provision of", "in relation to", "support is
  required", several "-ation"/"-ment" nouns, "ensure", "facilitate").

The person's own voice (I, me, my, we) takes weight off, so "I use my personal
budget to pay for the gym" is not flagged. A statement is flagged at
`THRESHOLD`. Weights were tuned on parts of the labelled set in
tests/fixtures/quality/professional.csv and measured on a part never tuned on
(docs/quality.md, `scripts/measure-quality`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
THRESHOLD = 1.5

W_LISTED = 2.5
W_CARE_TERM = 1.0
W_STRONG_TERM = 3.5
"""The system's words for a life ("my dietary intake"): flagged even beside I/me/my."""
W_THIRD_STRONG = 2.5
W_SERVICE_USER = 3.0
"""'Service user' is the method's own example of the fault: it counts even beside 'I'."""
W_THIRD_PRONOUN = 1.5
W_THIRD_POSSESSIVE = 1.0
W_THIRD_START = 1.0
W_NOMINAL_PHRASE = 1.0
W_PASSIVE = 1.0
W_PASSIVE_NEED = 1.5
W_NOUNS = 1.0
W_NOUN_EXTRA = 0.5
W_VERB = 0.75
W_ABSTRACT_START = 1.0
W_ADJECTIVE = 0.5
W_HEADING = 1.0
W_INSTRUCTION = 1.5
W_FIRST_PERSON = -1.5
W_WE_ONLY = -0.75


@dataclass(frozen=True)
class Sign:
    """One reason a statement sounds professional (or, with a negative weight, personal)."""

    reason: str
    weight: float


@dataclass
class Verdict:
    score: float
    signs: list[Sign] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.score >= THRESHOLD

    def explain(self) -> str:
        """The reasons in words, for the quality page: why this statement was flagged."""
        return "; ".join(sign.reason for sign in self.signs)


@dataclass(frozen=True)
class Rules:
    """The patterns of one language."""

    third_strong: tuple[tuple[re.Pattern[str], str], ...]
    third_pronoun: re.Pattern[str] | None
    third_start: re.Pattern[str] | None
    third_possessive: re.Pattern[str] | None
    nominal: tuple[re.Pattern[str], ...]
    passive: re.Pattern[str] | None
    passive_need: re.Pattern[str] | None
    noun: re.Pattern[str] | None
    abstract_start: re.Pattern[str] | None
    heading: re.Pattern[str] | None
    instruction: re.Pattern[str] | None
    adjectives: re.Pattern[str] | None
    verbs: re.Pattern[str] | None
    first_person: re.Pattern[str]
    we: re.Pattern[str] | None


def _words(*alternatives: str) -> str:
    return "|".join(alternatives)


_I = re.IGNORECASE
EN = Rules(
    third_strong=(
        (re.compile(r"\bservice[\s-]users?(?:'s|’s)?\b", _I), "service user"),
        (
            re.compile(
                r"\b(?:the|a|this|each|our|all|some|many|other)\s+"
                r"(?:clients?|individuals?|residents?|customers?|patients?|tenants?|"
                r"gentleman|gentlemen|young\s+person|young\s+people|"
                r"people\s+we\s+support|people\s+supported|person\s+supported)\b",
                _I,
            ),
            "talks about 'the client' or 'the individual'",
        ),
        (re.compile(r"^(?:clients?|individuals?|residents?)\b", _I), "starts with 'client'"),
        (re.compile(r"\bpresents?\s+(?:as|with)\b", _I), "'presents as' (a case note)"),
        (re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+[A-Z]\w*"), "names the person as 'Mr/Mrs X'"),
        (
            re.compile(r"\b(?:family|families|relatives?|carers?)\s+(?:report|reports|feel)\b", _I),
            "reports what the family said",
        ),
    ),
    third_pronoun=re.compile(
        r"\b(?:he|she|they)\s+(?:is|are|has|have|needs?|requires?|would|wishes|enjoys?|likes?|"
        r"benefits?|was|were|does|can|cannot|can't|should|feels?|reports?|states?|"
        r"expresse[sd]|engages?|continues?|attends?|prefers?|struggles?|appears?|lacks?|"
        r"remains?|presents?|declined|refuses?|responds?)\b"
        r"|\bthe\s+person(?:'s|’s)?\s+(?:has|is|was|requires?|needs?|would|enjoys?|lacks?)\b"
        r"|\bthe\s+(?:service|provider|team)\s+(?:promotes?|provides?|ensures?|offers?|"
        r"supports?|delivers?|facilitates?)\b",
        _I,
    ),
    third_start=re.compile(r"^\s*(?:he|she|his|her)\s+\w+", _I),
    third_possessive=re.compile(
        r"\b(?:his|her|their)\s+(?:\w+\s+)?(?:needs?|care|support|wellbeing|well-being|"
        r"independence|mobility|medication|finances|family|health|carers?|"
        r"dietary|intake|behaviour|communication|current|level|personal|daily|"
        r"routine|anxiety|mood|skills|goals|aspirations)\b"
        r"|\b(?:to|for|with|supports?|supporting|enables?|helps?|encourages?|assists?)\s+"
        r"(?:him|her)\b",
        _I,
    ),
    nominal=tuple(
        re.compile(rf"\b{p}\b", _I)
        for p in (
            r"provision\s+of",
            r"in\s+relation\s+to",
            r"in\s+terms\s+of",
            r"with\s+regards?\s+to",
            r"regarding",
            r"access(?:ing)?\s+(?:to\s+)?(?:the\s+)?(?:community|services?|resources?|support)",
            r"access\s+to",
            r"(?:a\s+)?range\s+of",
            r"opportunit(?:y|ies)\s+(?:to|for)",
            r"on\s+a\s+(?:daily|weekly|regular)\s+basis",
            r"there\s+is\s+(?:a\s+)?(?=need|lack)",
            r"(?:the\s+)?need\s+for",
            r"in\s+line\s+with",
            r"(?:is|are)\s+in\s+place",
            r"(?:lack|levels?|balance|quality|reduction|increase|improvement)\s+(?:of|in)",
            r"(?:increased|improved|greater|better|more|further|ongoing|continued|reduced)\s+"
            r"\w+(?:ation|ment|ity|ance|ence|ision|ision)",
            r"due\s+to",
            r"would\s+benefit\s+from",
            r"(?:twice|once)\s+daily",
            r"to\s+be\s+supported",
            r"is\s+(?:a\s+)?(?:significant|key|priority)",
            r"remains?\s+a",
            r"(?:is|are)\s+evident",
            r"should\s+be\s+explored",
            r"timely",
            r"over-?reliance\s+on",
            r"(?:greater|more|less)\s+emphasis\s+on",
            r"lacks?\s+(?:mental\s+)?capacity",
            r"(?:good|effective|poor|positive)\s+communication\s+between",
        )
    ),
    passive=re.compile(
        r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?"
        r"(?:\w{3,}ed|given|taken|done|made|seen|met|offered|provided|supported|encouraged|"
        r"administered|monitored|recorded|accommodated|maintained|achieved|reviewed|explored)\b",
        _I,
    ),
    passive_need=re.compile(
        r"\b(?:is|are|be|being)\s+(?:\w+ly\s+)?(?:required|needed|recommended|advised)\b"
        r"|\b(?:required|needed)\s+(?:from|with|for|daily)\b",
        _I,
    ),
    noun=re.compile(
        r"\b\w{4,}(?:ation|ition|ment|ance|ence|ancy|ency|ity|ship|ness|ism|isation|ization)s?\b",
        _I,
    ),
    abstract_start=re.compile(
        r"^\s*(?:(?:a|an|the)\s+)?\w{3,}(?:ion|ity|ment|ance|ence|ancy|ency|ship)s?\b",
        _I,
    ),
    heading=re.compile(
        r"^\s*(?:improved|greater|further|increased|reduced|better|less|fewer|timely|regular|"
        r"ongoing|continued|enhanced|additional|appropriate|consistent|effective|adequate)\s+\w+",
        _I,
    ),
    instruction=re.compile(
        r"^\s*(?:(?:staff\s+)?to\s+)?(?:ensure|encourage|promote|enable|facilitate|continue|maintain|provide|"
        r"explore|consider|review|monitor|offer|increase|improve|develop|reduce|support|"
        r"identify|establish|implement|explore|discuss|liaise|arrange|refer)\b",
        _I,
    ),
    adjectives=re.compile(
        r"\b(?:appropriate|suitable|positive|meaningful|effective|consistent|inconsistent|"
        r"accessible|proactive|structured|significant|ongoing|current|relevant|adequate|"
        r"sufficient|insufficient|holistic|daytime|preventative|preventive|verbal|non-verbal|"
        r"sensory|cognitive|specialist|statutory)\b",
        _I,
    ),
    verbs=re.compile(
        r"\b(?:requires?|facilitat\w*|utilis\w*|maximis\w*|promot(?:e|es|ing)|enhanc\w*|"
        r"ensur(?:e|es|ing)|implement(?:s|ed|ing)?|monitor(?:s|ed|ing)?|assist(?:s|ed|ance)?|"
        r"access(?:es|ed|ing)|impact(?:s|ed|ing)?\s+on|reflects?|restricts?|restricted|"
        r"pursue|verbalis\w*|"
        r"undertak\w*|participat\w*|engag(?:e|es|ed|ing)|maintain(?:s|ed|ing)?|"
        r"prompting|develop(?:ed|ing)?|expressed|explored|administered)\b",
        _I,
    ),
    first_person=re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|I'll|me|my|mine|myself)\b", _I),
    we=re.compile(r"\b(?:we|us|our|ours|we're|we’re)\b", _I),
)

CY = Rules(
    third_strong=(
        (
            re.compile(r"\bddefnyddiwr\s+gwasanaeth\b|\bdefnyddw?[iy]r\s+gwasanaeth\b", _I),
            ("service user"),
        ),
        (
            re.compile(
                r"\b(?:y|yr)\s+(?:cleient|cleientiaid|unigolyn|unigolion|preswylydd|"
                r"preswylwyr|claf|cwsmer)\b",
                _I,
            ),
            "talks about 'the client' or 'the individual'",
        ),
        (re.compile(r"\b(?:Mr|Mrs|Ms|Miss)\.?\s+[A-Z]\w*"), "names the person as 'Mr/Mrs X'"),
    ),
    third_pronoun=re.compile(
        r"\b(?:mae|roedd|bydd|dylai|gall)\s+(?:e|o|hi|nhw|ef)\b|\b(?:ei|eu)\s+(?:anghenion|"
        r"gofal|cymorth|llesiant|annibyniaeth)\b",
        _I,
    ),
    third_start=None,
    third_possessive=None,
    nominal=tuple(
        re.compile(rf"\b{p}\b", _I)
        for p in (
            r"mewn\s+perthynas\s+â",
            r"o\s+ran",
            r"mynediad\s+at",
            r"darpariaeth",
            r"ddarpariaeth",
            r"ar\s+sail\s+(?:ddyddiol|wythnosol|reolaidd)",
            r"yn\s+unol\s+â",
            r"cyfleoedd\s+i",
            r"diffyg",
        )
    ),
    passive=re.compile(r"\b(?:yn\s+cael\s+ei|yn\s+cael\s+eu|cafodd)\b", _I),
    passive_need=re.compile(r"\bangen\s+(?:cymorth|cefnogaeth)\b", _I),
    noun=re.compile(r"\b\w{4,}(?:iad|iaeth|ad|rwydd|edd)\b", _I),
    abstract_start=re.compile(r"^\s*(?:(?:y|yr)\s+)?\w{3,}(?:iad|iaeth|rwydd)\b", _I),
    heading=re.compile(r"^\s*(?:gwell|mwy\s+o|rhagor\s+o|cynyddu|gwella)\s+\w+", _I),
    instruction=re.compile(r"^\s*(?:sicrhau|annog|hyrwyddo|galluogi|parhau|darparu)\b", _I),
    adjectives=re.compile(r"\b(?:priodol|addas|cadarnhaol|ystyrlon|effeithiol|cyson)\b", _I),
    verbs=re.compile(r"\b(?:sicrhau|hwyluso|hyrwyddo|galluogi|cynnal|ymgysylltu)\b", _I),
    first_person=re.compile(
        r"\b(?:fi|fy|f'|rwy|rwyf|rydw|dw|dwi|wy|ngha|nghartref|innau|minnau)\b", _I
    ),
    we=re.compile(r"\b(?:ni|ein|rydyn|dyn)\b", _I),
)
RULES: dict[str, Rules] = {"en": EN, "cy": CY}


def base_language(language: str) -> str:
    return language.split("@")[0].split("_")[0].split("-")[0]


@lru_cache(maxsize=8)
def care_terms(language: str, *, strong: bool = False) -> tuple[str, ...]:
    """The shipped care-system terms for a language (none for a language without a file).

    `strong`: the lines marked "!", the system's words for someone's life ("dietary
    intake", "social isolation") that are a fault even in the person's own voice,
    unlike the names of things a person has ("my personal budget").
    """
    path = DATA / f"care_terms_{base_language(language)}.txt"
    if not path.exists():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    terms = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return tuple(t.lstrip("! ") for t in terms if t.startswith("!") == strong)


@lru_cache(maxsize=64)
def terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a list of phrases: whole words, any spacing or hyphen between
    them, a plural allowed, the longest phrase first where several start together.

    One alternation instead of a search per phrase keeps a 10,000-statement quality
    page quick.
    """
    alternatives = sorted(
        {
            r"[\s-]+".join(re.escape(word) for word in re.split(r"[\s-]+", term.strip()))
            for term in terms
            if term.strip()
        },
        key=len,
        reverse=True,
    )
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")s?(?!\w)", re.IGNORECASE)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _inside(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(start < span[1] and span[0] < end for start, end in taken)


def score(text: str, *, language: str = "en", listed: Iterable[str] = ()) -> Verdict:
    """How professional `text` sounds, with the reasons. `listed`: the programme's word list."""
    rules = RULES.get(base_language(language))
    if rules is None:  # no rules for this language yet: the programme's word list only
        return _listed_only(text, listed)
    signs: list[Sign] = []
    taken: list[tuple[int, int]] = []
    strong = False

    for pattern, reason in rules.third_strong:
        for span in _spans(pattern, text):
            if not _inside(span, taken):
                taken.append(span)
                weight = W_SERVICE_USER if reason == "service user" else W_THIRD_STRONG
                signs.append(Sign(f"{reason}: “{text[span[0] : span[1]]}”", weight))
                strong = True
    listed_pattern = terms_pattern(tuple(dict.fromkeys(p.strip() for p in listed if p.strip())))
    candidates: list[tuple[float, tuple[int, int], str]] = []
    for terms, term_reason, term_weight in (
        (terms_pattern(care_terms(language, strong=True)), "the system's words", W_STRONG_TERM),
        (listed_pattern, "on the programme's word list", W_LISTED),
        (terms_pattern(care_terms(language)), "care-system term", W_CARE_TERM),
    ):
        for span in _spans(terms, text) if terms is not None else []:
            candidates.append((term_weight, span, term_reason))
    seen: set[str] = set()
    for term_weight, span, term_reason in sorted(candidates, key=lambda c: -c[0]):
        phrase = " ".join(text[span[0] : span[1]].casefold().split())
        if phrase in seen or _inside(span, taken):
            continue
        seen.add(phrase)
        taken.append(span)
        signs.append(Sign(f"{term_reason}: “{text[span[0] : span[1]]}”", term_weight))
    _add(signs, rules.third_pronoun, text, "about the person as he/she/they", W_THIRD_PRONOUN)
    _add(signs, rules.third_possessive, text, "'his/her/their needs'", W_THIRD_POSSESSIVE)
    if rules.third_start is not None and not rules.first_person.search(text):
        _add(signs, rules.third_start, text, "opens with he/she/his/her", W_THIRD_START)
    for pattern in rules.nominal:
        _add(signs, pattern, text, "formal phrasing", W_NOMINAL_PHRASE, taken)
    _add(signs, rules.passive_need, text, "passive 'is required'", W_PASSIVE_NEED, taken)
    _add(signs, rules.passive, text, "passive voice", W_PASSIVE, taken)
    if rules.noun is not None:
        nouns = [m.group(0) for m in rules.noun.finditer(text)]
        if len(nouns) >= 2:
            weight = W_NOUNS + W_NOUN_EXTRA * (len(nouns) - 2)
            signs.append(Sign(f"abstract nouns: {', '.join(nouns)}", weight))
    if rules.abstract_start is not None:
        found = rules.abstract_start.search(text)
        if found:
            opening = found.group(0).strip()
            signs.append(Sign(f"opens with an abstract noun: “{opening}”", W_ABSTRACT_START))
    no_first_person = not rules.first_person.search(text)
    if no_first_person and rules.heading is not None:
        found = rules.heading.search(text)
        if found:
            signs.append(Sign(f"a heading, not a sentence: “{found.group(0).strip()}”", W_HEADING))
    if no_first_person and rules.instruction is not None:
        found = rules.instruction.search(text)
        if found:
            words = found.group(0).strip()
            signs.append(Sign(f"an instruction to staff: “{words}”", W_INSTRUCTION))
    if rules.adjectives is not None:
        for match in list(rules.adjectives.finditer(text))[:2]:
            signs.append(Sign(f"report word: “{match.group(0)}”", W_ADJECTIVE))
    if rules.verbs is not None:
        for match in list(rules.verbs.finditer(text))[:2]:
            signs.append(Sign(f"formal verb: “{match.group(0)}”", W_VERB))

    if rules.first_person.search(text):
        weight = W_FIRST_PERSON / 2 if strong else W_FIRST_PERSON
        signs.append(Sign("in the person's own voice (I, me, my)", weight))
    elif rules.we is not None and rules.we.search(text):
        weight = W_WE_ONLY / 2 if strong else W_WE_ONLY
        signs.append(Sign("in their own voice (we, our)", weight))
    total = round(sum(sign.weight for sign in signs), 2)
    return Verdict(total, signs)


def _listed_only(text: str, listed: Iterable[str]) -> Verdict:
    pattern = terms_pattern(tuple(dict.fromkeys(p.strip() for p in listed if p.strip())))
    signs = [
        Sign(f"on the programme's word list: “{text[start:end]}”", W_LISTED)
        for start, end in (_spans(pattern, text) if pattern is not None else [])
    ]
    return Verdict(round(sum(sign.weight for sign in signs), 2), signs)


def _add(
    signs: list[Sign],
    pattern: re.Pattern[str] | None,
    text: str,
    reason: str,
    weight: float,
    taken: list[tuple[int, int]] | None = None,
) -> None:
    """Add one sign for the first match of `pattern` not already counted."""
    if pattern is None:
        return
    for span in _spans(pattern, text):
        if taken is not None and _inside(span, taken):
            continue
        if taken is not None:
            taken.append(span)
        signs.append(Sign(f"{reason}: “{text[span[0] : span[1]]}”", weight))
        return
