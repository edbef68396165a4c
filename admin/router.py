"""Everything the admin adds to the app: pages, the JSON API, static files, error pages.

The composition root (wtfc/app.py) calls `install_admin(app)` once.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from admin.api.v1 import router as api_router
from admin.pages.account import router as account_router
from admin.pages.audit_log import router as audit_router
from admin.pages.exports import router as exports_router
from admin.pages.feedback import router as feedback_router
from admin.pages.helping import router as help_router
from admin.pages.participants import router as participants_router
from admin.pages.programmes import router as programmes_router
from admin.pages.progress import router as progress_router
from admin.pages.quality import router as quality_router
from admin.pages.safeguarding import router as safeguarding_router
from admin.pages.sign_in import router as auth_router
from admin.pages.users import router as users_router
from admin.pages.vote import router as vote_router
from admin.pages.workshop import router as workshop_router
from admin.web.handlers import install as install_handlers
from admin.web.rendering import HERE


def install_admin(app: FastAPI) -> None:
    install_handlers(app)
    for router in (
        auth_router,
        programmes_router,
        progress_router,
        quality_router,
        safeguarding_router,
        help_router,
        participants_router,
        exports_router,
        feedback_router,
        users_router,
        workshop_router,
        vote_router,
        account_router,
        audit_router,
        api_router,
    ):
        app.include_router(router)
    app.mount("/admin/static", StaticFiles(directory=HERE / "static"), name="admin-static")
