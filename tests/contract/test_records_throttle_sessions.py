"""The LoginAttemptStore and SessionStore contracts (#13), on every adapter set.

What an attacker would notice: parallel guesses each counted once (no lost
updates, at most the limit let through to the hasher), keys tried once that
do not pile up, and a session that stays revoked.
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from argon2 import PasswordHasher

from bakso.domain.errors import NotAuthenticated, NotFound, TooManyAttempts
from bakso.domain.model import LoginAttempts, OfficerSession
from bakso.domain.tenants import PACKAGED_DIR, Tenants
from bakso.ports import Records
from bakso.services.accounts import AccountService, LoginPolicy
from bakso.services.throttle import Throttle, ThrottlePolicy
from helpers import CountingHasher

if TYPE_CHECKING:
    from conftest import AdapterSet

NOW = 1_767_225_600.0
PARALLEL = 50


def test_login_attempts_swap_only_from_what_was_read(records: Records) -> None:
    assert records.get_login_attempts("login-user:ab", NOW) is None
    first = LoginAttempts("login-user:ab", 1, 0.0, NOW + 86_400)
    assert records.swap_login_attempts(first, None, NOW)
    assert not records.swap_login_attempts(first, None, NOW)  # one is there now
    assert records.get_login_attempts("login-user:ab", NOW) == first

    second = LoginAttempts("login-user:ab", 2, NOW + 60, NOW + 86_460)
    assert records.swap_login_attempts(second, first, NOW)
    stale = LoginAttempts("login-user:ab", 3, 0.0, NOW + 86_400)
    assert not records.swap_login_attempts(stale, first, NOW)  # read before `second`
    assert records.get_login_attempts("login-user:ab", NOW) == second

    records.delete_login_attempts("login-user:ab")
    assert records.get_login_attempts("login-user:ab", NOW) is None


def test_an_expired_attempt_record_is_forgotten_and_replaced(records: Records) -> None:
    old = LoginAttempts("login-user:cd", 9, NOW + 10, NOW + 100)
    assert records.swap_login_attempts(old, None, NOW)
    later = NOW + 101
    assert records.get_login_attempts("login-user:cd", later) is None
    fresh = LoginAttempts("login-user:cd", 1, 0.0, later + 86_400)
    assert not records.swap_login_attempts(fresh, old, later)  # the old one is gone
    assert records.swap_login_attempts(fresh, None, later)
    assert records.get_login_attempts("login-user:cd", later) == fresh


def test_parallel_increments_lose_no_update(adapter_set: AdapterSet) -> None:
    records = adapter_set.records

    def add_one(_: int) -> int:
        try:
            for rounds in range(1, 1000):
                current = records.get_login_attempts("cek-code:ef", NOW)
                count = current.failures if current else 0
                if records.swap_login_attempts(
                    LoginAttempts("cek-code:ef", count + 1, 0.0, NOW + 86_400), current, NOW
                ):
                    return rounds
            raise AssertionError("never won")
        finally:
            adapter_set.thread_done()

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(add_one, range(40)))
    stored = records.get_login_attempts("cek-code:ef", NOW)
    assert stored is not None and stored.failures == 40


def _accounts(records: Records, hasher: PasswordHasher, now: list[float]) -> AccountService:
    clock = lambda: datetime.fromtimestamp(now[0], UTC)  # noqa: E731
    tenants = Tenants.from_folders([PACKAGED_DIR / "52.03"])
    return AccountService(
        records, tenants, LoginPolicy(ThrottlePolicy(5)), clock, hasher, throttle_secret="k"
    )


def test_fifty_parallel_wrong_passwords_reach_the_hasher_at_most_five_times(
    adapter_set: AdapterSet,
) -> None:
    hasher = CountingHasher()
    accounts = _accounts(adapter_set.records, hasher, [NOW])
    accounts.create_user("dukcapil", "dukcapil", None, "kata-sandi-benar-1")

    def guess(i: int) -> str:
        try:
            accounts.authenticate("dukcapil", f"tebakan-{i:02d}-salah", "10.0.0.7")
        except NotAuthenticated:
            return "401"
        except TooManyAttempts:
            return "429"
        finally:
            adapter_set.thread_done()
        return "200"

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(guess, range(PARALLEL)))

    assert hasher.verified <= 5
    assert answers.count("401") == hasher.verified
    assert answers.count("429") == PARALLEL - hasher.verified


def test_fifty_parallel_cek_lookups_are_checked_at_most_ten_times(
    adapter_set: AdapterSet,
) -> None:
    records = adapter_set.records
    checked = []
    lock = threading.Lock()
    now = [NOW]
    throttle = Throttle(
        records, ThrottlePolicy(10, 300), lambda: datetime.fromtimestamp(now[0], UTC), "k"
    )

    class Counting:
        """What a lookup checks the digits against: the request read by its code."""

        def get_request_by_code(self, code: str) -> None:
            with lock:
                checked.append(code)

    from bakso.services.status import StatusService

    status = StatusService(Counting(), None, None, None, throttle, ThrottlePolicy(30, 300))  # type: ignore[arg-type]

    def lookup(i: int) -> str:
        try:
            status.lookup("LT-ABCD-EFGH", f"{i:04d}", "10.0.0.8")
        except NotFound:
            return "404"
        except TooManyAttempts:
            return "429"
        finally:
            adapter_set.thread_done()
        return "303"

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(lookup, range(PARALLEL)))

    assert len(checked) <= 10
    assert answers.count("404") == len(checked)
    assert answers.count("429") == PARALLEL - len(checked)


def _stored_attempt_rows(adapter_set: AdapterSet) -> int | None:
    """Throttle records physically stored; None where expiry is the TTL's job (DynamoDB)."""
    records: Any = adapter_set.records
    if adapter_set.name == "local":
        with sqlite3.connect(records._db.path) as db:
            return int(db.execute("SELECT count(*) FROM login_attempts").fetchone()[0])
    if adapter_set.name == "memory":
        return int(records.login_attempt_count())
    return None


