"""Applying a bulk return's rows: each line's result, the status move and the issued PDF."""

from __future__ import annotations

from collections import Counter

from ..domain.errors import BaksoError, InvalidInput
from ..domain.lifecycle import LABELS, Role, Status, check_transition
from ..domain.model import Actor, Request
from ..domain.returns import (
    APPLIED,
    REFUSED,
    UNCHANGED,
    ReturnLine,
    ReturnRun,
    counts_of,
    parse_target,
    target_statuses,
)
from ..ports import RETURN_LINES_PER_WRITE
from .requests import StaleRequest
from .return_base import ReturnBase
from .return_files import Entry, IssuedZip, duplicate_pdfs


class ReturnApply(ReturnBase):
    def _apply_entries(
        self, run: ReturnRun, chunk: int, entries: list[Entry], pdfs: IssuedZip | None = None
    ) -> None:
        if not entries:
            return
        first, last = entries[0].seq, entries[-1].seq
        done = {
            line.seq
            for line in self.records.return_lines(run.id, after=first - 1, limit=len(entries))
            if line.seq <= last
        }
        pending = [entry for entry in entries if entry.seq not in done]
        by_code = self.records.get_requests_by_codes(
            [e.code for e in pending if e.code and e.problem is None]
        )
        # On the officer's behalf, within the run's kabupaten only (#16): another
        # kabupaten's request is not theirs to see, so its code reads as unknown.
        actor = Actor(run.created_by, Role(run.role), None, kabupaten=self.kabupaten_of(run))

        def zip_order(entry: Entry) -> int:
            # Members in the order they lie in the zip: ranged reads serve neighbours.
            info = pdfs.member(entry.code) if pdfs is not None else None
            return info.header_offset if info is not None else -1

        results = [
            self._apply_entry(run.id, actor, entry, by_code.get(entry.code), pdfs)
            for entry in sorted(pending, key=zip_order)
        ]
        results.sort(key=lambda line: line.seq)
        for start in range(0, len(results), RETURN_LINES_PER_WRITE):
            self.records.add_return_lines(run.id, results[start : start + RETURN_LINES_PER_WRITE])
        stored = self.records.return_lines(run.id, after=first - 1, limit=len(entries))
        counts = Counter(line.outcome for line in stored if line.seq <= last)
        self.records.record_return_chunk(run.id, chunk, counts_of(counts))

    def _apply_entry(
        self,
        return_id: str,
        actor: Actor,
        entry: Entry,
        request: Request | None,
        pdfs: IssuedZip | None,
    ) -> ReturnLine:
        def line(outcome: str, detail: str) -> ReturnLine:
            return ReturnLine(return_id, entry.seq, entry.row, entry.code, outcome, detail)

        if entry.problem is not None:
            return line(REFUSED, entry.problem)
        if request is None or not actor.can_see_desa(request.desa):
            return line(REFUSED, "Kode permohonan tidak dikenal.")
        target = parse_target(entry.status)
        if target is None:
            known = ", ".join(status.value for status in target_statuses())
            return line(
                REFUSED, f"Status '{entry.status}' tidak dikenal. Pilih salah satu: {known}."
            )
        for attempt in range(2):
            try:
                outcome, detail = self._apply_row(actor, request, target, entry, pdfs)
                return line(outcome, detail)
            except StaleRequest as exc:
                # Changed meanwhile (an officer, another delivery): judge it again once.
                if attempt:
                    return line(REFUSED, exc.detail)
                request = exc.current
            except BaksoError as exc:
                if exc.status >= 500:
                    raise  # the store is unavailable: the message is retried
                return line(REFUSED, exc.detail)
        raise AssertionError("unreachable")  # pragma: no cover

    def _apply_row(
        self,
        actor: Actor,
        request: Request,
        target: Status,
        entry: Entry,
        pdfs: IssuedZip | None,
    ) -> tuple[str, str]:
        if request.status is not target:
            check_transition(request.status, target, actor.role, entry.note)
        info = pdfs.member(entry.code) if pdfs is not None else None
        attached = False
        ignored = ""
        if pdfs is not None and info is not None:
            if target is not Status.SELESAI:
                ignored = " PDF tidak dipakai karena status bukan SELESAI."
            elif names := pdfs.duplicates(entry.code):
                # Never pick one of them: which is the issued document is the officer's call.
                raise InvalidInput(duplicate_pdfs(entry.code, names))
            else:
                before = (request.issued or {}).get("sha256")
                request = self.requests.attach_issued_stream(actor, request, pdfs.opener(info))
                attached = (request.issued or {}).get("sha256") != before
        if request.status is target:
            if attached:
                return APPLIED, "Dokumen terbit dilampirkan; status sudah sesuai."
            return UNCHANGED, "Status sudah sesuai; tidak ada perubahan." + ignored
        self.requests.transition(
            actor, request.id, to=target.value, note=entry.note, version=request.version
        )
        detail = f"Status menjadi {LABELS[target]}."
        if attached:
            detail += " Dokumen terbit dilampirkan."
        return APPLIED, detail + ignored
