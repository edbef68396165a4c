"""Finding (or creating) a participant by channel address, and locking them.

The lock is what keeps one person's messages in order: two messages from the same
address, handled at the same moment by two tasks or two processes, take turns.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from collection.crypto import AddressVault
from collection.models import Participant


async def get_locked(
    *, session: AsyncSession, vault: AddressVault, channel: str, address: str, create: bool = True
) -> Participant | None:
    """The participant for this address, row-locked for this transaction."""
    address_hash = vault.lookup_hash(address)
    if create:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(Participant)
            .values(
                channel=channel,
                address_hash=address_hash,
                address_encrypted=vault.encrypt(address),
                opted_out=False,
            )
            .on_conflict_do_nothing(index_elements=["channel", "address_hash"])
        )
        await session.execute(statement)
    result = await session.execute(
        select(Participant)
        .where(Participant.channel == channel, Participant.address_hash == address_hash)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    participant = result.scalar_one_or_none()
    if participant is not None and participant.address_encrypted is None:
        participant.address_encrypted = vault.encrypt(address)
    return participant
