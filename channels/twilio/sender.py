"""Send one SMS or WhatsApp message through Twilio's REST API and say what to do next.

The outbox dispatcher needs one answer per attempt: sent (with Twilio's message
SID for the status callbacks), try again later (rate limit, Twilio down, network
trouble), the person has opted out (Twilio refuses with 21610 after they texted
STOP to our number), or give up (an invalid number and the like). This module
turns the twilio library's exceptions into that answer, `SendResult`, and is the
only place that knows Twilio's error codes.

The twilio library's asynchronous calls (``create_async``) go through our aiohttp
client (`http_client`), so a send costs the event loop no thread. Phone numbers
are personal data: they never reach a log line or ``SendResult.error``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.rest import Client

from channels.twilio.http_client import DEFAULT_API_BASE_URL, DEFAULT_TIMEOUT, BaseUrlHttpClient
from channels.twilio.segments import encoding, segments

_logger = logging.getLogger("channels.twilio.sender")

WHATSAPP_PREFIX = "whatsapp:"
TEL_PREFIX = "tel:"
OPTED_OUT_CODE = 21610

#: Short reasons for the codes we expect, so ``error`` never echoes Twilio's message,
#: which often quotes the phone number.
KNOWN_ERRORS: dict[int, str] = {
    20003: "authentication failed",
    20404: "resource not found",
    20429: "too many requests",
    21211: "invalid 'To' number",
    21212: "invalid 'From' number",
    21408: "sending to this region is not enabled",
    21602: "message body is required",
    21606: "'From' cannot send to this number",
    21610: "recipient has unsubscribed (STOP)",
    21612: "'To' cannot be reached from this 'From'",
    21614: "'To' is not a mobile number",
    21617: "message body too long",
    63016: "outside the WhatsApp 24-hour window",
}

_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
_NUMBER = re.compile(r"[+(]?\d[\d ()./-]{4,}\d")


@dataclass(frozen=True, slots=True)
class SendResult:
    """What one attempt to send came to, and whether trying again can help."""

    ok: bool
    provider_id: str | None = None
    retry: bool = False
    retry_after: float | None = None
    opted_out: bool = False
    error: str | None = None

    @classmethod
    def sent(cls, provider_id: str | None) -> SendResult:
        return cls(ok=True, provider_id=provider_id)

    @classmethod
    def try_again(cls, error: str, retry_after: float | None = None) -> SendResult:
        return cls(ok=False, retry=True, retry_after=retry_after, error=error)

    @classmethod
    def unsubscribed(cls, error: str) -> SendResult:
        return cls(ok=False, opted_out=True, error=error)

    @classmethod
    def failed(cls, error: str) -> SendResult:
        return cls(ok=False, error=error)


class TwilioSender:
    """Sends messages from one Twilio number or Messaging Service (``from_`` a SID "MG...").

    ``to`` is an E.164 number for SMS (``+447700900123``, a ``tel:`` prefix is
    dropped) or ``whatsapp:+447700900123``; a WhatsApp message goes out from
    ``whatsapp:`` + the configured number.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_: str,
        *,
        base_url: str = DEFAULT_API_BASE_URL,
        status_callback: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not account_sid or not auth_token or not from_:
            raise ValueError("Twilio needs an account SID, an auth token and a sender")
        self._http = BaseUrlHttpClient(base_url, timeout)
        # Client.__init__ lacks a return annotation upstream.
        self._client = Client(  # type: ignore[no-untyped-call]
            account_sid, auth_token, http_client=self._http
        )
        self._from = from_.removeprefix(WHATSAPP_PREFIX)
        self._uses_service = _SERVICE_SID.fullmatch(self._from) is not None
        self._status_callback = status_callback
        self._timeout = timeout

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def timeout(self) -> float:
        return self._timeout

    async def send(self, to: str, body: str) -> SendResult:
        """Send ``body`` to ``to``; never raises for anything Twilio or the network does."""
        channel = "whatsapp" if to.startswith(WHATSAPP_PREFIX) else "sms"
        recipient = to.removeprefix(TEL_PREFIX)
        if not body:
            return self._log(channel, SendResult.failed("empty body: nothing to send"), body)
        if not recipient or ":" in recipient.removeprefix(WHATSAPP_PREFIX):
            return self._log(channel, SendResult.failed("not an SMS or WhatsApp address"), body)
        return await self._create(channel, to, {"body": body}, body)

    async def _create(
        self, channel: str, to: str, content: dict[str, str], body: str
    ) -> SendResult:
        """One Messages create call with ``content`` (a body or a template); never raises."""
        recipient = to.removeprefix(TEL_PREFIX)
        try:
            message = await self._client.messages.create_async(
                to=recipient, **content, **self._sender(channel)
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            code = exc.code if isinstance(exc.code, int) else None
            result = classify(exc.status, code, _reason(exc), self._http.last_retry_after())
        except TimeoutError:
            result = SendResult.try_again(f"timeout: no answer within {self.timeout:g} s")
        except aiohttp.ClientConnectionError:
            result = SendResult.try_again("network: ConnectionError")
        except aiohttp.ClientError as exc:
            result = SendResult.try_again(f"network: {type(exc).__name__}")
        except (TwilioException, ValueError) as exc:
            # An answer we could not read (a proxy's HTML page, say): Twilio may be fine.
            result = SendResult.try_again(f"unreadable answer: {type(exc).__name__}")
        else:
            result = SendResult.sent(message.sid)
        return self._log(channel, result, body)

    async def send_template(
        self, to: str, content_sid: str, variables: dict[str, str]
    ) -> SendResult:
        """Send an approved WhatsApp template (Content API) to ``to``; never raises."""
        fields: dict[str, str] = {"content_sid": content_sid}
        if variables:
            fields["content_variables"] = json.dumps(variables, ensure_ascii=False)
        return await self._create("whatsapp", to, fields, "")

    async def close(self) -> None:
        """Release pooled connections."""
        await self._http.close()

    def _sender(self, channel: str) -> dict[str, str]:
        """From or MessagingServiceSid, and the status callback, for the create call."""
        fields: dict[str, str] = {}
        if self._uses_service:
            fields["messaging_service_sid"] = self._from
        elif channel == "whatsapp":
            fields["from_"] = WHATSAPP_PREFIX + self._from
        else:
            fields["from_"] = self._from
        if self._status_callback:
            fields["status_callback"] = self._status_callback
        return fields

    @staticmethod
    def _log(channel: str, result: SendResult, body: str) -> SendResult:
        """One log line per attempt: the SID, or the error; never an address or the text."""
        if result.ok and not body:
            _logger.info("twilio %s sent sid=%s template", channel, result.provider_id)
        elif result.ok:
            _logger.info(
                "twilio %s sent sid=%s segments=%d encoding=%s",
                channel,
                result.provider_id,
                segments(body),
                encoding(body),
            )
        elif result.retry:
            _logger.warning("twilio %s send failed, will retry: %s", channel, result.error)
        else:
            _logger.warning("twilio %s send refused: %s", channel, result.error)
        return result


def classify(
    status: int, code: int | None, reason: str, retry_after: float | None = None
) -> SendResult:
    """Decide what an HTTP error from Twilio means for the outbox."""
    code = code or status
    error = f"{code}: {KNOWN_ERRORS.get(code) or reason or f'HTTP {status}'}"
    if status == 429 or status >= 500:
        return SendResult.try_again(error, retry_after)
    if code == OPTED_OUT_CODE:
        return SendResult.unsubscribed(error)
    return SendResult.failed(error)


def _reason(exc: TwilioRestException | TwilioServiceException) -> str:
    """Twilio's own words for an unknown code, with anything like a phone number removed."""
    if isinstance(exc, TwilioServiceException):
        text = exc.title
    else:
        text = str(exc.msg).removeprefix("Unable to create record:").strip()
    return scrub(text)[:120]


def scrub(text: str) -> str:
    """``text`` with every run of digits long enough to be a phone number replaced."""
    return _NUMBER.sub("<number>", text)
