"""Password hashes: Argon2id (argon2-cffi's RFC 9106 low-memory profile) for every new
one; older werkzeug hashes (pbkdf2, scrypt) still verify, and are replaced by an Argon2
hash at the next successful login."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

_hasher = PasswordHasher()
ARGON2_PREFIX = "$argon2"


@dataclass(frozen=True)
class Verified:
    """Whether a password matched, and whether its stored hash should be replaced (an
    older scheme, or Argon2 with weaker parameters than today's)."""

    ok: bool
    needs_rehash: bool = False


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> Verified:
    if not stored:
        # Same work as a real check: whether an account has a password is not told by
        # how fast the answer comes.
        _hasher.hash(password)
        return Verified(False)
    if stored.startswith(ARGON2_PREFIX):
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return Verified(False)
        return Verified(True, _hasher.check_needs_rehash(stored))
    if check_password_hash(stored, password):
        return Verified(True, needs_rehash=True)
    return Verified(False)


def burn_time(password: str) -> None:
    """Hash once for nothing: a login for a name that does not exist takes as long as
    one with a wrong password."""
    _hasher.hash(password)
