"""Sending SMS and WhatsApp through the real twilio library to Prism serving Twilio's API spec."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest

from channels.twilio.http_client import (
    DEFAULT_API_BASE_URL,
    DEFAULT_TIMEOUT,
    BaseUrlHttpClient,
    parse_retry_after,
)
from channels.twilio.sender import SendResult, TwilioSender, classify, scrub
from tests.support.fault_proxy import (
    INVALID_NUMBER,
    NOT_MOBILE,
    RATE_LIMITED,
    SERVER_ERROR,
    SERVICE_UNAVAILABLE,
    UNSUBSCRIBED,
    Fault,
    FaultProxy,
    delay,
    fault_proxy_fixture,
    twilio_error,
)
from tests.support.prism import free_port, prism_fixture, twilio_spec

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token"
FROM_NUMBER = "+447700900999"
SERVICE_SID = "MG" + "fedcba9876543210" * 2
TO_NUMBER = "+447700900123"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"

twilio_prism = prism_fixture(twilio_spec, name="twilio_prism")
twilio_proxy = fault_proxy_fixture("twilio_prism", name="twilio_proxy")


@pytest.fixture
def twilio(twilio_proxy: FaultProxy) -> FaultProxy:
    """The session's proxy in front of Prism, with no recorded requests and no faults queued."""
    twilio_proxy.reset()
    return twilio_proxy


async def make_sender(
    twilio: FaultProxy,
    from_: str = FROM_NUMBER,
    *,
    timeout: float = 5.0,
    status_callback: str | None = None,
) -> AsyncIterator[TwilioSender]:
    """A sender through the proxy, closed when the loop over it ends."""
    sender = TwilioSender(
        ACCOUNT_SID,
        AUTH_TOKEN,
        from_,
        base_url=twilio.base_url,
        timeout=timeout,
        status_callback=status_callback,
    )
    yield sender
    await sender.close()


@pytest.fixture
async def sender(twilio: FaultProxy) -> AsyncIterator[TwilioSender]:
    async for each in make_sender(twilio):
        yield each


# -- against Prism ---------------------------------------------------------------------------


async def test_sms_is_sent_as_twilio_expects(sender: TwilioSender, twilio: FaultProxy) -> None:
    """An SMS goes to the account's Messages resource with To, From and Body; Prism accepts it."""
    result = await sender.send(TO_NUMBER, "What is working well?")

    assert result == SendResult(ok=True, provider_id=result.provider_id)
    assert result.provider_id is not None and result.provider_id.startswith("SM")
    [request] = twilio.requests
    assert (request.method, request.path) == ("POST", MESSAGES_PATH)
    assert request.form == {"To": TO_NUMBER, "From": FROM_NUMBER, "Body": "What is working well?"}
    assert request.headers["authorization"].startswith("Basic ")
    assert request.upstream_status == 201 and request.valid


async def test_messaging_service_sends_its_sid_and_status_callback(twilio: FaultProxy) -> None:
    """A sender starting "MG" is a Messaging Service: MessagingServiceSid, no From."""
    callback = "https://wtfc.example.org/webhooks/twilio/status"
    async for service_sender in make_sender(twilio, SERVICE_SID, status_callback=callback):
        result = await service_sender.send(TO_NUMBER, "Hello")

    assert result.ok
    [request] = twilio.requests
    assert request.form == {
        "To": TO_NUMBER,
        "MessagingServiceSid": SERVICE_SID,
        "Body": "Hello",
        "StatusCallback": callback,
    }
    assert request.valid


async def test_alphanumeric_sender_starting_mg_is_not_a_service(twilio: FaultProxy) -> None:
    """Only a full Messaging Service SID is sent as MessagingServiceSid; "MGHealth" is a From."""
    async for named_sender in make_sender(twilio, "MGHealth"):
        assert (await named_sender.send(TO_NUMBER, "Hello")).ok
    assert twilio.requests[0].form["From"] == "MGHealth"
    assert "MessagingServiceSid" not in twilio.requests[0].form


async def test_whatsapp_is_sent_from_the_whatsapp_address(
    sender: TwilioSender, twilio: FaultProxy
) -> None:
    """A whatsapp: recipient is sent from whatsapp: plus our number."""
    result = await sender.send("whatsapp:" + TO_NUMBER, "Diolch! 👍")

    assert result.ok
    [request] = twilio.requests
    assert request.form["To"] == "whatsapp:" + TO_NUMBER
    assert request.form["From"] == "whatsapp:" + FROM_NUMBER
    assert request.form["Body"] == "Diolch! 👍"
    assert request.valid


async def test_tel_urn_is_sent_as_a_plain_number(sender: TwilioSender, twilio: FaultProxy) -> None:
    """A tel: address loses its prefix: Twilio wants E.164."""
    assert (await sender.send("tel:" + TO_NUMBER, "Hi")).ok
    assert twilio.requests[0].form["To"] == TO_NUMBER


