"""Password hashing with Argon2id (argon2-cffi, the library's recommended parameters)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from merit.errors import MeritError

_hasher = PasswordHasher()
MIN_LENGTH = 10
# A hash of a random password: verifying against it when the user does not exist costs the
# same time as a real check, so response times do not reveal which usernames exist.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise MeritError(f"Kata sandi terlalu pendek: minimal {MIN_LENGTH} karakter.")
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def new_password() -> str:
    """A random initial password a person can type: 12 characters, letters and digits."""
    alphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679"
    return "".join(secrets.choice(alphabet) for _ in range(12))
