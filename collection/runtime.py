"""The shared pieces one process needs: database engine, sessions, address vault, intake."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from collection.crypto import AddressVault
from collection.db import SessionFactory, create_engine, session_factory
from collection.intake import Intake
from collection.migrate import upgrade_async
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
        )
        return cls(settings, engine, sessions, vault, intake)

    async def migrate(self) -> None:
        await upgrade_async(self.settings.database_url)

    async def close(self) -> None:
        await self.engine.dispose()
