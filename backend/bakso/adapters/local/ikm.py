"""The IKM survey's store on SQLite (ports/ikm.py): its own file, migrated like the others."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from ...domain.ikm import COUNT, Tally
from ...domain.regions import kabupaten_of
from ...ports.ikm import AlreadyAnswered, CommentPage, IkmAnswer, IkmComment
from .sqlite import SqliteDatabase

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_SUMS = ", ".join(f"u{i}" for i in range(1, COUNT + 1))

MIGRATIONS = [
    f"""
    CREATE TABLE ikm_answers (
        request_id TEXT PRIMARY KEY,
        desa TEXT NOT NULL,
        month TEXT NOT NULL,
        {", ".join(f"u{i} INTEGER NOT NULL" for i in range(1, COUNT + 1))},
        comment TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE ikm_tallies (
        kabupaten TEXT NOT NULL,
        month TEXT NOT NULL,
        desa TEXT NOT NULL,
        respondents INTEGER NOT NULL,
        {", ".join(f"u{i} INTEGER NOT NULL" for i in range(1, COUNT + 1))},
        PRIMARY KEY (kabupaten, month, desa)
    );
    """,
    # Dukcapil reads a kabupaten-month's comments newest first (ports/ikm.py).
    """
    CREATE INDEX ikm_answers_by_month ON ikm_answers (month);
    ALTER TABLE ikm_answers ADD COLUMN day TEXT NOT NULL DEFAULT '';
    """,
]


class SqliteIkmStore:
    def __init__(self, path: Path) -> None:
        self._db = SqliteDatabase(path, MIGRATIONS)

    def add_answer(self, answer: IkmAnswer) -> None:
        marks = ", ".join("?" * COUNT)
        adds = ", ".join(f"u{i} = u{i} + excluded.u{i}" for i in range(1, COUNT + 1))
        with self._db.transaction() as db:
            try:
                db.execute(
                    # Column names are the constant u1..u9, never input.
                    f"INSERT INTO ikm_answers (request_id, desa, month, {_SUMS}, comment, at, day)"  # noqa: S608
                    f" VALUES (?, ?, ?, {marks}, ?, ?, ?)",
                    (
                        answer.request_id,
                        answer.desa,
                        answer.month,
                        *answer.scores,
                        answer.comment,
                        answer.at,
                        answer.day,
                    ),
                )
            except sqlite3.IntegrityError:
                raise AlreadyAnswered(answer.request_id) from None
            db.execute(
                f"INSERT INTO ikm_tallies (kabupaten, month, desa, respondents, {_SUMS})"  # noqa: S608
                f" VALUES (?, ?, ?, 1, {marks})"
                f" ON CONFLICT (kabupaten, month, desa) DO UPDATE SET"
                f" respondents = respondents + 1, {adds}",
                (kabupaten_of(answer.desa), answer.month, answer.desa, *answer.scores),
            )

    def answered(self, request_id: str) -> bool:
        return self.comment(request_id) is not None

    def comment(self, request_id: str) -> str | None:
        row = (
            self._db.connection()
            .execute("SELECT comment FROM ikm_answers WHERE request_id = ?", (request_id,))
            .fetchone()
        )
        return None if row is None else str(row[0])

    def tallies(self, kabupaten: str, month: str) -> dict[str, Tally]:
        rows = (
            self._db.connection()
            .execute(
                f"SELECT desa, respondents, {_SUMS} FROM ikm_tallies"  # noqa: S608
                " WHERE kabupaten = ? AND month = ?",
                (kabupaten, month),
            )
            .fetchall()
        )
        return {row[0]: Tally(int(row[1]), tuple(int(v) for v in row[2:])) for row in rows}

    def comments(
        self, kabupaten: str, month: str, *, limit: int, after: str | None = None
    ) -> CommentPage:
        # Newest day first, then the newer row: the cursor is the last comment's day and
        # row number, never the request nor its time of day.
        day, rowid = "9999-12-31", 1 << 62
        if after is not None:
            day, _, number = after.partition("|")
            if not _DAY.match(day) or not number.isdigit() or len(number) > 18:
                raise ValueError("not a cursor of this store")
            rowid = int(number)
        rows = (
            self._db.connection()
            .execute(
                "SELECT rowid, desa, day, comment FROM ikm_answers"
                " WHERE month = ? AND desa LIKE ? AND comment != ''"
                " AND (day < ? OR (day = ? AND rowid < ?))"
                " ORDER BY day DESC, rowid DESC LIMIT ?",
                (month, f"{kabupaten}.%", day, day, rowid, limit + 1),
            )
            .fetchall()
        )
        items = [IkmComment(str(r[1]), str(r[2]), str(r[3])) for r in rows[:limit]]
        more = len(rows) > limit
        last = rows[limit - 1] if more else None
        return CommentPage(items, f"{last[2]}|{last[0]}" if last else None)

    def erase_comment(self, request_id: str) -> None:
        with self._db.transaction() as db:
            db.execute("UPDATE ikm_answers SET comment = '' WHERE request_id = ?", (request_id,))

    def compact(self) -> None:
        self._db.checkpoint()

    def close(self) -> None:
        self._db.close()
