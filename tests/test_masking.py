"""Anonymous cards by default: unreviewed personal data is masked in every export format."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from admin.services.masking import mask
from collection.models import AuditEntry, Statement
from collection.runtime import Services
from tests.fixtures.exports.pdfcheck import page_texts
from tests.support.admin import assisted, csrf_of, make_programme, signed_in

# One statement per kind of personal data, each with words around it that must survive.
PERSONAL = {
    "My carer Sarah is always cheerful": "My carer [name] is always cheerful",
    "Ring me on 07911 123456 about the bus": "Ring me on [phone number] about the bus",
    "Write to jo.bloggs@example.org for the rota": "Write to [e-mail] for the rota",
    "I live at 12 Elm Road and the lift is broken": "I live at [address] and the lift is broken",
    "The centre near SW1A 1AA is too far": "The centre near [address] is too far",
}
PLAIN = "The garden is lovely in spring"


@pytest.mark.parametrize(("text", "expected"), [*PERSONAL.items(), (PLAIN, PLAIN)])
def test_only_the_matched_span_is_masked(text: str, expected: str) -> None:
    """Each kind becomes its marker; the rest of the statement is untouched."""
    assert mask(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mae fy ngofalwr Dafydd yn garedig, ffoniwch 07911 123456",
            "Mae fy ngofalwr [name] yn garedig, ffoniwch [phone number]",
        ),
        ("Rwy'n byw yn 14 Heol y Frenhines ger y parc", "Rwy'n byw yn [address] ger y parc"),
        (
            "Moja opiekunka Agnieszka jest miła, piszcie na ania.k@example.pl",
            "Moja opiekunka [name] jest miła, piszcie na [e-mail]",
        ),
        ("Mieszkam przy ul. Długa 5 i jest zimno", "Mieszkam przy [address] i jest zimno"),
    ],
)
def test_welsh_and_polish_statements_mask_too(text: str, expected: str) -> None:
    """Names, numbers, e-mails and street addresses are masked in Welsh and Polish."""
    assert mask(text) == expected


def test_ordinary_welsh_words_are_not_an_address() -> None:
    """'Ffordd' (a way) starting a Welsh sentence is not a street."""
    text = "Ffordd y staff o siarad gyda fi"
    assert mask(text) == text


async def _programme(services: Services) -> None:
    programme = await make_programme(services, "PARK", max_statements=10)
    await assisted(
        services,
        programme,
        {"working": [*PERSONAL, PLAIN]},
        picks={"working": [1, 2]},
        perspective="person",
    )


def _normal(text: str) -> str:
    return " ".join(text.split())


async def _exports(services: Services) -> dict[str, str]:
    """The text of every format (all statements), as a person reading it would see it."""
    async with signed_in(services, "lead@example.org", "admin") as http:
        found = {}
        for fmt in ("csv", "xlsx", "cards", "strips"):
            answer = await http.get(
                "/admin/programmes/PARK/export/file", params={"format": fmt, "all": "true"}
            )
            assert answer.status_code == 200
            if fmt == "csv":
                found[fmt] = _normal(answer.content.decode("utf-8-sig"))
            elif fmt == "xlsx":
                book = load_workbook(io.BytesIO(answer.content), read_only=True)
                cells = [
                    str(value)
                    for sheet in book.worksheets
                    for values in sheet.iter_rows(values_only=True)
                    for value in values
                    if value is not None
                ]
                found[fmt] = _normal(" ".join(cells))
            else:
                found[fmt] = " ".join(page_texts(answer.content))
        found["preview"] = _normal((await http.get("/admin/programmes/PARK/export?all=true")).text)
    return found


async def test_every_format_masks_unreviewed_personal_data(services: Services) -> None:
    """CSV, XLSX, cards, strips and the preview show markers, never the personal data."""
    await _programme(services)
    exports = await _exports(services)
    for fmt, text in exports.items():
        for original, masked in PERSONAL.items():
            assert original not in text, (fmt, original)
            if fmt != "preview":  # the preview shows only the first page of cards
                assert masked in text, (fmt, masked)
        for secret in ("Sarah", "07911", "jo.bloggs", "Elm Road", "SW1A"):
            assert secret not in text, (fmt, secret)
    assert PLAIN in exports["csv"]
    assert "Personal details masked in 5 statements" in exports["cards"]
    assert "Personal details masked in 5 statements" in exports["strips"]
    assert "Personal details masked in 5 statements" in exports["xlsx"]
    assert "Personal details are masked in 5 statements" in exports["preview"]


async def test_approving_the_original_wording_restores_it_and_is_audited(
    services: Services,
) -> None:
    """A reviewer's approval prints that one statement as it is; the count drops by one."""
    await _programme(services)
    async with services.sessions() as session:
        sarah = (
            await session.execute(
                select(Statement.id).where(Statement.text == "My carer Sarah is always cheerful")
            )
        ).scalar_one()
    async with signed_in(services, "reviewer@example.org", "admin") as http:
        page = await http.get("/admin/programmes/PARK/quality?show=personal")
        assert "My carer [name] is always cheerful" in page.text
        assert "Approve the original wording" in page.text
        answer = await http.post(
            f"/admin/programmes/PARK/statements/{sarah}/approve",
            data={"csrf_token": csrf_of(page.text), "back": "show=personal"},
        )
        assert answer.status_code == 303
    exports = await _exports(services)
    for fmt in ("csv", "xlsx", "cards", "strips"):
        assert "My carer Sarah is always cheerful" in exports[fmt], fmt
        assert "Ring me on [phone number] about the bus" in exports[fmt], fmt
    assert "Personal details masked in 4 statements" in exports["cards"]
    async with services.sessions() as session:
        entries = list(
            (
                await session.execute(
                    select(AuditEntry).where(AuditEntry.action == "statement.approve")
                )
            ).scalars()
        )
    assert [e.detail["statement_id"] for e in entries] == [sarah]
    assert entries[0].actor == "reviewer@example.org"
    assert "Sarah" not in str(entries[0].detail)


