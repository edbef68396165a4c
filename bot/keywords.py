"""Keywords a person can send at any point, in every language.

English keywords always work, whatever language a person chose: STOP must
never fail because someone switched to Welsh. The SMS opt-out words are
Twilio's standard set, honoured on every channel so that behaviour is the same
everywhere. STOP and START of every language work in every language too: a
person who got a Polish message and answers in Welsh is still heard.

Each language's table holds the words a speaker would really type, written as
they are spelt; `match` also finds them typed without accents (NOL for NÔL,
USUN for USUŃ) or with the letters an Arabic keyboard gives for Urdu ones. See
docs/languages.md for why some words are left out or mean something else here
than a dictionary says (Polish KONIEC, Polish NO, Roman Urdu BAND).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Keyword = Literal[
    "HELP",
    "STOP",
    "START",
    "BACK",
    "SKIP",
    "DONE",
    "RESTART",
    "CHANGE",
    "LANGUAGE",
    "DELETE",
    "YES",
    "NO",
    "JOIN",
]

ENGLISH: dict[str, Keyword] = {
    "help": "HELP",
    "info": "HELP",
    "stop": "STOP",
    "stopall": "STOP",
    "unsubscribe": "STOP",
    "cancel": "STOP",
    "end": "STOP",
    "quit": "STOP",
    "revoke": "STOP",
    "optout": "STOP",
    "start": "START",
    "unstop": "START",
    "back": "BACK",
    "undo": "BACK",
    "go back": "BACK",
    "skip": "SKIP",
    "done": "DONE",
    "finished": "DONE",
    "all done": "DONE",
    "restart": "RESTART",
    "start again": "RESTART",
    "change": "CHANGE",
    "language": "LANGUAGE",
    "delete": "DELETE",
    "yes": "YES",
    "y": "YES",
    "yeah": "YES",
    "ok": "YES",
    "yes please": "YES",
    "no": "NO",
    "n": "NO",
    "no thanks": "NO",
    "no thank you": "NO",
    "join": "JOIN",
}

WELSH: dict[str, Keyword] = {
    "cymorth": "HELP",
    "stop": "STOP",
    "stopio": "STOP",
    "stopiwch": "STOP",
    "dechrau": "START",
    "cychwyn": "START",
    "nôl": "BACK",
    "yn ôl": "BACK",
    "dadwneud": "BACK",
    "neidio": "SKIP",
    "hepgor": "SKIP",
    "sgipio": "SKIP",
    "gorffen": "DONE",
    "wedi gorffen": "DONE",
    "dyna'r cyfan": "DONE",
    "dyna ni": "DONE",
    "ailddechrau": "RESTART",
    "ail-ddechrau": "RESTART",
    "dechrau eto": "RESTART",
    "newid": "CHANGE",
    "iaith": "LANGUAGE",
    "dileu": "DELETE",
    # Welsh answers a question with the verb's own yes or no: "Oes" (there is),
    # "Ydw" (I am), "Hoffwn" (I would like), "Do" (past tense), "Ie" (plain yes).
    "ie": "YES",
    "oes": "YES",
    "ydw": "YES",
    "ydy": "YES",
    "do": "YES",
    "hoffwn": "YES",
    "iawn": "YES",
    "na": "NO",
    "nac oes": "NO",
    "nage": "NO",
    "nac ydw": "NO",
    "nac ydy": "NO",
    "naddo": "NO",
    "na hoffwn": "NO",
    "dim diolch": "NO",
    "ymuno": "JOIN",
}

POLISH: dict[str, Keyword] = {
    "pomoc": "HELP",
    "pomocy": "HELP",
    "stop": "STOP",
    "wypisz": "STOP",
    "wypisz mnie": "STOP",
    "rezygnuję": "STOP",
    "start": "START",
    "wstecz": "BACK",
    "cofnij": "BACK",
    "pomiń": "SKIP",
    "dalej": "SKIP",
    "gotowe": "DONE",
    "gotowy": "DONE",
    "gotowa": "DONE",
    # "Koniec" is "the end": after "send GOTOWE when you have finished" a
    # Polish speaker means "I've finished", not "never text me again", so it is
    # DONE here, although Twilio's English END is STOP.
    "koniec": "DONE",
    "to wszystko": "DONE",
    "skończone": "DONE",
    "skończyłem": "DONE",
    "skończyłam": "DONE",
    "od nowa": "RESTART",
    "zacznij od nowa": "RESTART",
    "zmień": "CHANGE",
    "język": "LANGUAGE",
    "usuń": "DELETE",
    "tak": "YES",
    "dobrze": "YES",
    "zgoda": "YES",
    "jasne": "YES",
    "okej": "YES",
    "nie": "NO",
    "nie dziękuję": "NO",
    "dołącz": "JOIN",
}

URDU: dict[str, Keyword] = {
    "مدد": "HELP",
    "madad": "HELP",
    "بند": "STOP",
    "بند کریں": "STOP",
    "بند کرو": "STOP",
    "بند کر دیں": "STOP",
    "band": "STOP",
    "band karo": "STOP",
    "band karen": "STOP",
    "band karein": "STOP",
    "band kar do": "STOP",
    "band kardo": "STOP",
    "شروع": "START",
    "شروع کریں": "START",
    "shuru": "START",
    "shuru karo": "START",
    "shuru karen": "START",
    "shuru karein": "START",
    "واپس": "BACK",
    "wapas": "BACK",
    "wapis": "BACK",
    "پیچھے": "BACK",
    "peeche": "BACK",
    "چھوڑیں": "SKIP",
    "چھوڑ دیں": "SKIP",
    "چھوڑو": "SKIP",
    "chhoren": "SKIP",
    "chhorein": "SKIP",
    "choren": "SKIP",
    "chorein": "SKIP",
    "chhoro": "SKIP",
    "choro": "SKIP",
    "chhor do": "SKIP",
    "chor do": "SKIP",
    "آگے": "SKIP",
    "aage": "SKIP",
    "agay": "SKIP",
    "بس": "DONE",
    "bas": "DONE",
    "ہو گیا": "DONE",
    "ho gaya": "DONE",
    "hogaya": "DONE",
    # "Khatam" (finished, over) means done with this question, as Polish KONIEC.
    "ختم": "DONE",
    "khatam": "DONE",
    "khatm": "DONE",
    "مکمل": "DONE",
    "mukammal": "DONE",
    "دوبارہ": "RESTART",
    "dobara": "RESTART",
    "dobaara": "RESTART",
    "دوبارہ شروع": "RESTART",
    "dobara shuru": "RESTART",
    "بدلیں": "CHANGE",
    "بدلو": "CHANGE",
    "badlen": "CHANGE",
    "badlein": "CHANGE",
    "badlo": "CHANGE",
    "زبان": "LANGUAGE",
    "zaban": "LANGUAGE",
    "zuban": "LANGUAGE",
    "zubaan": "LANGUAGE",
    "مٹائیں": "DELETE",
    "مٹا دیں": "DELETE",
    "mitayen": "DELETE",
    "mitaen": "DELETE",
    "mitaein": "DELETE",
    "mita do": "DELETE",
    "mita dein": "DELETE",
    "ڈیلیٹ": "DELETE",
    "ہاں": "YES",
    "haan": "YES",
    "han": "YES",
    "haa": "YES",
    "ha": "YES",
    "جی": "YES",
    "جی ہاں": "YES",
    "ji": "YES",
    "jee": "YES",
    "ji haan": "YES",
    "jee haan": "YES",
    "ٹھیک ہے": "YES",
    "theek hai": "YES",
    "thik hai": "YES",
    "نہیں": "NO",
    "نہ": "NO",
    "جی نہیں": "NO",
    "nahi": "NO",
    "nahin": "NO",
    "nai": "NO",
    "na": "NO",
    "ji nahi": "NO",
    "jee nahi": "NO",
    "ji nahin": "NO",
    "شامل": "JOIN",
    "shamil": "JOIN",
}

BY_LANGUAGE: dict[str, dict[str, Keyword]] = {
    "en": {},
    "en@easyread": {},
    "cy": WELSH,
    "pl": POLISH,
    "ur": URDU,
}
"""Per-language keywords, added to the English ones: a language's own word wins."""

