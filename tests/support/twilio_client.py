"""Twilio's side of our webhooks, for tests: form posts signed with the library's own validator.

The signature is `RequestValidator.compute_signature` over the URL Twilio would
call (our public URL, or the test client's) and the form fields, exactly what
Twilio's servers compute; nothing here re-implements the HMAC.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import httpx
from twilio.request_validator import RequestValidator

AUTH_TOKEN = "test-twilio-auth-token"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
OUR_NUMBER = "+447700900999"
PERSON = "+447700900123"
MESSAGES = "/webhooks/twilio/messages"
STATUS = "/webhooks/twilio/status"

_sids = itertools.count(1)


def new_sid(prefix: str = "SM") -> str:
    """A fresh message SID of Twilio's shape (two letters and 32 hex digits)."""
    return f"{prefix}{next(_sids):032x}"


@dataclass(frozen=True)
class TwimlAnswer:
    """Our webhook's HTTP answer, with the TwiML <Message> bodies read out."""

    status: int
    content_type: str
    text: str

    @property
    def messages(self) -> list[str]:
        root = ET.fromstring(self.text)
        assert root.tag == "Response"
        return [element.text or "" for element in root.findall("Message")]

    @property
    def said(self) -> str:
        """Everything we answered, as one text (for `in` checks)."""
        return "\n\n".join(self.messages)


class TwilioWebhookClient:
    """Posts what Twilio would post, signed for `signed_base` (the URL Twilio calls)."""

    def __init__(
        self, http: httpx.AsyncClient, *, signed_base: str, token: str = AUTH_TOKEN
    ) -> None:
        self.http = http
        self.signed_base = signed_base.rstrip("/")
        self.validator = RequestValidator(token)

    def sign(self, path: str, params: dict[str, str]) -> str:
        return str(self.validator.compute_signature(self.signed_base + path, params))

    async def post(
        self,
        path: str,
        params: dict[str, str],
        *,
        signature: str | None = "sign",
    ) -> httpx.Response:
        """Post the form; `signature="sign"` signs it, None sends no signature header."""
        headers = {}
        if signature == "sign":
            headers["X-Twilio-Signature"] = self.sign(path, params)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return await self.http.post(path, data=params, headers=headers)

    async def text(
        self,
        body: str,
        *,
        sender: str = PERSON,
        sid: str | None = None,
        media: int = 0,
        whatsapp: bool = False,
        extra: dict[str, str] | None = None,
    ) -> TwimlAnswer:
        """A person texts `body` to our number; returns our TwiML answer."""
        prefix = "whatsapp:" if whatsapp else ""
        params = {
            "MessageSid": sid or new_sid("MM" if media else "SM"),
            "AccountSid": ACCOUNT_SID,
            "From": prefix + sender,
            "To": prefix + OUR_NUMBER,
            "Body": body,
            "NumMedia": str(media),
            "NumSegments": "1",
            "ApiVersion": "2010-04-01",
            **{f"MediaUrl{i}": f"https://api.twilio.com/media/ME{i:032x}" for i in range(media)},
            **{f"MediaContentType{i}": "image/jpeg" for i in range(media)},
            **(extra or {}),
        }
        answer = await self.post(MESSAGES, params)
        return TwimlAnswer(answer.status_code, answer.headers.get("content-type", ""), answer.text)

    async def status(self, sid: str, status: str, error_code: int | None = None) -> httpx.Response:
        """Twilio reports a delivery status for a message we sent."""
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": ACCOUNT_SID,
            "MessageStatus": status,
            "SmsStatus": status,
            "From": OUR_NUMBER,
            "To": PERSON,
            "ApiVersion": "2010-04-01",
        }
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        return await self.post(STATUS, params)
