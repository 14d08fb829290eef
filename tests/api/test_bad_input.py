"""Bad input gets a clear problem+json in Indonesian and changes nothing."""

from __future__ import annotations

import time
import uuid

import pytest

from helpers import DESA_A, NIK_WOMAN, draft, fake_jpeg, sha


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"applicant": {"nik": "5203017208900001", "name": "Siti"}}, "NIK"),
        (
            {"applicant": {"nik": "5203015708900001", "name": "Siti", "kk": "5203014503180002"}},
            "KK",
        ),
        ({"service": "SIM_BARU"}, "Layanan"),
        ({"desa": "52.03.99.2001"}, "Desa"),
        ({"applicant": "Siti Aminah"}, "applicant"),
        ({"version": "0"}, "version"),
        ({"subject": {"name": "Bayi", "birth_date": "2026-02-31"}}, "birth_date"),
        ({"unexpected": True}, "unexpected"),
    ],
    ids=[
        "invalid-nik",
        "invalid-kk",
        "unknown-service",
        "unknown-desa",
        "wrong-type-object",
        "wrong-type-int",
        "impossible-date",
        "unknown-field",
    ],
)
def test_bad_draft_is_422_and_creates_nothing(api_factory, services, change, words) -> None:
    op = api_factory("op.a")
    request_id = str(uuid.uuid4())
    body = assert_problem(op.put(f"/api/v1/requests/{request_id}", json=draft(**change)), 422)
    assert words in body["detail"]
    assert services.records.get_request(request_id) is None


