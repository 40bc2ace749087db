"""Staff PINs: stored as argon2 hashes only, and the lockout rule after wrong PINs (kiosk and HQ). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2-cffi's defaults (RFC 9106's low-memory profile): what every terminal uses


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash new PINs with `hasher` from now on (tests/conftest.py, for cheap parameters: 58% of a test's set-up
    was argon2 at production cost). A hash records its own parameters, so every PIN still verifies."""
    global _hasher
    _hasher = hasher


def hash_pin(pin: str) -> str:
    return _hasher.hash(pin)


def verify_pin(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Lockout:
    """The sign-in rule of the kiosk and HQ alike: `attempts` wrong PINs in a row lock the account for `minutes`."""

    attempts: int
    minutes: int

    def minutes_left(self, locked_until: str | None, now: datetime) -> int:
        """Whole minutes (rounded up) the account stays locked; 0 when it is not locked."""
        if not locked_until or datetime.fromisoformat(locked_until) <= now:
            return 0
        return int((datetime.fromisoformat(locked_until) - now).total_seconds() // 60) + 1

    def after_wrong_pin(self, failures_before: int, now: datetime) -> tuple[int, str | None]:
        """(failures to store, locked until): the count starts again once the account locks."""
        failures = failures_before + 1
        if failures >= self.attempts:
            return 0, (now + timedelta(minutes=self.minutes)).isoformat(timespec="seconds")
        return failures, None
