"""Bad path ids and form values on the admin pages answer 4xx, never 500."""

from __future__ import annotations

import pytest

from collection.runtime import Services
from tests.support.admin import assisted, csrf_of, make_programme, post_form, signed_in

HUGE = "1" * 20


@pytest.mark.parametrize(
    ("path", "page"),
    [
        (f"/admin/account/tokens/{HUGE}/revoke", "/admin/account"),
        (f"/admin/users/{HUGE}", "/admin/users"),
        (f"/admin/programmes/PARK/statements/{HUGE}/exclude", "/admin/programmes/PARK/quality"),
        ("/admin/users/-1", "/admin/users"),
    ],
)
async def test_a_20_digit_id_in_a_path_is_a_4xx(services: Services, path: str, page: str) -> None:
    """An id no row can have (20 digits, negative) is refused, not a server error."""
    await make_programme(services, "PARK")
    async with signed_in(services, "admin@example.org", "admin") as http:
        answer = await post_form(http, path, {"reason": "x", "role": "lead"}, page=page)
    assert 400 <= answer.status_code < 500, answer.text


async def test_a_nul_character_in_a_form_is_a_400_page(services: Services) -> None:
    """A NUL typed into a programme's name gets a page that says what is wrong."""
    await make_programme(services, "PARK")
    async with signed_in(services, "admin@example.org", "admin") as http:
        answer = await post_form(
            http,
            "/admin/programmes/PARK/edit",
            {"name": "Park\x00", "languages": "en"},
            page="/admin/programmes/PARK/edit",
        )
    assert answer.status_code == 400
    assert "NUL" in answer.text


async def test_odd_digits_in_the_lead_list_are_ignored(services: Services) -> None:
    """A superscript digit as a lead id (`²`) is no lead, and no server error."""
    await make_programme(services, "PARK")
    async with signed_in(services, "admin@example.org", "admin") as http:
        answer = await post_form(
            http,
            "/admin/programmes/PARK/edit",
            {"name": "Park", "languages": "en", "leads": ["²", HUGE]},
            page="/admin/programmes/PARK/edit",
        )
    assert answer.status_code == 303


async def test_the_form_refuses_segments_differing_only_in_case(services: Services) -> None:
    """The web form applies the API's rule: `a` and `A` are one segment name twice."""
    await make_programme(services, "PARK")
    async with signed_in(services, "admin@example.org", "admin") as http:
        answer = await post_form(
            http,
            "/admin/programmes/PARK/edit",
            {
                "name": "Park",
                "languages": "en",
                "segment_name_0": "a",
                "segment_name_1": "A",
            },
            page="/admin/programmes/PARK/edit",
        )
    assert answer.status_code == 400
    assert "own name" in answer.text


ODD = ["%00", "P%00RK", "1" * 25, "%F0%9F%98%80", "park", "%20", "DEMO%0A"]


async def test_odd_paths_queries_and_forms_on_admin_pages_are_never_a_5xx(
    services: Services,
) -> None:
    """A sweep over the admin pages with odd codes, ids, query values and form values."""
    park = await make_programme(services, "PARK")
    r = await assisted(services, park, {"working": ["x"]})
    bad = []
    async with signed_in(services, "admin@example.org", "admin") as http:
        paths = []
        for code in [*ODD, "PARK"]:
            for suffix in [
                "",
                "/edit",
                "/quality",
                "/export",
                "/export/file?format=zz&layout=qq&all=maybe",
                "/export/zz?layout=9x9",
                "/export/csv?all=2",
                "/export/colours.css",
                "/help",
                "/poster.pdf",
                "/assisted",
                "/progress.json",
                "/words/xx",
                "/words/en",
                "/export/jobs/zz.json",
                "/export/jobs/%00/file",
            ]:
                paths.append(f"/admin/programmes/{code}{suffix}")
        paths += [
            "/admin/participants?reference=%00",
            "/admin/participants?reference=" + "R" * 500,
            f"/admin/participants/{r.reference}%00/erase",
            "/admin/audit?action=%00",
            "/admin/audit?action=" + "x" * 1000,
            "/admin/login?next=%00",
            "/admin/users?role=zz",
            "/admin/account?done=%00",
        ]
        for path in paths:
            a = await http.get(path)
            if a.status_code >= 500:
                bad.append((path, a.status_code))
        page = await http.get("/admin/account")
        token = csrf_of(page.text)
        for path, data in [
            (
                "/admin/programmes/PARK/assisted",
                {
                    "working_0": "x" * 100000,
                    "perspective": "zz",
                    "segment": "\x00",
                    "language": "zz",
                },
            ),
            ("/admin/programmes/PARK/invite", {"number": "\x00", "channel": "zz"}),
            ("/admin/programmes/PARK/invite", {"number": "+44" + "9" * 40, "channel": "sms"}),
            (
                "/admin/programmes/PARK/export/jobs.json",
                {"format": "zz", "layout": "9", "all": "zz"},
            ),
            (
                "/admin/programmes/new",
                {
                    "name": "x",
                    "code": "\u00b2\u00b2",
                    "target": "99999999999999999999",
                    "max_statements": "1e400",
                },
            ),
            (
                "/admin/programmes/PARK/edit",
                {
                    "name": "x",
                    "target": "99999999999999999999",
                    "starts_on": "2026-02-30",
                    "segment_target_0": "1e9",
                },
            ),
            ("/admin/users", {"email": "a@b.co", "role": "zz", "password": "x"}),
            (
                "/admin/users",
                {"email": "\x00@b.co", "role": "lead", "password": "long enough pass"},
            ),
            ("/admin/account/locale", {"locale": "\x00"}),
            ("/admin/account/tokens", {"name": "x" * 10000}),
            ("/admin/programmes/PARK/words/en", {"phrases": "a\n" * 10000}),
        ]:
            a = await http.post(path, data={**data, "csrf_token": token})
            if a.status_code >= 500:
                bad.append((path, a.status_code, a.text[:200]))
    assert bad == []
