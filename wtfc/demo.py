"""The demo programme (`wtfc serve --demo`): something to try within a minute of cloning."""

from __future__ import annotations

import secrets

from admin.services.users import create_user, get_by_email, set_password
from collection.programmes import create_programme, get_by_code
from collection.runtime import Services

DEMO_CODE = "DEMO"
DEMO_PURPOSE = (
    "We are using Working Together for Change to hear what matters to people who use "
    "our day services, so that we can change what is not working."
)


async def ensure_demo_programme(services: Services) -> None:
    async with services.sessions() as session, session.begin():
        if await get_by_code(session=session, code=DEMO_CODE) is None:
            await create_programme(
                session=session,
                name="Demo drop-in centre",
                code=DEMO_CODE,
                purpose=DEMO_PURPOSE,
                level="provider",
                target=20,
                languages=["en", "cy", "pl", "ur", "en@easyread"],
            )


DEMO_LOGIN = "demo@example.org"


async def ensure_demo_login(services: Services) -> str:
    """The demo's admin login, with a fresh random password each start (returned to print)."""
    password = secrets.token_urlsafe(12)
    async with services.sessions() as session, session.begin():
        user = await get_by_email(session=session, email=DEMO_LOGIN)
        if user is None:
            await create_user(session=session, email=DEMO_LOGIN, password=password, role="admin")
        else:
            user.role, user.active = "admin", True
            await set_password(session=session, user=user, password=password)
    return password
