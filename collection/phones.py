"""Phone numbers in one form, E.164 (+447700900123), the form we hash, store and send to.

The same person must be the same participant whether they text us (Twilio says
``+447700900123``) or staff type ``07700 900123`` into an invite: the address is
found by a keyed hash of the exact string, so every number is normalised first.

Two strengths: numbers Twilio gives us are real senders, so any possible number
is accepted (`e164`); numbers staff type in may be typos, so they must be valid
and able to receive a text (`textable_e164`).
"""

from __future__ import annotations

import functools

import phonenumbers

DEFAULT_REGION = "GB"
"""Numbers written without +44 are read as UK numbers."""

_NOT_TEXTABLE = {
    phonenumbers.PhoneNumberType.FIXED_LINE: "a landline",
    phonenumbers.PhoneNumberType.TOLL_FREE: "a freephone number",
    phonenumbers.PhoneNumberType.PREMIUM_RATE: "a premium-rate number",
    phonenumbers.PhoneNumberType.SHARED_COST: "a shared-cost number",
    phonenumbers.PhoneNumberType.UAN: "a company switchboard number",
    phonenumbers.PhoneNumberType.VOICEMAIL: "a voicemail number",
}

OFCOM_DRAMA_MOBILES = range(447700900000, 447700901000)
"""07700 900000-900999: Ofcom keeps these for drama and examples and never gives them out.

phonenumbers calls them invalid, but they are the numbers documentation and tests
use (``+447700900123``), so they are accepted as mobiles. Twilio refuses to send
to them (a permanent error, recorded on the message), so nobody is ever texted.
"""


class PhoneNumberError(ValueError):
    """Not a phone number we can use; the message says why in plain words (never the number)."""


@functools.lru_cache(maxsize=4096)
def e164(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """Any plausible number as E.164: for senders Twilio reports, which are real.

    Cached: a conversation brings the same sender a dozen times, and parsing with
    phonenumbers was a tenth of a webhook's CPU time in the profile."""
    number = _parse(raw, region)
    if not phonenumbers.is_possible_number(number):
        raise PhoneNumberError("That phone number has the wrong number of digits.")
    return _format(number)


def textable_e164(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """A number staff typed, as E.164, if it is valid and can receive a text message."""
    number = _parse(raw, region)
    formatted = _format(number)
    if int(formatted[1:]) in OFCOM_DRAMA_MOBILES:
        return formatted
    if not phonenumbers.is_valid_number(number):
        raise PhoneNumberError("That phone number is not valid. Please check it.")
    kind = _NOT_TEXTABLE.get(phonenumbers.number_type(number))
    if kind is not None:
        raise PhoneNumberError(f"That is {kind}: text messages need a mobile number.")
    return formatted


def masked(address: str) -> str:
    """A number shown to staff without giving it away: +447 ******123."""
    return address[:4] + " " + "*" * max(len(address) - 7, 0) + address[-3:]


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber:
    text = raw.strip()
    if not text or len(text) > 40:
        raise PhoneNumberError("That does not look like a phone number.")
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise PhoneNumberError("That does not look like a phone number.") from error


def _format(number: phonenumbers.PhoneNumber) -> str:
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
