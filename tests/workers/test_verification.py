"""The worker re-verifies a submitted request's scans before Dukcapil sees it as ready."""

from __future__ import annotations

import io
import resource
from typing import Any

import pytest

from bakso.domain.errors import Conflict
from bakso.domain.lifecycle import Status
from bakso.domain.model import Request
from bakso.workers.handlers import drain_once
from helpers import bomb_png, fake_jpeg, sha


def _submitted(api_factory) -> dict:
    op = api_factory("op.a")
    created = op.create()
    op.attach_mandatory(created["id"])
    return op.post(f"/api/v1/requests/{created['id']}/submit").get_json()


def test_submit_enqueues_verification_and_the_worker_marks_the_request_ready(
    api_factory, services
) -> None:
    submitted = _submitted(api_factory)
    assert services.records.get_request(submitted["id"]).ready is False

    assert drain_once(services) == 1

    request = services.records.get_request(submitted["id"])
    assert request.ready is True
    assert request.version == submitted["version"]  # no reload needed for officers
    assert drain_once(services) == 0


def test_a_redelivered_message_changes_nothing_more(api_factory, services) -> None:
    submitted = _submitted(api_factory)
    body = {"type": "request.submitted", "request_id": submitted["id"], "submission": 1}
    services.queue.send(body)  # the same message delivered again
    services.queue.send(body)
    assert drain_once(services) == 3
    verified = [e for e in services.records.audit_entries() if e.action == "request.verified"]
    assert len(verified) == 1


def test_a_scan_missing_from_storage_sends_the_request_back_naming_the_page(
    api_factory, services
) -> None:
    submitted = _submitted(api_factory)
    scan = next(s for s in services.records.list_scans(submitted["id"]) if s.requirement == "F201")
    services.blobs.delete(scan.key)

    drain_once(services)

    request = services.records.get_request(submitted["id"])
    assert request.status is Status.PERLU_PERBAIKAN and request.ready is False
    reason = (
        "Berkas Formulir F-2.01 (halaman 1) tidak ditemukan di penyimpanan; "
        "foto ulang dan ajukan kembali."
    )
    assert request.verify_problem == reason
    last = services.records.timeline(submitted["id"])[-1]
    assert (last.by, last.from_status, last.to_status, last.note) == (
        "sistem",
        Status.DIAJUKAN,
        Status.PERLU_PERBAIKAN,
        reason,
    )


def test_a_message_that_keeps_failing_ends_as_a_dead_letter(services) -> None:
    services.queue.send({"type": "no.such.message"})
    for _ in range(5):
        assert drain_once(services, visibility_timeout=0) == 0
    assert drain_once(services, visibility_timeout=0) == 0
    dead = services.queue.dead_letters()
    assert [m.body["type"] for m in dead] == ["no.such.message"]


def test_a_malformed_message_of_a_known_type_ends_as_a_dead_letter(services) -> None:
    services.queue.send({"type": "request.submitted", "request_id": "r-1"})  # no submission
    for _ in range(6):
        assert drain_once(services, visibility_timeout=0) == 0
    assert [m.body for m in services.queue.dead_letters()] == [
        {"type": "request.submitted", "request_id": "r-1"}
    ]


def test_resubmission_after_correction_is_verified_again(api_factory, services) -> None:
    submitted = _submitted(api_factory)
    drain_once(services)
    dk = api_factory("dukcapil")
    version = submitted["version"]
    for to, note in [("DITERIMA", ""), ("PERLU_PERBAIKAN", "Foto KK buram")]:
        version = dk.post(
            f"/api/v1/requests/{submitted['id']}/transition",
            json={"to": to, "note": note, "version": version},
        ).get_json()["version"]
    op = api_factory("op.a")
    op.attach(submitted["id"], "KK_ORTU", fake_jpeg("kk yang lebih jelas"))
    again = op.post(f"/api/v1/requests/{submitted['id']}/submit").get_json()
    assert again["status"] == "DIAJUKAN" and again["ready"] is False

    drain_once(services)

    assert services.records.get_request(submitted["id"]).ready is True


# Broken files go back to the desa ------------------------------------------------


def _drain(services) -> None:
    while drain_once(services):
        pass


