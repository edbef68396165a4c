"""The export endpoint of the API: tokens, roles, file types, OpenAPI, audit."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from admin.exports.formats import FORMATS
from collection.models import AuditEntry
from collection.runtime import Services
from tests.fixtures.exports.pdfcheck import page_texts
from tests.support.admin import (
    assisted,
    bearer,
    client,
    link_lead,
    make_programme,
    new_token,
    signed_in,
)

URL = "/api/v1/programmes/{code}/exports/{fmt}"


async def _programme(services: Services, code: str = "PARK") -> None:
    programme = await make_programme(services, code)
    await assisted(
        services,
        programme,
        {"working": ["The garden", "Lunch", "My key worker"], "future": ["Trips out"]},
        picks={"working": [1, 3]},
    )


async def _lead_token(services: Services, code: str = "PARK") -> str:
    async with signed_in(services, "lead@example.org", "lead") as http:
        await link_lead(services, code, "lead@example.org")
        return await new_token(http)


@pytest.mark.parametrize("fmt", ["cards", "strips", "xlsx", "csv"])
async def test_a_lead_token_downloads_every_format(services: Services, fmt: str) -> None:
    """Each format comes with its content type, an attachment name, and real content."""
    await _programme(services)
    token = await _lead_token(services)
    async with client(services) as api:
        answer = await api.get(URL.format(code="park", fmt=fmt), headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == FORMATS[fmt].media_type.split(";")[0]
    assert f'filename="park-{fmt}-picks.' in answer.headers["content-disposition"]
    magic = {"cards": b"%PDF", "strips": b"%PDF", "xlsx": b"PK", "csv": b"\xef\xbb\xbf"}[fmt]
    assert answer.content.startswith(magic)


async def test_picks_all_and_layout_parameters(services: Services) -> None:
    """all=true adds the statements that were not picked; layout=1x2 gives big cards."""
    await _programme(services)
    token = await _lead_token(services)
    async with client(services) as api:
        picks = await api.get(URL.format(code="PARK", fmt="csv"), headers=bearer(token))
        every = await api.get(
            URL.format(code="PARK", fmt="csv"), params={"all": "true"}, headers=bearer(token)
        )
        big = await api.get(
            URL.format(code="PARK", fmt="cards"),
            params={"all": "true", "layout": "1x2"},
            headers=bearer(token),
        )
        bad_layout = await api.get(
            URL.format(code="PARK", fmt="cards"), params={"layout": "4x4"}, headers=bearer(token)
        )
        bad_format = await api.get(URL.format(code="PARK", fmt="docx"), headers=bearer(token))

    def rows(body: bytes) -> int:
        return len(list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")))))

    assert rows(picks.content) == 3 and rows(every.content) == 4
    assert len(page_texts(big.content)) == 1 + 2
    assert bad_layout.status_code == 422 and bad_format.status_code == 422


async def test_who_may_export_through_the_api(services: Services) -> None:
    """No token 401; staff 403; a lead not leading the programme 404; an admin 200."""
    await _programme(services)
    await make_programme(services, "OTHER")
    async with signed_in(services, "staff@example.org", "staff") as http:
        staff = await new_token(http)
    async with signed_in(services, "admin@example.org", "admin") as http:
        admin = await new_token(http)
    lead = await _lead_token(services, "OTHER")
    path = URL.format(code="PARK", fmt="csv")
    async with client(services) as api:
        assert (await api.get(path)).status_code == 401
        assert (await api.get(path, headers=bearer("wtfc_nope"))).status_code == 401
        assert (await api.get(path, headers=bearer(staff))).status_code == 403
        assert (await api.get(path, headers=bearer(lead))).status_code == 404
        assert (await api.get(path, headers=bearer(admin))).status_code == 200
    async with services.sessions() as session:
        entries = list(
            (await session.execute(select(AuditEntry).where(AuditEntry.action == "export")))
            .scalars()
            .all()
        )
    assert [(e.actor, e.target) for e in entries] == [("admin@example.org", "PARK")]
    assert entries[0].detail == {"format": "csv", "all": False, "statements": 3, "via": "api"}


async def test_openapi_describes_the_export_endpoint(services: Services) -> None:
    """The path, its formats and layouts, its parameters and its file types are documented."""
    async with client(services) as http:
        schema = (await http.get("/openapi.json")).json()
    operation = schema["paths"]["/api/v1/programmes/{code}/exports/{fmt}"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"code", "fmt", "all", "layout"}
    assert parameters["fmt"]["schema"]["enum"] == [
        "cards", "strips", "xlsx", "csv", "themes", "report",
    ]  # fmt: skip
    assert parameters["layout"]["schema"]["enum"] == ["2x4", "1x2"]
    assert set(operation["responses"]["200"]["content"]) >= {
        "application/pdf",
        "text/csv",
        FORMATS["xlsx"].media_type,
    }
    assert {"401", "403", "404"} <= set(operation["responses"])
    assert operation["security"] == [{"HTTPBearer": []}]
