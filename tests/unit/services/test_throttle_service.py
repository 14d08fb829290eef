"""A service on the one port it declares: the login throttle on a FakeLoginAttemptStore alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bakso.domain.errors import TooManyAttempts
from bakso.services.throttle import Throttle, ThrottlePolicy
from fakes import FakeLoginAttemptStore


def test_attempts_past_the_maximum_lock_the_key_for_a_doubling_time() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    throttle = Throttle(FakeLoginAttemptStore(), ThrottlePolicy(2, 60, 3600), lambda: now[0])
    for _ in range(2):
        throttle.reserve("op.a", "Gagal masuk.")

    with pytest.raises(TooManyAttempts) as caught:
        throttle.reserve("op.a", "Gagal masuk.")
    assert caught.value.extra["retry_after"] == 60

    now[0] += timedelta(seconds=61)
    throttle.reserve("op.a", "Gagal masuk.")
    with pytest.raises(TooManyAttempts) as caught:
        throttle.reserve("op.a", "Gagal masuk.")
    assert caught.value.extra["retry_after"] == 120
    throttle.reserve("op.b", "Gagal masuk.")  # another key is not locked


def test_a_released_slot_can_be_used_again_and_clear_forgets_all() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    throttle = Throttle(FakeLoginAttemptStore(), ThrottlePolicy(2, 60, 3600), lambda: now[0])
    throttle.reserve("client", "Gagal.")
    throttle.reserve("client", "Gagal.")  # the second slot locks, pending its answer
    throttle.release("client")  # ... which was right: the lock goes with the slot
    throttle.reserve("client", "Gagal.")
    with pytest.raises(TooManyAttempts):
        throttle.reserve("client", "Gagal.")
    throttle.clear("client")
    throttle.reserve("client", "Gagal.")


def test_keys_are_keyed_hashes_that_name_nothing() -> None:
    store = FakeLoginAttemptStore()
    throttle = Throttle(store, ThrottlePolicy(), lambda: datetime(2026, 1, 1, tzinfo=UTC), "s1")
    key = throttle.key("login-user", "op.a")
    assert key.startswith("login-user:") and "op.a" not in key
    assert key == throttle.key("login-user", "op.a")
    other = Throttle(store, ThrottlePolicy(), lambda: datetime(2026, 1, 1, tzinfo=UTC), "s2")
    assert other.key("login-user", "op.a") != key  # without the secret, names cannot be tried


def test_a_record_is_forgotten_a_day_after_its_last_lock() -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    store = FakeLoginAttemptStore()
    throttle = Throttle(store, ThrottlePolicy(2, 60, 3600, 86_400), lambda: now[0])
    throttle.reserve("k", "Gagal.")
    assert store.get_login_attempts("k", now[0].timestamp()) is not None
    now[0] += timedelta(seconds=86_401)
    assert store.get_login_attempts("k", now[0].timestamp()) is None
