"""WTFC_SMTP_URL and the mail sender: reading the URL, and `wtfc serve` wiring it in."""

from __future__ import annotations

import pytest

from channels.email.sender import MailSender, SmtpUrlError, parse_smtp_url
from collection.settings import Settings
from wtfc.app import build_senders, build_services


def test_smtp_url_with_port() -> None:
    server = parse_smtp_url("smtp://mail.example.org:2525")
    assert (server.host, server.port, server.implicit_tls, server.username) == (
        "mail.example.org",
        2525,
        False,
        None,
    )


def test_smtps_url_with_credentials_and_default_port() -> None:
    """smtps:// means TLS from the start on 465; a percent-encoded password is decoded."""
    server = parse_smtp_url("smtps://alerts%40council.example:p%40ss@smtp.example.org")
    assert server.implicit_tls and server.port == 465
    assert (server.username, server.password) == ("alerts@council.example", "p@ss")


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "smtp://host:port"])
def test_a_bad_smtp_url_is_refused(url: str) -> None:
    with pytest.raises(SmtpUrlError):
        parse_smtp_url(url)


async def test_serve_adds_the_mail_sender_only_with_an_smtp_url(settings: Settings) -> None:
    """Without WTFC_SMTP_URL alerts wait in the outbox; with it, the "email" sender exists."""
    without = build_services(settings)
    with_mail = build_services(
        settings.model_copy(
            update={"smtp_url": "smtp://127.0.0.1:2525", "mail_from": "alerts@council.example"}
        )
    )
    try:
        assert "email" not in build_senders(without)
        sender = build_senders(with_mail)["email"]
        assert isinstance(sender, MailSender) and sender.mail_from == "alerts@council.example"
    finally:
        await without.close()
        await with_mail.close()


def test_a_mistyped_smtp_url_stops_start_up(database_url: str) -> None:
    """The settings refuse it, naming the variable, instead of failing at the first alert."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="WTFC_SMTP_URL"):
        Settings(WTFC_DATABASE_URL=database_url, WTFC_SMTP_URL="mail.example.org:25")
