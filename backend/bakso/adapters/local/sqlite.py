"""SQLite plumbing for the local stores: a connection per thread, transactions, migrations.

What `aws/dynamo.py` is for DynamoDB: the records, sasaran and queue stores
each keep one file through a `SqliteDatabase` and write only their SQL.

Every statement runs through connections and cursors of this module, which
turn SQLite's failures of the store itself (the file locked past the busy
timeout, a disk I/O error, a full disk, a damaged file) into `StoreUnavailable`
(503: the device keeps its outbox and retries), as `aws/errors.py` does for
botocore. Integrity errors pass through untouched: the stores turn them into
their own refusals (a code or NIK taken). So do programming errors
(`ProgrammingError`, `NotSupportedError`): they are bugs, not outages.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Self

from ...domain.errors import StoreUnavailable
from ...domain.refusals import STORE_BUSY, STORE_FAILING, STORE_FULL

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000

# Errors that are the stores' business (IntegrityError) or bugs, not outages.
_PASSED_THROUGH = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.NotSupportedError)
_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


def unavailable(error: sqlite3.Error) -> StoreUnavailable:
    """The 503 for a failure of the store itself; logs SQLite's error name only."""
    name = getattr(error, "sqlite_errorname", None) or type(error).__name__
    code = getattr(error, "sqlite_errorcode", None)
    log.error("sqlite failed: %s", name)
    primary = code & 0xFF if isinstance(code, int) else None
    message = str(error)
    if primary in _BUSY_CODES or "locked" in message:
        return StoreUnavailable(STORE_BUSY)
    if primary == sqlite3.SQLITE_FULL or "is full" in message:
        return StoreUnavailable(STORE_FULL)
    return StoreUnavailable(STORE_FAILING)


@contextmanager
def translated() -> Iterator[None]:
    """Run SQLite calls, turning a failure of the store itself into StoreUnavailable."""
    try:
        yield
    except _PASSED_THROUGH:
        raise
    except sqlite3.DatabaseError as error:
        raise unavailable(error) from None


class _Cursor(sqlite3.Cursor):
    # try/except inline rather than `translated()`: these run for every statement.
    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        try:
            return super().execute(sql, parameters)
        except _PASSED_THROUGH:
            raise
        except sqlite3.DatabaseError as error:
            raise unavailable(error) from None

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> Self:
        try:
            return super().executemany(sql, seq_of_parameters)
        except _PASSED_THROUGH:
            raise
        except sqlite3.DatabaseError as error:
            raise unavailable(error) from None

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except _PASSED_THROUGH:
            raise
        except sqlite3.DatabaseError as error:
            raise unavailable(error) from None

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size)
        except _PASSED_THROUGH:
            raise
        except sqlite3.DatabaseError as error:
            raise unavailable(error) from None

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except _PASSED_THROUGH:
            raise
        except sqlite3.DatabaseError as error:
            raise unavailable(error) from None

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except _PASSED_THROUGH:
            raise
        except sqlite3.DatabaseError as error:
            raise unavailable(error) from None


class _Connection(sqlite3.Connection):
    """A connection whose statements run on `_Cursor`s (Connection.execute bypasses cursor())."""

    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return _Cursor(self).execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        return _Cursor(self).executemany(sql, parameters)


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (sqlite3.execute runs only one)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError("Migration ends with an incomplete SQL statement")
    return statements


class _Holder:
    # threading.local drops its values when their thread ends; closing here
    # keeps server threads from leaking file handles.
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __del__(self) -> None:
        self.connection.close()


class _PerThread(threading.local):
    holder: _Holder | None = None


class SqliteDatabase:
    """One connection per thread to one SQLite file, its schema migrated on first use.

    `migrations` is append-only: script N brings the file to user_version N.
    """

    def __init__(self, path: Path, migrations: Sequence[str]) -> None:
        self.path = path
        self._migrations = list(migrations)
        self._local = _PerThread()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._migrate()

    def connection(self) -> sqlite3.Connection:
        holder = self._local.holder
        if holder is None:
            # isolation_level=None: transactions are only the ones we BEGIN.
            # check_same_thread=False only so _Holder may close from whichever
            # thread collects it; each connection is still used by one thread.
            with translated():
                db = sqlite3.connect(
                    self.path,
                    timeout=BUSY_TIMEOUT_MS / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                    factory=_Connection,
                )
            try:
                db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA foreign_keys = ON")
                # Deleted and overwritten content is zeroed in the file, not left in
                # free pages: an erased NIK must not survive in the database file.
                db.execute("PRAGMA secure_delete = ON")
            except BaseException:
                db.close()
                raise
            holder = self._local.holder = _Holder(db)
        return holder.connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the write lock from its first statement."""
        db = self.connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            # Some errors (e.g. a full disk) already rolled the transaction back;
            # one left open (a failed COMMIT) must not stay open on this thread.
            if db.in_transaction:
                with suppress(sqlite3.Error, StoreUnavailable):
                    db.execute("ROLLBACK")
            raise

    def checkpoint(self) -> None:
        """Copy the WAL into the file and truncate it to nothing: erased rows' old pages
        stay in the WAL otherwise (secure_delete zeroes only the main file). A reader
        of another thread can keep it from finishing; the next run does it then."""
        self.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def close(self) -> None:
        """Close this thread's connection; the next call opens a new one."""
        holder = self._local.holder
        if holder is not None:
            self._local.holder = None
            holder.connection.close()

    def _migrate(self) -> None:
        target = len(self._migrations)
        if self.connection().execute("PRAGMA user_version").fetchone()[0] == target:
            return
        with self.transaction() as db:
            # Re-read under the lock: another process may have migrated meanwhile.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > target:
                raise RuntimeError(
                    f"{self.path} has schema version {version}; this code knows {target}"
                )
            for number in range(version + 1, target + 1):
                for statement in _statements(self._migrations[number - 1]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")
