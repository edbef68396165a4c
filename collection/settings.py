"""Settings from the environment (and a `.env` file), named as the public contract says."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105


class Settings(BaseSettings):
    """Everything an operator can set. Built in `create_app`, never at import time."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        "sqlite+aiosqlite:///./wtfc.db", validation_alias=AliasChoices("WTFC_DATABASE_URL")
    )
    secret_key: str = Field(DEVELOPMENT_SECRET_KEY, validation_alias="WTFC_SECRET_KEY")
    public_url: str | None = Field(None, validation_alias="WTFC_PUBLIC_URL")
    twilio_account_sid: str | None = Field(None, validation_alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str | None = Field(None, validation_alias="TWILIO_AUTH_TOKEN")
    twilio_from: str | None = Field(None, validation_alias="TWILIO_FROM")
    twilio_api_base_url: str = Field(
        "https://api.twilio.com", validation_alias="TWILIO_API_BASE_URL"
    )
    twilio_mps: float = Field(1.0, validation_alias="TWILIO_MPS", gt=0)
    telegram_bot_token: str | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_webhook_secret: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot", validation_alias="TELEGRAM_API_BASE_URL"
    )
    telegram_bot_username: str | None = Field(None, validation_alias="TELEGRAM_BOT_USERNAME")
    """The bot's @username without the @, for t.me deep links on posters."""
    telegram_mps: float = Field(30.0, validation_alias="TELEGRAM_MPS", gt=0)
    """Telegram messages per second overall (Telegram's limit for a bot is about 30)."""
    telegram_chat_mps: float = Field(1.0, validation_alias="TELEGRAM_CHAT_MPS", gt=0)
    """Telegram messages per second to one chat, after a burst of 3 (Telegram: about 1)."""
    whatsapp_templates: dict[str, dict[str, str]] = Field(
        default_factory=dict, validation_alias="WTFC_WHATSAPP_TEMPLATES"
    )
    """Approved WhatsApp templates (Twilio Content SIDs) by message and language, as JSON:
    {"invite": {"en": "HX...", "cy": "HX..."}, "reminder": {...}, "feedback": {...}}.
    Used for messages we start when the person's last message is over 24 hours old."""
    inline_budget_ms: int = Field(300, validation_alias="WTFC_INLINE_BUDGET_MS", ge=0)
    """How long a webhook waits for the conversation step before it answers without the
    replies (they follow through the outbox, or the web chat's poll). 0: never waits."""
    accept_timeout_ms: int = Field(4000, validation_alias="WTFC_ACCEPT_TIMEOUT_MS", gt=0)
    """How long a webhook waits for storing an inbound message (a busy database) before
    it answers 503, well inside Twilio's 15 seconds. Storing carries on: a message stored
    late is processed like any other, its replies sent through the outbox."""
    inbound_workers: int = Field(2, validation_alias="WTFC_INBOUND_WORKERS", ge=0)
    """Background workers per process for messages no webhook finished (0: none here)."""
    flood_messages_per_sender_per_minute: int = Field(
        30, validation_alias="WTFC_FLOOD_MESSAGES_PER_SENDER_PER_MINUTE", gt=0
    )
    """Messages one sender (a phone number, a chat, a web chat session) may send a minute,
    counted across every process; more get 429 (Telegram's are dropped) and are not stored."""
    flood_new_per_address_per_hour: int = Field(
        30, validation_alias="WTFC_FLOOD_NEW_PER_ADDRESS_PER_HOUR", gt=0
    )
    """New web chat conversations one client address (IP) may start an hour; a kiosk the
    admin registered (its link from the admin's Help page) is exempt."""
    flood_new_per_programme_per_minute: int = Field(
        30, validation_alias="WTFC_FLOOD_NEW_PER_PROGRAMME_PER_MINUTE", gt=0
    )
    """New web chat conversations one programme may gain a minute, from all addresses
    together; a registered kiosk is exempt."""
    trusted_proxies: str = Field("", validation_alias="WTFC_TRUSTED_PROXIES")
    """Comma-separated addresses (or networks) of reverse proxies whose X-Forwarded-For and
    X-Forwarded-Proto are believed; empty: none, the connecting address is the client."""
    admin_idle_minutes: int = Field(30, validation_alias="WTFC_ADMIN_IDLE_MINUTES", gt=0)
    """Admin sessions end after this long without a request."""
    export_dir: Path = Field(
        Path(tempfile.gettempdir()) / "wtfc-exports", validation_alias="WTFC_EXPORT_DIR"
    )
    """Where admin exports are written while they are prepared and until they are
    downloaded. Shared by the app processes on one host, so any of them can answer
    a progress poll; files are deleted after download or after an hour."""
    workshop_suggestions: Literal["auto", "lexical"] = Field(
        "auto", validation_alias="WTFC_WORKSHOP_SUGGESTIONS"
    )
    """Pile suggestions: `auto` uses the sentence-embedding model when the `[workshop-ml]`
    extra is installed, else words; `lexical` always uses words (less memory)."""

    smtp_url: str | None = Field(None, validation_alias="WTFC_SMTP_URL")
    """The mail server for safeguarding alerts: smtp://host:port (STARTTLS when offered),
    smtps://user:password@host:port (TLS from the start)."""
    mail_from: str | None = Field(None, validation_alias="WTFC_MAIL_FROM")
    """The sender address of safeguarding alerts."""

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url_shape(cls, value: str | None) -> str | None:
        """Refuse a mistyped WTFC_SMTP_URL at start-up rather than at the first alert."""
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(
                "WTFC_SMTP_URL must look like smtp://host:port or smtps://user:pass@host"
            )
        return value.strip()

    @property
    def uses_development_key(self) -> bool:
        return self.secret_key == DEVELOPMENT_SECRET_KEY

    def warn_if_insecure(self) -> None:
        if self.uses_development_key:
            warnings.warn(
                "WTFC_SECRET_KEY is not set: using the development key. Never do this with "
                "real people's data.",
                stacklevel=2,
            )
