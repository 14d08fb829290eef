"""Officers' sessions kept on the server, so that logging out really ends them.

The cookie carries a random id (256 bits); the store keeps only its SHA-256,
so a copy of the table opens no session. Every authenticated request resolves
the id: unknown, revoked, idle too long, past its absolute lifetime, or older
than the account's session epoch (password reset, disabled, "end all
sessions") is no session. Those three also mark every session of the account
revoked, because the account itself may be read from a per-process cache of a
few seconds (user_cache.py, #16) while the session item is read every time.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.model import OfficerSession, User
from ..ports import SessionStore, UserStore
from .user_cache import UserCache


@dataclass(frozen=True)
class SessionPolicy:
    idle_seconds: int = 8 * 3600
    lifetime_seconds: int = 12 * 3600  # from login, however busy the session is
    # last_seen is written at most this often: a write on every request would cost a
    # DynamoDB write (and the SQLite write lock the worker also needs) for each
    # page an officer opens. The price: a session may end up to this much before
    # idle_seconds have passed since its very last request.
    touch_seconds: int = 300


class SessionRecords(SessionStore, UserStore, Protocol):
    """The records ports SessionService uses."""


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionService:
    def __init__(
        self,
        records: SessionRecords,
        policy: SessionPolicy,
        clock: Callable[[], datetime],
        users: UserCache | None = None,
    ) -> None:
        self.records = records
        self.policy = policy
        self.clock = clock
        self.users = users or UserCache(records, 0)

    def start(self, user: User) -> str:
        """A new session for `user` (already authenticated); returns the id for the cookie."""
        session_id = secrets.token_urlsafe(32)
        now = self.clock().timestamp()
        self.records.create_session(
            OfficerSession(
                id_hash=_hash(session_id),
                username=user.username,
                epoch=user.session_epoch,
                created_at=now,
                last_seen=now,
                expires_at=self._expiry(now, now),
            ),
            now,
        )
        return session_id

    def resolve(self, session_id: str) -> User | None:
        """The officer whose live session this is, as the account is now; else None."""
        if not session_id:
            return None
        id_hash = _hash(session_id)
        session = self.records.get_session(id_hash)
        now = self.clock().timestamp()
        if (
            session is None
            or session.revoked
            or now >= session.last_seen + self.policy.idle_seconds
            or now >= session.created_at + self.policy.lifetime_seconds
        ):
            return None
        # The session item decides revocation (every path that ends sessions marks them);
        # the account may come from the cache, which is trusted to let in, never to refuse.
        user, cached = self.users.get(session.username)
        if cached and (user is None or not _admits(user, session)):
            user = self.users.fresh(session.username)
        if user is None or not _admits(user, session):
            return None
        if now - session.last_seen >= self.policy.touch_seconds:
            self.records.touch_session(id_hash, now, self._expiry(session.created_at, now))
        return user

    def end(self, session_id: str) -> None:
        """Revoke the session (logout): its cookie, or any copy of it, opens nothing."""
        if session_id:
            self.records.revoke_session(_hash(session_id))

    def _expiry(self, created_at: float, last_seen: float) -> float:
        return min(created_at + self.policy.lifetime_seconds, last_seen + self.policy.idle_seconds)


def _admits(user: User, session: OfficerSession) -> bool:
    return user.active and user.session_epoch == session.epoch
