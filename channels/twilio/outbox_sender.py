"""The outbox's way out through Twilio: one `Sender` per channel (SMS, WhatsApp).

The dispatcher hands over an engine reply and an address; this renders the
reply for the channel (short SMS text, see `render`), sends it with
`TwilioSender` and translates its answer into the outbox's `SendResult`:
retry later, the person opted out (21610), or a permanent failure with its
reason. The pace key names the sending number (or Messaging Service) and the
channel, so every dispatcher process shares one rate per Twilio sender.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from channels.twilio.render import render
from channels.twilio.sender import WHATSAPP_PREFIX, TwilioSender
from channels.twilio.sender import SendResult as TwilioResult
from channels.twilio.templates import TEMPLATED_KINDS, check_templates, template_for, window_open
from collection.outbox import Outgoing, SendResult

STATUS_PATH = "/webhooks/twilio/status"
CHANNELS = ("sms", "whatsapp")


class TwilioOutboxSender:
    """Sends outbox messages of one channel ("sms" or "whatsapp") through one Twilio sender."""

    def __init__(
        self,
        twilio: TwilioSender,
        *,
        channel: str,
        sender_id: str,
        messages_per_second: float,
        whatsapp_templates: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        if channel not in CHANNELS:
            raise ValueError(f"Twilio sends {' and '.join(CHANNELS)}, not {channel!r}")
        if messages_per_second <= 0:
            raise ValueError("messages_per_second must be positive")
        self._twilio = twilio
        self.channel = channel
        self.pace_key = f"twilio:{channel}:{sender_id}"[:60]
        self.messages_per_second = messages_per_second
        self._templates = whatsapp_templates or {}
        check_templates(self._templates)

    async def send(self, message: Outgoing) -> SendResult:
        if self.channel == "whatsapp" and self._needs_template(message):
            return await self._send_template(message)
        body = render(message.reply, message.language, self.channel)
        to = WHATSAPP_PREFIX + message.address if self.channel == "whatsapp" else message.address
        return _converted(await self._twilio.send(to, body))

    @staticmethod
    def _needs_template(message: Outgoing) -> bool:
        """A message we start (not a reply) when the person's last message is over 24 h old."""
        now = message.at or datetime.now(UTC)
        return message.kind in TEMPLATED_KINDS and not window_open(message.last_inbound_at, now)

    async def _send_template(self, message: Outgoing) -> SendResult:
        if message.reply.key != message.kind:
            # The question re-asked after a reminder, say: only the template may go now, and
            # the person's answer to it reopens the window.
            return SendResult(
                ok=False,
                error=f"outside WhatsApp's 24-hour window: only the {message.kind} "
                "template can be sent",
            )
        template = template_for(self._templates, message.kind, message.language, message.reply)
        if template is None:
            # Free text would only come back as 63016; say what to set instead.
            return SendResult(
                ok=False,
                error=f"no WhatsApp template for {message.kind} in {message.language} "
                "(WTFC_WHATSAPP_TEMPLATES); the 24-hour window is closed",
            )
        to = WHATSAPP_PREFIX + message.address
        return _converted(
            await self._twilio.send_template(to, template.content_sid, template.variables)
        )


def _converted(result: TwilioResult) -> SendResult:
    """The Twilio sender's answer as the outbox's `SendResult`."""
    return SendResult(
        ok=result.ok,
        provider_id=result.provider_id,
        retry=result.retry,
        retry_after=result.retry_after,
        opted_out=result.opted_out,
        error=result.error,
    )


def status_callback_url(public_url: str | None) -> str | None:
    """Where Twilio reports delivery: only possible when the app has a public URL."""
    return public_url.rstrip("/") + STATUS_PATH if public_url else None


def twilio_senders(
    *,
    account_sid: str,
    auth_token: str,
    from_: str,
    base_url: str,
    messages_per_second: float,
    public_url: str | None,
    whatsapp_templates: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[TwilioSender, dict[str, TwilioOutboxSender]]:
    """One Twilio client and a sender per channel; the caller closes the client at shutdown."""
    twilio = TwilioSender(
        account_sid,
        auth_token,
        from_,
        base_url=base_url,
        status_callback=status_callback_url(public_url),
    )
    sender_id = from_.removeprefix(WHATSAPP_PREFIX)
    return twilio, {
        channel: TwilioOutboxSender(
            twilio,
            channel=channel,
            sender_id=sender_id,
            messages_per_second=messages_per_second,
            whatsapp_templates=whatsapp_templates,
        )
        for channel in CHANNELS
    }
