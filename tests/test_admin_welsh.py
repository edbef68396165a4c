"""The admin in Welsh: a Welsh login sees every admin page with no English left in it.

Every page is found from the app's own routes (a page added later is walked too),
filled with a programme that has statements, flags, a sent feedback round with a
reply, logins and tokens. Two checks per page:

- in Welsh, no English message of the admin catalogue shows (a missing or
  fuzzy translation, or a text translated in English only);
- in a pseudo-language that marks every catalogued message with ⟦ ⟧, no bare
  words are left outside the marks, the data we seeded and text declared to be
  in another language (`lang`) or not for translation (`translate="no"`):
  that finds words never marked for translation at all.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select, update

from admin.services import tokens
from admin.web import i18n
from collection import feedback
from collection.models import Programme, SafeguardingCase, User
from collection.programmes import create_programme
from collection.runtime import Services
from tests.support.admin import assisted, client, login, make_user, post_form
from tests.support.feedback import say, take_part
from tests.support.routes import get_pages
from tests.test_feedback import _send_all, dispatcher
from wtfc.app import create_app

ROOT = Path(__file__).resolve().parents[1]
WELSH_ADMIN = "gweinyddwr@enghraifft.cymru"
NAME = "Canolfan Glan-yr-Afon"
PURPOSE = "Rydyn ni eisiau gwrando arnoch chi."
SEGMENT = "Gofal cartref"
STATEMENTS = {
    "working": ["Mae fy ngofalwr yn gwrando", "Ffoniwch fi ar 07700 900123"],
    "not_working": ["Mae'r bws yn hwyr", "Does neb yn gofyn", "My brother hits me"],
    "future": ["Swydd mewn caffi"],
}
FEEDBACK = {"en": "Roedd y bws yn hwyr. Mae'r amserlen yn newydd.", "cy": "Mae'r bws yn well."}
REPLY = "Diolch yn fawr am y newyddion"
TOKEN_NAME = "adroddiad misol"
DATA = [NAME, PURPOSE, SEGMENT, REPLY, TOKEN_NAME, *FEEDBACK.values()]
DATA += [text for texts in STATEMENTS.values() for text in texts]
PARAMS = {"code": "PARK", "number": "1", "language": "cy", "fmt": "csv", "job_id": "nid-oes"}
"""A value for each path parameter of an admin page; a new parameter needs one here."""
VARIANTS = ("/admin/programmes/PARK/quality?show=all", "/admin/programmes/PARK/export?all=true")
SKIP_TAGS = {"script", "style"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


@dataclass
class Texts(HTMLParser):
    """The words a person reads or hears on a page: text, labels for screen readers, and the
    page's own words for its script (data-msg-*). Text in another language (`lang`) or not
    for translation (`translate="no"`) is left out."""

    page_lang: str = ""
    found: list[str] = field(default_factory=list)
    _stack: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    @property
    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.page_lang = values.get("lang") or ""
            return
        other_lang = "lang" in values and values["lang"] != self.page_lang
        hidden = tag in SKIP_TAGS or values.get("translate") == "no" or other_lang
        if not (hidden or self._hidden):
            for name, value in attrs:
                if value and (name in ATTRIBUTES or name.startswith("data-msg-")):
                    self.found.append(value)
            if (
                tag == "input"
                and values.get("type") in ("submit", "button")
                and values.get("value")
            ):
                self.found.append(str(values["value"]))
        if tag not in VOID:
            self._stack.append(hidden)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.found.append(data)


def texts_of(html: str) -> list[str]:
    parser = Texts()
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.found]


def _catalogue() -> list[tuple[str, str]]:
    """(English, Welsh) for every admin message whose Welsh differs (plurals: each form)."""
    with (ROOT / "locales" / "cy" / "LC_MESSAGES" / "admin.po").open("rb") as handle:
        catalog = read_po(handle)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend((english, strings[0]) for english in ids if english not in strings)
    return pairs


def _english_pattern(msgid: str) -> re.Pattern[str] | None:
    """A message as it can appear on a page: placeholders match anything, tags are gone."""
    plain = re.sub(r"<[^>]+>", " ", msgid)
    parts = re.split(r"%\(\w+\)s|\{\w+\}", plain.replace("%%", "%"))
    words = [" ".join(part.split()) for part in parts]
    if sum(len(re.findall(r"[A-Za-z]{2,}", w)) for w in words) < 2 and len(parts) > 1:
        return None  # "%(done)s of %(target)s": too little English to tell
    body = r".+?".join(re.escape(w) for w in words)
    return re.compile(r"(?<![A-Za-z])" + body + r"(?![A-Za-z])")


ENGLISH = [(msgid, p) for msgid, _ in _catalogue() if (p := _english_pattern(msgid)) is not None]

_LEFT_ALONE = [
    re.compile(pattern)
    for pattern in (
        r"\S+@\S+",  # e-mail addresses
        r"(https?://|/)\S+",  # links and paths
        r"\b\d{1,2} \w{3,9} \d{4}(, \d{1,2}:\d{2}(:\d{2})?)?",  # dates, in any language
        r"\b\d{1,2} \w{3,6}\.?(?=\W|$)",  # chart days ("1 Rhag")
        r"\b[RWNF]-[0-9A-Z]{2,6}\b",  # response and card references
        r"\b[A-Z0-9][A-Z0-9_.-]+\b",  # codes (PARK), formats (PDF, GSM-7), keywords (STOP)
        r"\b[0-9a-f]{6,}\b|wtfc_[\w-]+",  # colours without #, token prefixes
    )
]


MARKED = re.compile("\u27e6[^\u27e6\u27e7]*\u27e7")
"""A marked message with nothing marked inside it (a message may hold another one)."""


def bare_words(text: str) -> str:
    """What is left of a text once marked messages, seeded data and codes are taken out."""
    while MARKED.search(text):
        text = MARKED.sub(" ", text)
    for value in sorted(DATA, key=len, reverse=True):
        text = text.replace(value, " ")
    for name in ("English", "Cymraeg", "Polski", "Easy read"):  # languages named in themselves
        text = text.replace(name, " ")
    for pattern in _LEFT_ALONE:
        text = pattern.sub(" ", text)
    return " ".join(re.findall(r"[A-Za-z][A-Za-z'’-]+", text))


@dataclass
class Site:
    http: httpx.AsyncClient
    pages: list[str]
    reference: str
    case_id: str


async def _seed(services: Services) -> str:
    """A programme with everything a page can show; returns a response reference."""
    async with services.sessions() as session, session.begin():
        await create_programme(
            session=session,
            name=NAME,
            code="PARK",
            purpose=PURPOSE,
            languages=["en", "cy"],
            target=20,
            segments=[{"name": SEGMENT, "target": 10}],
        )
    async with services.sessions() as session:
        programme = await session.scalar(select(Programme))
        assert programme is not None
    response = await assisted(
        services,
        programme,
        STATEMENTS,
        by="staff@enghraifft.cymru",
        picks={"working": [1, 2], "not_working": [1, 2]},
        perspective="carer",
        segment=SEGMENT,
    )
    await take_part(services, "sms", "+447700900001", welsh=True, segment="1")
    async with services.sessions() as session, session.begin():
        programme = await session.scalar(select(Programme))
        assert programme is not None
        made = await feedback.create_round(
            session=session,
            programme=programme,
            texts=FEEDBACK,
            actor=WELSH_ADMIN,
            now=datetime.now(UTC),
        )
        await feedback.send_round(
            session=session,
            programme=programme,
            round_=made,
            actor=WELSH_ADMIN,
            now=datetime.now(UTC),
        )
    sender, _ = dispatcher(services, [datetime.now(UTC)])
    await _send_all(sender)
    await say(services, "sms", "+447700900001", REPLY)
    return response.reference


@pytest.fixture
async def site(services: Services) -> AsyncIterator[Site]:
    reference = await _seed(services)
    await make_user(services, WELSH_ADMIN, "admin")
    await make_user(services, "arweinydd@enghraifft.cymru", "lead")
    async with services.sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.email == WELSH_ADMIN))
        assert user is not None
        await tokens.create_token(
            session=session, user=user, name=TOKEN_NAME, now=datetime.now(UTC)
        )
    pages = get_pages(create_app(services.settings, services=services, background=False), "/admin")
    async with client(services) as http:
        assert (await login(http, WELSH_ADMIN)).status_code == 303
        async with services.sessions() as session:
            case_id = await session.scalar(select(SafeguardingCase.id))
        assert case_id is not None, "the seeded disclosure opened no safeguarding case"
        yield Site(http, pages, reference, str(case_id))


async def _set_language(services: Services, site: Site, language: str) -> None:
    """The login's language, and the browser's memory of it (for the sign-in page)."""
    async with services.sessions() as session, session.begin():
        await session.execute(
            update(User).where(User.email == WELSH_ADMIN).values(language=language)
        )
    site.http.cookies.set(i18n.COOKIE, language)


def _paths(site: Site) -> Iterator[str]:
    for page in site.pages:
        names = re.findall(r"\{(\w+)\}", page)
        missing = [n for n in names if n not in PARAMS and n not in ("reference", "case_id")]
        assert not missing, f"{page}: add a value for {missing} to PARAMS so the page is walked"
        values = {**PARAMS, "reference": site.reference, "case_id": site.case_id}
        yield re.sub(r"\{(\w+)\}", lambda m, v=values: v[m.group(1)], page)
    yield f"/admin/participants?reference={site.reference}"
    yield "/admin/participants?reference=R-AAAAAA"  # not found: the error in words
    yield "/admin/programmes/NOPE"  # the 404 page
    yield from VARIANTS


async def _html_pages(site: Site) -> list[tuple[str, str]]:
    """Each page's HTML (and the progress section its script fetches), signed in."""
    found = []
    for path in _paths(site):
        answer = await site.http.get(path)
        kind = answer.headers.get("content-type", "")
        if kind.startswith("text/html"):
            found.append((path, answer.text))
        elif path.endswith("progress.json") and answer.status_code == 200:
            found.append((path, '<html lang="">' + answer.json()["html"]))
    return found


