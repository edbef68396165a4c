"""Twilio's form posts read into our neutral shapes: an inbound message, a delivery status.

Twilio sends the same form for SMS and WhatsApp; a WhatsApp sender is written
``whatsapp:+447700900123``. The channel says which, and the address is the bare
E.164 number in both, so one phone is one participant per channel.

Why the form is read so strictly: Twilio's signature is an HMAC over the URL and
each field's name and value concatenated in name order, with nothing between
them. A captured post re-sent as ``MessageSid=SMxx...NumMedia0`` with no
``NumMedia`` field has the same concatenation, so the same valid signature, and a
new MessageSid: it would be stored as a new message. So every id must have
Twilio's exact shape (``SM``/``MM`` and 32 lowercase hex digits), the fields
Twilio always sends must all be there (``AccountSid``, ours when
``TWILIO_ACCOUNT_SID`` is set; ``From``; ``To``; ``NumMedia`` and ``NumSegments``
as plain digits), and ``SmsSid``/``SmsMessageSid``, when sent, must be the
MessageSid. A value can then no longer absorb the next field's name, nor can a
field be left out for its neighbour to swallow.
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
MESSAGE_SID = re.compile(r"(SM|MM)[0-9a-f]{32}")
"""A message's SID: SM (text) or MM (with media), then 32 lowercase hex digits."""
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
SAME_SID_FIELDS = ("SmsSid", "SmsMessageSid")
"""Older names Twilio still sends for the MessageSid: when present, the same value."""

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


def inbound_message(fields: Fields, *, account_sid: str | None = None) -> InboundMessage:
    """The message a person sent, ready for `Intake.handle`.

    `account_sid` is ours (TWILIO_ACCOUNT_SID), when set: a form for another
    account is refused.
    """
    sid = _sid(fields, "MessageSid")
    for name in SAME_SID_FIELDS:
        if name in fields and _first(fields, name) != sid:
            raise BadFormError(f"{name} is not the MessageSid")
    _account(fields, account_sid, required=True)
    sender = _first(fields, "From")
    if not sender:
        raise BadFormError("From is missing")
    channel = "whatsapp" if sender.startswith(WHATSAPP_PREFIX) else "sms"
    try:
        address = e164(sender.removeprefix(WHATSAPP_PREFIX))
    except PhoneNumberError as error:
        raise BadFormError("From is not a phone number") from error
    if not _first(fields, "To"):
        raise BadFormError("To is missing")
    media = _count(fields, "NumMedia")
    _count(fields, "NumSegments")
    keyword = opt_out_type(fields)
    return InboundMessage(
        channel=channel,
        address=address,
        # Twilio recognised one of its (possibly custom, e.g. Welsh) opt-out, opt-in or help
        # words: the engine hears the keyword it means, so both sides agree on the state.
        text=keyword or _first(fields, "Body") or "",
        external_id=sid,
        kind="media" if media > 0 else "text",
    )


def opt_out_type(fields: Fields) -> str | None:
    """STOP, START or HELP when Twilio's Advanced Opt-Out handled this message (and answered it)."""
    value = (_first(fields, "OptOutType") or "").strip().upper()
    return value if value in OPT_OUT_TYPES else None


def delivery_status(fields: Fields, *, account_sid: str | None = None) -> DeliveryStatus:
    """A status callback: MessageSid, MessageStatus and, on failure, ErrorCode."""
    sid = _sid(fields, "MessageSid")
    _account(fields, account_sid, required=False)
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
    if not MESSAGE_SID.fullmatch(value):
        raise BadFormError(f"{name} is not a Twilio message id (SM or MM and 32 hex digits)")
    return value


def _account(fields: Fields, ours: str | None, *, required: bool) -> None:
    """AccountSid has Twilio's shape and, when we know our account, is ours."""
    value = _first(fields, "AccountSid")
    if value is None and not required:
        return
    if not value:
        raise BadFormError("AccountSid is missing")
    if not ACCOUNT_SID.fullmatch(value):
        raise BadFormError("AccountSid is not a Twilio account id")
    if ours and value != ours:
        raise BadFormError("AccountSid is not this account")


def _count(fields: Fields, name: str) -> int:
    value = _first(fields, name)
    if value is None:
        raise BadFormError(f"{name} is missing")
    if not _is_count(value):
        raise BadFormError(f"{name} is not a number")
    return int(value)


def _first(fields: Fields, name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None
