"""Twilio's form posts read into our neutral shapes: an inbound message, a delivery status.

Twilio sends the same form for SMS and WhatsApp; a WhatsApp sender is written
``whatsapp:+447700900123``. The channel says which, and the address is the bare
E.164 number in both, so one phone is one participant per channel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from channels.twilio.sender import KNOWN_ERRORS, OPTED_OUT_CODE
from collection.intake import InboundMessage
from collection.phones import PhoneNumberError, e164

WHATSAPP_PREFIX = "whatsapp:"
MAX_FIELDS = 200
MAX_DIGITS = 9
"""Longest number read from a form (NumMedia, ErrorCode); longer is not Twilio's."""
_SID = re.compile(r"[A-Za-z0-9]{2,64}")
"""Twilio SIDs are two letters and 32 hex digits; anything id-like and short is accepted."""

Fields = Mapping[str, Sequence[str]]

DELIVERY_ERRORS: dict[int, str] = {
    30003: "unreachable handset (switched off or out of signal)",
    30004: "message blocked by the recipient or their network",
    30005: "unknown number or inactive",
    30006: "landline or unreachable network",
    30007: "filtered by the network as spam",
    30008: "unknown delivery error",
}
"""Twilio's delivery error codes reported in status callbacks (after a successful send)."""


OPT_OUT_TYPES = frozenset({"STOP", "START", "HELP"})
"""Twilio's `OptOutType` values: sent only when a Messaging Service's Advanced Opt-Out is on."""


class BadFormError(ValueError):
    """The post is not a Twilio message form we can read; the text says what is wrong."""


@dataclass(frozen=True)
class DeliveryStatus:
    """One status callback: which message (Twilio's SID), its status, and any error code."""

    provider_id: str
    status: str
    error_code: int | None

    @property
    def opted_out(self) -> bool:
        """Twilio refused because the person texted STOP to our number."""
        return self.error_code == OPTED_OUT_CODE

    @property
    def reason(self) -> str | None:
        """The error as the outbox records it: the code and a few words, never the number."""
        if self.error_code is None:
            return None
        words = DELIVERY_ERRORS.get(self.error_code) or KNOWN_ERRORS.get(self.error_code)
        return f"{self.error_code}: {words or 'not delivered'}"


def parse_form(body: bytes) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body as fields with all their values."""
    try:
        text = body.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadFormError("the body is not a form") from error


def inbound_message(fields: Fields) -> InboundMessage:
    """The message a person sent, ready for `Intake.handle`."""
    sid = _sid(fields, "MessageSid")
    sender = _first(fields, "From")
    if not sender:
        raise BadFormError("From is missing")
    channel = "whatsapp" if sender.startswith(WHATSAPP_PREFIX) else "sms"
    try:
        address = e164(sender.removeprefix(WHATSAPP_PREFIX))
    except PhoneNumberError as error:
        raise BadFormError("From is not a phone number") from error
    media = _first(fields, "NumMedia") or "0"
    if not _is_count(media):
        raise BadFormError("NumMedia is not a number")
    keyword = opt_out_type(fields)
    return InboundMessage(
        channel=channel,
        address=address,
        # Twilio recognised one of its (possibly custom, e.g. Welsh) opt-out, opt-in or help
        # words: the engine hears the keyword it means, so both sides agree on the state.
        text=keyword or _first(fields, "Body") or "",
        external_id=sid,
        kind="media" if int(media) > 0 else "text",
    )


def opt_out_type(fields: Fields) -> str | None:
    """STOP, START or HELP when Twilio's Advanced Opt-Out handled this message (and answered it)."""
    value = (_first(fields, "OptOutType") or "").strip().upper()
    return value if value in OPT_OUT_TYPES else None


def delivery_status(fields: Fields) -> DeliveryStatus:
    """A status callback: MessageSid, MessageStatus and, on failure, ErrorCode."""
    sid = _sid(fields, "MessageSid")
    status = (_first(fields, "MessageStatus") or _first(fields, "SmsStatus") or "").lower()
    if not status.isalpha() or len(status) > 30:
        raise BadFormError("MessageStatus is missing")
    code = _first(fields, "ErrorCode") or ""
    return DeliveryStatus(sid, status, int(code) if _is_count(code) else None)


def _is_count(value: str) -> bool:
    """ASCII digits, and few of them: what `int` reads without raising.

    `str.isdigit` alone also accepts "²" or "①", which `int` refuses, and Python
    refuses to read integers of over 4,300 digits: either made a stray form a 500.
    Twilio's counts and error codes have at most five digits.
    """
    return value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS


def _sid(fields: Fields, name: str) -> str:
    value = _first(fields, name)
    if not value:
        raise BadFormError(f"{name} is missing")
    if not _SID.fullmatch(value):
        raise BadFormError(f"{name} is not an id")
    return value


def _first(fields: Fields, name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None