async def test_every_admin_page_is_walked(site: Site) -> None:
    """The walk reaches the pages people use (a sanity check on route discovery)."""
    walked = [path for path, _ in await _html_pages(site)]
    for page in ("/admin", "/admin/account", "/admin/programmes/PARK/quality"):
        assert page in walked
    assert "/admin/programmes/PARK/feedback/1" in walked
    assert len(walked) >= 20


async def test_a_welsh_admin_sees_no_english_on_any_page(services: Services, site: Site) -> None:
    """Every admin page in Welsh: not one English message of the catalogue shows."""
    await _set_language(services, site, "cy")
    problems = []
    for path, html in await _html_pages(site):
        if "<html" in html[:100]:
            assert '<html lang="cy">' in html or path.endswith(".json"), path
        text = "\n".join(texts_of(html))
        for msgid, pattern in ENGLISH:
            if pattern.search(text):
                problems.append(f"{path}: {msgid!r}")
    assert problems == [], "\n".join(problems)


async def test_no_admin_page_has_words_that_were_never_marked(
    services: Services, site: Site
) -> None:
    """In the pseudo-language every word is a marked message, data, or declared not to be."""
    await _set_language(services, site, i18n.PSEUDO)
    problems = []
    for path, html in await _html_pages(site):
        # One string per page: a marked message may hold links or emphasis (several nodes).
        left = bare_words(" | ".join(texts_of(html)))
        if left:
            problems.append(f"{path}: {left}")
    assert problems == [], "\n".join(problems)


