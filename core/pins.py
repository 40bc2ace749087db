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


RIGHT, WRONG, LOCKED, NOW_LOCKED = "right", "wrong", "locked", "now_locked"


@dataclass(frozen=True)
class PinAttempt:
    outcome: str  # RIGHT, WRONG, LOCKED (already: the PIN was not even checked) or NOW_LOCKED (this one locked it)
    failures: int  # wrong PINs in a row to store
    locked_until: str | None  # to store
    minutes: int  # how long the account stays locked, when it is


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

    def attempt(self, pin_hash: str, pin: str, failures_before: int, locked_until: str | None,
                now: datetime) -> PinAttempt:
        """The one sign-in decision of the kiosk and HQ: what a typed PIN does to an account. Each side stores
        `failures` and `locked_until` in its own table, in the transaction that read them."""
        if minutes := self.minutes_left(locked_until, now):
            return PinAttempt(LOCKED, failures_before, locked_until, minutes)
        if verify_pin(pin_hash, pin):
            return PinAttempt(RIGHT, 0, None, 0)
        failures, until = self.after_wrong_pin(failures_before, now)
        return PinAttempt(NOW_LOCKED if until else WRONG, failures, until, self.minutes if until else 0)

    def after_wrong_pin(self, failures_before: int, now: datetime) -> tuple[int, str | None]:
        """(failures to store, locked until): the count starts again once the account locks."""
        failures = failures_before + 1
        if failures >= self.attempts:
            return 0, (now + timedelta(minutes=self.minutes)).isoformat(timespec="seconds")
        return failures, None
