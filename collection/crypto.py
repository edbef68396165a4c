"""Contact addresses (phone numbers, chat ids) kept out of plain view.

An address is stored encrypted (Fernet, so it can be used to send) and found by a
keyed hash (HMAC-SHA256), so the database never holds a phone number in clear
and a leaked table cannot be reversed by hashing every UK number. Both keys are
derived from `WTFC_SECRET_KEY` with HKDF, one per purpose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


class AddressDecryptError(Exception):
    """The stored address was encrypted with another key (see key rotation in SECURITY.md)."""


class AddressVault:
    """Encrypts, decrypts and looks up contact addresses with keys from one secret."""

    def __init__(self, secret_key: str) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"wtfc:address:enc")))
        self._lookup_key = _derive(secret_key, b"wtfc:address:lookup")

    def lookup_hash(self, address: str) -> str:
        return hmac.new(self._lookup_key, address.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, address: str) -> str:
        return self._fernet.encrypt(address.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as error:
            raise AddressDecryptError("address cannot be decrypted with this key") from error
