"""The outbox's way out by e-mail (SMTP), for safeguarding alerts to staff.

`WTFC_SMTP_URL` names the server: `smtp://host:port` (STARTTLS when the server
offers it) or `smtps://user:password@host:port` (TLS from the first byte). The
standard library's smtplib does the talking, in a worker thread so the event
loop never waits on a slow mail server. A refused connection or a 4xx answer is
retried by the outbox (the alert waits for the server to come back); a 5xx
refusal of the recipient is a permanent failure shown on the case.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from channels.i18n import message as render_message
from collection.outbox import Outgoing, SendResult
from collection.safeguarding.cases import alert_subject

SCHEMES = {"smtp": 25, "smtps": 465}


class SmtpUrlError(ValueError):
    """WTFC_SMTP_URL is not of the form smtp://host:port or smtps://user:pass@host:port."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpServer:
    """Read WTFC_SMTP_URL; the password may be percent-encoded (%40 for @)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise SmtpUrlError(
            "WTFC_SMTP_URL must look like smtp://host:port or smtps://user:pass@host"
        )
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError as error:
        raise SmtpUrlError("WTFC_SMTP_URL has a port that is not a number") from error
    return SmtpServer(
        host=parts.hostname,
        port=port,
        implicit_tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class MailSender:
    """Sends outbox rows of the "email" channel: the reply's text is the body."""

    pace_key = "email"

    def __init__(
        self,
        server: SmtpServer,
        mail_from: str,
        *,
        messages_per_second: float = 5.0,
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.server = server
        self.mail_from = mail_from
        self.messages_per_second = messages_per_second
        self.timeout = timeout
        self.tls_context = tls_context or ssl.create_default_context()

    def compose(self, outgoing: Outgoing) -> EmailMessage:
        params = outgoing.reply.param_dict()
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = outgoing.address
        email["Subject"] = alert_subject(params)
        email["Message-ID"] = make_msgid(domain=self.mail_from.rpartition("@")[2] or None)
        email.set_content(render_message(outgoing.reply.key, outgoing.language, params))
        return email

    async def send(self, message: Outgoing) -> SendResult:
        email = self.compose(message)
        try:
            await asyncio.to_thread(self._send_now, email)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            return SendResult(ok=False, retry=all(c < 500 for c in codes), error=f"refused {codes}")
        except smtplib.SMTPResponseException as error:
            return SendResult(
                ok=False, retry=error.smtp_code < 500, error=f"smtp {error.smtp_code}"
            )
        except (OSError, smtplib.SMTPException) as error:
            # Never the message text: it may carry the recipient's address.
            return SendResult(ok=False, retry=True, error=type(error).__name__)
        return SendResult(ok=True, provider_id=str(email["Message-ID"])[:64])

    def _send_now(self, email: EmailMessage) -> None:
        server = self.server
        client: smtplib.SMTP
        if server.implicit_tls:
            client = smtplib.SMTP_SSL(
                server.host, server.port, timeout=self.timeout, context=self.tls_context
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        with client:
            client.ehlo()
            if not server.implicit_tls and client.has_extn("starttls"):
                client.starttls(context=self.tls_context)
                client.ehlo()
            if server.username:
                client.login(server.username, server.password or "")
            client.send_message(email)
