"""How long a sign-in must wait after failures: pure, the time a parameter.

Delays grow per username *and* address: someone guessing a volunteer's password from one place slows
down only themselves, never the volunteer signing in from the warehouse. An address that fails for many
usernames (guessing across accounts) is slowed as a whole, but only after many more failures. Nobody is
locked out: the right password works again as soon as the current wait is over, and the waits reset
after a quiet window or a successful sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ADDRESS_FACTOR = 20
"""An address may fail this many times the per-account allowance before it is slowed as a whole."""


@dataclass(frozen=True)
class Failures:
    count: int
    last_at: datetime | None


def wait(failures: Failures, *, free: int, cap: timedelta, now: datetime) -> timedelta:
    """The wait left before the next attempt: none for the first `free` failures, then one second,
    doubling with each further failure (2, 4, 8 ... seconds), at most `cap`, counted from the last one."""
    if failures.count < free or failures.last_at is None:
        return timedelta(0)
    exponent = min(failures.count - free, 30)
    delay = min(cap, timedelta(seconds=2**exponent))
    return max(timedelta(0), failures.last_at + delay - now)
