"""A bulk return's zip is unpacked within limits, and one code gets one PDF (#13 items 4, 8).

The bombs are built here, streamed into zipfile a chunk at a time, so the test
itself never holds what they unpack to.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest

from bakso.domain.lifecycle import Status
from bakso.services import returns as returns_service
from bakso.services.return_files import PdfProblem, _Limited
from batches.test_returns import (
    drain,
    issued_pdf,
    processing_requests,
    register,
    report,
    send_return,
    table,
    upload_all,
    zip_of,
)
from rss import peak_growth

MIB = 1024 * 1024


def zero_filled_pdf_zip(name: str, size: int) -> bytes:
    """A zip of one member `name`: a PDF header, then zeros up to `size` bytes (deflated)."""
    out = io.BytesIO()
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED  # a ZipInfo does not take the archive's
    with zipfile.ZipFile(out, "w") as archive, archive.open(info, "w") as member:
        member.write(b"%PDF-1.4\n")
        zeros = bytes(MIB)
        for _ in range(size // MIB):
            member.write(zeros)
    return out.getvalue()


def test_a_306_kb_zip_of_a_300_mb_pdf_is_refused_at_start_in_flat_memory(
    api_factory, services
) -> None:
    (request,) = processing_requests(services, 1)
    bomb = zero_filled_pdf_zip(f"{request.code}.pdf", 300 * MIB)
    assert 250_000 < len(bomb) < 400_000  # the adversarial run's 306 KB
    csv_bytes = table([[request.code, "SELESAI", ""]])
    dk = api_factory("dukcapil")
    created = register(dk, csv_bytes, bomb).get_json()
    upload_all(dk, created, csv_bytes, bomb)

    with peak_growth() as grown:
        started = dk.post(f"/api/v1/returns/{created['id']}/start")
        drain(services)

    assert grown.mib < 50
    assert started.status_code == 422
    assert started.mimetype == "application/problem+json"
    detail = started.get_json()["detail"]
    assert f"{request.code}.pdf" in detail and "bom zip" in detail
    assert "300 MB" in detail  # what it would have unpacked to, as the officer reads it
    # Nothing was queued or applied, and the zip is removed so a good one can be sent.
    assert dk.get(f"/api/v1/returns/{created['id']}").get_json()["status"] == "WAITING_UPLOAD"
    assert services.records.get_request(request.id).status is Status.DIPROSES
    assert services.blobs.size(returns_service.pdfs_key(created["id"])) is None


def test_a_bomb_that_reaches_the_worker_fails_the_return_with_the_reason(
    api_factory, services
) -> None:
    # As if the check at start had been passed (an older server started it): the
    # worker judges the central directory again before it opens any member.
    (request,) = processing_requests(services, 1)
    bomb = zero_filled_pdf_zip(f"{request.code}.pdf", 300 * MIB)
    csv_bytes = table([[request.code, "SELESAI", ""]])
    dk = api_factory("dukcapil")
    created = register(dk, csv_bytes, bomb).get_json()
    upload_all(dk, created, csv_bytes, bomb)
    run = services.records.get_return(created["id"])
    run.status = "QUEUED"
    services.records.save_return(run)

    with peak_growth() as grown:
        services.returns.prepare(run.id)

    assert grown.mib < 50
    failed = dk.get(f"/api/v1/returns/{run.id}").get_json()
    assert failed["status"] == "FAILED"
    assert "bom zip" in failed["error"] and f"{request.code}.pdf" in failed["error"]
    assert services.records.get_request(request.id).status is Status.DIPROSES


def test_a_zip_with_more_members_than_the_limit_is_refused_at_start(api_factory, services) -> None:
    settings = services.returns.settings
    services.returns.settings = replace(settings, unpack=replace(settings.unpack, max_entries=10))
    members = {f"lampiran/{n}.txt": b"x" for n in range(11)}
    csv_bytes = table([["LT-2222-2222", "DITOLAK", "x"]])
    dk = api_factory("dukcapil")
    zip_bytes = zip_of(members)
    created = register(dk, csv_bytes, zip_bytes).get_json()
    upload_all(dk, created, csv_bytes, zip_bytes)

    started = dk.post(f"/api/v1/returns/{created['id']}/start")

    assert started.status_code == 422
    assert (
        started.get_json()["detail"] == "Zip dokumen terbit berisi lebih dari 10 berkas; ditolak."
    )


def test_two_issued_pdfs_for_one_code_refuse_its_row_naming_the_code(api_factory, services) -> None:
    twice, once = processing_requests(services, 2)
    members = {
        f"{twice.code}.pdf": issued_pdf("Akta versi 1"),
        f"revisi/{twice.code.lower()}.PDF": issued_pdf("Akta versi 2"),
        f"{once.code}.pdf": issued_pdf("Akta"),
    }
    csv_bytes = table([[twice.code, "SELESAI", ""], [once.code, "SELESAI", ""]])
    dk = api_factory("dukcapil")

    done = send_return(dk, services, csv_bytes, zip_of(members))

    assert done["status"] == "DONE"
    rows = {row["code"]: row for row in report(dk, done["id"])}
    assert rows[twice.code]["outcome"] == "refused"
    detail = rows[twice.code]["detail"]
    assert f"2 PDF untuk kode {twice.code}" in detail
    assert f"{twice.code}.pdf" in detail and f"revisi/{twice.code.lower()}.PDF" in detail
    assert rows[once.code]["outcome"] == "applied"
    # Neither PDF was taken, and the request did not move.
    assert services.records.get_request(twice.id).issued is None
    assert services.records.get_request(twice.id).status is Status.DIPROSES
    assert services.records.get_request(once.id).status is Status.SELESAI


def test_a_member_giving_more_than_its_header_declared_is_refused() -> None:
    # zipfile itself stops at the declared size; the count is the second line of defence.
    reader = io.BufferedReader(_Limited(io.BytesIO(b"x" * 5000), 10_000, "a.pdf", declared=4096))
    with pytest.raises(PdfProblem, match="lebih banyak data dari yang tertulis"):
        reader.read()
