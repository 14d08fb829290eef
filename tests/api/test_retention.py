"""Retention that deletes (#13): after the purge a request's NIK, No. KK, name and phone are
nowhere — not in the API, not in any store file, blob, object version or item.

Runs on both adapter sets. Every byte the stores hold is searched, inside zips and
decompressed PDF streams too (a raw search of compressed bytes could not fail):
the SQLite files after a WAL checkpoint, the blob folder; on moto every DynamoDB
item and every S3 object version.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from flask import Flask
from fpdf import FPDF

import aws_env
from bakso.bootstrap import Services
from bakso.domain.phone import mobile_e164
from bakso.domain.retention import RetentionPolicy
from bakso.workers.handlers import drain_once, drain_until_idle
from helpers import DESA_A, Api, attach_issued, draft, fake_jpeg, services_of

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)


def person(n: int) -> dict[str, str]:
    """One applicant's values, each found nowhere else in the test."""
    return {
        "nik": f"52030141038500{n:02d}",
        "kk": f"52030112031800{n:02d}",
        "name": f"Zulaikha Rinjani{'ABCDEFGH'[n]}",
        "phone": f"08191111000{n}",
        "address": f"Jalan Kenari Nomor {n}7",
        "baby": f"Bayi Sembalun{'ABCDEFGH'[n]}",
        # A witness in the form's `fields` (#17): NIK, name and birth date all personal.
        "witness_nik": f"5203011708{70 + n}{n + 21:04d}",
        "witness": f"Saksi Pringgabaya{'ABCDEFGH'[n]}",
        # The download PIN (#18), as the device submits it and the SMS carries it.
        "pin": f"{n}9{n}4{n}7",
    }


def form_fields(service: str) -> dict[str, Any]:
    """The shared vectors' complete, valid `fields` of a service (docs/forms.md)."""
    vectors = Path(__file__).parents[2] / "backend" / "bakso" / "data" / "form_vectors.json"
    fields: dict[str, Any] = json.loads(vectors.read_text(encoding="utf-8"))["valid"][service]
    return fields


def body(values: dict[str, str]) -> dict[str, Any]:
    applicant: dict[str, Any] = {k: values[k] for k in ("nik", "kk", "name", "phone", "address")}
    applicant["notify"] = True  # #18: messages sent to the phone (the local notifier keeps them)
    subject = {
        "name": values["baby"],
        "birth_date": "2026-11-20",
        "birth_place": "Selong",
        "sex": "P",
        "nik": None,
    }
    fields = form_fields("AKTA_LAHIR")
    # The child's section names the same baby as the subject (the server requires it).
    fields["subject"] = {**fields["subject"], **{k: v for k, v in subject.items() if v}}
    fields["witnesses"][0] = {
        "nik": values["witness_nik"],
        "name": values["witness"],
        "birth_date": f"19{values['witness_nik'][10:12]}-08-17",
    }
    return draft(
        applicant=applicant, subject=subject, notes=f"Rumah {values['name']}", fields=fields
    )


def issued_pdf(values: dict[str, str], edition: str) -> bytes:
    """An issued document printing the NIK and name, in a compressed content stream."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=f"{edition}: {values['name']} NIK {values['nik']}")
    return bytes(pdf.output())


def move(api: Api, request_id: str, to: str, note: str = "", **extra: Any) -> dict[str, Any]:
    version = api.get(f"/api/v1/requests/{request_id}").get_json()["version"]
    moved = api.post(
        f"/api/v1/requests/{request_id}/transition",
        json={"to": to, "note": note, "version": version, **extra},
    )
    assert moved.status_code == 200, moved.get_json()
    return dict(moved.get_json())


def to_selesai(op: Api, dk: Api, services: Services, values: dict[str, str]) -> str:
    """Submitted twice (a berkas.pdf each), a scan replaced, one never completed, two
    issued PDFs (the first superseded), SELESAI."""
    request_id = op.create(body(values))["id"]
    op.attach_mandatory(request_id)
    submitted = op.post(f"/api/v1/requests/{request_id}/submit", json={"pin": values["pin"]})
    assert submitted.status_code == 200
    drain_once(services)
    move(dk, request_id, "DITERIMA")
    move(dk, request_id, "PERLU_PERBAIKAN", note=f"KK {values['name']} buram")
    scans = op.get(f"/api/v1/requests/{request_id}").get_json()["scans"]
    kk = next(s for s in scans if s["requirement"] == "KK_ORTU")
    assert op.delete(f"/api/v1/requests/{request_id}/scans/{kk['id']}").status_code in (200, 204)
    op.attach(request_id, "KK_ORTU", fake_jpeg(request_id + "sharper"))
    half = fake_jpeg(request_id + "never completed")
    registered = op.register(request_id, "KTP_ORTU", half).get_json()
    assert op.upload(registered["upload"], half).status_code == 200
    assert op.post(f"/api/v1/requests/{request_id}/submit").status_code == 200
    drain_once(services)
    move(dk, request_id, "DITERIMA")
    move(dk, request_id, "DIPROSES")
    attach_issued(dk, request_id, issued_pdf(values, "Salah cetak"))
    attach_issued(dk, request_id, issued_pdf(values, "Akta"))
    move(dk, request_id, "SELESAI")
    return request_id


def texts(data: bytes) -> Iterator[bytes]:
    """The bytes, and what is inside them: zip members, decompressed PDF streams."""
    yield data
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                yield from texts(archive.read(name))
    for stream in _STREAM.findall(data):
        try:
            yield zlib.decompressobj().decompress(stream)
        except zlib.error:
            continue


def found(values: list[str], blobs: Iterator[tuple[str, bytes]]) -> set[tuple[str, str]]:
    """(value, where) for every value found in any of the named byte strings."""
    hits: set[tuple[str, str]] = set()
    for where, data in blobs:
        for text in texts(data):
            hits |= {(v, where) for v in values if v.encode() in text}
    return hits


def local_bytes(data_dir: Path) -> Iterator[tuple[str, bytes]]:
    # Every file as it lies on disk, the SQLite WAL and SHM files included: nothing is
    # checkpointed here, so what the retention run leaves in a WAL is found.
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        yield str(path.relative_to(data_dir)), path.read_bytes()


def aws_bytes() -> Iterator[tuple[str, bytes]]:
    # moto's own tables, not a Scan through the API (which the API tests forbid).
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][aws_env.REGION]
    for name, table in backend.tables.items():
        for item in table.all_items():
            yield f"dynamodb:{name}", repr(item.to_json()).encode()
    s3 = boto3.client("s3", region_name=aws_env.REGION)
    for bucket in s3.list_buckets()["Buckets"]:
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket["Name"])
        for page in pages:
            for version in page.get("Versions", []):
                got = s3.get_object(
                    Bucket=bucket["Name"], Key=version["Key"], VersionId=version["VersionId"]
                )
                yield f"s3:{version['Key']}@{version['VersionId']}", got["Body"].read()


def test_purged_requests_leave_no_personal_value_in_the_api_or_any_store(
    app: Flask, api_factory: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = services_of(app)
    op, dk = api_factory("op.a"), api_factory("dukcapil")
    people = [person(n) for n in range(4)]
    handed = to_selesai(op, dk, services, people[0])
    move(
        op,
        handed,
        "DISERAHKAN",
        handover={"received_by": people[0]["name"], "relation": "PEMOHON", "via": "LOKET"},
    )
    # The IKM survey's comment (#19, docs/ikm.md) goes with the request; its scores stay.
    handed_token = services.records.get_request(handed)
    assert handed_token is not None and handed_token.token
    survey = {f"u{i}": "3" for i in range(1, 10)} | {"komentar": f"Oleh {people[0]['name']}"}
    answered = api_factory(None).post(f"/cek/{handed_token.token}/survei", data=survey)
    assert answered.status_code == 200
    uncollected = to_selesai(op, dk, services, people[1])
    # A report to the kabupaten's overseer (#19, docs/reports.md): its story, whom it names
    # and the contact go with the request; its number and status stay.
    reported = services.records.get_request(uncollected)
    assert reported is not None and reported.token
    lapor = api_factory(None).get(f"/cek/{reported.token}/lapor").get_data(as_text=True)
    form_id = re.search(r'name="form_id" value="([^"]+)"', lapor)
    assert form_id
    complaint = {
        "text": "Diminta uang rokok tujuh puluh ribu di loket Sembalun",
        "by_whom": "Pak Kadus Rinjaniwangi",
        "contact": "0819-4444-5577",
    }
    sent = api_factory(None).post(
        f"/cek/{reported.token}/lapor",
        data={"form_id": form_id.group(1), "kind": "diminta_membayar", **complaint},
    )
    assert sent.status_code == 303
    abandoned = op.create(body(people[2]))["id"]
    op.attach(abandoned, "F201", fake_jpeg(abandoned))
    repair = op.create(body(people[3]))["id"]
    op.attach_mandatory(repair)
    repaired = op.post(f"/api/v1/requests/{repair}/submit", json={"pin": people[3]["pin"]})
    assert repaired.status_code == 200
    drain_once(services)
    move(dk, repair, "DITERIMA")
    move(dk, repair, "PERLU_PERBAIKAN", note="Foto buram")
    # A KK_BARU draft whose family members are only in `fields` (#17).
    family = form_fields("KK_BARU")
    family["members"][2].update(nik="5203010303150047", name="Muhammad Sembalunrizki")
    kk_draft = draft(service="KK_BARU", subject=None, fields=family)
    kk_baru = op.create({**kk_draft, "applicant": body(people[3])["applicant"]})["id"]
    keys = ("nik", "kk", "name", "phone", "address", "baby", "witness_nik", "witness")
    values = [p[k] for p in people for k in keys]
    values += ["5203010303150047", "Muhammad Sembalunrizki"]
    values += list(complaint.values())
    drain_until_idle(services)  # the residents' messages sent (#18)
    submitted = [handed, uncollected, repair]
    pins = [people[n]["pin"] for n in (0, 1, 3)]  # the abandoned draft never had one
    values += pins
    for request_id in submitted:  # the status link's token, and the PIN's hash
        stored = services.records.get_request(request_id)
        assert stored is not None and stored.token and stored.pin_hash
        values += [stored.token, stored.pin_hash]
    if services.adapters == "local":
        # The local notifier's file keeps each number as it was sent (E.164): searched too.
        # (The abandoned draft, never submitted, was told nothing.)
        values += [str(mobile_e164(p["phone"])) for p in (people[0], people[1], people[3])]

    def everywhere() -> set[tuple[str, str]]:
        return found(values, aws_bytes() if services.adapters == "aws" else local_bytes(data_dir))

    before = everywhere()
    # The search can fail: it finds each person in the records and inside the PDFs; the
    # PIN in the local notifier's file (SNS keeps no copy here, and only its hash is kept).
    stored_pins = set(pins) if services.adapters == "local" else set()
    assert {v for v, _ in before} == set(values) - set(pins) | stored_pins
    places = [where for value, where in before if value == people[0]["nik"]]
    for kind in ("berkas/", "issued/"):  # printed into both PDFs, in compressed streams
        assert any(kind in where for where in places), places
    if services.adapters == "local":
        numbers = {where for value, where in before if value == mobile_e164(people[0]["phone"])}
        # The sent-log holds no number (the notifier's file may still have it in its WAL).
        assert {n.removesuffix("-wal") for n in numbers} == {"notifications.sqlite3"}

    # Every clock at zero days: all four are due at once (RETENTION_DAYS=0 and the rest).
    monkeypatch.setattr(services.retention, "policy", RetentionPolicy(0, 0, 0))
    report = services.retention.purge()

    assert (report.requests, report.cancelled) == (5, 3)
    assert everywhere() == set()
    for request_id in (handed, uncollected, abandoned, repair, kk_baru):
        shown = op.get(f"/api/v1/requests/{request_id}")
        assert shown.status_code == 200
        detail = shown.get_json()
        assert detail["purged_at"] and detail["applicant"] == {} and detail["subject"] is None
        assert detail["fields"] == {}
        assert detail["scans"] == [] and detail["purge_due"] is None
        assert not any(v in shown.get_data(as_text=True) for v in values)
    listed = op.get("/api/v1/requests").get_data(as_text=True)
    assert not any(v in listed for v in values)
    statuses = {
        r: op.get(f"/api/v1/requests/{r}").get_json()["status"]
        for r in (handed, uncollected, abandoned, repair, kk_baru)
    }
    assert statuses == {
        handed: "DISERAHKAN",
        uncollected: "SELESAI",
        abandoned: "DIBATALKAN",
        repair: "DIBATALKAN",
        kk_baru: "DIBATALKAN",
    }
    assert services.audit.verify().problem is None

    # Idempotent: a second run finds nothing and changes nothing.
    assert services.retention.purge().to_dict() == {"requests": 0, "blobs": 0, "cancelled": 0}


def test_an_abandoned_draft_is_flagged_to_its_desa_before_it_goes(
    app: Flask, api_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = services_of(app)
    op = api_factory("op.a")
    request_id = op.create(draft())["id"]
    listed = op.get("/api/v1/requests").get_json()["items"]
    assert [(r["id"], r["purge_warning"]) for r in listed] == [(request_id, False)]
    assert listed[0]["purge_due"] is not None  # 60 days after its last change

    # Within seven days of the end: the desa's list says so, and nothing is deleted yet.
    monkeypatch.setattr(services.retention, "policy", RetentionPolicy(abandoned_days=5))
    listed = op.get("/api/v1/requests").get_json()["items"]
    assert listed[0]["purge_warning"] is True
    assert services.retention.purge().requests == 0
    assert op.get(f"/api/v1/requests/{request_id}").get_json()["applicant"]["nik"]
    assert DESA_A  # the operator's own desa: the flag is on its list