ORDINARY: dict[str, frozenset[str]] = {
    "pl": frozenset({"no"}),
}
"""English keywords that are everyday words in a language, so not keywords there.

Polish "no" means "well" or, said alone, "yeah": a Polish speaker who answers
"Odpisz TAK" with "no" must not be taken as saying NO. They are asked again.
"""

OWN_LANGUAGE_ONLY: frozenset[str] = frozenset({"band"})
"""STOP or START words that are ordinary English words (Roman Urdu BAND, "close
it"), so they are only keywords in their own language: an English speaker who
answers "band" is not opted out."""

LANGUAGE_WORDS: dict[str, str] = {
    "english": "en",
    "cymraeg": "cy",
    "polski": "pl",
    "اردو": "ur",
    "urdu": "ur",
    "easy read": "en@easyread",
    "easyread": "en@easyread",
    "easy-read": "en@easyread",
    "easy": "en@easyread",
}
"""A language's own name, typed at any point, switches to it (e.g. CYMRAEG)."""

OWN_WORDS: dict[str, str] = {
    "en": "ENGLISH",
    "cy": "CYMRAEG",
    "pl": "POLSKI",
    "ur": "URDU",
    "en@easyread": "EASY READ",
}
"""The word a person types to switch to a language, shown in the welcome.

Urdu is offered as URDU, not اردو: the welcome then stays in the cheap GSM-7
alphabet, the word is typed on any keypad, and it is how Urdu speakers write
the name in Roman letters. Both work when typed."""