def _ttl_of_login_items(adapter_set: AdapterSet) -> list[float]:
    records: Any = adapter_set.records
    items = records.client.scan(
        TableName=records.table,
        FilterExpression="begins_with(PK, :p)",
        ExpressionAttributeValues={":p": {"S": "LOGIN#"}},
    )["Items"]
    return [float(item["expires_at"]["N"]) for item in items]


def test_unknown_usernames_leave_a_bounded_number_of_expiring_records(
    adapter_set: AdapterSet,
) -> None:
    now = [NOW]
    accounts = _accounts(adapter_set.records, CountingHasher(), now)
    client_limit = accounts.policy.client_throttle.max_failures
    refused = 0
    for i in range(client_limit + 40):  # one client tries ever new names
        try:
            accounts.authenticate(f"tidak.ada.{i}", "tebakan-salah-123", "10.0.0.9")
        except TooManyAttempts:
            refused += 1
        except NotAuthenticated:
            pass
    assert refused == 40  # past the client's limit no name is even counted

    rows = _stored_attempt_rows(adapter_set)
    if rows is None:  # DynamoDB: every record carries its TTL, a day after its last lock
        ttls = _ttl_of_login_items(adapter_set)
        assert len(ttls) == client_limit + 1
        assert all(NOW < ttl <= NOW + 86_400 + 3_600 + 1 for ttl in ttls)
        return
    assert rows == client_limit + 1  # one per name counted, and the client's
    now[0] += 86_400 + 3_600 + 1  # past every record's expiry
    for i in range(3):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate(f"lain.lagi.{i}", "tebakan-salah-123", "10.0.0.10")
    assert (_stored_attempt_rows(adapter_set) or 0) <= 4


def _session(id_hash: str, expires_at: float = NOW + 3_600) -> OfficerSession:
    return OfficerSession(id_hash, "op.a", 3, NOW, NOW, expires_at)


def test_sessions_are_created_touched_and_stay_revoked(records: Records) -> None:
    records.create_session(_session("a" * 64), NOW)
    assert records.get_session("a" * 64) == _session("a" * 64)

    records.touch_session("a" * 64, NOW + 400, NOW + 4_000)
    touched = records.get_session("a" * 64)
    assert touched is not None
    assert (touched.last_seen, touched.expires_at) == (NOW + 400, NOW + 4_000)

    records.revoke_session("a" * 64)
    records.touch_session("a" * 64, NOW + 800, NOW + 4_400)  # a request racing the logout
    after = records.get_session("a" * 64)
    assert after is not None and after.revoked and after.last_seen == NOW + 800

    records.touch_session("b" * 64, NOW, NOW + 10)  # unknown: nothing, not a stub
    records.revoke_session("b" * 64)
    assert records.get_session("b" * 64) is None


def test_dead_sessions_do_not_pile_up(adapter_set: AdapterSet) -> None:
    records: Any = adapter_set.records
    for i in range(10):
        records.create_session(_session(f"{i:064d}", expires_at=NOW + 10), NOW)
    records.create_session(_session("f" * 64), NOW + 11)
    if adapter_set.name == "aws":  # DynamoDB's TTL deletes them: the attribute must be there
        item = records.client.get_item(
            TableName=records.table, Key={"PK": {"S": f"SESSION#{0:064d}"}, "SK": {"S": "SESSION"}}
        )["Item"]
        assert float(item["expires_at"]["N"]) == NOW + 10
        return
    assert all(records.get_session(f"{i:064d}") is None for i in range(10))
    assert records.get_session("f" * 64) is not None


def test_revoking_a_users_sessions_revokes_each_of_them_and_no_one_elses(
    records: Records,
) -> None:
    """Password reset, disabling and "Akhiri semua sesi" end sessions by marking them (#16)."""
    records.create_session(_session("a" * 64), NOW)
    records.create_session(_session("b" * 64), NOW)
    records.touch_session("b" * 64, NOW + 400, NOW + 7_200)  # a busy one, its expiry moved
    other = OfficerSession("c" * 64, "op.b", 1, NOW, NOW, NOW + 3_600)
    records.create_session(other, NOW)

    records.revoke_user_sessions("op.a")

    for id_hash in ("a" * 64, "b" * 64):
        stored = records.get_session(id_hash)
        assert stored is not None and stored.revoked
    assert records.get_session("c" * 64) == other  # another officer's stays open
    records.revoke_user_sessions("tidak.ada")  # nobody's: nothing, no error
