"""The "needs attention" pages: safeguarding cases, what was done, and who may reach the person."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.services import access, audit
from admin.services import safeguarding_view as cases_view
from admin.services.progress import CHANNEL_NAMES
from admin.web.deps import ClockDep, CsrfForm, ServicesDep, SessionDep, Viewer
from admin.web.errors import NotFoundError
from admin.web.i18n import N_
from admin.web.rendering import render
from collection.models import Programme, SafeguardingCase
from collection.safeguarding.cases import CaseError, acknowledge, close, decide, reopen

router = APIRouter(prefix="/admin", include_in_schema=False)
STATUS_NAMES = {"open": N_("Open"), "acknowledged": N_("Acknowledged"), "closed": N_("Closed")}
DECISION_NAMES = {
    "keep": N_("Kept on the card as written"),
    "edit": N_("Printed with an edited wording"),
    "exclude": N_("Left out of the export"),
}
NOTICES = {
    "acknowledged": N_("Acknowledged: the list shows you have picked this up."),
    "closed": N_("Closed with its outcome."),
    "reopened": N_("Reopened."),
    "decided": N_("Saved: the card can go into exports again as decided."),
}


CATEGORY_LABELS = {
    "danger": N_("Immediate danger"),
    "self_harm": N_("Self-harm or suicidal thoughts"),
    "sexual": N_("Sexual abuse"),
    "domestic": N_("Domestic abuse"),
    "physical": N_("Physical abuse"),
    "modern_slavery": N_("Modern slavery"),
    "financial": N_("Financial or material abuse"),
    "discriminatory": N_("Discriminatory abuse"),
    "psychological": N_("Psychological or emotional abuse"),
    "organisational": N_("Organisational abuse"),
    "neglect": N_("Neglect or acts of omission"),
    "self_neglect": N_("Self-neglect"),
}
"""bot.safeguarding.CATEGORY_NAMES, marked for the admin's catalogue (a test keeps them equal)."""


