"""Bad path ids and form values on the admin pages answer 4xx, never 500."""

from __future__ import annotations

import pytest

from collection.runtime import Services
from tests.admin_helpers import make_programme, post_form, signed_in

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
