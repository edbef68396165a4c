"""The shared pieces one process needs: database engine, sessions, address vault, intake."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from collection.crypto import AddressVault
from collection.db import SessionFactory, create_engine, session_factory
from collection.flood import NewConversationLimits, SenderLimiter, SharedCounter
from collection.intake import Intake
from collection.migrate import upgrade_async
from collection.safeguarding.cases import AlertSettings
from collection.settings import Settings


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    vault: AddressVault
    intake: Intake
    extras: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings, queued_channels: frozenset[str] = frozenset()) -> Services:
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)
        vault = AddressVault(settings.secret_key)
        intake = Intake(
            sessions=sessions,
            vault=vault,
            queued_channels=queued_channels,
            inline_budget=settings.inline_budget_ms / 1000,
            accept_timeout=settings.accept_timeout_ms / 1000,
            alerts=alert_settings(settings, vault),
            limiter=SenderLimiter(limit=settings.flood_messages_per_sender_per_minute),
            counter=SharedCounter(sessions),
        )
        return cls(settings, engine, sessions, vault, intake)

    @property
    def alerts(self) -> AlertSettings:
        return alert_settings(self.settings, self.vault)

    @property
    def new_conversation_limits(self) -> NewConversationLimits:
        return NewConversationLimits(
            per_address_per_hour=self.settings.flood_new_per_address_per_hour,
            per_programme_per_minute=self.settings.flood_new_per_programme_per_minute,
        )

    async def migrate(self) -> None:
        await upgrade_async(self.settings.database_url)

    async def close(self) -> None:
        await self.engine.dispose()


def alert_settings(settings: Settings, vault: AddressVault) -> AlertSettings:
    """Safeguarding alerts: e-mail always (queued until WTFC_SMTP_URL is set), SMS with Twilio."""
    twilio = bool(
        settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from
    )
    return AlertSettings(vault=vault, public_url=settings.public_url, sms=twilio)
