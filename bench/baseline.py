"""The baseline for inbound throughput: the least any Twilio webhook handler must do.

Check the signature, insert one row, commit, answer empty TwiML; on the same
server stack (uvicorn + FastAPI + SQLAlchemy async) and database as the product.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from twilio.request_validator import RequestValidator

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


class _Base(DeclarativeBase):
    pass


class BaselineMessage(_Base):
    __tablename__ = "bench_baseline_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sid: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)


def baseline_router(auth_token: str, public_url: str) -> APIRouter:
    router = APIRouter()
    validator = RequestValidator(auth_token)

    @router.post("/bench/baseline")
    async def baseline(request: Request) -> Response:
        form = await request.form()
        params = {k: str(v) for k, v in form.items()}
        url = public_url.rstrip("/") + request.url.path
        if not validator.validate(url, params, request.headers.get("X-Twilio-Signature", "")):
            return Response(status_code=403)
        sessions = request.app.state.services.sessions
        async with sessions() as session, session.begin():
            session.add(
                BaselineMessage(sid=params.get("MessageSid", ""), body=params.get("Body", ""))
            )
        return Response(EMPTY_TWIML, media_type="application/xml")

    return router


async def create_baseline_table(engine: object) -> None:
    async with engine.begin() as connection:  # type: ignore[attr-defined]
        await connection.run_sync(_Base.metadata.create_all)
