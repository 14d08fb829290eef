"""Reading imports: a run with its counts, the officer's kabupaten's list, the per-line report.

An import is its officer's kabupaten's (#16, ImportRun.kabupaten): another kabupaten's
officer is told it does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..domain.errors import NotFound
from ..domain.model import Actor
from ..domain.sasaran import OUTCOMES, ImportResult, ImportRun
from .sasaran_core import LIST_DEPTH, SasaranCore

_IMPORT_NOT_FOUND = "Impor tidak ditemukan."


@dataclass(frozen=True)
class ImportSummary:
    run: ImportRun
    counts: dict[str, int]  # outcome → lines, over the chunks applied so far
    lines_done: int


class ImportReads(SasaranCore):
    # Importing: reading runs and reports ------------------------------------------
    def get_import(self, actor: Actor, import_id: str) -> ImportSummary:
        return self._summary(self._import(actor, import_id))

    def list_imports(self, actor: Actor, *, limit: int = 20) -> list[ImportSummary]:
        """The officer's kabupaten's recent imports, newest first."""
        self._require_dukcapil(actor)
        limit = max(1, min(limit, 100))
        # The store lists every kabupaten's imports newest first: read deeper than the page
        # so that a busier kabupaten's runs do not crowd out this one's.
        runs = self.store.list_imports(limit=limit * LIST_DEPTH)
        own = [run for run in runs if actor.can_see_kabupaten(self.run_kabupaten(run))]
        return [self._summary(run) for run in own[:limit]]

    def import_report(
        self, actor: Actor, import_id: str, *, after_line: int, limit: int
    ) -> tuple[list[ImportResult], int | None]:
        """One page of the per-line report and the line to continue after (None: the end)."""
        run = self._import(actor, import_id)
        limit = max(1, min(limit, self.settings.page_size_max))
        results = self.store.import_results(run.id, after_line=after_line, limit=limit + 1)
        next_after = results[limit - 1].line if len(results) > limit else None
        return results[:limit], next_after

    def iter_report(self, actor: Actor, import_id: str) -> Iterator[ImportResult]:
        run = self._import(actor, import_id)
        return self._iter_results(run.id)

    def _iter_results(self, import_id: str) -> Iterator[ImportResult]:
        after = 0
        while True:
            page = self.store.import_results(import_id, after_line=after, limit=1000)
            yield from page
            if len(page) < 1000:
                return
            after = page[-1].line

    def _summary(self, run: ImportRun) -> ImportSummary:
        counts = {outcome: 0 for outcome in OUTCOMES}
        for chunk in self.store.chunk_counts(run.id).values():
            for outcome, value in chunk.items():
                counts[outcome] = counts.get(outcome, 0) + value
        return ImportSummary(run, counts, sum(counts.values()))

    def _import(self, actor: Actor, import_id: str) -> ImportRun:
        self._require_dukcapil(actor)
        run = self.store.get_import(import_id)
        if run is None or not actor.can_see_kabupaten(self.run_kabupaten(run)):
            raise NotFound(_IMPORT_NOT_FOUND)
        return run
