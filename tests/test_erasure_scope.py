"""Erasure respects the lead boundary: a lead erases only in their programmes and learns
nothing of others; an administrator and the person's own DELETE erase everywhere.

One person (one phone number) answers PARK (lead Ann's) and then OAK (lead Bob's).
"""

from __future__ import annotations

from sqlalchemy import select

from collection.intake import InboundMessage
from collection.models import AuditEntry, InboundLog, Participant, Programme, Response, Statement
from collection.runtime import Services
from tests.support.admin import csrf_of, link_lead, make_programme, signed_in

PHONE = "+447911123456"
ANN, BOB = "ann@example.org", "bob@example.org"


async def _send(services: Services, text: str) -> list[str]:
    result = await services.intake.handle(InboundMessage(channel="sms", address=PHONE, text=text))
    return [r.key for r in result.replies]


async def _answers_in_two_programmes(services: Services) -> dict[str, str]:
    """The person answers PARK, then JOIN OAK and answers there: references by code."""
    await make_programme(services, "PARK", name="Park Centre")
    await make_programme(services, "OAK", name="Oak House")
    for text in ("PARK", "YES", "1", "Park is kind", "JOIN OAK", "YES", "1", "Oak garden"):
        await _send(services, text)
    async with services.sessions() as session:
        rows = await session.execute(
            select(Programme.code, Response.reference).join(
                Response, Response.programme_id == Programme.id
            )
        )
        return {code: reference for code, reference in rows.all()}


async def _statements(services: Services) -> list[str]:
    async with services.sessions() as session:
        return sorted((await session.execute(select(Statement.text))).scalars())


async def _participant(services: Services) -> Participant | None:
    async with services.sessions() as session:
        return (await session.execute(select(Participant))).scalar_one_or_none()


async def _erasures(services: Services) -> list[dict[str, object]]:
    async with services.sessions() as session:
        rows = await session.execute(
            select(AuditEntry).where(AuditEntry.action == "participant.erase")
        )
        return [dict(entry.detail) for entry in rows.scalars()]


async def test_a_lead_erases_only_in_their_programme_and_sees_nothing_else(
    services: Services,
) -> None:
    """Ann erases the PARK answers; OAK's stay, and the page named no other programme."""
    references = await _answers_in_two_programmes(services)
    async with signed_in(services, BOB, "lead"):
        await link_lead(services, "OAK", BOB)
    async with signed_in(services, ANN, "lead") as http:
        await link_lead(services, "PARK", ANN)
        found = await http.get(f"/admin/participants?reference={references['PARK']}")
        page = await http.get(f"/admin/participants/{references['PARK']}/erase")
        answer = await http.post(
            f"/admin/participants/{references['PARK']}/erase",
            data={"confirm": references["PARK"], "csrf_token": csrf_of(page.text)},
        )
        other = await http.get(f"/admin/participants/{references['OAK']}/erase")
    assert answer.status_code == 303
    for shown in (found.text, page.text):
        assert "Oak" not in shown and "OAK" not in shown
        assert "other programme" not in shown
    assert other.status_code == 404
    assert "answers to your programmes" in found.text and "answers to your programmes" in page.text
    assert "a programme you do not manage" in page.text  # said whether or not there is one
    assert await _statements(services) == ["Oak garden"]
    participant = await _participant(services)
    assert participant is not None and participant.address_encrypted is not None
    [audit] = await _erasures(services)
    assert audit["programmes"] == ["PARK"] and audit["contact"].startswith("kept")  # type: ignore[union-attr]


async def test_the_contact_goes_with_the_last_programme_a_lead_erases(services: Services) -> None:
    """After Ann erased PARK, Bob erasing OAK leaves nothing: contact and messages go."""
    references = await _answers_in_two_programmes(services)
    for lead, code in ((ANN, "PARK"), (BOB, "OAK")):
        async with signed_in(services, lead, "lead") as http:
            await link_lead(services, code, lead)
            page = await http.get(f"/admin/participants/{references[code]}/erase")
            await http.post(
                f"/admin/participants/{references[code]}/erase",
                data={"confirm": references[code], "csrf_token": csrf_of(page.text)},
            )
    assert await _statements(services) == []
    assert await _participant(services) is None
    async with services.sessions() as session:
        logs = list((await session.execute(select(InboundLog))).scalars())
    assert logs and all(log.text is None for log in logs)
    audits = await _erasures(services)
    assert [a["programmes"] for a in audits] == [["PARK"], ["OAK"]]
    assert audits[1]["contact"] == "erased"


async def test_a_lead_of_both_programmes_erases_both(services: Services) -> None:
    """A lead linked to PARK and OAK is told of the other one and erases both."""
    references = await _answers_in_two_programmes(services)
    async with signed_in(services, ANN, "lead") as http:
        await link_lead(services, "PARK", ANN)
        await link_lead(services, "OAK", ANN)
        page = await http.get(f"/admin/participants/{references['PARK']}/erase")
        assert "1 other programme of yours" in page.text
        await http.post(
            f"/admin/participants/{references['PARK']}/erase",
            data={"confirm": references["PARK"], "csrf_token": csrf_of(page.text)},
        )
    assert await _statements(services) == []
    assert await _participant(services) is None
    [audit] = await _erasures(services)
    assert audit["programmes"] == ["OAK", "PARK"]


async def test_an_administrator_erases_everywhere(services: Services) -> None:
    """An administrator erasing from PARK erases OAK too, contact included; audit names both."""
    references = await _answers_in_two_programmes(services)
    async with signed_in(services, "admin@example.org", "admin") as http:
        page = await http.get(f"/admin/participants/{references['PARK']}/erase")
        assert "1 other programme they answered" in page.text
        await http.post(
            f"/admin/participants/{references['PARK']}/erase",
            data={"confirm": references["PARK"], "csrf_token": csrf_of(page.text)},
        )
    assert await _statements(services) == []
    assert await _participant(services) is None
    [audit] = await _erasures(services)
    assert audit["programmes"] == ["OAK", "PARK"] and audit["scope"] == "everywhere"


async def test_the_persons_own_delete_erases_everywhere(services: Services) -> None:
    """DELETE then YES from the person erases both programmes; the audit names both."""
    await _answers_in_two_programmes(services)
    assert await _send(services, "DELETE") == ["ask_delete"]
    assert await _send(services, "YES") == ["deleted"]
    assert await _statements(services) == []
    assert await _participant(services) is None
    [audit] = await _erasures(services)
    assert audit["programmes"] == ["OAK", "PARK"]
