"""Keying requests stored before #16 by kabupaten: `bakso records backfill-keys`."""

from __future__ import annotations

from ..domain.errors import Conflict
from .request_base import RequestBase

BACKFILL_PAGE = 100


class RequestKeys(RequestBase):
    def backfill_keys(
        self, after: str | None = None, pages: int = 10, *, page: int = BACKFILL_PAGE
    ) -> tuple[int, str | None]:
        """Write requests stored before the lists were partitioned by kabupaten again.

        Once, after upgrading a DynamoDB deployment, when no older code runs any more
        (SQLite's migration keys its rows itself). Reads at most `pages` pages (of `page`) of
        such requests, newest first; returns how many were written and the cursor to
        go on from (None: done). Each write is conditional on the version read: a
        request written meanwhile by this version was keyed by that write, and one
        skipped for a concurrent write of an older version is found by another run.
        A written request leaves what is read here, so running it again is cheap.
        """
        written = 0
        cursor = after
        for _ in range(pages):
            found = self.records.list_unpartitioned_requests(cursor=cursor, limit=page)
            for request in found.items:
                try:
                    self.records.save_request(request, request.version, None)
                except Conflict:
                    continue
                written += 1
            cursor = found.cursor
            if cursor is None:
                break
        return written, cursor