def _with_bomb_page(op, services) -> tuple[dict, str]:
    """A request whose KTP-el orang tua has a second page: a 50000×50000 PNG."""
    created = op.create()
    op.attach_mandatory(created["id"])
    bomb = bomb_png()
    registered = op.register(created["id"], "KTP_ORTU", bomb, "image/png")
    assert registered.status_code == 201, registered.get_json()
    body = registered.get_json()
    assert op.upload(body["upload"], bomb).status_code == 200
    # Marked stored directly: `complete` may refuse such an image by now (#11); this
    # is the path for one found only later, when the worker renders berkas.pdf.
    services.records.set_scan_state(created["id"], body["scan_id"], "ok")
    assert op.post(f"/api/v1/requests/{created['id']}/submit").status_code == 200
    return created, body["scan_id"]


def test_a_decompression_bomb_sends_its_request_back_and_the_others_go_on(
    api_factory, services
) -> None:
    op = api_factory("op.a")
    before = _submitted(api_factory)
    broken, bomb_scan = _with_bomb_page(op, services)
    after = _submitted(api_factory)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    _drain(services)

    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
    assert grown_mib < 100  # 2.5 G pixels were never decoded
    request = services.records.get_request(broken["id"])
    assert request.status is Status.PERLU_PERBAIKAN and request.ready is False
    assert request.berkas_key is None
    for fine in (before, after):
        other = services.records.get_request(fine["id"])
        assert other.status is Status.DIAJUKAN and other.ready is True

    # The desa sees what to photograph again, from whom, in the request's timeline.
    detail = op.get(f"/api/v1/requests/{broken['id']}").get_json()
    assert detail["status"] == "PERLU_PERBAIKAN"
    last = detail["timeline"][-1]
    assert last["status"] == "PERLU_PERBAIKAN" and last["by"] == "sistem"
    assert "Foto KTP-el orang tua (halaman 2) terlalu besar untuk dicetak" in last["note"]
    assert last["note"].endswith("foto ulang dan ajukan kembali.")
    assert detail["verify_problem"] == last["note"]
    actions = [
        (e.actor, e.action) for e in services.records.audit_entries() if e.target == broken["id"]
    ]
    assert ("sistem", "request.transition") in actions
    assert ("system", "request.verify_failed") in actions

    # The desa removes the page and submits again: verified and ready this time.
    assert op.delete(f"/api/v1/requests/{broken['id']}/scans/{bomb_scan}").status_code == 204
    again = op.post(f"/api/v1/requests/{broken['id']}/submit").get_json()
    assert again["status"] == "DIAJUKAN" and again["ready"] is False
    _drain(services)
    fixed = services.records.get_request(broken["id"])
    assert fixed.ready is True and fixed.verify_problem is None


def test_a_scan_altered_in_storage_sends_only_its_request_back(api_factory, services) -> None:
    altered, fine = _submitted(api_factory), _submitted(api_factory)
    scan = next(s for s in services.records.list_scans(altered["id"]) if s.requirement == "KK_ORTU")
    original = b"".join(services.blobs.iter_chunks(scan.key))
    damaged = bytes(reversed(original))  # same size, another SHA-256
    assert len(damaged) == scan.size and sha(damaged) != scan.sha256
    services.blobs.put(scan.key, io.BytesIO(damaged), scan.content_type)

    _drain(services)

    request = services.records.get_request(altered["id"])
    assert request.status is Status.PERLU_PERBAIKAN
    last = services.records.timeline(altered["id"])[-1]
    assert last.by == "sistem"
    assert last.note == (
        "Berkas KK orang tua (halaman 1) rusak di penyimpanan (isinya tidak sesuai dengan "
        "unggahan); foto ulang dan ajukan kembali."
    )
    assert services.records.get_request(fine["id"]).ready is True


def test_a_message_redelivered_after_sending_back_changes_nothing(api_factory, services) -> None:
    submitted = _submitted(api_factory)
    services.blobs.delete(services.records.list_scans(submitted["id"])[0].key)
    _drain(services)
    body = {"type": "request.submitted", "request_id": submitted["id"], "submission": 1}
    services.queue.send(body)

    _drain(services)

    moves = [
        e
        for e in services.records.timeline(submitted["id"])
        if e.to_status is Status.PERLU_PERBAIKAN
    ]
    assert len(moves) == 1


class _Observer:
    def __init__(self) -> None:
        self.changes: list[tuple[Status | None, Status]] = []

    def on_request_change(self, before: Request | None, after: Request, at: str) -> None:
        self.changes.append((before.status if before else None, after.status))


