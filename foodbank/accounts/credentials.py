"""Passwords (argon2id) and random secrets (stored only as SHA-256).

Argon2 is deliberately slow, so hashing and verifying run in a worker thread, off the event loop.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from foodbank.config import SecuritySettings

TOKEN_PREFIX = "fbt_"  # noqa: S105 - a prefix, not a secret


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def _for(settings: SecuritySettings) -> PasswordHasher:
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_kib)


async def hash_password(password: str, settings: SecuritySettings) -> str:
    return await anyio.to_thread.run_sync(_for(settings).hash, password)


async def verify_password(password_hash: str | None, password: str, settings: SecuritySettings) -> bool:
    """Constant work whether or not the user exists: an unknown user is checked against a dummy hash."""
    hasher = _for(settings)
    target = password_hash or _dummy_hash(settings.argon2_time_cost, settings.argon2_memory_kib)

    def check() -> bool:
        try:
            return hasher.verify(target, password)
        except (VerificationError, InvalidHashError):
            return False

    ok = await anyio.to_thread.run_sync(check)
    return ok and password_hash is not None


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    return _hasher(time_cost, memory_kib).hash(secrets.token_urlsafe(16))


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