_TRAILING = re.compile(r"[\s.!。۔]+$")
_QUOTES = "\"'“”‘’„«»"
_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_LETTER_VARIANTS = str.maketrans(
    {
        "ł": "l",  # Polish: not a letter with an accent, so NFD leaves it
        "ي": "ی",  # Arabic yeh, alef maksura and Farsi yeh -> Urdu choti yeh
        "ى": "ی",
        "ك": "ک",  # Arabic kaf -> Urdu keheh
        "ه": "ہ",  # Arabic heh, heh doachashmee -> Urdu heh goal
        "ھ": "ہ",
        "ة": "ہ",
    }
)


def normalise(text: str) -> str:
    """Case, spacing, quotes and a final full stop do not matter for keywords.

    People copy a keyword with the quotes a message put round it ("ہاں"), type
    two spaces in WEDI GORFFEN, end with an Urdu full stop (۔), and phones slip
    in invisible direction marks: none of that should stop a keyword working.
    """
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    folded = _TRAILING.sub("", folded.strip())
    folded = _TRAILING.sub("", folded.strip(_QUOTES + " "))
    folded = folded.lstrip("/")  # Telegram commands: /help, /stop
    folded = _SPACES.sub(" ", folded.translate(_APOSTROPHES))
    return folded.casefold()


def fold(word: str) -> str:
    """A normalised word without accents or keyboard-dependent letter shapes.

    NÔL typed as NOL, USUŃ as USUN, and Urdu typed on an Arabic keyboard all
    reach the same entry. Only a second chance: a word is first looked up as
    typed, so folding never overrides a language's own spelling.
    """
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", word) if unicodedata.category(ch) != "Mn"
    )
    return unicodedata.normalize("NFC", stripped.translate(_LETTER_VARIANTS))


def _folded(table: dict[str, Keyword]) -> dict[str, Keyword]:
    return {fold(word): keyword for word, keyword in table.items()}


_FOLDED: dict[str, dict[str, Keyword]] = {
    language: _folded(table) for language, table in BY_LANGUAGE.items()
}


def _lookup(language: str, word: str, folded: str) -> Keyword | None:
    found = BY_LANGUAGE.get(language, {}).get(word)
    return found if found is not None else _FOLDED.get(language, {}).get(folded)


def match(text: str, language: str = "en") -> Keyword | None:
    """The keyword this message is, or None when it is an ordinary answer.

    Looked up in the person's language first, then STOP and START of every
    language, then English (unless it is an everyday word in their language).
    """
    word = normalise(text)
    if not word or len(word) > 20:
        return None
    return _match_word(word, fold(word), language)


def _match_word(word: str, folded: str, language: str) -> Keyword | None:
    """`match` for a word already normalised and folded (`match_any` does that once)."""
    found = _lookup(language, word, folded)
    if found is not None:
        return found
    ordinary = ORDINARY.get(language, frozenset())
    if word in ordinary:
        return None
    if word not in OWN_LANGUAGE_ONLY:
        for other in BY_LANGUAGE:
            found = _lookup(other, word, folded)
            if found in ("STOP", "START"):
                return found
    return ENGLISH.get(word)


_FOLDED_LANGUAGE_WORDS: dict[str, str] = {fold(w): code for w, code in LANGUAGE_WORDS.items()}


def language_word(text: str) -> str | None:
    """The language id a message names in its own words (CYMRAEG -> cy), if any."""
    word = normalise(text)
    return LANGUAGE_WORDS.get(word) or _FOLDED_LANGUAGE_WORDS.get(fold(word))


def own_word(language: str) -> str:
    """The word shown in the welcome for switching to `language`."""
    return OWN_WORDS.get(language, "LANGUAGE")


def join_code(text: str) -> str | None:
    """The code in an explicit `JOIN CODE` (YMUNO, DOŁĄCZ, شامل ...), in any language.

    The only way a message in a conversation can name another programme: the
    word must come first and the code must be the one word after it, so "join
    the club" or "join in with friends" never reads as a code. Whether such a
    programme exists is for the caller to look up.
    """
    word, _, rest = normalise(text).partition(" ")
    if not rest or " " in rest.strip():
        return None
    folded = fold(word)
    meanings = {ENGLISH.get(word)} | {_lookup(lang, word, folded) for lang in BY_LANGUAGE}
    if "JOIN" not in meanings:
        return None
    code = rest.strip().upper()
    return code if 2 <= len(code) <= 20 and code.isascii() and code.isalnum() else None


def match_any(text: str) -> Keyword | None:
    """The keyword a message is in any language, or None.

    For words that must mean nothing to the bot whatever the person's language,
    such as a programme's join code: a code TAK or IE would be read as YES by
    Polish or Welsh speakers.
    """
    word = normalise(text)
    if not word or len(word) > 20:
        return None
    folded = fold(word)
    for language in BY_LANGUAGE:
        found = _match_word(word, folded, language)
        if found is not None:
            return found
    return None
