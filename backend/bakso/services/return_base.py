"""What every step of ReturnService shares: its ports, settings, blob keys and the run.

`ReturnService` (services/returns.py) is this base with its use cases mixed
in: registering and starting a return in return_uploads.py, applying its rows
in return_apply.py; following it and the worker's chunks stay in returns.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.errors import Forbidden, NotFound
from ..domain.model import Actor
from ..domain.returns import ReturnRun
from ..domain.unpacking import RETURN_ZIP_LIMITS, XLSX_LIMITS, XlsxLimits, ZipLimits
from ..ports import AuditLog, Blobs, Queue, RequestStore, ReturnStore
from .requests import RequestService

_NOT_FOUND = "Pengembalian tidak ditemukan."


@dataclass(frozen=True)
class ReturnSettings:
    max_rows: int = 5000
    chunk_rows: int = 100
    max_table_bytes: int = 5 * 1024 * 1024
    max_pdfs_bytes: int = 2 * 1024**3
    max_pdf_bytes: int = 20 * 1024 * 1024
    upload_url_ttl: int = 15 * 60
    page_size_max: int = 500
    unpack: ZipLimits = RETURN_ZIP_LIMITS  # what the zip may unpack to (domain/unpacking.py)
    xlsx: XlsxLimits = XLSX_LIMITS  # what a table sent as XLSX may unpack to


@dataclass(frozen=True)
class ReturnSummary:
    run: ReturnRun
    counts: dict[str, int]  # outcome → lines, over the chunks applied so far
    rows_done: int


def table_key(return_id: str) -> str:
    return f"returns/{return_id}/table.csv"


def pdfs_key(return_id: str) -> str:
    return f"returns/{return_id}/pdfs.zip"


class ReturnRecords(RequestStore, ReturnStore, AuditLog, Protocol):
    """The records ports ReturnService uses (one Records adapter serves them all)."""


class ReturnBase:
    def __init__(
        self,
        records: ReturnRecords,
        blobs: Blobs,
        queue: Queue,
        requests: RequestService,
        settings: ReturnSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.queue = queue
        self.requests = requests
        self.settings = settings
        self.clock = clock

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    def _run(self, actor: Actor, return_id: str) -> ReturnRun:
        self._require_dukcapil(actor)
        run = self.records.get_return(return_id)
        # Another kabupaten's run is as unknown as one that does not exist (#16).
        if run is None or not actor.can_see_kabupaten(self.kabupaten_of(run)):
            raise NotFound(_NOT_FOUND)
        return run

    def kabupaten_of(self, run: ReturnRun) -> str:
        """Whose requests the run may move: its officer's kabupaten; a run from before
        #16 names none and is the default kabupaten's."""
        return run.kabupaten or self.requests.tenants.default.code

    def _officer_kabupaten(self, actor: Actor) -> str:
        return actor.kabupaten or self.requests.tenants.default.code

    # Helpers --------------------------------------------------------------------
    @staticmethod
    def _require_dukcapil(actor: Actor) -> None:
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat mengembalikan hasil.")
