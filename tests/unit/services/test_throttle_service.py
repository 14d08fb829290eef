"""A service on the one port it declares: the login throttle on a FakeLoginAttemptStore alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bakso.domain.errors import TooManyAttempts
from bakso.services.throttle import Throttle, ThrottlePolicy
from fakes import FakeLoginAttemptStore


def test_failures_past_the_maximum_lock_the_key_for_a_doubling_time() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    throttle = Throttle(FakeLoginAttemptStore(), ThrottlePolicy(2, 60, 3600), lambda: now[0])
    for _ in range(2):
        throttle.check("op.a", "Gagal masuk.")
        throttle.failed("op.a")

    with pytest.raises(TooManyAttempts) as caught:
        throttle.check("op.a", "Gagal masuk.")
    assert caught.value.extra["retry_after"] == 60

    now[0] += timedelta(seconds=61)
    throttle.check("op.a", "Gagal masuk.")
    throttle.failed("op.a")
    with pytest.raises(TooManyAttempts) as caught:
        throttle.check("op.a", "Gagal masuk.")
    assert caught.value.extra["retry_after"] == 120
    throttle.check("op.b", "Gagal masuk.")  # another key is not locked
