"""What every sasaran use case shares: the ports, the settings, the clock, who may import.

SasaranService (services/sasaran.py) is built from one class per use case —
imports (sasaran_imports.py), the worklist and follow-ups
(sasaran_worklist.py), requests started from a row (sasaran_requests.py) —
each a SasaranCore, so they share one constructor and these helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..domain.errors import Forbidden
from ..domain.model import Actor
from ..domain.regions import Regions, kabupaten_of
from ..domain.sasaran import ImportRun
from ..domain.unpacking import XLSX_LIMITS, XlsxLimits
from ..ports import AuditLog, Blobs, Queue, SasaranStore

WRITE_ATTEMPTS = 5
# Imports read per one listed: the store lists every kabupaten's (list_imports, #16).
LIST_DEPTH = 5


@dataclass(frozen=True)
class SasaranSettings:
    max_file_bytes: int = 10 * 1024 * 1024
    max_rows: int = 100_000
    chunk_rows: int = 1_000
    upload_url_ttl: int = 15 * 60
    page_size_max: int = 500
    xlsx: XlsxLimits = XLSX_LIMITS  # what an XLSX may unpack to (domain/unpacking.py)


class SasaranCore:
    def __init__(
        self,
        store: SasaranStore,
        records: AuditLog,
        blobs: Blobs,
        queue: Queue,
        regions: Regions,
        settings: SasaranSettings,
        clock: Callable[[], datetime],
        *,
        default_kabupaten: str,
    ) -> None:
        self.store = store
        self.records = records
        self.blobs = blobs
        self.queue = queue
        self.regions = regions
        self.settings = settings
        self.clock = clock
        # Whose an import from before #16 is (its ImportRun.kabupaten is "").
        self.default_kabupaten = default_kabupaten

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    @staticmethod
    def _require_dukcapil(actor: Actor) -> None:
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat mengimpor daftar sasaran.")

    def actor_kabupaten(self, actor: Actor) -> str:
        """The kabupaten an officer imports for and whose regions its files show."""
        if actor.desa:
            return kabupaten_of(actor.desa)
        return actor.kabupaten or self.default_kabupaten

    def run_kabupaten(self, run: ImportRun) -> str:
        return run.kabupaten or self.default_kabupaten
