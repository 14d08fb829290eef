"""Failure counters kept in the records store, so a restart does not reset them."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..domain.errors import TooManyAttempts
from ..domain.model import LoginAttempts
from ..ports import LoginAttemptStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    lockout_seconds: int = 60  # doubled for every failure past the maximum
    lockout_max_seconds: int = 3600


class Throttle:
    def __init__(
        self, records: LoginAttemptStore, policy: ThrottlePolicy, clock: Callable[[], datetime]
    ) -> None:
        self.records = records
        self.policy = policy
        self.clock = clock

    def check(self, key: str, message: str) -> None:
        """Raise TooManyAttempts while `key` is locked out; `message` says what to retry."""
        attempts = self.records.get_login_attempts(key)
        now = self.clock().timestamp()
        if attempts and attempts.locked_until > now:
            wait = math.ceil(attempts.locked_until - now)
            raise TooManyAttempts(
                f"{message} Coba lagi dalam {math.ceil(wait / 60)} menit.", retry_after=wait
            )

    def failed(self, key: str) -> None:
        attempts = self.records.get_login_attempts(key) or LoginAttempts(key, 0, 0.0)
        failures = attempts.failures + 1
        locked_until = 0.0
        over = failures - self.policy.max_failures
        if over >= 0:
            wait = min(self.policy.lockout_seconds * 2**over, self.policy.lockout_max_seconds)
            locked_until = self.clock().timestamp() + wait
            log.warning("%s locked for %d s after %d failures", key.split(":")[0], wait, failures)
        self.records.save_login_attempts(LoginAttempts(key, failures, locked_until))

    def succeeded(self, key: str) -> None:
        attempts = self.records.get_login_attempts(key)
        if attempts and attempts.failures:
            self.records.save_login_attempts(LoginAttempts(key, 0, 0.0))
