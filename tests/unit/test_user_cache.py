"""services/user_cache.py: a few seconds per process, bounded, safe across threads (#16)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bakso.domain.lifecycle import Role
from bakso.domain.model import User
from bakso.services.user_cache import UserCache


class CountingUsers:
    def __init__(self, names: list[str]) -> None:
        self.users = {n: User(n, Role.OPERATOR, "52.03.01.2001", "hash") for n in names}
        self.reads = 0

    def get_user(self, username: str) -> User | None:
        self.reads += 1
        return self.users.get(username)

    def save_user(self, user: User) -> None:
        self.users[user.username] = user

    def list_users(self) -> list[User]:
        return list(self.users.values())


def test_an_account_is_read_once_per_window_and_again_after_it() -> None:
    store, now = CountingUsers(["op.a"]), [100.0]
    cache = UserCache(store, 5, clock=lambda: now[0])
    assert [cache.get("op.a")[1] for _ in range(4)] == [False, True, True, True]
    assert store.reads == 1
    now[0] += 5
    assert cache.get("op.a")[1] is False and store.reads == 2
    cache.forget("op.a")
    assert cache.get("op.a")[1] is False and store.reads == 3


def test_a_changed_copy_does_not_change_the_cached_account() -> None:
    cache = UserCache(CountingUsers(["op.a"]), 5)
    first, _ = cache.get("op.a")
    assert first is not None
    first.active = False  # a caller's change is not what the next request sees
    again, cached = cache.get("op.a")
    assert cached and again is not None and again.active


def test_the_cache_holds_at_most_its_bound_and_no_unknown_names() -> None:
    names = [f"op.{i}" for i in range(50)]
    cache = UserCache(CountingUsers(names), 60, max_entries=10)
    for name in [*names, "tidak.ada"]:
        cache.get(name)
    assert len(cache._entries) == 10
    assert "tidak.ada" not in cache._entries


def test_parallel_lookups_neither_fail_nor_overgrow() -> None:
    names = [f"op.{i}" for i in range(40)]
    cache = UserCache(CountingUsers(names), 60, max_entries=16)
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda i: cache.get(names[i % 40])[0], range(4000)))
    assert all(user is not None for user in found)
    assert len(cache._entries) <= 16


def test_zero_seconds_reads_every_time() -> None:
    store = CountingUsers(["op.a"])
    cache = UserCache(store, 0)
    for _ in range(3):
        assert cache.get("op.a")[1] is False
    assert store.reads == 3 and not cache._entries
