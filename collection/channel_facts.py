"""What each channel is, in one place: the facts the collection layer and the admin decide by.

Before this module the answers were spread over five constants in four packages, one
an allow-list and one a deny-list, so a new channel would by default have been asked
whether it wants to hear back and then never been reminded. Now every question
("can we reach this person later?", "do its replies wait in the outbox?") is a field
of one frozen `ChannelFacts` per channel, listed once in `CHANNELS`.

A channel name that is not listed (a row written by an older or newer version, a
typo) gets `facts_for`'s safe defaults: nobody can be reached there later (no
reminder, no feedback round, no hear-back question: we never promise what we cannot
deliver), it is treated like a kiosk, its replies go in the HTTP answer, and staff
cannot invite by it. Its label is its name as stored.

How a channel's messages get in and out (its router, its sender, its start and stop)
is the adapter's business, in `channels/registry.py`; a test holds the two lists to
the same names. Adding a channel: one `ChannelFacts(...)` line here, one package under
channels/, one line in channels/registry.py (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark a label for the admin's catalogue (babel-admin.cfg); the pages translate it
    where they show it (the `t` filter). Collection code never translates: no locale here."""
    return message


@dataclass(frozen=True)
class ChannelFacts:
    """What the collection layer needs to know of one channel."""

    name: str
    """As stored in `Response.channel`, `Participant.channel` and the outbox."""
    label: str
    """What the admin pages call it (English, marked with N_, translated where shown)."""
    reachable: bool = False
    """A message can reach the person later: reminders, feedback rounds, and so the
    closing "would you like to hear back?" question is asked."""
    kiosk: bool = True
    """Typed on a shared device or by someone else (the tablet at the centre, the terminal,
    staff typing in): the address is not the person's own, so nobody is reachable there."""
    replies_queued: bool = False
    """Replies always go through the outbox (the platform ignores an HTTP answer), never
    in the webhook's answer."""
    polled: bool = False
    """The page collects replies that were late for the HTTP answer by polling."""
    invitable: bool = False
    """Staff may invite a person by a text on this channel (`wtfc invite`, the admin)."""

    def __post_init__(self) -> None:
        if self.reachable and self.kiosk:
            raise ValueError(f"{self.name}: a kiosk channel cannot reach anyone later")
        if self.invitable and not self.reachable:
            raise ValueError(f"{self.name}: an invitation needs a channel that reaches people")


CHANNELS: tuple[ChannelFacts, ...] = (
    ChannelFacts("sms", N_("Text message"), reachable=True, kiosk=False, invitable=True),
    ChannelFacts("whatsapp", N_("WhatsApp"), reachable=True, kiosk=False, invitable=True),
    ChannelFacts("telegram", N_("Telegram"), reachable=True, kiosk=False, replies_queued=True),
    ChannelFacts("web", N_("Web chat"), polled=True),
    ChannelFacts("terminal", N_("Terminal")),
    ChannelFacts("assisted", N_("Typed in by staff")),
)
"""Every channel, in the order the admin lists them."""


def facts_for(name: str) -> ChannelFacts:
    """The facts of channel `name`; for an unknown name, the safe defaults (module doc)."""
    # Read at call time, not copied at import: a test may register a channel of its own.
    found = [facts for facts in CHANNELS if facts.name == name]
    return found[0] if found else ChannelFacts(name, name)


def reachable_channels() -> tuple[str, ...]:
    """Where reminders and feedback rounds may go (a query's `IN (...)`)."""
    return tuple(facts.name for facts in CHANNELS if facts.reachable)


def queued_channels() -> frozenset[str]:
    return frozenset(facts.name for facts in CHANNELS if facts.replies_queued)


def polled_channels() -> frozenset[str]:
    return frozenset(facts.name for facts in CHANNELS if facts.polled)


def invitable_channels() -> tuple[str, ...]:
    return tuple(facts.name for facts in CHANNELS if facts.invitable)


def labels() -> dict[str, str]:
    """Channel name to its (untranslated) label, for the admin's pages."""
    return {facts.name: facts.label for facts in CHANNELS}
