"""The audit log page (administrators only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from admin.services import access, audit
from admin.web.deps import SessionDep, Viewer
from admin.web.i18n import N_
from admin.web.rendering import render

router = APIRouter(prefix="/admin", include_in_schema=False)
ACTIONS = {
    "": N_("Everything"),
    "login": N_("Sign-ins (and failed ones)"),
    "export": N_("Exports"),
    "statement": N_("Statement edits and reviews"),
    "participant.erase": N_("Erasures"),
    "programme": N_("Programme changes"),
    "user": N_("Login changes"),
    "invite": N_("Invitations"),
    "safeguarding": N_("Safeguarding cases (and contact details shown)"),
}


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request, session: SessionDep, viewer: Viewer, action: str = ""
) -> HTMLResponse:
    access.require_admin(viewer.user)
    action = action if action in ACTIONS else ""
    entries = await audit.latest(session=session, action=action or None)
    return render(
        request,
        "audit.html",
        {"entries": entries, "actions": ACTIONS, "action": action},
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )
