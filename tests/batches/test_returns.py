"""Bulk return through the upload protocol: register → upload to the blob store → start → the
worker applies the rows in chunks → status and a paged per-row report (DESIGN §4)."""

from __future__ import annotations

import csv
import io
import random
import struct
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from botocore import handlers as botocore_handlers
from flask import Flask
from fpdf import FPDF

import aws_env
from bakso.bootstrap import Services
from bakso.domain.lifecycle import Status
from bakso.domain.model import Event, Request
from bakso.services import returns as returns_service
from bakso.services.return_files import PdfProblem, _Limited
from bakso.workers.handlers import drain_once
from helpers import PASSWORD, USERS, Api, close_app, make_app, services_of, sha, submit_ready

PDF_LIMIT = 1024 * 1024  # RETURN_MAX_PDF_BYTES here: a zip bomb needs only a few MB
AT = "2026-01-05T08:00:00.000+00:00"


@pytest.fixture(params=["local"])
def app(
    request: pytest.FixtureRequest, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """The app on the local set, or on AWS (moto) for tests parametrized with "aws"."""
    with ExitStack() as stack:
        operations = None
        if request.param == "aws":
            operations = stack.enter_context(aws_env.aws_app_settings(monkeypatch))
            stack.enter_context(aws_calls())  # installed before the app makes its clients
        app = make_app(data_dir, RETURN_MAX_PDF_BYTES=PDF_LIMIT)
        accounts = services_of(app).accounts
        for username, role, desa in USERS:
            accounts.create_user(username, role, desa, PASSWORD)
        yield app
        close_app(app)
        if operations is not None:
            assert operations["Scan"] == 0, f"a request path scanned the table: {operations}"


# Every AWS call (DynamoDB, S3, SQS) of every client made while installed, by "service.Op".
CALLS: Counter[str] = Counter()


@contextmanager
def aws_calls() -> Iterator[Counter[str]]:
    def count(model: Any, **_: Any) -> None:
        CALLS[f"{model.service_model.service_name}.{model.name}"] += 1

    entry: tuple[str, Callable[..., None]] = ("before-call", count)
    botocore_handlers.BUILTIN_HANDLERS.append(entry)
    CALLS.clear()
    try:
        yield CALLS
    finally:
        botocore_handlers.BUILTIN_HANDLERS.remove(entry)


def issued_pdf(text: str, pad: int = 0) -> bytes:
    """A real PDF (fpdf2) naming `text`; `pad` random bytes after %%EOF make it larger."""
    doc = FPDF()
    doc.set_font("Helvetica", size=14)
    doc.add_page()
    doc.cell(0, 10, text)
    data = bytes(doc.output())
    if pad:
        data += b"\n%" + random.Random(text).randbytes(pad) + b"\n"
    return data


def table(rows: list[list[str]], header: tuple[str, ...] = ("kode", "status", "catatan")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def described(name: str, data: bytes, content_type: str) -> dict[str, Any]:
    return {"filename": name, "sha256": sha(data), "size": len(data), "content_type": content_type}


def register(dk: Api, csv_bytes: bytes, zip_bytes: bytes | None, **extra: Any) -> Any:
    body = {
        "table": described("hasil.csv", csv_bytes, "text/csv"),
        "pdfs": described("terbit.zip", zip_bytes, "application/zip") if zip_bytes else None,
        **extra,
    }
    return dk.post("/api/v1/returns", json=body)


def upload_all(dk: Api, created: dict[str, Any], csv_bytes: bytes, zip_bytes: bytes | None) -> None:
    assert dk.upload(created["uploads"]["table"], csv_bytes).status_code == 200
    if zip_bytes is not None:
        assert dk.upload(created["uploads"]["pdfs"], zip_bytes).status_code == 200


def drain(services: Services) -> int:
    handled = 0
    while count := drain_once(services):
        handled += count
    return handled


def send_return(
    dk: Api, services: Services, csv_bytes: bytes, zip_bytes: bytes | None
) -> dict[str, Any]:
    """The whole protocol as the PWA runs it; the worker drains the queue. Returns the status."""
    response = register(dk, csv_bytes, zip_bytes)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    upload_all(dk, created, csv_bytes, zip_bytes)
    started = dk.post(f"/api/v1/returns/{created['id']}/start")
    assert started.status_code == 202, started.get_json()
    drain(services)
    return dict(dk.get(f"/api/v1/returns/{created['id']}").get_json())


def report(dk: Api, return_id: str, limit: int = 200) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after = 0
    while True:
        page = dk.get(f"/api/v1/returns/{return_id}/rows?after={after}&limit={limit}").get_json()
        rows += page["items"]
        if page["next_after"] is None:
            return rows
        after = page["next_after"]


def processing_requests(services: Services, count: int) -> list[Request]:
    """`count` requests already DIPROSES, written straight to the store (cheap, also on moto)."""
    made = []
    for i in range(count):
        request_id = str(uuid.uuid4())
        request = Request(
            id=request_id,
            code=f"LT-{i:04d}-RTRN",
            service="AKTA_LAHIR",
            desa="52.03.01.2001",
            applicant={"nik": "5203015708900001", "name": f"Warga {i}", "phone": "0812"},
            subject=None,
            notes="",
            status=Status.DIPROSES,
            version=4,
            created_by="op.a",
            created_at=AT,
            updated_at=AT,
            status_since=AT,
            submission=1,
            ready_submission=1,
        )
        event = Event(request_id, AT, "op.a", None, Status.DIPROSES, "", "request.create")
        assert services.records.create_request(request, event)
        made.append(request)
    return made


def walk(dk: Api, request_id: str, version: int, *targets: str) -> int:
    for target in targets:
        response = dk.post(
            f"/api/v1/requests/{request_id}/transition", json={"to": target, "version": version}
        )
        assert response.status_code == 200, response.get_json()
        version = response.get_json()["version"]
    return version


# The protocol at volume --------------------------------------------------------------
def test_three_hundred_rows_with_their_issued_pdfs_apply_in_chunks(api_factory, services) -> None:
    made = processing_requests(services, 300)
    pdfs = {r.code: issued_pdf(f"Kutipan akta {r.code}", pad=25_000) for r in made}
    csv_bytes = table([[r.code, "SELESAI", ""] for r in made])
    zip_bytes = zip_of({f"terbit/{code}.pdf": data for code, data in pdfs.items()})
    assert len(zip_bytes) > 6 * 1024 * 1024  # more than a Lambda request may carry
    dk = api_factory("dukcapil")
    read_ranges: list[int] = []
    real_read_range = services.blobs.read_range

    def spy(key: str, start: int, length: int) -> bytes:
        read_ranges.append(length)
        return real_read_range(key, start, length)

    services.blobs.read_range = spy  # type: ignore[method-assign]

    created = register(dk, csv_bytes, zip_bytes).get_json()
    assert created["status"] == "WAITING_UPLOAD"
    assert created["uploads"]["table"]["method"] == "PUT"
    upload_all(dk, created, csv_bytes, zip_bytes)
    started = dk.post(f"/api/v1/returns/{created['id']}/start")
    assert started.status_code == 202
    assert started.get_json()["status"] == "QUEUED"  # the API answered before any row was applied
    assert services.records.get_request(made[0].id).status is Status.DIPROSES

    assert drain(services) == 1 + 3  # prepare, then one message per 100-row chunk
    done = dk.get(f"/api/v1/returns/{created['id']}").get_json()
    assert done["status"] == "DONE", done
    assert done["counts"] == {"applied": 300, "unchanged": 0, "refused": 0}
    assert (done["rows_total"], done["rows_done"]) == (300, 300)

    rows = report(dk, created["id"], limit=120)
    assert [r["row"] for r in rows] == list(range(2, 302))
    assert {r["outcome"] for r in rows} == {"applied"}
    assert rows[0]["detail"] == "Status menjadi Dokumen terbit. Dokumen terbit dilampirkan."
    for request in made[::37]:
        stored = services.records.get_request(request.id)
        assert stored.status is Status.SELESAI and stored.issued["state"] == "ok"
        issued = b"".join(services.blobs.iter_chunks(stored.issued["key"]))
        assert issued == pdfs[request.code]
    # The zip was read by ranged reads, each bounded, never fetched whole by them.
    assert read_ranges and max(read_ranges) <= 1024 * 1024 + 64 * 1024
    assert sum(read_ranges) < 2 * len(zip_bytes)
    # The uploads are removed once applied; the issued PDFs live per request.
    assert services.blobs.size(f"returns/{created['id']}/pdfs.zip") is None
    assert services.blobs.size(f"returns/{created['id']}/table.csv") is None


def test_restart_and_redelivered_messages_change_nothing_twice(api_factory, services) -> None:
    made = processing_requests(services, 250)
    pdfs = {r.code: issued_pdf(r.code) for r in made}
    csv_bytes = table([[r.code, "SELESAI", ""] for r in made])
    zip_bytes = zip_of({f"{code}.pdf": data for code, data in pdfs.items()})
    dk = api_factory("dukcapil")
    created = register(dk, csv_bytes, zip_bytes).get_json()
    upload_all(dk, created, csv_bytes, zip_bytes)
    return_id = created["id"]
    returns = services.returns
    assert dk.post(f"/api/v1/returns/{return_id}/start").status_code == 202
    assert dk.post(f"/api/v1/returns/{return_id}/start").status_code == 202  # a double click
    # The worker runs the steps by hand, as if SQS delivered some messages twice,
    # one of them while the next chunk was already done (three chunks in all).
    returns.prepare(return_id)
    returns.apply_chunk(return_id, 0)
    returns.apply_chunk(return_id, 1)
    returns.apply_chunk(return_id, 0)
    returns.prepare(return_id)
    assert dk.post(f"/api/v1/returns/{return_id}/start").status_code == 202  # resumes chunk 2
    drain(services)
    returns.apply_chunk(return_id, 1)  # after the end: the uploads are gone
    returns.prepare(return_id)

    done = dk.get(f"/api/v1/returns/{return_id}").get_json()
    assert done["status"] == "DONE"
    assert done["counts"] == {"applied": 250, "unchanged": 0, "refused": 0}
    assert len(report(dk, return_id)) == 250
    for request in made[::50]:
        assert len(services.records.timeline(request.id)) == 2  # created, and SELESAI once
    again = dk.post(f"/api/v1/returns/{return_id}/start")
    assert again.status_code == 202 and again.get_json()["status"] == "DONE"
    assert drain(services) == 0

    # The same files as a new return: every row is unchanged, nothing is stored twice.
    second = send_return(dk, services, csv_bytes, zip_bytes)
    assert second["counts"] == {"applied": 0, "unchanged": 250, "refused": 0}
    assert len(services.records.timeline(made[0].id)) == 2
    audit = [e.action for e in services.records.audit_entries() if e.target == return_id]
    assert audit == ["returns.start", "returns.done"]


def test_a_chunk_also_stops_at_its_share_of_pdf_bytes(
    api_factory, services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(returns_service, "CHUNK_PDF_BYTES", 100_000)
    made = processing_requests(services, 10)
    csv_bytes = table([[r.code, "SELESAI", ""] for r in made])
    zip_bytes = zip_of({f"{r.code}.pdf": issued_pdf(r.code, pad=30_000) for r in made})
    dk = api_factory("dukcapil")

    done = send_return(dk, services, csv_bytes, zip_bytes)

    assert done["counts"] == {"applied": 10, "unchanged": 0, "refused": 0}
    run = services.records.get_return(done["id"])
    assert run.chunk_starts == [0, 3, 6, 9]  # three PDFs of ~31 KB fit in 100 KB
    assert len(report(dk, done["id"])) == 10


# Rows refused, with their reasons ---------------------------------------------------------
def _oversized(code: str) -> tuple[str, bytes]:
    # Over the PDF limit here (1 MB) but not a bomb: it refuses its row, not the zip.
    return f"{code}.pdf", b"%PDF-1.4\n" + random.Random(code).randbytes(PDF_LIMIT + 4096)


def _lying_zip(members: dict[str, bytes], liar: str, declared: int) -> bytes:
    """A zip whose central directory says `liar` is `declared` bytes long (it is larger)."""
    data = bytearray(zip_of(members))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        record = zf.start_dir
        for _ in zf.infolist():
            assert data[record : record + 4] == b"PK\x01\x02"
            name_length, extra_length, comment_length = struct.unpack(
                "<HHH", data[record + 28 : record + 34]
            )
            name = data[record + 46 : record + 46 + name_length].decode()
            if name == liar:
                data[record + 24 : record + 28] = struct.pack("<I", declared)  # uncompressed size
            record += 46 + name_length + extra_length + comment_length
    return bytes(data)


def test_bad_rows_are_refused_with_their_reasons_and_the_rest_applied(
    api_factory, services
) -> None:
    op = api_factory("op.a")
    dk = api_factory("dukcapil")
    processing = submit_ready(op, services)
    walk(dk, processing["id"], processing["version"], "DITERIMA", "DIPROSES")
    to_fix = submit_ready(op, services)
    walk(dk, to_fix["id"], to_fix["version"], "DITERIMA")
    waiting = submit_ready(op, services)  # still DIAJUKAN: cannot become SELESAI
    bombed, lied, not_pdf, rejected, odd = processing_requests(services, 5)
    member, bomb = _oversized(bombed.code)
    members = {
        f"{processing['code']}.pdf": issued_pdf("Akta"),
        f"{waiting['code']}.pdf": issued_pdf("Belum"),
        member: bomb,
        f"{lied.code}.pdf": b"%PDF-1.4\n" + bytes(3 * 1024 * 1024),
        f"{not_pdf.code}.pdf": b"bukan pdf sama sekali",
        f"{rejected.code}.pdf": issued_pdf("Tidak dipakai"),
        "LT-9999-9999.pdf": issued_pdf("Lain"),
        "__MACOSX/._LT-9999-9999.pdf": b"resource fork",
        "catatan.txt": b"bukan pdf",
    }
    zip_bytes = _lying_zip(members, f"{lied.code}.pdf", 1000)
    csv_bytes = table(
        [
            [processing["code"], "SELESAI", ""],
            [to_fix["code"], "PERLU_PERBAIKAN", "tanda tangan saksi kurang"],
            ["LT-2222-2222", "SELESAI", ""],
            [waiting["code"], "SELESAI", ""],
            [to_fix["code"], "DITOLAK", "dua kali"],
            [odd.code, "TERBANG", ""],
            [bombed.code, "SELESAI", ""],
            [lied.code, "SELESAI", ""],
            [not_pdf.code, "selesai", ""],
            [rejected.code, "DITOLAK", "data tidak cocok"],
            ["", "", ""],
            [bombed.code.lower(), "DITOLAK", ""],
        ]
    )
    done = send_return(dk, services, csv_bytes, zip_bytes)
    assert done["status"] == "DONE"
    rows = report(dk, done["id"])
    outcomes = [(r["row"], r["code"], r["outcome"]) for r in rows]
    assert outcomes == [
        (2, processing["code"], "applied"),
        (3, to_fix["code"], "applied"),
        (4, "LT-2222-2222", "refused"),
        (5, waiting["code"], "refused"),
        (6, to_fix["code"], "refused"),
        (7, odd.code, "refused"),
        (8, bombed.code, "refused"),
        (9, lied.code, "refused"),
        (10, not_pdf.code, "refused"),
        (11, rejected.code, "applied"),
        (13, bombed.code, "refused"),
        (0, "LT-9999-9999", "refused"),
    ]  # the blank line 12 is no row
    detail = {(r["row"], r["code"]): r["detail"] for r in rows}
    assert "tidak dikenal" in detail[(4, "LT-2222-2222")]
    assert "tidak dapat diubah" in detail[(5, waiting["code"])]
    assert "lebih dari sekali" in detail[(6, to_fix["code"])]
    assert "'TERBANG' tidak dikenal" in detail[(7, odd.code)]
    assert "lebih besar dari batas 1 MB" in detail[(8, bombed.code)]
    assert "rusak" in detail[(9, lied.code)]
    assert "bukan PDF" in detail[(10, not_pdf.code)]
    assert "PDF tidak dipakai karena status bukan SELESAI" in detail[(11, rejected.code)]
    assert "PDF tanpa baris" in detail[(0, "LT-9999-9999")]
    assert done["counts"] == {"applied": 3, "unchanged": 0, "refused": 9}

    records = services.records
    assert records.get_request(processing["id"]).status is Status.SELESAI
    assert records.get_request(processing["id"]).issued["state"] == "ok"
    assert records.get_request(to_fix["id"]).status is Status.PERLU_PERBAIKAN
    assert records.get_request(waiting["id"]).status is Status.DIAJUKAN
    assert records.get_request(waiting["id"]).issued is None  # not attached to a refused row
    for refused in (bombed, lied, not_pdf):
        assert records.get_request(refused.id).status is Status.DIPROSES
        assert records.get_request(refused.id).issued is None
    assert records.get_request(rejected.id).status is Status.DITOLAK
    assert records.get_request(rejected.id).issued is None


def test_a_member_is_read_through_its_byte_limit_whatever_it_declares() -> None:
    with pytest.raises(PdfProblem, match="lebih besar dari batas"):
        io.BufferedReader(_Limited(io.BytesIO(b"x" * 5000), 4096, "a.pdf")).read()
    assert io.BufferedReader(_Limited(io.BytesIO(b"x" * 4096), 4096, "a.pdf")).read() == (
        b"x" * 4096
    )


@pytest.mark.parametrize(
    ("csv_bytes", "problem"),
    [
        (b"kode,catatan\nLT-2222-2222,x\n", "Kolom 'Status' tidak ada"),
        (b"kode,status,catatan\n", "tidak berisi baris data"),
    ],
)
def test_a_table_that_cannot_be_read_fails_the_return_with_the_reason(
    api_factory, services, csv_bytes: bytes, problem: str
) -> None:
    dk = api_factory("dukcapil")
    done = send_return(dk, services, csv_bytes, None)
    assert done["status"] == "FAILED"
    assert problem in done["error"]
    assert done["counts"] == {"applied": 0, "unchanged": 0, "refused": 0}


def test_a_zip_that_differs_from_its_sha256_fails_before_any_row(api_factory, services) -> None:
    made = processing_requests(services, 1)
    csv_bytes = table([[made[0].code, "SELESAI", ""]])
    zip_bytes = zip_of({f"{made[0].code}.pdf": issued_pdf("A")}, zipfile.ZIP_STORED)
    other = zip_of({f"{made[0].code}.pdf": issued_pdf("B")}, zipfile.ZIP_STORED)
    assert len(other) == len(zip_bytes)
    dk = api_factory("dukcapil")
    created = register(dk, csv_bytes, zip_bytes).get_json()
    assert dk.upload(created["uploads"]["pdfs"], other).status_code == 409  # the URL refuses it
    upload_all(dk, created, csv_bytes, None)
    # Bytes that reached the store otherwise: the worker's SHA-256 check still fails the run.
    pdfs_key = returns_service.pdfs_key(created["id"])
    services.blobs.put(pdfs_key, io.BytesIO(other), "application/zip")
    assert dk.post(f"/api/v1/returns/{created['id']}/start").status_code == 202
    drain(services)
    failed = dk.get(f"/api/v1/returns/{created['id']}").get_json()
    assert failed["status"] == "FAILED" and "SHA-256" in failed["error"]
    assert services.records.get_request(made[0].id).status is Status.DIPROSES


# Registering and starting -------------------------------------------------------------------
def test_files_over_the_limits_or_of_another_kind_are_refused_when_registered(
    api_factory, app
) -> None:
    dk = api_factory("dukcapil")
    small = described("hasil.csv", b"kode,status\n", "text/csv")
    too_big_table = {**small, "size": app.config["RETURN_MAX_TABLE_BYTES"] + 1}
    response = dk.post("/api/v1/returns", json={"table": too_big_table, "pdfs": None})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "Berkas CSV terlalu besar; batasnya 5 MB."
    zip_meta = described("terbit.zip", b"PK", "application/zip")
    too_big_zip = {**zip_meta, "size": app.config["RETURN_MAX_PDFS_BYTES"] + 1}
    response = dk.post("/api/v1/returns", json={"table": small, "pdfs": too_big_zip})
    assert response.status_code == 413
    assert response.get_json()["detail"] == "Berkas zip terlalu besar; batasnya 2 GB."
    ods = {**small, "filename": "hasil.ods"}
    assert dk.post("/api/v1/returns", json={"table": ods}).status_code == 422
    xlsx_named_csv = {**small, "filename": "hasil.xlsx"}  # a CSV's type under an XLSX name
    assert dk.post("/api/v1/returns", json={"table": xlsx_named_csv}).status_code == 422
    rar = {**zip_meta, "filename": "terbit.rar"}
    assert dk.post("/api/v1/returns", json={"table": small, "pdfs": rar}).status_code == 422
    largest = {**zip_meta, "size": app.config["RETURN_MAX_PDFS_BYTES"]}
    response = dk.post("/api/v1/returns", json={"table": small, "pdfs": largest})
    assert response.status_code == 201  # the limit is a setting, not Lambda's 6 MB


def test_registering_again_with_the_same_id_is_recognised(api_factory) -> None:
    dk = api_factory("dukcapil")
    csv_bytes = table([["LT-2222-2222", "SELESAI", ""]])
    return_id = str(uuid.uuid4())
    first = register(dk, csv_bytes, None, id=return_id)
    again = register(dk, csv_bytes, None, id=return_id)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"] == return_id
    assert again.get_json()["uploads"]["table"] is not None
    other = register(dk, table([["LT-3333-3333", "SELESAI", ""]]), None, id=return_id)
    assert other.status_code == 409


def test_start_checks_the_uploads_and_a_bad_one_can_be_sent_again(api_factory, services) -> None:
    dk = api_factory("dukcapil")
    csv_bytes = table([["LT-2222-2222", "SELESAI", ""]])
    created = register(dk, csv_bytes, None).get_json()
    start = f"/api/v1/returns/{created['id']}/start"
    response = dk.post(start)
    assert response.status_code == 422 and "belum diunggah" in response.get_json()["detail"]
    wrong = csv_bytes.replace(b"2222", b"3333")
    # The upload URL takes only the registered bytes (#13 item 3) ...
    assert dk.upload(created["uploads"]["table"], wrong).status_code == 409
    # ... and bytes that reached the store otherwise are still caught by start.
    services.blobs.put(returns_service.table_key(created["id"]), io.BytesIO(wrong), "text/csv")
    response = dk.post(start)
    assert response.status_code == 422 and "SHA-256" in response.get_json()["detail"]
    assert drain(services) == 0  # nothing was queued
    assert dk.upload(created["uploads"]["table"], csv_bytes).status_code == 200
    assert dk.post(start).get_json()["status"] == "QUEUED"


def test_only_dukcapil_and_admin_return_results(api_factory) -> None:
    dk = api_factory("dukcapil")
    csv_bytes = table([["LT-2222-2222", "SELESAI", ""]])
    created = register(dk, csv_bytes, None).get_json()
    op = api_factory("op.a")
    assert register(op, csv_bytes, None).status_code == 403
    assert op.post(f"/api/v1/returns/{created['id']}/start").status_code == 403
    assert op.get(f"/api/v1/returns/{created['id']}").status_code == 403
    assert op.get(f"/api/v1/returns/{created['id']}/rows").status_code == 403
    admin = api_factory("admin")
    assert admin.get(f"/api/v1/returns/{created['id']}").status_code == 200
    assert dk.get(f"/api/v1/returns/{uuid.uuid4()}").status_code == 404
    assert api_factory(None).get(f"/api/v1/returns/{created['id']}").status_code == 401


# Bounded store calls per HTTP call, on AWS (moto) --------------------------------------------
@pytest.mark.parametrize("app", ["aws"], indirect=True)
@pytest.mark.parametrize("rows", [10, 300])
def test_each_http_call_makes_a_bounded_number_of_aws_calls(
    api_factory, services, rows: int
) -> None:
    made = processing_requests(services, rows)
    csv_bytes = table([[r.code, "SELESAI", ""] for r in made])
    zip_bytes = zip_of({f"{r.code}.pdf": issued_pdf(r.code) for r in made})
    dk = api_factory("dukcapil")
    spent: dict[str, int] = {}

    def call(name: str, send: Callable[[], Any]) -> Any:
        CALLS.clear()
        response = send()
        spent[name] = sum(CALLS.values())
        return response

    created = call("create", lambda: register(dk, csv_bytes, zip_bytes)).get_json()
    assert created["uploads"]["pdfs"]["url"].startswith("https://")  # straight to S3
    upload_all(dk, created, csv_bytes, zip_bytes)
    path = f"/api/v1/returns/{created['id']}"
    assert call("start", lambda: dk.post(f"{path}/start")).status_code == 202
    drain(services)
    done = call("status", lambda: dk.get(path)).get_json()
    assert done["status"] == "DONE", done
    assert done["counts"] == {"applied": rows, "unchanged": 0, "refused": 0}
    page = call("rows", lambda: dk.get(f"{path}/rows?limit=200")).get_json()
    assert len(page["items"]) == min(rows, 200)
    assert len(report(dk, created["id"])) == rows
    assert services.records.get_request(made[-1].id).status is Status.SELESAI

    assert all(count <= 15 for count in spent.values()), spent
