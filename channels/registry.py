"""Every channel adapter, one line each: what the app mounts, sends through, starts and stops.

Each line names the channels of `collection/channel_facts.py` the adapter serves
(tests/test_channel_registry.py holds the two lists to the same names) and how to
build it from the process's `Services`. The order is the order routers are mounted.
Adding a channel: a package under channels/ with an `adapter(services)`, a line
here, and its facts line (docs/architecture.md, "Adding a channel").
"""

from __future__ import annotations

from channels.base import AdapterEntry, no_transport
from channels.email import adapter as email
from channels.telegram import adapter as telegram
from channels.twilio import adapter as twilio
from channels.webchat import adapter as webchat

ADAPTERS: tuple[AdapterEntry, ...] = (
    AdapterEntry(("web",), webchat.adapter),
    AdapterEntry(("telegram",), telegram.adapter),
    AdapterEntry(("sms", "whatsapp"), twilio.adapter),
    AdapterEntry(("terminal",), no_transport),  # `wtfc chat`: channels/terminal.py
    AdapterEntry(("assisted",), no_transport),  # staff typing answers in: admin, collection
    AdapterEntry((), email.adapter),  # safeguarding alerts to staff only
)