async def test_prism_rejects_a_request_that_breaks_the_contract(twilio: FaultProxy) -> None:
    """A malformed Account SID is refused by Prism, and that is a permanent failure."""
    bad = TwilioSender("ACnot-a-sid", AUTH_TOKEN, FROM_NUMBER, base_url=twilio.base_url)
    result = await bad.send(TO_NUMBER, "Hello")
    await bad.close()

    assert not result.ok and not result.retry and not result.opted_out
    assert result.error is not None and result.error.startswith("422")
    assert twilio.requests[0].upstream_status == 422


# -- faults ----------------------------------------------------------------------------------


async def test_rate_limit_is_retried_after_the_time_twilio_asks(
    sender: TwilioSender, twilio: FaultProxy
) -> None:
    """HTTP 429 means try again, after Retry-After seconds."""
    twilio.inject(twilio_error(429, 20429, "Too Many Requests", retry_after=7))

    result = await sender.send(TO_NUMBER, "Hello")

    assert result == SendResult(
        ok=False, retry=True, retry_after=7.0, error="20429: too many requests"
    )
    assert twilio.requests[0].valid


@pytest.mark.parametrize("fault", [SERVER_ERROR, SERVICE_UNAVAILABLE], ids=["500", "503"])
async def test_server_errors_are_retried(
    sender: TwilioSender, twilio: FaultProxy, fault: Fault
) -> None:
    """A 5xx from Twilio means try again later."""
    twilio.inject(fault)

    result = await sender.send(TO_NUMBER, "Hello")

    assert result.retry and not result.ok and not result.opted_out
    assert result.retry_after is None


async def test_unsubscribed_recipient_is_opted_out(
    sender: TwilioSender, twilio: FaultProxy
) -> None:
    """Twilio's 21610 (they texted STOP) is an opt-out, never retried."""
    twilio.inject(UNSUBSCRIBED)

    result = await sender.send(TO_NUMBER, "Hello")

    assert result == SendResult(
        ok=False, opted_out=True, error="21610: recipient has unsubscribed (STOP)"
    )


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (INVALID_NUMBER, "21211: invalid 'To' number"),
        (NOT_MOBILE, "21614: 'To' is not a mobile number"),
    ],
)
async def test_other_client_errors_are_permanent(
    sender: TwilioSender, twilio: FaultProxy, fault: Fault, error: str
) -> None:
    """An invalid or landline number fails for good, and is not an opt-out."""
    twilio.inject(fault)

    result = await sender.send(TO_NUMBER, "Hello")

    assert result == SendResult(ok=False, error=error)


async def test_unknown_error_keeps_twilio_words_but_never_the_number(
    sender: TwilioSender, twilio: FaultProxy
) -> None:
    """Twilio quotes phone numbers in messages: they are scrubbed from the error."""
    twilio.inject(twilio_error(400, 21999, f"The number {TO_NUMBER} is on fire"))

    result = await sender.send(TO_NUMBER, "Hello")

    assert result.error == "21999: The number <number> is on fire"
    assert not result.retry


ANSWER_AFTER = 10.0
"""Twilio's answer, held back far beyond the sender's 0.5 s timeout."""


async def test_timeout_is_retried_and_the_timeout_is_honoured(twilio: FaultProxy) -> None:
    """A Twilio that does not answer within the timeout means try again, promptly."""
    twilio.inject(delay(ANSWER_AFTER))
    started = time.monotonic()
    async for slow_sender in make_sender(twilio, timeout=0.5):
        result = await slow_sender.send(TO_NUMBER, "Hello")
    elapsed = time.monotonic() - started

    assert result.retry and not result.ok
    assert result.error == "timeout: no answer within 0.5 s"
    assert elapsed < ANSWER_AFTER  # it gave up before the answer came, however busy the machine
    assert len(twilio.wait_for_requests(1)) == 1


async def test_unreachable_api_is_retried() -> None:
    """Nothing listening at the base URL is a network error: try again."""
    closed = TwilioSender(
        ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, base_url=f"http://127.0.0.1:{free_port()}"
    )
    result = await closed.send(TO_NUMBER, "Hello")
    await closed.close()

    assert result == SendResult(ok=False, retry=True, error="network: ConnectionError")


async def test_faults_are_used_in_order_then_prism_answers(
    sender: TwilioSender, twilio: FaultProxy
) -> None:
    """Queued faults answer the next requests one each; the request after them succeeds."""
    twilio.inject(RATE_LIMITED, SERVER_ERROR)

    results = [await sender.send(TO_NUMBER, f"try {n}") for n in range(3)]

    assert [r.retry for r in results] == [True, True, False]
    assert results[2].ok
    recorded = twilio.requests
    assert [r.status for r in recorded] == [429, 500, 201]
    assert [r.form["Body"] for r in recorded] == ["try 0", "try 1", "try 2"]
    assert len(twilio.intervals()) == 2 and all(gap >= 0 for gap in twilio.intervals())
    assert all(r.valid for r in recorded)