def test_desa_of_another_kabupaten_region_is_a_warning_not_an_error(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create(draft(applicant={"nik": "5201011708900001", "name": "Ahmad"}))
    assert [w["code"] for w in created["warnings"]] == ["outside_kabupaten"]


def test_body_that_is_not_json_is_refused(api_factory) -> None:
    op = api_factory("op.a")
    response = op.put(
        f"/api/v1/requests/{uuid.uuid4()}", data="service=KK_BARU", content_type="text/plain"
    )
    assert_problem(response, 422)
    broken = op.put(
        f"/api/v1/requests/{uuid.uuid4()}", data="{not json", content_type="application/json"
    )
    assert_problem(broken, 422)


def test_oversized_body_is_413(api_factory, services) -> None:
    op = api_factory("op.a")
    request_id = str(uuid.uuid4())
    response = op.put(f"/api/v1/requests/{request_id}", json=draft(notes="x" * 400_000))
    assert_problem(response, 413)
    assert services.records.get_request(request_id) is None


@pytest.fixture
def op_and_draft(api_factory):
    op = api_factory("op.a")
    return op, op.create()


def _register(op, request_id: str, declared: bytes, content_type: str = "image/jpeg") -> dict:
    response = op.register(request_id, "F201", declared, content_type)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _scan_state(op, request_id: str) -> list[str]:
    return [s["state"] for s in op.get(f"/api/v1/requests/{request_id}").get_json()["scans"]]


def test_html_claiming_to_be_jpeg_is_refused_and_removed(op_and_draft, services) -> None:
    op, created = op_and_draft
    html = b"<html><script>alert(1)</script></html>"
    reg = _register(op, created["id"], html)
    assert op.upload(reg["upload"], html).status_code == 200
    body = assert_problem(
        op.post(f"/api/v1/requests/{created['id']}/scans/{reg['scan_id']}/complete"), 422
    )
    assert "JPEG" in body["detail"]
    assert _scan_state(op, created["id"]) == ["pending"]
    assert services.blobs.size(f"scans/{created['id']}/{sha(html)}") is None


def test_bytes_that_differ_from_the_declared_sha256_are_refused(op_and_draft) -> None:
    op, created = op_and_draft
    declared = fake_jpeg("declared")
    sent = declared[:100] + bytes([declared[100] ^ 0xFF]) + declared[101:]  # same size
    reg = _register(op, created["id"], declared)
    uploaded = op.upload(reg["upload"], sent)
    complete = op.post(f"/api/v1/requests/{created['id']}/scans/{reg['scan_id']}/complete")
    if uploaded.status_code == 409:
        # The local store binds the URL to the SHA-256 (#13 item 3): nothing was stored.
        assert "SHA-256" in uploaded.get_json()["detail"]
        assert "belum diunggah" in assert_problem(complete, 422)["detail"]
    else:  # moto takes any bytes: complete is what refuses them
        assert uploaded.status_code == 200
        assert "SHA-256" in assert_problem(complete, 422)["detail"]
    assert _scan_state(op, created["id"]) == ["pending"]
    # The honest retry works: nothing half-done blocks it.
    assert op.upload(reg["upload"], declared).status_code == 200
    assert (
        op.post(f"/api/v1/requests/{created['id']}/scans/{reg['scan_id']}/complete").status_code
        == 200
    )


def test_truncated_upload_is_refused(op_and_draft) -> None:
    op, created = op_and_draft
    data = fake_jpeg("whole")
    reg = _register(op, created["id"], data)
    uploaded = op.upload(reg["upload"], data[:1000])
    complete = op.post(f"/api/v1/requests/{created['id']}/scans/{reg['scan_id']}/complete")
    if uploaded.status_code == 409:  # the local store: not the registered SHA-256, not stored
        assert "belum diunggah" in assert_problem(complete, 422)["detail"]
    else:  # moto takes it: complete finds it short
        assert uploaded.status_code == 200
        assert "tidak lengkap" in assert_problem(complete, 422)["detail"]
    assert _scan_state(op, created["id"]) == ["pending"]


def test_complete_before_upload_is_refused(op_and_draft) -> None:
    op, created = op_and_draft
    reg = _register(op, created["id"], fake_jpeg("never sent"))
    assert_problem(
        op.post(f"/api/v1/requests/{created['id']}/scans/{reg['scan_id']}/complete"), 422
    )


def test_expired_upload_url_is_refused_and_a_new_one_works(
    op_and_draft, services, monkeypatch
) -> None:
    op, created = op_and_draft
    data = fake_jpeg("late")
    reg = _register(op, created["id"], data)
    monkeypatch.setattr(services.blobs, "_now", lambda: time.time() + 3600)
    body = assert_problem(op.upload(reg["upload"], data), 403)
    assert "kedaluwarsa" in body["detail"]
    again = _register(op, created["id"], data)  # the device simply asks again
    assert again["scan_id"] == reg["scan_id"]
    assert op.upload(again["upload"], data).status_code == 200


def test_forged_upload_signature_is_refused(op_and_draft, services) -> None:
    op, created = op_and_draft
    data = fake_jpeg("forged")
    reg = _register(op, created["id"], data)
    upload = dict(reg["upload"])
    token = upload["url"].rsplit("/", 1)[1]
    upload["url"] = (
        upload["url"][: -len(token)] + token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    )
    assert_problem(op.upload(upload, data), 403)
    assert services.blobs.size(f"scans/{created['id']}/{sha(data)}") is None


def test_upload_larger_than_registered_is_refused(op_and_draft, services) -> None:
    op, created = op_and_draft
    data = fake_jpeg("small")
    reg = _register(op, created["id"], data)
    assert_problem(op.upload(reg["upload"], data + b"x" * 5000), 413)
    assert services.blobs.size(f"scans/{created['id']}/{sha(data)}") is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (
            {"requirement": "F201", "sha256": "0" * 64, "size": 100, "content_type": "text/html"},
            422,
        ),
        (
            {"requirement": "SIM", "sha256": "0" * 64, "size": 100, "content_type": "image/jpeg"},
            422,
        ),
        ({"requirement": "F201", "sha256": "xyz", "size": 100, "content_type": "image/jpeg"}, 422),
        (
            {
                "requirement": "F201",
                "sha256": "0" * 64,
                "size": 11 * 1024 * 1024,
                "content_type": "image/jpeg",
            },
            413,
        ),
    ],
    ids=["html-type", "unknown-requirement", "bad-sha", "over-10mb"],
)
def test_bad_scan_registration_is_refused(op_and_draft, body, status) -> None:
    op, created = op_and_draft
    assert_problem(op.post(f"/api/v1/requests/{created['id']}/scans", json=body), status)
    assert _scan_state(op, created["id"]) == []


