"""Password hashes with argon2id (argon2-cffi): :class:`~baclofen.services.ports.PasswordHasher`.

The parameters are argon2-cffi's defaults (RFC 9106's second recommended option: 64 MiB, 3 passes, 4
lanes) unless given; a hash carries its own parameters, so raising them later still verifies old hashes.

>>> hasher = Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1)
>>> stored = hasher.hash("correct horse battery staple")
>>> stored.startswith("$argon2id$"), hasher.verify(stored, "correct horse battery staple"), hasher.verify(stored, "x")
(True, True, False)
"""

from __future__ import annotations

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["Argon2PasswordHasher"]


class Argon2PasswordHasher:
    """argon2id hashes with the given cost (argon2-cffi's defaults unless given: tests use a cheap one)."""

    def __init__(
        self,
        *,
        time_cost: int = argon2.DEFAULT_TIME_COST,
        memory_cost_kib: int = argon2.DEFAULT_MEMORY_COST,
        parallelism: int = argon2.DEFAULT_PARALLELISM,
    ) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism, type=argon2.Type.ID
        )
        self._dummy = self._hasher.hash("a password no account has")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def waste_time(self, password: str) -> None:
        self.verify(self._dummy, password)
