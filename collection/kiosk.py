"""Kiosk keys: how the web chat knows a tablet is a kiosk the programme's staff set up.

The admin's kiosk link (Help page: "Open the kiosk") carries `key=`, an HMAC of
the programme's code under a key derived from WTFC_SECRET_KEY. The kiosk page
sends it back with each message; with a valid key the web chat's limits on new
conversations per address and per programme do not apply (one tablet starts a
conversation for every person at the centre). The per-sender limit still does.

Why a signed key and not a list of registered devices: nothing to store or
expire, every process agrees, and it works on a tablet that never logs in. The
key is a credential for one programme: only signed-in staff see the link, and it
stops working when WTFC_SECRET_KEY is rotated (`wtfc keys rotate`); give out a
fresh link from the Help page afterwards. A leaked key lets someone skip the
new-conversation limits of that one programme only, never read anything.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.lobby import normalise_code

_PURPOSE = b"wtfc kiosk key v1"


def kiosk_key(secret_key: str, code: str) -> str:
    """The key the admin's kiosk link for programme `code` carries (32 hex digits)."""
    derived = hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()
    signed = hmac.new(derived, normalise_code(code).encode(), hashlib.sha256)
    return signed.hexdigest()[:32]


def is_kiosk(secret_key: str, code: str, key: str | None) -> bool:
    """True when `key` is the kiosk key of programme `code` (compared in constant time)."""
    if not key or len(key) > 64:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters (a visitor's choice).
    wanted = kiosk_key(secret_key, code).encode()
    return hmac.compare_digest(wanted, key.encode("utf-8", "replace"))
