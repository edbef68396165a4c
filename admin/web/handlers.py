"""Turning admin errors into pages: sign-in redirects, 403 and 404 pages, CSRF failures."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from admin.pages.sign_in import login_redirect
from admin.web.errors import (
    BadFormError,
    CsrfError,
    ForbiddenError,
    LoginRequiredError,
    NotFoundError,
)
from admin.web.i18n import N_
from admin.web.rendering import render


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.endswith(".json")


def install(app: FastAPI) -> None:
    async def login_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequiredError)
        if _wants_json(request):
            return JSONResponse({"detail": "Please sign in again."}, status_code=401)
        return login_redirect(error.next_path, error.expired)

    async def forbidden(request: Request, error: Exception) -> Response:
        assert isinstance(error, ForbiddenError)
        if _wants_json(request):
            return JSONResponse({"detail": error.message}, status_code=403)
        return render(
            request,
            "error.html",
            {"title": N_("Not allowed"), "message": error.message},
            status_code=403,
        )

    async def not_found(request: Request, error: Exception) -> Response:
        assert isinstance(error, NotFoundError)
        if _wants_json(request):
            return JSONResponse({"detail": error.message}, status_code=404)
        return render(
            request,
            "error.html",
            {"title": N_("Not found"), "message": error.message},
            status_code=404,
        )

    async def csrf_failed(request: Request, error: Exception) -> Response:
        return render(
            request,
            "error.html",
            {
                "title": N_("Please try again"),
                "message": N_(
                    "This form was open too long or came from somewhere else. "
                    "Go back, reload the page and send it again."
                ),
            },
            status_code=403,
        )

    async def bad_form(request: Request, error: Exception) -> Response:
        assert isinstance(error, BadFormError)
        if _wants_json(request):
            return JSONResponse({"detail": error.message}, status_code=400)
        return render(
            request,
            "error.html",
            {"title": "Please check the form", "message": error.message},
            status_code=400,
        )

    app.add_exception_handler(LoginRequiredError, login_required)
    app.add_exception_handler(BadFormError, bad_form)
    app.add_exception_handler(ForbiddenError, forbidden)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(CsrfError, csrf_failed)
