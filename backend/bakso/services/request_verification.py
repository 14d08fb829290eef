"""The worker's check of a submitted request: its scans and berkas.pdf, or back to the desa."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import replace

from ..domain.errors import Conflict, NotFound
from ..domain.lifecycle import Role, Status
from ..domain.model import Actor, Request, Scan
from ..domain.regions import kabupaten_of
from ..messages import RequestSubmitted
from .berkas import REDO, BerkasProblem, build_berkas, page_names
from .request_base import RequestBase

log = logging.getLogger("bakso.services.requests")

BERKAS_IN_MEMORY = 8 * 1024 * 1024  # larger printable files spill to a temporary file
# The worker, when it acts on a request by itself (files found broken after submit).
SYSTEM_ACTOR = Actor(username="sistem", role=Role.SYSTEM, desa=None)
# Where the system may send a request back to the desa from: before Dukcapil works on it.
SEND_BACK_FROM = frozenset({Status.DIAJUKAN, Status.DITERIMA})


class RequestVerification(RequestBase):
    def _enqueue_verification(self, request: Request) -> None:
        self.queue.send(RequestSubmitted(request.id, request.submission).to_body())

    def verify_submission(self, request_id: str, submission: int) -> None:
        """Re-check every scan of a submitted request and mark it ready for Dukcapil.

        A request whose files turn out broken (a scan missing or not matching its
        SHA-256, a page that cannot be rendered into berkas.pdf) goes back to the
        desa, PERLU_PERBAIKAN with a reason naming each page. Safe to run any
        number of times for one message: a stale or repeated message changes nothing.
        """
        request = self.records.get_request(request_id)
        if request is None or request.status is not Status.DIAJUKAN:
            return
        if request.submission != submission or request.ready_submission >= submission:
            return
        scans = self.records.list_scans(request_id)
        names = page_names(self._service(request.service, request.desa), scans)
        problems = [
            self._stored_problem(scan, names.get(scan.id, scan.requirement), problem)
            for scan in scans
            if scan.state == "ok"
            and (problem := self._check_blob(scan.key, scan.size, scan.sha256, scan.content_type))
        ]
        berkas_key = f"berkas/{request_id}/{submission}.pdf"
        if not problems:
            try:
                self._store_berkas(request, scans, berkas_key)
            except BerkasProblem as exc:
                problems.append(str(exc))
        if problems:
            log.warning("request %s failed verification (%d problems)", request_id, len(problems))
            self.send_back_for_repair(request_id, " ".join(problems))
        else:
            updated = replace(
                request, ready_submission=submission, verify_problem=None, berkas_key=berkas_key
            )
            # The version stays: this is the server's own note, not a change the
            # officers should have to reload for; the write is still conditional.
            self.records.save_request(updated, request.version, None)
        self.records.append_audit(
            chain=kabupaten_of(request.desa),
            at=self._now(),
            actor="system",
            action="request.verified" if not problems else "request.verify_failed",
            target=request_id,
            data={"submission": submission, "problems": len(problems)},
        )

    def _stored_problem(self, scan: Scan, page: str, problem: str) -> str:
        """The desa's reason for a scan whose stored bytes fail the check; details go to the log."""
        log.warning("scan %s of request %s: %s", scan.id, scan.request_id, problem)
        if self.blobs.size(scan.key) is None:
            return f"Berkas {page} tidak ditemukan di penyimpanan; {REDO}"
        return f"Berkas {page} rusak di penyimpanan (isinya tidak sesuai dengan unggahan); {REDO}"

    def send_back_for_repair(self, request_id: str, reason: str) -> bool:
        """The system sends a DIAJUKAN or DITERIMA request back to the desa (PERLU_PERBAIKAN).

        `reason` (Indonesian, naming the page or requirement to photograph again)
        is the transition's note, which the desa and the resident see; it is also
        kept as verify_problem for Dukcapil's list. The move is a normal one:
        timeline event, audit entry, observers told. True if moved; False if the
        request is gone or no longer DIAJUKAN/DITERIMA. A version conflict is read
        again and retried once; a second one is raised (the message is retried).
        """
        note = reason.strip() or f"Berkas permohonan tidak dapat dibaca; {REDO}"
        for attempt in range(2):
            request = self.records.get_request(request_id)
            if request is None or request.status not in SEND_BACK_FROM:
                return False
            try:
                self._move(SYSTEM_ACTOR, request, Status.PERLU_PERBAIKAN, note, verify_problem=note)
            except Conflict:
                if attempt:
                    raise
                continue
            return True
        return False  # not reached: the second conflict is raised

    def _store_berkas(self, request: Request, scans: list[Scan], key: str) -> None:
        # The key is fixed per submission, so a redelivered message overwrites
        # the same file rather than adding another.
        with tempfile.SpooledTemporaryFile(max_size=BERKAS_IN_MEMORY) as tmp:
            build_berkas(
                request,
                self._service(request.service, request.desa),
                self.regions,
                scans,
                self.blobs,
                tmp,
                # The form's labels for its fields on the cover (docs/forms.md).
                self.forms.get(request.service) if self.forms else None,
            )
            tmp.seek(0)
            self.blobs.put(key, tmp, "application/pdf")

    def berkas_download_url(self, actor: Actor, request_id: str) -> str:
        request = self.get(actor, request_id)
        if request.berkas_key is None or request.purged_at:
            raise NotFound("Berkas cetak belum tersedia.")
        return self.blobs.download_url(
            request.berkas_key,
            expires_in=self.settings.download_url_ttl,
            filename=f"{request.code}-berkas.pdf",
        )
