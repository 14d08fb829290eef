"""Officers' sessions in SQLite: one row per login, keyed by the hash of its id."""

from __future__ import annotations

from ...domain.model import OfficerSession
from .records_rows import SqliteTable
from .records_users import SWEEP_ROWS

_COLUMNS = "id_hash, username, epoch, created_at, last_seen, expires_at, revoked"


class SessionRecords(SqliteTable):
    def create_session(self, session: OfficerSession, now: float) -> None:
        db = self._db.connection()
        db.execute(
            f"INSERT INTO sessions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (
                session.id_hash,
                session.username,
                session.epoch,
                session.created_at,
                session.last_seen,
                session.expires_at,
                int(session.revoked),
            ),
        )
        # Each login deletes a few dead sessions: the table holds what is live, no more.
        db.execute(
            "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions"
            " WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)",
            (now, SWEEP_ROWS),
        )

    def get_session(self, id_hash: str) -> OfficerSession | None:
        row = self._read_one(
            f"SELECT {_COLUMNS} FROM sessions WHERE id_hash = ?",  # noqa: S608
            id_hash,
        )
        if row is None:
            return None
        id_hash, username, epoch, created_at, last_seen, expires_at, revoked = row
        return OfficerSession(
            id_hash, username, epoch, created_at, last_seen, expires_at, bool(revoked)
        )

    def touch_session(self, id_hash: str, last_seen: float, expires_at: float) -> None:
        self._db.connection().execute(
            "UPDATE sessions SET last_seen = ?, expires_at = ? WHERE id_hash = ?",
            (last_seen, expires_at, id_hash),
        )

    def revoke_session(self, id_hash: str) -> None:
        self._db.connection().execute(
            "UPDATE sessions SET revoked = 1 WHERE id_hash = ?", (id_hash,)
        )

    def revoke_user_sessions(self, username: str) -> None:
        # No index on username: the table holds only live sessions (each login sweeps
        # dead ones), and this runs when an admin resets, disables or ends sessions.
        self._db.connection().execute(
            "UPDATE sessions SET revoked = 1 WHERE username = ?", (username,)
        )
