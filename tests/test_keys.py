"""Key rotation: after `wtfc keys rotate` people are found and reachable under the new key."""

from __future__ import annotations

from sqlalchemy import select

from collection.crypto import AddressVault
from collection.intake import InboundMessage
from collection.keys import rotate_addresses
from collection.models import Participant, Response
from collection.programmes import create_programme
from collection.runtime import Services


async def test_rotation_keeps_people_in_their_conversations(services: Services) -> None:
    """Re-keyed addresses decrypt with the new key and the same person continues."""
    async with services.sessions() as session, session.begin():
        await create_programme(session=session, name="Park", code="PARK")
    for text in ("PARK", "YES"):
        await services.intake.handle(
            InboundMessage(channel="sms", address="+447700900123", text=text)
        )
    new = AddressVault("a brand new secret key for the rotation test")
    assert await rotate_addresses(services.sessions, services.vault, new) == 1
    async with services.sessions() as session:
        participant = (await session.execute(select(Participant))).scalar_one()
    assert new.decrypt(participant.address_encrypted or "") == "+447700900123"
    assert participant.address_hash == new.lookup_hash("+447700900123")
    services.intake.vault = new
    result = await services.intake.handle(
        InboundMessage(channel="sms", address="+447700900123", text="1")
    )
    assert [r.key for r in result.replies] == ["ask_working"]
    async with services.sessions() as session:
        assert len((await session.execute(select(Response))).scalars().all()) == 1
    assert await rotate_addresses(services.sessions, services.vault, new) == 0  # idempotent
