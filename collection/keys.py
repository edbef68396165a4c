"""Rotating WTFC_SECRET_KEY: re-encrypt every stored address and recompute its lookup hash.

Run with the old key in WTFC_OLD_SECRET_KEY and the new one in WTFC_SECRET_KEY
(`wtfc keys rotate`), with the app stopped: until it finishes, people whose rows
are not yet rotated would look like new participants.
"""

from __future__ import annotations

from sqlalchemy import select

from collection.crypto import AddressDecryptError, AddressVault
from collection.db import SessionFactory
from collection.models import AuditEntry, Participant


async def rotate_addresses(sessions: SessionFactory, old: AddressVault, new: AddressVault) -> int:
    """Re-key every participant in one transaction. Returns how many were re-keyed."""
    rotated = 0
    async with sessions() as session, session.begin():
        participants = (await session.execute(select(Participant).with_for_update())).scalars()
        for participant in participants:
            if participant.address_encrypted is None:
                continue  # erased or purged: nothing to re-key
            try:
                address = old.decrypt(participant.address_encrypted)
            except AddressDecryptError:
                new.decrypt(participant.address_encrypted)  # already rotated, or fail loudly
                continue
            participant.address_encrypted = new.encrypt(address)
            participant.address_hash = new.lookup_hash(address)
            rotated += 1
        session.add(
            AuditEntry(actor="operator", action="keys.rotate", detail={"participants": rotated})
        )
    return rotated
