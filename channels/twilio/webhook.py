"""Twilio's webhooks: inbound SMS and WhatsApp (answered with TwiML), and delivery statuses.

The routes are transport only: check that Twilio sent the request, read the
form into an `InboundMessage`, hand it to the one intake transaction, and turn
the replies into TwiML. No conversation logic lives here.

Answers, in the order they are decided:

- 404 when `TWILIO_AUTH_TOKEN` is not set: without it no signature can be
  checked, so the route is off rather than open;
- 413 for a body over 64 KiB (Twilio's forms are a few KiB), none of it kept;
- 403 for a missing or wrong `X-Twilio-Signature`; nothing is stored;
- 400 for a form that is not one Twilio sends (see `channels.twilio.inbound`): an id
  of another shape, a field Twilio always sends missing, another account's
  AccountSid; nothing is stored (this is what makes a re-cut replay a replay);
- 503 when the database does not answer within `DEADLINE` seconds, well inside
  Twilio's 15-second limit. Storing may carry on and succeed (a busy database,
  not a dead one): the message is then answered through the outbox. Either way a
  retry or a replay from Twilio's console is safe: a stored `MessageSid` is
  recognised, and a store that failed left nothing behind;
- otherwise 200 with TwiML: the replies (an empty `<Response/>` sends nothing).
  A message with `OptOutType` (Advanced Opt-Out on: Twilio recognised STOP, START
  or HELP and has answered it itself) is honoured and answered with an empty
  `<Response/>`, so the person never gets two answers.

The message is stored before anything else (accept, then answer: see
`collection.intake`). When the conversation step does not finish within
`WTFC_INLINE_BUDGET_MS` (a burst), the answer is an empty `<Response/>` and the
replies follow through the outbox by Twilio's REST API (`TWILIO_FROM` must be set).

A replayed `MessageSid` gets the replies stored with the first delivery, so the
same TwiML, and nothing is stored twice (see `collection.intake`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request, Response

from channels.twilio.inbound import (
    BadFormError,
    delivery_status,
    inbound_message,
    opt_out_type,
    parse_form,
)
from channels.twilio.render import message_bodies, twiml
from channels.twilio.segments import segments
from channels.twilio.signature import SIGNATURE_HEADER, called_url, is_from_twilio
from collection import outage
from collection.delivery import record_delivery
from collection.runtime import Services
from collection.settings import Settings

MESSAGES_PATH = "/webhooks/twilio/messages"
STATUS_PATH = "/webhooks/twilio/status"
MAX_BODY = 64 * 1024
DEADLINE = outage.DEADLINE_SECONDS
"""Seconds the database may take before we answer 503 (Twilio waits 15 at most)."""
TWIML_TYPE = "application/xml"

log = logging.getLogger("channels.twilio.webhook")
router = APIRouter()


@router.post(MESSAGES_PATH, include_in_schema=False)
async def inbound(request: Request) -> Response:
    """A person texted (or WhatsApped) us: store it, run the conversation, answer in TwiML."""
    fields = await _verified_form(request)
    try:
        message = inbound_message(fields, account_sid=_account_sid(request))
    except BadFormError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    services = _services(request)
    try:
        async with asyncio.timeout(DEADLINE):
            result = await services.intake.handle(message, budget=services.intake.inline_budget)
    except Exception as error:
        if not outage.is_outage(error):
            raise  # our bug: the app answers 500 and logs it once (wtfc.hardening)
        return _unavailable(error, message.external_id)
    answered_by_twilio = opt_out_type(fields)
    bodies = (
        []
        if answered_by_twilio
        else message_bodies(result.replies, result.language, message.channel)
    )
    log.info(
        "twilio inbound sid=%s channel=%s kind=%s opt_out_type=%s replayed=%s pending=%s "
        "messages=%d segments=%d",
        message.external_id,
        message.channel,
        message.kind,
        answered_by_twilio,
        result.replayed,
        result.pending,
        len(bodies),
        sum(segments(body) for body in bodies),
    )
    return Response(twiml(bodies), media_type=TWIML_TYPE)


@router.post(STATUS_PATH, include_in_schema=False)
async def status(request: Request) -> Response:
    """Twilio reports how a message we sent is getting on; recorded on its outbox row."""
    fields = await _verified_form(request)
    try:
        report = delivery_status(fields, account_sid=_account_sid(request))
    except BadFormError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    services = _services(request)
    try:
        async with asyncio.timeout(DEADLINE), services.sessions() as session, session.begin():
            found = await record_delivery(
                session=session,
                provider_id=report.provider_id,
                status=report.status,
                error=report.reason,
                opted_out=report.opted_out,
                now=datetime.now(UTC),
            )
    except Exception as error:
        if not outage.is_outage(error):
            raise  # our bug: the app answers 500 and logs it once (wtfc.hardening)
        return _unavailable(error, report.provider_id)
    log.info(
        "twilio status sid=%s status=%s error=%s known=%s",
        report.provider_id,
        report.status,
        report.error_code,
        bool(found),
    )
    return Response(status_code=204)


async def _verified_form(request: Request) -> dict[str, list[str]]:
    """The form fields of a request Twilio signed; raises 404, 413, 400 or 403 otherwise."""
    settings: Settings = request.app.state.settings
    token = settings.twilio_auth_token
    if not token:
        raise HTTPException(status_code=404)
    body = await _read_limited(request)
    try:
        fields = parse_form(body)
    except BadFormError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    url = called_url(request, settings.public_url)
    signature = request.headers.get(SIGNATURE_HEADER)
    if not is_from_twilio(auth_token=token, url=url, fields=fields, signature=signature):
        log.warning("twilio webhook refused: %s signature", "wrong" if signature else "no")
        raise HTTPException(status_code=403, detail="not signed by Twilio")
    return fields


async def _read_limited(request: Request) -> bytes:
    """The body, or 413 when it is over `MAX_BODY`.

    An oversized body is still read to its end, but nothing past the limit is kept:
    answering before the body is in makes the server close the connection under a
    reverse proxy that is still sending it, and nginx turns our 413 into a 502
    ("broken pipe while sending request to upstream"), which Twilio would retry.
    Memory stays bounded (one chunk at a time), and the hardening middleware stops
    any body at its own cap (256 KiB, nginx's `client_max_body_size` too).
    """
    declared = request.headers.get("content-length", "")
    too_large = declared.isdigit() and int(declared) > MAX_BODY
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        too_large = too_large or size > MAX_BODY
        if not too_large:
            chunks.append(chunk)
    if too_large:
        raise HTTPException(status_code=413, detail="body too large")
    return b"".join(chunks)


def _account_sid(request: Request) -> str | None:
    settings: Settings = request.app.state.settings
    return settings.twilio_account_sid


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _unavailable(error: BaseException, sid: str | None) -> Response:
    """503 and `Retry-After`: Twilio's retry is safe, whether or not the store that
    passed its deadline goes on to succeed (a stored MessageSid is recognised)."""
    diagnosis = outage.report(error, log, f"twilio webhook sid={sid}")
    return Response(
        "database unavailable",
        status_code=diagnosis.status_code,
        headers=diagnosis.headers,
        media_type="text/plain",
    )