def test_submit_without_mandatory_scans_lists_what_is_missing(op_and_draft) -> None:
    op, created = op_and_draft
    op.attach(created["id"], "F201", fake_jpeg("only the form"))
    body = assert_problem(op.post(f"/api/v1/requests/{created['id']}/submit"), 422)
    assert {m["code"] for m in body["missing"]} == {
        "SURAT_KET_LAHIR",
        "SPTJM_LAHIR",
        "BUKU_NIKAH",
        "SPTJM_KAWIN",
        "KK_ORTU",
        "KTP_ORTU",
    }
    assert op.get(f"/api/v1/requests/{created['id']}").get_json()["status"] == "DRAF"


def test_rejection_without_a_reason_is_refused(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create()
    op.attach_mandatory(created["id"])
    version = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()["version"]
    dk = api_factory("dukcapil")
    for target in ("DITERIMA", "DIPROSES"):
        version = dk.post(
            f"/api/v1/requests/{created['id']}/transition", json={"to": target, "version": version}
        ).get_json()["version"]
    body = assert_problem(
        dk.post(
            f"/api/v1/requests/{created['id']}/transition",
            json={"to": "DITOLAK", "note": "  ", "version": version},
        ),
        422,
    )
    assert "Alasan" in body["detail"]
    illegal = dk.post(
        f"/api/v1/requests/{created['id']}/transition", json={"to": "DRAF", "version": version}
    )
    assert_problem(illegal, 409)
    stale = dk.post(
        f"/api/v1/requests/{created['id']}/transition",
        json={"to": "SELESAI", "version": version - 1},
    )
    assert_problem(stale, 409)


# Query parameters: validated like bodies (api/queries.py), a 422 naming the parameter.
SOME_ID = "00000000-0000-4000-8000-000000000000"
BAD_PARAMETERS = [
    ("dukcapil", "/api/v1/batches?limit=abc", "limit"),
    ("dukcapil", "/api/v1/batches?limit=0", "limit"),
    ("dukcapil", "/api/v1/batches?cursor=not%20a%20cursor", "cursor"),
    ("dukcapil", "/api/v1/audit?limit=0", "limit"),
    ("dukcapil", "/api/v1/audit?limit=-1", "limit"),
    # Past what the store's integers hold: SQLite raised OverflowError, a 500.
    ("dukcapil", "/api/v1/audit?before=9223372036854775808", "before"),
    ("dukcapil", "/api/v1/audit?limit=abc", "limit"),
    ("dukcapil", "/api/v1/audit?before=x", "before"),
    ("dukcapil", "/api/v1/audit?from=kemarin", "from"),
    ("dukcapil", "/api/v1/audit?user=a%00b", "user"),
    ("op.a", "/api/v1/requests?limit=abc", "limit"),
    ("op.a", "/api/v1/requests?limit=-5", "limit"),
    ("op.a", "/api/v1/requests?older_than_days=-1", "older_than_days"),
    ("op.a", "/api/v1/requests?status=%3Cscript%3E", "status"),
    ("dukcapil", "/api/v1/requests?desa=Tanjung%20Luar", "desa"),
    ("dukcapil", "/api/v1/requests?kecamatan=52.03.01%27--", "kecamatan"),
    ("op.a", "/api/v1/requests?unknown=1", "unknown"),
    ("dukcapil", f"/api/v1/batches/{SOME_ID}/download?volume=x", "volume"),
    ("dukcapil", f"/api/v1/batches/{SOME_ID}/download?volume=0", "volume"),
    ("dukcapil", f"/api/v1/returns/{SOME_ID}/rows?after=-1", "after"),
    ("dukcapil", f"/api/v1/returns/{SOME_ID}/rows?limit=zero", "limit"),
    ("dukcapil", "/api/v1/sasaran/import?limit=0", "limit"),
    ("dukcapil", f"/api/v1/sasaran/import/{SOME_ID}/rows?after=x", "after"),
    ("op.a", "/api/v1/sasaran?limit=-1", "limit"),
    ("op.a", "/api/v1/sasaran?desa=%00", "desa"),
    ("dukcapil", "/api/v1/stats/coverage?level=provinsi", "level"),
    ("dukcapil", "/api/v1/stats/coverage.csv?desa=x", "desa"),
    ("op.a", f"/api/v1/requests/{SOME_ID}/receipt?layout=poster", "layout"),
]


@pytest.mark.parametrize(("who", "path", "parameter"), BAD_PARAMETERS, ids=lambda v: str(v)[-40:])
def test_each_bad_query_parameter_is_a_422_naming_it(api_factory, who, path, parameter) -> None:
    body = assert_problem(api_factory(who).get(path), 422)
    assert parameter in body["detail"]
    assert [e["field"] for e in body["errors"]] == [parameter]


def test_the_audit_search_never_returns_the_whole_log_for_a_negative_limit(api_factory) -> None:
    op = api_factory("op.a")
    for _ in range(3):
        op.create()
    dk = api_factory("dukcapil")
    assert len(dk.get("/api/v1/audit?limit=2").get_json()["items"]) == 2
    assert_problem(dk.get("/api/v1/audit?limit=-1"), 422)


def test_empty_parameters_mean_absent_as_the_pwa_sends_them(api_factory) -> None:
    dk = api_factory("dukcapil")
    response = dk.get("/api/v1/requests?status=&desa=&cursor=&limit=")
    assert response.status_code == 200, response.get_json()


# Control characters: refused in every text field, with the field named.
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"applicant": {"nik": NIK_WOMAN, "name": "Siti\x00Aminah"}}, "applicant.name"),
        (
            {"applicant": {"nik": NIK_WOMAN, "name": "Siti", "address": "RT\x1b[2J 02"}},
            "applicant.address",
        ),
        ({"applicant": {"nik": NIK_WOMAN, "name": "\u202eanimA itiS"}}, "applicant.name"),
        ({"subject": {"name": "Bayi\x7f", "birth_date": "2026-11-20"}}, "subject.name"),
        ({"notes": "catatan\x00"}, "notes"),
        ({"notes": "baris\x85baru"}, "notes"),
    ],
    ids=[
        "nul-in-name",
        "escape-in-address",
        "bidi-override",
        "del-in-subject",
        "nul-in-notes",
        "c1",
    ],
)
def test_control_characters_in_a_draft_are_refused(api_factory, services, change, field) -> None:
    op = api_factory("op.a")
    request_id = str(uuid.uuid4())
    body = assert_problem(op.put(f"/api/v1/requests/{request_id}", json=draft(**change)), 422)
    assert f"{field} (mengandung karakter kontrol)" in body["detail"]
    assert services.records.get_request(request_id) is None


