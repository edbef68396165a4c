"""A programme's safeguarding contacts, help text and own phrases: CLI, admin form, JSON API,
and each statement's flags (with `safeguarding` named in /openapi.json)."""

from __future__ import annotations

from sqlalchemy import select

from collection.intake import InboundMessage
from collection.models import Programme, SafeguardingCase
from collection.runtime import Services
from collection.settings import Settings
from tests.support.admin import assisted, bearer, csrf_of, make_programme, new_token, signed_in
from tests.test_cli import _wtfc


async def _programme(services: Services, code: str = "PARK") -> Programme:
    async with services.sessions() as session:
        found = await session.execute(select(Programme).where(Programme.code == code))
        return found.scalar_one()


async def test_cli_takes_several_safeguarding_emails(
    settings: Settings, services: Services
) -> None:
    """--safeguarding-email is repeatable; each address becomes a contact."""
    made = _wtfc(
        settings,
        "programme",
        "create",
        "--name",
        "Park Centre",
        "--code",
        "PARK",
        "--safeguarding-email",
        "sam@council.example",
        "--safeguarding-email",
        "duty@council.example",
        "--safeguarding-help",
        "Call Park Centre on 01632 960000.",
    )
    assert made.returncode == 0, made.stderr
    programme = await _programme(services)
    assert [c["email"] for c in programme.safeguarding_contacts] == [
        "sam@council.example",
        "duty@council.example",
    ]
    assert programme.safeguarding_help == "Call Park Centre on 01632 960000."


async def test_cli_refuses_a_bad_safeguarding_email(settings: Settings, services: Services) -> None:
    made = _wtfc(
        settings, "programme", "create", "--name", "X", "--code", "XY", "--safeguarding-email", "no"
    )
    assert made.returncode == 2 and "e-mail address" in made.stderr


async def test_admin_form_saves_contacts_help_and_phrases(services: Services) -> None:
    """The settings page keeps contacts, the help line and a lead's own phrase; the phrase
    then opens a case for words the shipped patterns do not know."""
    await make_programme(services, "PARK", status="collecting")
    async with signed_in(services, "ada@example.org", "admin") as http:
        page = await http.get("/admin/programmes/PARK/edit")
        assert 'id="safeguarding"' in page.text
        form = {
            "csrf_token": csrf_of(page.text),
            "name": "Park Centre",
            "status": "collecting",
            "languages": "en",
            "contact_name_0": "Sam Lead",
            "contact_email_0": "sam@council.example",
            "contact_phone_0": "+447700900555",
            "safeguarding_help": "Call Park Centre on 01632 960000.",
            "safeguarding_phrases": "physical: nip* me\n",
        }
        bad = await http.post(
            "/admin/programmes/PARK/edit", data={**form, "safeguarding_phrases": "nip me"}
        )
        assert bad.status_code == 400 and "Safeguarding phrase 1" in bad.text
        saved = await http.post("/admin/programmes/PARK/edit", data=form)
        assert saved.status_code == 303, saved.text
        again = await http.get("/admin/programmes/PARK/edit")
    assert "sam@council.example" in again.text and "physical: nip* me" in again.text
    programme = await _programme(services)
    assert programme.safeguarding_contacts == [
        {"name": "Sam Lead", "email": "sam@council.example", "phone": "+447700900555"}
    ]
    for text in ("PARK", "YES", "1", "the night man nipped me"):
        await services.intake.handle(
            InboundMessage(channel="sms", address="+447700900123", text=text)
        )
    async with services.sessions() as session:
        case = (await session.execute(select(SafeguardingCase))).scalar_one()
    assert case.category == "physical" and case.phrase == "nipped me"


async def test_api_sets_and_reads_safeguarding_settings(services: Services) -> None:
    """POST and PATCH take contacts, help and phrases; a contact with neither e-mail nor phone,
    or a phrase of an unknown kind, is a 422."""
    async with signed_in(services, "ada@example.org", "admin") as http:
        token = await new_token(http)
        made = await http.post(
            "/api/v1/programmes",
            headers=bearer(token),
            json={
                "name": "Oak",
                "code": "OAK",
                "safeguarding_contacts": [{"name": "Sam", "email": "sam@council.example"}],
                "safeguarding_help": "Call Oak House on 01632 960001.",
            },
        )
        assert made.status_code == 201, made.text
        assert made.json()["safeguarding_contacts"][0]["email"] == "sam@council.example"
        patched = await http.patch(
            "/api/v1/programmes/OAK",
            headers=bearer(token),
            json={"safeguarding_phrases": [{"category": "financial", "phrase": "pawn* my"}]},
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["safeguarding_phrases"] == [
            {"category": "financial", "phrase": "pawn* my"}
        ]
        nobody = await http.patch(
            "/api/v1/programmes/OAK",
            headers=bearer(token),
            json={"safeguarding_contacts": [{"name": "No way to reach"}]},
        )
        odd = await http.patch(
            "/api/v1/programmes/OAK",
            headers=bearer(token),
            json={"safeguarding_phrases": [{"category": "spooky", "phrase": "boo"}]},
        )
    assert nobody.status_code == 422 and odd.status_code == 422


async def test_statements_api_names_the_flag_kinds(services: Services) -> None:
    """Each statement lists its flags, `safeguarding` among them, and whether it is held
    back; /openapi.json names the kinds as the StatementFlag enum."""
    programme = await make_programme(services, "PARK")
    await assisted(
        services,
        programme,
        {"working": ["The garden"], "not_working": ["my brother keeps all my benefit money"]},
    )
    async with signed_in(services, "ada@example.org", "admin") as http:
        token = await new_token(http)
        answer = await http.get("/api/v1/programmes/PARK/statements", headers=bearer(token))
        schema = (await http.get("/openapi.json")).json()
    assert answer.status_code == 200
    by_text = {row["text"]: row for row in answer.json()}
    disclosure = by_text["my brother keeps all my benefit money"]
    assert "safeguarding" in disclosure["flags"] and disclosure["held_back"] is True
    assert "safeguarding" not in by_text["The garden"]["flags"]
    assert by_text["The garden"]["held_back"] is False
    enum = schema["components"]["schemas"]["StatementFlag"]["enum"]
    assert "safeguarding" in enum and "professional" in enum
    flags = schema["components"]["schemas"]["StatementRead"]["properties"]["flags"]
    assert flags["items"] == {"$ref": "#/components/schemas/StatementFlag"}


def test_the_flag_enum_covers_every_kind_the_quality_check_computes() -> None:
    """admin/services/flags.py and the API enum name the same kinds."""
    from admin.api.schemas import StatementFlag
    from admin.services.flags import FLAG_KINDS

    assert {f.value for f in StatementFlag} == set(FLAG_KINDS)
