"""Officers' accounts as recently read, kept per process for a few seconds (#16).

Every authenticated request resolves its session and then the account. On
DynamoDB all accounts share one partition (PK "USERS"), so reading the account
on every request is a hot key at scale. The session item is still read on
every request, and revocation (logout, "Akhiri semua sesi", password reset,
disabling) marks the session items themselves, so a cached account cannot keep
a revoked officer in. A cached account is only ever trusted to let a session
in: SessionService re-reads it before refusing, so a stale copy never refuses
a fresh login (say, just after a password reset or re-enabling).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from ..domain.model import User
from ..ports import UserStore

MAX_ENTRIES = 2048  # a kabupaten has a few hundred officers; bounded whatever happens


class UserCache:
    def __init__(
        self,
        users: UserStore,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.users = users
        self.seconds = seconds
        self.clock = clock
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, User]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, username: str) -> tuple[User | None, bool]:
        """The account, and whether it came from the cache (so may be a few seconds old)."""
        if self.seconds > 0:
            now = self.clock()
            with self._lock:
                entry = self._entries.get(username)
                if entry is not None and now < entry[0]:
                    self._entries.move_to_end(username)
                    return replace(entry[1]), True
        return self.fresh(username), False

    def fresh(self, username: str) -> User | None:
        """The account as stored now (read from the store), remembered for the next calls."""
        read_at = self.clock()
        user = self.users.get_user(username)
        if self.seconds <= 0:
            return user
        with self._lock:
            if user is None:
                self._entries.pop(username, None)  # unknown accounts are not remembered
                return None
            self._entries[username] = (read_at + self.seconds, replace(user))
            self._entries.move_to_end(username)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return user

    def forget(self, username: str) -> None:
        """Drop the copy after this process changed the account (other processes age out)."""
        with self._lock:
            self._entries.pop(username, None)
