"""Logins and sessions on the fakes (#13): equal work for every account, sessions that end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bakso.domain.errors import NotAuthenticated, TooManyAttempts
from bakso.services.sessions import SessionPolicy, SessionService
from fakes import FakeRecords, FakeSet
from helpers import DESA_A, CountingHasher

PASSWORD = "kata-sandi-benar-1"


def test_a_wrong_password_costs_one_verify_for_disabled_unknown_and_existing(
    fakes: FakeSet,
) -> None:
    accounts = fakes.services.accounts
    hasher = CountingHasher()
    accounts.hasher = hasher
    accounts.create_user("op.aktif", "operator", DESA_A, PASSWORD)
    accounts.create_user("op.mati", "operator", DESA_A, PASSWORD)
    accounts.create_user("admin", "admin", None, PASSWORD)
    accounts.disable("op.mati", "admin")

    for username in ("op.aktif", "op.mati", "tidak.ada"):
        before = hasher.verified
        with pytest.raises(NotAuthenticated) as caught:
            accounts.authenticate(username, "kata-sandi-salah", "10.0.0.1")
        assert hasher.verified == before + 1, username
        assert caught.value.detail == "Nama pengguna atau kata sandi salah."
    before = hasher.verified
    with pytest.raises(NotAuthenticated) as caught:  # the right password of a disabled account
        accounts.authenticate("op.mati", PASSWORD, "10.0.0.1")
    assert hasher.verified == before + 1
    # Only whoever knows the password learns why, instead of "wrong password" (#14).
    assert "dinonaktifkan" in caught.value.detail


def test_one_client_spraying_many_usernames_is_stopped_by_its_own_limit(fakes: FakeSet) -> None:
    accounts = fakes.services.accounts
    accounts.create_user("op.aktif", "operator", DESA_A, PASSWORD)
    limit = accounts.policy.client_throttle.max_failures
    for i in range(limit):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate(f"nama.{i}", "kata-sandi-salah", "10.0.0.2")
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("op.aktif", PASSWORD, "10.0.0.2")
    assert accounts.authenticate("op.aktif", PASSWORD, "10.0.0.3").username == "op.aktif"


def test_a_locked_username_does_not_spend_its_offices_client_budget(fakes: FakeSet) -> None:
    """The review of #13: 50 tries at one locked name locked out the whole desa office."""
    accounts = fakes.services.accounts
    accounts.create_user("op.satu", "operator", DESA_A, PASSWORD)
    accounts.create_user("op.dua", "operator", DESA_A, PASSWORD)
    limit = accounts.policy.client_throttle.max_failures
    for _ in range(limit + 20):
        with pytest.raises((NotAuthenticated, TooManyAttempts)):
            accounts.authenticate("op.satu", "kata-sandi-salah", "10.0.0.9")
    # Only the 5 checked guesses count against the office; a colleague still logs in.
    assert accounts.authenticate("op.dua", PASSWORD, "10.0.0.9").username == "op.dua"


def test_right_logins_give_their_client_slot_back(fakes: FakeSet) -> None:
    accounts = fakes.services.accounts
    accounts.create_user("op.aktif", "operator", DESA_A, PASSWORD)
    for _ in range(accounts.policy.client_throttle.max_failures + 5):  # a busy desa office
        accounts.authenticate("op.aktif", PASSWORD, "10.0.0.4")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _sessions(fakes: FakeSet, clock: Clock) -> tuple[SessionService, FakeRecords]:
    policy = SessionPolicy(idle_seconds=3600, lifetime_seconds=4 * 3600, touch_seconds=300)
    return SessionService(fakes.records, policy, clock), fakes.records


def test_a_session_ends_when_idle_and_at_its_lifetime_however_busy(fakes: FakeSet) -> None:
    user = fakes.services.accounts.create_user("op.aktif", "operator", DESA_A, PASSWORD)
    clock = Clock()
    sessions, _ = _sessions(fakes, clock)
    idle = sessions.start(user)
    busy = sessions.start(user)
    for _ in range(7):  # busy is used every 30 minutes, idle never
        clock.now += timedelta(minutes=30)
        assert sessions.resolve(busy) is not None
    assert sessions.resolve(idle) is None  # 3.5 h unused, over the 1 h idle timeout
    clock.now += timedelta(minutes=31)  # 4 h 01 min after login
    assert sessions.resolve(busy) is None


def test_last_seen_is_written_at_most_every_touch_interval(fakes: FakeSet) -> None:
    user = fakes.services.accounts.create_user("op.aktif", "operator", DESA_A, PASSWORD)
    clock = Clock()
    sessions, records = _sessions(fakes, clock)
    touches = []
    original = records.touch_session
    records.touch_session = lambda *a: (touches.append(a), original(*a))[1]  # type: ignore[method-assign]
    session_id = sessions.start(user)
    for _ in range(60):  # a request every 10 s for 10 minutes
        clock.now += timedelta(seconds=10)
        assert sessions.resolve(session_id) is not None
    assert len(touches) == 2


def test_ended_and_superseded_sessions_resolve_to_no_one(fakes: FakeSet) -> None:
    accounts = fakes.services.accounts
    user = accounts.create_user("op.aktif", "operator", DESA_A, PASSWORD)
    accounts.create_user("admin", "admin", None, PASSWORD)
    sessions, _ = _sessions(fakes, Clock())
    phone, tablet = sessions.start(user), sessions.start(user)
    sessions.end(phone)
    assert sessions.resolve(phone) is None
    assert sessions.resolve(tablet) is not None
    accounts.end_sessions("op.aktif", "admin")
    assert sessions.resolve(tablet) is None
    assert sessions.resolve("bukan-sesi") is None
    fresh = sessions.start(accounts.authenticate("op.aktif", PASSWORD, "10.0.0.5"))
    assert sessions.resolve(fresh) is not None
    audit = [e.action for e in fakes.records.audit_entries()]
    assert "user.end_sessions" in audit
