"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106's advice)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_hasher = PasswordHasher()
_dummy: dict[int, str] = {}


def _dummy_hash() -> str:
    """A hash with the current parameters, so an unknown account costs the same time."""
    key = id(_hasher)
    if key not in _dummy:
        _dummy[key] = _hasher.hash("a password nobody has, for timing only")
    return _dummy[key]


class PasswordPolicyError(Exception):
    """A new password is too weak to accept."""


def check_policy(password: str) -> None:
    """Long enough to resist guessing; we ask for length, not symbols people forget."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"The password must be at least {MIN_LENGTH} characters long.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if the password matches. Unknown accounts still cost one hash (no timing leak)."""
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
