"""The door and the lobby: which conversation a message is for, and what someone in none is told.

Pure, like the engine. Routing (collection/routing.py) looks up what these
functions ask for (the person's latest conversation, the programme a code names,
the programmes to offer) and applies what they decide.

The rule people can rely on: a programme's code is honoured

- from an address in no conversation (never seen, or its last conversation is
  over: declined, finished, erased, closed as partial after a quiet spell, or
  its programme no longer collecting),
- from a Telegram deep link `/start CODE`, the web chat page's `?code=`, and
  `wtfc chat CODE` (the channel passes it as the join code),
- and in the middle of a conversation only as `JOIN CODE` (YMUNO, DOŁĄCZ, شامل),
  or as the reply to a staff invitation not taken up yet ("Reply OAK to take
  part"), with the person told that the conversation they leave is kept, paused.

Any other message in a conversation is an answer to it, so no statement or pick
ever moves a person to another programme, whatever codes exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot import keywords
from bot.model import Effect, OptedIn, OptedOut, Reply

CODE_PATTERN = re.compile(r"^[A-Z0-9]{2,20}$")


def normalise_code(code: str) -> str:
    """A code as stored: no spaces, capitals (people type `park` or `P A R K`)."""
    return "".join(code.split()).upper()


def code_refusal(code: str) -> str | None:
    """Why a programme may not have `code` (already normalised), or None if it may.

    A code people might send as an answer could be mistaken for one, so a code is
    never all digits (picks are numbers) nor a word the bot knows in any language.
    """
    if not CODE_PATTERN.match(code):
        return "The code must be 2 to 20 letters or digits, like PARK."
    if code.isdigit():
        return (
            f"{code} is only digits, which people send to pick their top two; "
            "choose a code with letters in it."
        )
    if keywords.match_any(code) is not None or keywords.language_word(code) is not None:
        return f"{code} is a word people send to the bot; choose another code."
    return None


def looks_like_code(text: str) -> str | None:
    """A message from the lobby that could be a join code (`park`, `PARK.`), else None."""
    candidate = normalise_code(text.strip().rstrip(".!"))
    if not (2 <= len(candidate) <= 20 and candidate.isascii() and candidate.isalnum()):
        return None
    if candidate.isdigit() or keywords.match_any(text) is not None:
        return None
    return candidate


@dataclass(frozen=True)
class Current:
    """The person's latest conversation, as routing found it."""

    code: str
    name: str
    active: bool
    """In the middle of it: the engine's state is in an active phase, the response is
    active (not closed as partial after a quiet spell or a STOP) and its programme is
    still collecting. Someone whose conversation is over in any of these ways is in
    the lobby as far as codes go: a new poster's code joins."""


@dataclass(frozen=True)
class Asked:
    """A programme code the message asks for."""

    code: str
    explicit: bool
    """JOIN CODE, a deep link or the kiosk page: honoured mid-conversation too."""


def asked_code(
    text: str, join_code: str | None, current: Current | None, invited: str | None = None
) -> Asked | None:
    """The code routing should look up for this message, if any.

    Outside a conversation a message that looks like a code is one; inside, only
    an explicit join is, so "Friends" or "1 3" stay answers. Two exceptions: the
    code of the conversation itself, sent again by someone who forgot they had
    started, welcomes them back to where they were (no programme changes); and
    `invited`, the code of a programme staff invited this address to and it has
    not joined yet, because the invitation said "Reply CODE to take part".
    """
    if join_code:
        return Asked(normalise_code(join_code), explicit=True)
    explicit = keywords.join_code(text)
    if explicit is not None:
        return Asked(explicit, explicit=True)
    code = looks_like_code(text)
    if code is None:
        return None
    if current is not None and current.active and code not in (current.code, invited):
        return None
    return Asked(code, explicit=code == invited)


@dataclass(frozen=True)
class Found:
    """The programme an asked code names (not a draft), as routing found it."""

    code: str
    name: str
    started: bool
    """The person already has a conversation there with some state: resume it."""


Way = Literal["continue", "join", "resume", "lobby"]
"""Go on with the latest conversation; start one in the found programme; resume the
person's conversation in the found programme; or answer from the lobby."""


@dataclass(frozen=True)
class Door:
    """What routing should do with one message."""

    way: Way
    pause_current: bool = False
    """The conversation being left is paused (kept as it is, status partial)."""
    replies: tuple[Reply, ...] = ()
    """Said before the engine's replies (what happened to the conversation left)."""


def choose(
    *,
    current: Current | None,
    asked: Asked | None,
    found: Found | None,
    opted_out: bool,
) -> Door:
    """Decide where a message goes, from what routing looked up.

    `JOIN CODE` naming no programme mid-conversation is an ordinary answer: a
    statement that starts with the word is never lost.
    """
    if asked is not None and found is not None:
        if current is not None and current.code == found.code:
            return Door("resume" if found.started else "continue")
        leaving = current is not None and current.active
        told: tuple[Reply, ...] = ()
        if leaving and not opted_out:  # after STOP nothing is sent
            assert current is not None
            params: tuple[tuple[str, str | int], ...] = (
                ("name", current.name),
                ("code", current.code),
            )
            told = (Reply(key="switched_programme", params=params),)
        return Door("resume" if found.started else "join", pause_current=leaving, replies=told)
    if current is not None:
        return Door("continue")
    return Door("lobby")


@dataclass(frozen=True)
class Offer:
    """A programme the lobby may name: the only one collecting, or the one staff invited to."""

    code: str
    name: str


@dataclass(frozen=True)
class LobbyStep:
    """What the lobby answers and what the caller must store."""

    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()


def lobby_step(text: str, *, opted_out: bool, offers: tuple[Offer, ...]) -> LobbyStep:
    """Answer an address that is in no conversation. STOP and START work here as anywhere."""
    keyword = keywords.match_any(text)
    if keyword == "STOP":
        return LobbyStep((Reply(key="stopped"),), (OptedOut(),))
    effects: tuple[Effect, ...] = ()
    if opted_out:
        if keyword not in ("START", "YES"):  # Twilio's opt-in words: START, YES, UNSTOP
            return LobbyStep()
        effects = (OptedIn(),)
    if keyword == "HELP":
        return LobbyStep((Reply(key="lobby_help"),), effects)
    if len(offers) == 1:
        only = offers[0]
        params: tuple[tuple[str, str | int], ...] = (("name", only.name), ("code", only.code))
        return LobbyStep((Reply(key="offer_programme", params=params),), effects)
    return LobbyStep((Reply(key="unknown_sender"),), effects)