def test_send_back_for_repair_moves_diajukan_and_diterima_only(api_factory, services) -> None:
    observer = _Observer()
    services.requests.observers.append(observer)
    submitted, accepted, processing = (_submitted(api_factory) for _ in range(3))
    _drain(services)
    dk = api_factory("dukcapil")
    for request, path in [(accepted, ["DITERIMA"]), (processing, ["DITERIMA", "DIPROSES"])]:
        version = request["version"]
        for to in path:
            moved = dk.post(
                f"/api/v1/requests/{request['id']}/transition",
                json={"to": to, "note": "", "version": version},
            )
            assert moved.status_code == 200, moved.get_json()
            version = moved.get_json()["version"]
    send_back = services.requests.send_back_for_repair
    reason = "Berkas KK orang tua (halaman 1) tidak dapat dibaca; foto ulang dan ajukan kembali."

    assert send_back(submitted["id"], reason) is True
    assert send_back(accepted["id"], reason) is True
    assert send_back(processing["id"], reason) is False  # Dukcapil is working on it
    assert send_back(submitted["id"], reason) is False  # already sent back
    assert send_back("00000000-0000-4000-8000-000000000000", reason) is False

    for request in (submitted, accepted):
        stored = services.records.get_request(request["id"])
        assert stored.status is Status.PERLU_PERBAIKAN and stored.verify_problem == reason
        assert services.records.timeline(request["id"])[-1].note == reason
    assert services.records.get_request(processing["id"]).status is Status.DIPROSES
    assert (Status.DIAJUKAN, Status.PERLU_PERBAIKAN) in observer.changes
    assert (Status.DITERIMA, Status.PERLU_PERBAIKAN) in observer.changes


@pytest.mark.parametrize("conflicts", [1, 2])
def test_send_back_for_repair_reads_again_once_on_a_version_conflict(
    api_factory, services, monkeypatch: pytest.MonkeyPatch, conflicts: int
) -> None:
    submitted = _submitted(api_factory)
    records = services.records
    save = records.save_request
    left = [conflicts]

    def racing(request: Request, expected_version: int, event: Any) -> None:
        if left[0]:
            left[0] -= 1
            raise Conflict("changed meanwhile")
        save(request, expected_version, event)

    monkeypatch.setattr(records, "save_request", racing)
    send_back = services.requests.send_back_for_repair

    if conflicts == 1:
        assert send_back(submitted["id"], "Berkas rusak; foto ulang.") is True
        assert records.get_request(submitted["id"]).status is Status.PERLU_PERBAIKAN
    else:
        with pytest.raises(Conflict):
            send_back(submitted["id"], "Berkas rusak; foto ulang.")
        assert records.get_request(submitted["id"]).status is Status.DIAJUKAN


def _pdf_scan(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


def test_every_printed_page_of_berkas_says_whose_it_is_and_what_it_is(
    api_factory, services
) -> None:
    """Loose printed pages can be matched again: each carries the code and the document."""
    from pypdf import PdfReader

    op = api_factory("op.a")
    created = op.create()
    op.attach_mandatory(created["id"])
    pdf = _pdf_scan("isi SPTJM")
    registered = op.register(created["id"], "SPTJM_LAHIR", pdf, "application/pdf").get_json()
    assert op.upload(registered["upload"], pdf).status_code == 200
    done = op.post(f"/api/v1/requests/{created['id']}/scans/{registered['scan_id']}/complete")
    assert done.status_code == 200, done.get_json()
    submitted = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()
    drain_once(services)

    request = services.records.get_request(submitted["id"])
    assert request.berkas_key is not None
    reader = PdfReader(io.BytesIO(b"".join(services.blobs.iter_chunks(request.berkas_key))))
    cover, *pages = [page.extract_text() for page in reader.pages]
    # The cover names a "one of" group by its documents, not by its code.
    assert "salah satu dari: Surat keterangan lahir / SPTJM" in cover
    assert "bukti_lahir" not in cover
    # The form's data continues on a second page, captioned like the scans (#17).
    data, *pages = pages
    assert data.startswith(f"{request.code} - F-2.01 (kelahiran) (lanjutan)"), data
    assert len(pages) == 6
    for text in pages:
        assert request.code in text and "(halaman 1)" in text, text
    assert any("isi SPTJM" in text and "SPTJM kebenaran data" in text for text in pages)
