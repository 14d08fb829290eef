"""Attempt counters kept in the records store, so a restart does not reset them.

Every attempt is counted *before* it is checked: `reserve` takes a slot with one
conditional write (compare-and-swap on the stored count), and only then may the
caller verify the password or the phone digits. Fifty parallel guesses therefore
see fifty different counts, and at most `max_failures` of them get a slot before
the key locks; a lost race reads again. A right answer gives its slot back.

Keys are HMACs of what they count (a username, a request code, a client
address), so the store holds no name or address, and every record expires
`forget_after_seconds` after its last lock: a key tried once does not stay.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..domain.errors import TooManyAttempts
from ..domain.model import LoginAttempts
from ..ports import LoginAttemptStore

log = logging.getLogger(__name__)

# Compare-and-swap rounds before an attempt is refused rather than counted: a
# key this contended is under attack, and refusing is the safe side.
MAX_SWAPS = 100


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    lockout_seconds: int = 60  # doubled for every attempt past the maximum
    lockout_max_seconds: int = 3600
    forget_after_seconds: int = 24 * 3600  # a quiet day forgets the attempts


class Throttle:
    def __init__(
        self,
        records: LoginAttemptStore,
        policy: ThrottlePolicy,
        clock: Callable[[], datetime],
        secret: str = "",
    ) -> None:
        self.records = records
        self.policy = policy
        self.clock = clock
        self._secret = hashlib.sha256(f"bakso-throttle:{secret}".encode()).digest()

    def key(self, kind: str, value: str) -> str:
        """The stored key for `value` (a username, code, address): `kind` and an HMAC."""
        digest = hmac.new(self._secret, value.encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{digest[:40]}"

    def reserve(self, key: str, message: str, policy: ThrottlePolicy | None = None) -> None:
        """Count one attempt on `key`; TooManyAttempts (nothing counted) while it is locked.

        The attempt that reaches the maximum locks the key at once, before its
        answer is known: a right answer unlocks it again (`clear`/`release`).
        """
        rule = policy or self.policy
        for _ in range(MAX_SWAPS):
            now = self.clock().timestamp()
            current = self.records.get_login_attempts(key, now)
            if current and current.locked_until > now:
                raise self._refusal(message, current.locked_until - now)
            failures = (current.failures if current else 0) + 1
            over = failures - rule.max_failures
            locked_until = 0.0
            if over >= 0:
                locked_until = now + min(rule.lockout_seconds * 2**over, rule.lockout_max_seconds)
            expires_at = max(locked_until, now) + rule.forget_after_seconds
            attempt = LoginAttempts(key, failures, locked_until, expires_at)
            if self.records.swap_login_attempts(attempt, current, now):
                if over >= 0:
                    log.warning(
                        "%s locked for %d s after %d attempts",
                        key.split(":")[0],
                        locked_until - now,
                        failures,
                    )
                return
        log.warning("%s too contended to count an attempt; refused", key.split(":")[0])
        raise self._refusal(message, rule.lockout_seconds)

    def release(self, key: str, policy: ThrottlePolicy | None = None) -> None:
        """Give back the slot of an attempt that succeeded (shared keys: a client's)."""
        rule = policy or self.policy
        for _ in range(MAX_SWAPS):
            now = self.clock().timestamp()
            current = self.records.get_login_attempts(key, now)
            if current is None or current.failures == 0:
                return
            failures = current.failures - 1
            locked = current.locked_until if failures >= rule.max_failures else 0.0
            back = LoginAttempts(key, failures, locked, current.expires_at)
            if self.records.swap_login_attempts(back, current, now):
                return

    def clear(self, key: str) -> None:
        """Forget every attempt on `key` (its owner proved who they are)."""
        self.records.delete_login_attempts(key)

    @staticmethod
    def _refusal(message: str, seconds: float) -> TooManyAttempts:
        wait = max(1, math.ceil(seconds))
        return TooManyAttempts(
            f"{message} Coba lagi dalam {math.ceil(wait / 60)} menit.", retry_after=wait
        )