@router.get("/safeguarding", response_class=HTMLResponse)
async def needs_attention(request: Request, session: SessionDep, viewer: Viewer) -> HTMLResponse:
    found = await cases_view.visible_cases(session=session, user=viewer.user)
    groups = {status: [(c, p) for c, p in found if c.status == status] for status in STATUS_NAMES}
    return render(
        request,
        "safeguarding.html",
        {
            "groups": groups,
            "status_names": STATUS_NAMES,
            "category_names": CATEGORY_LABELS,
            "channel_names": CHANNEL_NAMES,
            "can_read": cases_view.can_act(viewer.user),
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
    )


async def _case(
    session: SessionDep, viewer: Viewer, case_id: int
) -> tuple[SafeguardingCase, Programme]:
    found = await cases_view.case_for(session=session, user=viewer.user, case_id=case_id)
    if found is None:
        raise NotFoundError("There is no case with that number that you can see.")
    return found


async def _page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    case: SafeguardingCase,
    programme: Programme,
    *,
    contact: cases_view.Contact | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    statement = await cases_view.statement_of(session=session, case=case)
    page = render(
        request,
        "safeguarding_case.html",
        {
            "case": case,
            "programme": programme,
            "statement": statement,
            "alerts": await cases_view.alerts_of(session=session, case=case),
            "can_act": cases_view.can_act(viewer.user),
            "contact": contact,
            "error": error,
            "case_notice": NOTICES.get(request.query_params.get("done", "")),
            "status_names": STATUS_NAMES,
            "decision_names": DECISION_NAMES,
            "category_names": CATEGORY_LABELS,
            "channel_names": CHANNEL_NAMES,
        },
        user=viewer.user,
        csrf_token=viewer.csrf_token,
        status_code=status_code,
    )
    page.headers["Cache-Control"] = "no-store"
    return page


@router.get("/safeguarding/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request, case_id: int, session: SessionDep, viewer: Viewer
) -> HTMLResponse:
    case, programme = await _case(session, viewer, case_id)
    return await _page(request, session, viewer, case, programme)


@router.post("/safeguarding/{case_id}/acknowledge", response_model=None)
async def case_acknowledge(
    request: Request,
    case_id: int,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> Response:
    case, programme = await _case(session, viewer, case_id)
    try:
        acknowledge(case, by=viewer.user.email, now=clock())
    except CaseError as error:
        return await _page(
            request, session, viewer, case, programme, error=str(error), status_code=400
        )
    _audit(session, viewer, "safeguarding.acknowledge", case, programme, clock)
    await session.commit()
    return RedirectResponse(f"/admin/safeguarding/{case.id}?done=acknowledged", status_code=303)


@router.post("/safeguarding/{case_id}/close", response_model=None)
async def case_close(
    request: Request,
    case_id: int,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> Response:
    case, programme = await _case(session, viewer, case_id)
    access.require_manage(viewer.user)
    outcome = form.get("outcome")
    if form.get("reopen") == "yes":
        reopen(case)
        _audit(session, viewer, "safeguarding.reopen", case, programme, clock)
        await session.commit()
        return RedirectResponse(f"/admin/safeguarding/{case.id}?done=reopened", status_code=303)
    try:
        close(
            case,
            by=viewer.user.email,
            outcome=outcome if isinstance(outcome, str) else "",
            now=clock(),
        )
    except CaseError as error:
        return await _page(
            request, session, viewer, case, programme, error=str(error), status_code=400
        )
    _audit(session, viewer, "safeguarding.close", case, programme, clock)
    await session.commit()
    return RedirectResponse(f"/admin/safeguarding/{case.id}?done=closed", status_code=303)


@router.post("/safeguarding/{case_id}/decide", response_model=None)
async def case_decide(
    request: Request,
    case_id: int,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
) -> Response:
    case, programme = await _case(session, viewer, case_id)
    access.require_manage(viewer.user)
    statement = await cases_view.statement_of(session=session, case=case)
    decision = form.get("decision")
    card_text = form.get("card_text")
    try:
        decide(
            case,
            statement,
            decision=decision if isinstance(decision, str) else "",
            by=viewer.user.email,
            now=clock(),
            card_text=card_text if isinstance(card_text, str) else None,
        )
    except CaseError as error:
        return await _page(
            request, session, viewer, case, programme, error=str(error), status_code=400
        )
    _audit(session, viewer, "safeguarding.decide", case, programme, clock, decision=str(decision))
    await session.commit()
    return RedirectResponse(f"/admin/safeguarding/{case.id}?done=decided", status_code=303)


@router.post("/safeguarding/{case_id}/reveal", response_class=HTMLResponse)
async def case_reveal(
    request: Request,
    case_id: int,
    session: SessionDep,
    viewer: Viewer,
    form: CsrfForm,
    clock: ClockDep,
    services: ServicesDep,
) -> HTMLResponse:
    """Show how to reach the person, on this page only (never in a URL), and audit it."""
    case, programme = await _case(session, viewer, case_id)
    access.require_manage(viewer.user)
    contact = await cases_view.reveal(session=session, vault=services.vault, case=case)
    _audit(
        session,
        viewer,
        "safeguarding.reveal",
        case,
        programme,
        clock,
        revealed="yes" if contact.address else "nothing to reveal",
    )
    await session.commit()
    return await _page(request, session, viewer, case, programme, contact=contact)


def _audit(
    session: SessionDep,
    viewer: Viewer,
    action: str,
    case: SafeguardingCase,
    programme: Programme,
    clock: ClockDep,
    **detail: str,
) -> None:
    audit.record(
        session=session,
        actor=viewer.user.email,
        action=action,
        target=f"case {case.id}",
        detail={"programme": programme.code, "reference": case.reference, **detail},
        at=clock(),
    )
