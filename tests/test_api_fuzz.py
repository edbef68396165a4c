"""A schema-driven fuzzer over the whole HTTP API described at /openapi.json.

Schemathesis reads the app's own OpenAPI document and, for every operation, sends
requests built from the schema (valid ones and broken ones), in-process against
the ASGI app, with a real administrator's API token. Each answer must not be a
5xx, and must match what the document says it returns (body schema, content type).

Repeatable: hypothesis is derandomized (the same examples on every run) and keeps
no example database, and the number of examples per operation is small enough that
the whole run stays well under a minute. Path codes are the seeded programme half
of the time, so the fuzzer reaches the handlers and not only the 404.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.python import asgi as schemathesis_asgi
from sqlalchemy import select

from admin.services.tokens import create_token
from collection.models import User
from collection.settings import Settings
from tests.conftest import clear_database
from tests.support.admin import assisted, make_programme, make_user
from wtfc.app import build_services, create_app

MAX_EXAMPLES = 15
"""Examples per operation (besides schemathesis's boundary cases): about 20 s for the whole
API on SQLite, 30 s on PostgreSQL, on this 2-core machine under load."""

CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.content_type_conformance,
]


async def _seed(settings: Settings) -> str:
    """Empty the database, add a programme with answers and an admin; return their token."""
    services = build_services(settings)
    try:
        await clear_database(services.engine, settings.database_url)
        park = await make_programme(
            services, "PARK", target=10, segments=[{"name": "Homecare", "target": 5}]
        )
        await assisted(
            services,
            park,
            {"working": ["The garden", "My carer"], "future": ["A job"]},
            segment="Homecare",
        )
        await make_programme(services, "DRAFT", status="draft")
        await make_user(services, "fuzz@example.org", "admin")
        async with services.sessions() as session, session.begin():
            owner = (
                await session.execute(select(User).where(User.email == "fuzz@example.org"))
            ).scalar_one()
            made = await create_token(
                session=session, user=owner, name="fuzz", now=datetime.now(UTC)
            )
        return made.token
    finally:
        await services.close()


def _document() -> dict[str, Any]:
    """The OpenAPI document, from an app that never opens its (placeholder) database."""
    placeholder = Settings(
        WTFC_DATABASE_URL="sqlite+aiosqlite:///./never-opened.db", WTFC_SECRET_KEY="x" * 32
    )
    return create_app(placeholder, background=False).openapi()


schema = schemathesis.openapi.from_dict(_document())


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Half the time the seeded programme's code, so the handlers behind the 404 are reached."""
    if not path_parameters or "code" not in path_parameters:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, "code": "PARK"}])


@dataclass(frozen=True)
class Target:
    app: FastAPI
    token: str


@pytest.fixture
def target(settings: Settings) -> Iterator[Target]:
    """The real app on a freshly seeded database, and an administrator's API token."""
    token = asyncio.run(_seed(settings))
    yield Target(create_app(settings, background=False), token)
    # The app's lifespan (and so its database pool) ends here, not at interpreter exit.
    schemathesis_asgi.shutdown_lifespans()


@pytest.mark.slow
@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_no_5xx_and_keeps_its_schema(case: Any, target: Target) -> None:
    """Any request the schema allows (or nearly allows): no 5xx, and the documented shape."""
    case.call_and_validate(
        app=target.app, headers={"Authorization": f"Bearer {target.token}"}, checks=CHECKS
    )