async def test_phone_numbers_never_reach_the_logs(
    sender: TwilioSender, twilio: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    """Success and failure are logged without the recipient's or our number."""
    caplog.set_level(logging.DEBUG)
    twilio.inject(INVALID_NUMBER, UNSUBSCRIBED)

    for to in (TO_NUMBER, "whatsapp:" + TO_NUMBER, TO_NUMBER):
        await sender.send(to, "Hello")

    assert caplog.records
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert TO_NUMBER not in logged and TO_NUMBER[1:] not in logged
    assert FROM_NUMBER[1:] not in logged


# -- without a server ------------------------------------------------------------------------


async def test_empty_body_is_not_sent(sender: TwilioSender, twilio: FaultProxy) -> None:
    """An empty message fails at once, with no request to Twilio."""
    assert await sender.send(TO_NUMBER, "") == SendResult(
        ok=False, error="empty body: nothing to send"
    )
    assert twilio.requests == []


async def test_non_twilio_address_is_not_sent(sender: TwilioSender, twilio: FaultProxy) -> None:
    """A Telegram address given to the Twilio sender fails at once."""
    result = await sender.send("telegram:123456", "Hello")
    assert not result.ok and not result.retry
    assert twilio.requests == []


def test_default_base_url_and_timeout() -> None:
    """Without settings the client talks to api.twilio.com with a 10 s timeout."""
    sender = TwilioSender(ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER)
    assert (sender.base_url, sender.timeout) == (DEFAULT_API_BASE_URL, DEFAULT_TIMEOUT)
    assert BaseUrlHttpClient().timeout == 10.0


def test_base_url_replaces_twilio_hosts_and_keeps_paths() -> None:
    """Every *.twilio.com URL goes to the base URL, prefix included; other hosts are left."""
    client = BaseUrlHttpClient("http://127.0.0.1:4010/mock/")
    assert client.rewrite("https://api.twilio.com/2010-04-01/Accounts.json?PageSize=1") == (
        "http://127.0.0.1:4010/mock/2010-04-01/Accounts.json?PageSize=1"
    )
    assert client.rewrite("https://api.dublin.ie1.twilio.com/x") == "http://127.0.0.1:4010/mock/x"
    assert client.rewrite("https://example.org/x") == "https://example.org/x"


def test_default_base_url_leaves_edge_urls_alone() -> None:
    """With the default base, TWILIO_EDGE and TWILIO_REGION hosts are not rewritten."""
    url = "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts.json"
    assert BaseUrlHttpClient().rewrite(url) == url


@pytest.mark.parametrize("base", ["ftp://x", "127.0.0.1:4010", "http://h?x=1", ""])
def test_bad_base_url_is_refused(base: str) -> None:
    """A base URL that is not an absolute http(s) URL fails at start-up, not at send time."""
    with pytest.raises(ValueError):
        BaseUrlHttpClient(base)


def test_timeout_must_be_positive() -> None:
    """A zero timeout would mean none at all to requests."""
    with pytest.raises(ValueError):
        BaseUrlHttpClient(timeout=0)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({}, None),
        ({"Retry-After": "x"}, None),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"Retry-After": "-4"}, 0.0),
    ],
)
def test_retry_after_header(headers: dict[str, str], seconds: float | None) -> None:
    """Retry-After is delta-seconds or an HTTP date in the past (0), never negative."""
    assert parse_retry_after(headers) == seconds


@pytest.mark.parametrize(
    ("status", "code", "retry", "opted_out"),
    [
        (429, 20429, True, False),
        (500, None, True, False),
        (502, 502, True, False),
        (400, 21610, False, True),
        (400, 21211, False, False),
        (401, 20003, False, False),
        (404, 20404, False, False),
    ],
)
def test_classification(status: int, code: int | None, retry: bool, opted_out: bool) -> None:
    """429 and 5xx retry, 21610 is an opt-out, other 4xx are permanent."""
    result = classify(status, code, "reason")
    assert (result.ok, result.retry, result.opted_out) == (False, retry, opted_out)
    assert result.error is not None and result.error.startswith(f"{code or status}: ")


def test_scrub_removes_numbers_in_any_dress() -> None:
    """E.164, spaced and bracketed numbers are all removed."""
    text = "to +447700900123, 07700 900123 or (020) 7946-0000 at 10:30"
    assert scrub(text) == "to <number>, <number> or <number> at 10:30"