def test_a_multi_line_note_keeps_its_line_breaks(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create(draft(notes="baris satu\nbaris dua\ttab"))
    assert created["notes"] == "baris satu\nbaris dua\ttab"


def test_control_characters_are_refused_in_every_body(api_factory) -> None:
    admin = api_factory("admin")
    user = {"username": "op\x00x", "role": "operator", "desa": DESA_A, "password": "p" * 12}
    body = assert_problem(admin.post("/api/v1/users", json=user), 422)
    assert "username (mengandung karakter kontrol)" in body["detail"]
    dk = api_factory("dukcapil")
    created = api_factory("op.a").create()
    body = assert_problem(
        dk.post(
            f"/api/v1/requests/{created['id']}/transition",
            json={"to": "DIBATALKAN", "note": "alasan\u2066", "version": created["version"]},
        ),
        422,
    )
    assert "note (mengandung karakter kontrol)" in body["detail"]


def test_http_errors_are_titled_in_indonesian(api_factory) -> None:
    """A route that does not exist, or a method it does not take: no "Not Found" in English."""
    op = api_factory("op.a")
    missing = op.get("/api/v1/tidak-ada")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json()["title"] == "Tidak ditemukan"
    wrong = op.client.patch("/api/v1/catalog")
    assert wrong.status_code == 405 and wrong.get_json()["title"] == "Metode tidak didukung"


def test_each_refused_field_says_why_in_indonesian(api_factory) -> None:
    op = api_factory("op.a")
    refused = op.put(
        "/api/v1/desa/52.03.01.2001/contact",
        json={"phone": "0" * 40, "whatsapp": "ya", "extra": 1},
    )
    assert refused.status_code == 422
    messages = {e["field"]: e["message"] for e in refused.get_json()["errors"]}
    assert messages == {
        "phone": "terlalu panjang (paling banyak 30 karakter)",
        "whatsapp": "harus benar atau salah (true/false)",
        "extra": "tidak dikenal",
    }
