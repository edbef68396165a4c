"""Values that go in and out of the engine: inputs, context, replies, effects.

Everything here is immutable and JSON-friendly so that the caller can log,
store and replay it. The engine never sees a database row or a channel payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bot.safeguarding import Rules

Category = Literal["working", "not_working", "future"]
CATEGORIES: tuple[Category, ...] = ("working", "not_working", "future")
CATEGORY_LETTER: dict[Category, str] = {"working": "W", "not_working": "N", "future": "F"}

InboundKind = Literal["text", "button", "media", "rejoin", "reminder", "expire"]
"""The closed set of inputs: a typed message, a button tap, a picture or sticker
with no words, the programme code sent again mid-conversation, a reminder timer
that fired, and the quiet-period expiry."""


@dataclass(frozen=True)
class Inbound:
    """One input to the engine."""

    text: str = ""
    kind: InboundKind = "text"
    turn: int | None = None
    """For button taps: the turn the button was drawn on. A tap from an older
    turn is stale and changes nothing."""


@dataclass(frozen=True)
class Context:
    """What the engine may know about the programme and the channel."""

    code: str
    name: str
    purpose: str = ""
    segments: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    max_statements: int = 5
    collecting: bool = True
    can_follow_up: bool = True
    """False on the kiosk and terminal: nobody can be reached there later."""
    opted_out: bool = False
    """The channel address has said STOP (kept per address, not per response)."""
    consent_version: str = "1"
    safeguarding: Rules | None = None
    """The disclosure rules (shipped patterns plus the programme's phrases), read by
    the caller; None checks nothing."""
    safeguarding_help: str = ""
    """The centre's own contact, said after 999 and Samaritans in the help reply."""


@dataclass(frozen=True)
class Button:
    """A choice a rich channel may draw as a button; `value` is what a tap sends."""

    label: str
    """A message key (translated) or, for pick items, literal text."""
    value: str
    literal: bool = False


@dataclass(frozen=True)
class Group:
    """A labelled, numbered list inside a reply (the pick list, the summary)."""

    items: tuple[str, ...]
    label: str | None = None
    """Message key of the group heading, if any."""


@dataclass(frozen=True)
class Reply:
    """One message to send, as a message key plus parameters."""

    key: str
    params: tuple[tuple[str, str | int], ...] = ()
    groups: tuple[Group, ...] = ()
    footer: str | None = None
    """Message key of a line after the groups (e.g. the summary's question)."""
    buttons: tuple[Button, ...] = ()
    ticked: tuple[int, ...] = ()
    """For the tap picker: which numbered items are ticked now."""
    edit: bool = False
    """True when a rich channel should update its last picker in place."""
    turn: int = 0

    def param_dict(self) -> dict[str, str | int]:
        return dict(self.params)


# ---- effects: what the caller must store -------------------------------------------------


@dataclass(frozen=True)
class Consented:
    version: str


@dataclass(frozen=True)
class Declined:
    pass


@dataclass(frozen=True)
class SetPerspective:
    perspective: str | None


@dataclass(frozen=True)
class SetSegment:
    segment: str | None


@dataclass(frozen=True)
class SetLanguage:
    language: str


@dataclass(frozen=True)
class AddStatement:
    category: Category
    position: int
    text: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Disclosed:
    """The statement just added reads as a disclosure of harm: open a safeguarding case."""

    category: Category
    position: int
    kind: str
    """The most urgent safeguarding category matched (bot.safeguarding)."""
    kinds: tuple[str, ...] = ()
    phrase: str = ""


@dataclass(frozen=True)
class RemoveStatement:
    category: Category
    position: int


@dataclass(frozen=True)
class SetPicks:
    category: Category
    positions: tuple[int, ...]
    """1-based statement positions, in rank order."""


@dataclass(frozen=True)
class Completed:
    pass


@dataclass(frozen=True)
class Reopened:
    pass


@dataclass(frozen=True)
class FollowUp:
    wanted: bool


@dataclass(frozen=True)
class OptedOut:
    pass


@dataclass(frozen=True)
class OptedIn:
    pass


@dataclass(frozen=True)
class Discarded:
    """RESTART confirmed: the statements and picks of this response go."""


@dataclass(frozen=True)
class EraseRequested:
    """DELETE confirmed: erase this person (statements, picks, contact, log)."""


@dataclass(frozen=True)
class Expired:
    """Quiet for too long: the response is closed as partial (it can resume later)."""


@dataclass(frozen=True)
class Paused:
    """The person joined another programme mid-conversation: this one is kept, as partial."""


@dataclass(frozen=True)
class Resumed:
    """A partial response is answered again (the person came back to it): active once more."""


Effect = (
    Consented
    | Declined
    | SetPerspective
    | SetSegment
    | SetLanguage
    | AddStatement
    | Disclosed
    | RemoveStatement
    | SetPicks
    | Completed
    | Reopened
    | FollowUp
    | OptedOut
    | OptedIn
    | Discarded
    | EraseRequested
    | Expired
    | Paused
    | Resumed
)


@dataclass(frozen=True)
class Step:
    """What one engine step returns."""

    state: dict[str, object]
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = field(default_factory=tuple)
    stale: bool = False


def reply_to_dict(reply: Reply) -> dict[str, object]:
    """A JSON-friendly form, stored so a replayed message gets the very same reply."""
    return {
        "key": reply.key,
        "params": [list(p) for p in reply.params],
        "groups": [{"items": list(g.items), "label": g.label} for g in reply.groups],
        "footer": reply.footer,
        "buttons": [
            {"label": b.label, "value": b.value, "literal": b.literal} for b in reply.buttons
        ],
        "ticked": list(reply.ticked),
        "edit": reply.edit,
        "turn": reply.turn,
    }


def reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(
        key=str(data["key"]),
        params=tuple((str(k), v) for k, v in data.get("params", [])),
        groups=tuple(
            Group(items=tuple(g.get("items", [])), label=g.get("label"))
            for g in data.get("groups", [])
        ),
        footer=data.get("footer"),
        buttons=tuple(
            Button(label=b["label"], value=b["value"], literal=bool(b.get("literal")))
            for b in data.get("buttons", [])
        ),
        ticked=tuple(int(n) for n in data.get("ticked", [])),
        edit=bool(data.get("edit", False)),
        turn=int(data.get("turn", 0)),
    )