async def test_an_edited_card_masks_the_original_words_column_too(services: Services) -> None:
    """The CSV's original_text column never leaks what the card text hides."""
    programme = await make_programme(services, "PARK")
    await assisted(services, programme, {"working": ["Sarah from 12 Elm Road visits"]})
    async with services.sessions() as session, session.begin():
        statement = (await session.execute(select(Statement))).scalar_one()
        statement.card_text = "A neighbour visits"
    async with signed_in(services, "lead@example.org", "admin") as http:
        answer = await http.get("/admin/programmes/PARK/export/csv?all=true")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0]["card_text"] == "A neighbour visits"
    assert rows[0]["original_text"] == "[name] from [address] visits"


async def test_welsh_and_polish_statements_are_masked_in_the_export(services: Services) -> None:
    """A Welsh and a Polish statement come out of the CSV and the cards masked, words kept."""
    programme = await make_programme(services, "PARK", languages=["cy", "pl"])
    await assisted(
        services,
        programme,
        {"working": ["Mae fy ngofalwr Dafydd yn garedig, ffoniwch 07911 123456"]},
        language="cy",
    )
    await assisted(
        services,
        programme,
        {"working": ["Mieszkam przy ul. Długa 5 i moja opiekunka Agnieszka jest miła"]},
        language="pl",
    )
    async with signed_in(services, "lead@example.org", "admin") as http:
        rows = list(
            csv.DictReader(
                io.StringIO(
                    (await http.get("/admin/programmes/PARK/export/csv")).content.decode(
                        "utf-8-sig"
                    )
                )
            )
        )
        cards = await http.get("/admin/programmes/PARK/export/file?format=cards")
    texts = sorted(row["card_text"] for row in rows)
    assert texts == [
        "Mae fy ngofalwr [name] yn garedig, ffoniwch [phone number]",
        "Mieszkam przy [address] i moja opiekunka [name] jest miła",
    ]
    pdf = " ".join(page_texts(cards.content))
    assert "Dafydd" not in pdf and "Agnieszka" not in pdf and "Długa" not in pdf
    assert "Personal details masked in 2 statements" in pdf


async def test_a_translation_is_masked_too(services: Services) -> None:
    """The translation printed for the room never carries what the statement's mask hides."""
    programme = await make_programme(services, "PARK", languages=["cy", "en"])
    await assisted(services, programme, {"working": ["Mae Dafydd yn garedig"]}, language="cy")
    async with services.sessions() as session, session.begin():
        statement = (await session.execute(select(Statement))).scalar_one()
        statement.translation = "Dafydd is kind"
    async with signed_in(services, "lead@example.org", "admin") as http:
        answer = await http.get("/admin/programmes/PARK/export/csv")
    (row,) = csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")))
    assert (row["card_text"], row["translation"]) == ("Mae [name] yn garedig", "[name] is kind")