async def test_the_language_switch_is_stored_on_the_login(services: Services, site: Site) -> None:
    """Choosing Cymraeg on My account turns every page Welsh, on this and any other device."""
    answer = await post_form(site.http, "/admin/account/language", {"language": "cy"})
    assert answer.status_code == 303
    home = await site.http.get("/admin")
    assert '<html lang="cy">' in home.text and "Rhaglenni" in home.text
    async with services.sessions() as session:
        user = await session.scalar(select(User).where(User.email == WELSH_ADMIN))
        assert user is not None and user.language == "cy"
    async with client(services) as elsewhere:
        await login(elsewhere, WELSH_ADMIN)
        assert "Fy nghyfrif" in (await elsewhere.get("/admin/account")).text
    back = await post_form(site.http, "/admin/account/language", {"language": "en"})
    assert back.status_code == 303
    assert "Programmes" in (await site.http.get("/admin")).text
    refused = await post_form(site.http, "/admin/account/language", {"language": i18n.PSEUDO})
    assert refused.status_code == 303
    async with services.sessions() as session:
        user = await session.scalar(select(User).where(User.email == WELSH_ADMIN))
        assert user is not None and user.language == "en"


async def test_flash_messages_and_errors_are_welsh(services: Services, site: Site) -> None:
    """A notice after saving and an error from a form come in the admin's language."""
    await _set_language(services, site, "cy")
    saved = await site.http.get("/admin/account?done=saved")
    assert "Wedi\u2019i gadw." in saved.text or "Wedi&#39;i gadw." in saved.text
    wrong = await post_form(
        site.http, "/admin/account/password", {"current": "anghywir", "new": "x" * 12}
    )
    assert wrong.status_code == 400
    assert "Dydy eich cyfrinair presennol ddim yn gywir." in wrong.text.replace("&#39;", "'")
    untick = await post_form(
        site.http,
        "/admin/programmes/PARK/invite",
        {"phone": "07700 900456"},
        page="/admin/programmes/PARK/help",
    )
    assert untick.status_code == 400
    assert "Ticiwch i gadarnhau bod y person wedi cytuno i gael neges destun." in untick.text


async def test_the_sign_in_page_follows_the_browser_or_the_choice(services: Services) -> None:
    """Before signing in: Welsh for a browser that asks for it, or after ?lang=cy."""
    async with client(services) as http:
        welsh = await http.get("/admin/login", headers={"Accept-Language": "cy, en-GB;q=0.8"})
        english = await http.get("/admin/login", headers={"Accept-Language": "en-GB"})
        chosen = await http.get("/admin/login?lang=cy")
    assert "Mewngofnodi" in welsh.text and '<html lang="cy">' in welsh.text
    assert "Sign in" in english.text
    assert "Mewngofnodi" in chosen.text


def test_safeguarding_concern_names_match_the_engines() -> None:
    """The admin's marked copy of the concern names says what the engine's names say."""
    from admin.pages.safeguarding import CATEGORY_LABELS
    from bot.safeguarding import CATEGORY_NAMES

    assert CATEGORY_LABELS == CATEGORY_NAMES
