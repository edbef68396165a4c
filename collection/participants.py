"""Finding (or creating) a participant by channel address, and locking them.

The lock is what keeps one person's messages in order: two messages from the same
address, handled at the same moment by two tasks or two processes, take turns.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from collection.crypto import AddressVault
from collection.db import insert_if_missing
from collection.models import Participant, utcnow


async def get_locked(
    *, session: AsyncSession, vault: AddressVault, channel: str, address: str, create: bool = True
) -> Participant | None:
    """The participant for this address, row-locked for this transaction."""
    address_hash = vault.lookup_hash(address)
    participant = await _select_locked(session, channel, address_hash)
    if participant is None and create:
        await insert_if_missing(
            session,
            Participant,
            {
                "channel": channel,
                "address_hash": address_hash,
                "address_encrypted": vault.encrypt(address),
                "opted_out": False,
                "created_at": utcnow(),
            },
            ["channel", "address_hash"],
        )
        participant = await _select_locked(session, channel, address_hash)
    if participant is not None and participant.address_encrypted is None:
        participant.address_encrypted = vault.encrypt(address)
    return participant


_SELECT_LOCKED = (
    select(Participant)
    .where(
        Participant.channel == bindparam("channel"),
        Participant.address_hash == bindparam("address_hash"),
    )
    .with_for_update()
    .execution_options(populate_existing=True)
)
"""Built once: every inbound message runs it (see collection/routing.py, `_LATEST`)."""


async def _select_locked(
    session: AsyncSession, channel: str, address_hash: str
) -> Participant | None:
    result = await session.execute(
        _SELECT_LOCKED, {"channel": channel, "address_hash": address_hash}
    )
    return result.scalar_one_or_none()


async def exists(*, session: AsyncSession, vault: AddressVault, channel: str, address: str) -> bool:
    """Whether this address has written before (without creating or locking anything)."""
    result = await session.execute(
        select(Participant.id).where(
            Participant.channel == channel,
            Participant.address_hash == vault.lookup_hash(address),
        )
    )
    return result.first() is not None
