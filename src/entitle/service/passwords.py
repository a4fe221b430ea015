"""Password hashing with argon2id.

The library's defaults cost about 150 ms a hash. ``ENTITLE_ARGON2_TIME_COST`` and
``ENTITLE_ARGON2_MEMORY_KIB`` lower them where speed matters more than strength (test suites);
hashes keep their own parameters, so verification works whatever the current setting.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from entitle import settings

_DEFAULT = PasswordHasher()


@cache
def _decoy() -> str:
    """Verified against when the account is unknown, so both cases take as long."""
    return password_hasher().hash("not the password of anyone")


def password_hasher() -> PasswordHasher:
    configured = settings.current()
    time_cost, memory = configured.argon2_time_cost, configured.argon2_memory_kib
    if not time_cost and not memory:
        return _DEFAULT
    return PasswordHasher(
        time_cost=time_cost or _DEFAULT.time_cost, memory_cost=memory or _DEFAULT.memory_cost
    )


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account has a password."""
    try:
        return bool(_DEFAULT.verify(stored_hash or _decoy(), password)) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
