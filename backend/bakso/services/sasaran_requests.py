"""Requests started from a sasaran row: linking, coverage counts, and serving the row.

Every stored request change is counted once (keyed by request and version)
into its desa's coverage; one naming a row also moves that row's link for the
document the request's service issues (domain/sasaran/links.py) — the row is
served when every document it lacks is issued, no longer when one is then cancelled.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace

from ..domain.errors import Conflict, InvalidInput
from ..domain.model import Request
from ..domain.sasaran import RequestChange, SasaranRow, link_request, request_deltas, row_deltas
from ..messages import SasaranRequestChange
from ..ports import RowWrite
from .sasaran_core import WRITE_ATTEMPTS, SasaranCore

log = logging.getLogger("bakso.services.sasaran")


class RequestObserver(ABC):
    """Told of every stored request change, after the write succeeded."""

    @abstractmethod
    def on_request_change(self, before: Request | None, after: Request, at: str) -> None:
        """`before` is None when the request was just created. Must not raise."""


class SasaranRequestLinks(SasaranCore, RequestObserver):
    # Requests started from a row -------------------------------------------------------
    def check_link(self, sasaran_id: str, desa: str) -> None:
        """Refuse a draft naming a row that does not exist in its desa (call before saving)."""
        row = self.store.get_row(sasaran_id)
        if row is None or row.desa != desa:
            raise InvalidInput("Sasaran yang ditautkan tidak ada di desa ini.")

    def on_request_change(self, before: Request | None, after: Request, at: str) -> None:
        change = RequestChange(
            request_id=after.id,
            version=after.version,
            desa=after.desa,
            at=at,
            after_status=after.status.value,
            before_status=before.status.value if before else None,
            before_since=before.status_since if before else None,
            sasaran_id=after.sasaran_id,
            jemput_bola=after.jemput_bola,
            before_jemput_bola=before.jemput_bola if before else False,
            service=after.service,
        )
        try:
            self.apply_request_change(change)
        except Exception:
            # The request itself is stored; its figures are retried by the worker.
            log.exception("coverage of request %s v%d deferred", after.id, after.version)
            try:
                self.queue.send(SasaranRequestChange(change).to_body())
            except Exception:
                log.exception("coverage of request %s v%d lost", after.id, after.version)

    def apply_request_change(self, change: RequestChange) -> None:
        """Count the change once (keyed by request and version) and update a linked row."""
        self.store.apply_once(f"request:{change.key}", {change.desa: request_deltas(change)})
        if change.sasaran_id:
            self._follow_request(change)

    def _follow_request(self, change: RequestChange) -> None:
        def update(row: SasaranRow) -> SasaranRow | None:
            if row.desa != change.desa:
                log.warning(
                    "request %s names sasaran %s of another desa", change.request_id, row.id
                )
                return None
            return link_request(
                row,
                request_id=change.request_id,
                service=change.service,
                status=change.after_status,
                version=change.version,
                at=change.at,
            )

        self._update_row(change.sasaran_id or "", update)

    def _update_row(
        self, sasaran_id: str, change: Callable[[SasaranRow], SasaranRow | None]
    ) -> None:
        for _ in range(WRITE_ATTEMPTS):
            row = self.store.get_row(sasaran_id)
            if row is None:
                log.warning("sasaran %s not found for a linked request", sasaran_id)
                return
            after = change(row)
            if after is None or after == row:
                return
            after = replace(after, version=row.version + 1, updated_at=self._now())
            try:
                self.store.save_row(RowWrite(after, row.version, row_deltas(row, after)))
                return
            except Conflict:
                continue
        raise Conflict("Sasaran sedang diubah; coba lagi.")
