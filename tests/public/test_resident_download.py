"""The resident downloads the issued document with the PIN (#18, docs/resident-download.md):
on the status page, with the PIN from the receipt; 5 wrong tries lock it for an hour."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bakso.domain.retention import FINAL_CLOCK
from bakso.services.resident_pin import pin_hash
from helpers import (
    DESA_A,
    PASSWORD,
    USERS,
    Api,
    attach_issued,
    close_app,
    draft,
    fake_jpeg,
    make_app,
    services_of,
    valid_fields,
)

PIN = "246810"
PDF = b"%PDF-1.4 akta kelahiran untuk dicetak"
SECRET = "test-secret-key"  # helpers.make_app's SECRET_KEY
PHONE = "081234567890"


def _submitted(api_factory: Callable[[str], Api], body: Any = None, **applicant: Any) -> dict:
    op = api_factory("op.a")
    created = op.create(draft(applicant={**draft()["applicant"], "phone": PHONE, **applicant}))
    op.attach_mandatory(created["id"])
    kwargs = {} if body is None else {"json": body}
    answer = op.post(f"/api/v1/requests/{created['id']}/submit", **kwargs)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _selesai(api_factory: Callable[[str], Api], request: dict, pdf: bool = True) -> dict:
    dk = api_factory("dukcapil")
    base = f"/api/v1/requests/{request['id']}"
    current = request
    for to in ("DITERIMA", "DIPROSES", "SELESAI"):
        moved = dk.post(
            f"{base}/transition", json={"to": to, "note": "", "version": current["version"]}
        )
        assert moved.status_code == 200, moved.get_json()
        current = moved.get_json()
    if pdf:
        attach_issued(dk, request["id"], PDF)
    return current


@pytest.fixture
def done(api_factory) -> dict:
    return _selesai(api_factory, _submitted(api_factory, {"pin": PIN}))


def _unduh(app: Flask, token: str, pin: str) -> Any:
    return app.test_client().post(f"/cek/{token}/unduh", data={"pin": pin})


def test_the_right_pin_gives_the_pdf_inline_through_a_short_lived_link(app, done) -> None:
    page = app.test_client().get(f"/cek/{done['token']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Unduh dokumen" in html
    assert f'action="/cek/{done["token"]}/unduh"' in html
    assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html
    assert "<script" not in html
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]

    answer = _unduh(app, done["token"], PIN)

    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert done["token"] not in location  # a signed URL of the blob, not the status page
    with app.test_client().get(location) as pdf:
        assert pdf.status_code == 200 and pdf.get_data() == PDF
        assert pdf.headers["Content-Disposition"].startswith("inline")


def test_a_wrong_pin_is_refused_and_says_how_many_tries_are_left(app, done) -> None:
    answer = _unduh(app, done["token"], "135791")

    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Location" not in answer.headers
    assert "PIN salah" in html and "Sisa percobaan: 4" in html
    assert 'name="pin"' in html  # the form again


def test_five_wrong_pins_lock_the_download_for_an_hour_across_restarts(
    app, done, data_dir: Path
) -> None:
    for _ in range(5):
        assert _unduh(app, done["token"], "000000").status_code == 422

    locked = _unduh(app, done["token"], PIN)  # even the right one
    html = locked.get_data(as_text=True)
    assert locked.status_code == 429 and "Location" not in locked.headers
    assert "dikunci sampai" in html and 'name="pin"' not in html
    close_app(app)

    again = make_app(data_dir)  # a new process on the same data: still locked
    try:
        assert _unduh(again, done["token"], PIN).status_code == 429
        assert "dikunci sampai" in again.test_client().get(f"/cek/{done['token']}").text
    finally:
        close_app(again)


def test_a_new_pin_from_the_desa_replaces_the_old_one(app, api_factory, done) -> None:
    path = f"/api/v1/requests/{done['id']}/pin"
    for other in ("op.b", "dukcapil"):
        assert api_factory(other).post(path).status_code == 404

    answer = api_factory("op.a").post(path)

    assert answer.status_code == 201 and answer.headers["Cache-Control"] == "no-store"
    new = answer.get_json()["pin"]
    assert re.fullmatch(r"[0-9]{6}", new) and new != PIN
    assert _unduh(app, done["token"], PIN).status_code == 422
    assert _unduh(app, done["token"], new).status_code == 303
    entries = services_of(app).records.audit_entries(chain="52.03")
    made = [e for e in entries if e.action == "request.pin_new"]
    assert len(made) == 1 and made[0].actor == "op.a" and new not in str(made[0].data)


def test_the_download_is_audited_and_on_both_timelines(app, api_factory, done) -> None:
    assert _unduh(app, done["token"], PIN).status_code == 303
    assert _unduh(app, done["token"], PIN).status_code == 303

    seen = api_factory("op.a").get(f"/api/v1/requests/{done['id']}").get_json()
    steps = [(t["label"], t["action"], t["by"]) for t in seen["timeline"]]
    assert steps[-2:] == [("Diunduh warga", "issued.download.resident", "warga")] * 2
    assert seen["status"] == "SELESAI" and seen["version"] == done["version"]  # no move
    first = seen["downloaded_at"]
    assert first is not None
    assert first == services_of(app).records.get_request(done["id"]).downloaded_at
    page = app.test_client().get(f"/cek/{done['token']}").get_data(as_text=True)
    assert "Diunduh warga" in page and "Dokumen terbit" in page
    audited = [
        e
        for e in services_of(app).records.audit_entries(chain="52.03")
        if e.action == "issued.download.resident"
    ]
    assert len(audited) == 2 and {e.target for e in audited} == {done["id"]}


def test_a_downloaded_document_counts_as_collected(app, done) -> None:
    assert _unduh(app, done["token"], PIN).status_code == 303
    svc = services_of(app)
    request = svc.records.get_request(done["id"])
    assert request is not None and request.downloaded_at is not None
    # Indexed on the final clock from the download: RETENTION_DAYS, not UNCOLLECTED_DAYS.
    due = svc.records.list_retention_due(
        desa=DESA_A, clock=FINAL_CLOCK, until=request.downloaded_at, cursor=None, limit=10
    )
    assert [r.id for r in due.items] == [done["id"]]
    expected = datetime.fromisoformat(request.downloaded_at) + timedelta(
        days=svc.retention.policy.retention_days
    )
    assert svc.retention.note(request).purge_due == expected.isoformat(timespec="milliseconds")


def test_after_the_purge_the_link_and_the_download_are_gone(app, done) -> None:
    assert _unduh(app, done["token"], PIN).status_code == 303
    svc = services_of(app)
    later = svc.retention.clock() + timedelta(days=svc.retention.policy.retention_days + 1)
    svc.retention.clock = lambda: later
    assert svc.retention.purge().requests == 1

    assert app.test_client().get(f"/cek/{done['token']}").status_code == 404
    assert _unduh(app, done["token"], PIN).status_code == 404
    erased = svc.records.get_request(done["id"])
    assert erased is not None and erased.pin_hash is None


def test_no_form_before_selesai_or_without_the_pdf(app, api_factory) -> None:
    request = _submitted(api_factory, {"pin": PIN})
    assert 'name="pin"' not in app.test_client().get(f"/cek/{request['token']}").text
    assert _unduh(app, request["token"], PIN).status_code == 409
    _selesai(api_factory, request, pdf=False)
    assert 'name="pin"' not in app.test_client().get(f"/cek/{request['token']}").text


def test_a_card_is_collected_not_downloaded(app, api_factory) -> None:
    op = api_factory("op.a")
    body = draft(service="KTP_BARU", fields=valid_fields("KTP_BARU"), subject=None)
    created = op.create(body)
    op.attach(created["id"], "KK", fake_jpeg("kk"))
    submitted = op.post(f"/api/v1/requests/{created['id']}/submit", json={"pin": PIN}).get_json()
    _selesai(api_factory, submitted, pdf=False)
    html = app.test_client().get(f"/cek/{submitted['token']}").text
    assert "Kartu diambil di kantor Dukcapil atau UPT" in html and 'name="pin"' not in html


def test_a_malformed_pin_is_refused_naming_it_and_changes_nothing(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create(draft())
    op.attach_mandatory(created["id"])
    for bad in ("12345", "1234567", "12a456", 123456):
        answer = op.post(f"/api/v1/requests/{created['id']}/submit", json={"pin": bad})
        assert answer.status_code == 422, bad
        assert [e["field"] for e in answer.get_json()["errors"]] == ["pin"]
    assert op.get(f"/api/v1/requests/{created['id']}").get_json()["status"] == "DRAF"


def test_the_first_pin_stays_through_a_replay(app, api_factory) -> None:
    request = _submitted(api_factory, {"pin": PIN})
    replay = api_factory("op.a").post(
        f"/api/v1/requests/{request['id']}/submit", json={"pin": "999999"}
    )
    assert replay.status_code == 200
    stored = services_of(app).records.get_request(request["id"])
    assert stored is not None and stored.pin_hash == pin_hash(SECRET, request["id"], PIN)


def test_the_pin_hash_is_in_no_answer_audit_entry_or_log(app, api_factory, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    request = _submitted(api_factory, {"pin": PIN})
    done = _selesai(api_factory, request)
    op = api_factory("op.a")
    _unduh(app, done["token"], "000000")
    _unduh(app, done["token"], PIN)
    new = op.post(f"/api/v1/requests/{done['id']}/pin").get_json()["pin"]
    stored = services_of(app).records.get_request(done["id"])
    assert stored is not None and stored.pin_hash
    hashes = {stored.pin_hash, pin_hash(SECRET, done["id"], PIN)}
    said = [
        op.get(f"/api/v1/requests/{done['id']}").text,
        op.get("/api/v1/requests").text,
        request.__repr__(),
        app.test_client().get(f"/api/v1/status/{done['token']}").text,
        app.test_client().get(f"/cek/{done['token']}").text,
        op.get(f"/api/v1/requests/{done['id']}/receipt").text,
        str([e for c in ("52.03", None) for e in services_of(app).records.audit_entries(chain=c)]),
        caplog.text,
    ]
    for text in said:
        for secret in (*hashes, "pin_hash"):
            assert secret not in text
    assert PIN not in caplog.text and new not in caplog.text


def test_the_receipt_has_a_pin_slot_its_script_fills_from_the_fragment(api_factory) -> None:
    request = _submitted(api_factory, {"pin": PIN})
    response = api_factory("op.a").get(f"/api/v1/requests/{request['id']}/receipt")
    html = response.get_data(as_text=True)
    assert '<span id="pin"' in html and "minta PIN baru di kantor desa" in html
    assert PIN not in html  # the PIN never reaches the server: only the fragment has it
    script = re.search(r"<script>(.*?)</script>", html, re.S)
    assert script is not None
    code = script.group(1)
    assert "location.hash" in code and "history.replaceState" in code and "[0-9]{6}" in code


def test_receipt_and_status_page_say_which_messages_come(app, api_factory) -> None:
    told = _submitted(api_factory, {"pin": PIN}, notify=True)
    silent = _submitted(api_factory, {"pin": PIN})
    op = api_factory("op.a")
    promise = (
        "Pemberitahuan lewat SMS ke 0812*****890 saat: diajukan, perlu perbaikan, ditolak, selesai."
    )
    for request, expected in ((told, promise), (silent, "Tidak ada pemberitahuan")):
        receipt = op.get(f"/api/v1/requests/{request['id']}/receipt").text
        page = app.test_client().get(f"/cek/{request['token']}").text
        for html in (receipt, page):
            assert expected in html
            assert PHONE not in html and PHONE[-4:] not in html


def test_no_notifier_means_no_promise(data_dir: Path) -> None:
    app = make_app(data_dir, NOTIFIER="none")
    try:
        for username, role, desa in USERS:
            services_of(app).accounts.create_user(username, role, desa, PASSWORD)

        def factory(username: str) -> Api:
            api = Api(app.test_client())
            assert api.login(username).status_code == 200
            return api

        request = _submitted(factory, {"pin": PIN}, notify=True)
        assert "Tidak ada pemberitahuan" in app.test_client().get(f"/cek/{request['token']}").text
    finally:
        close_app(app)


def test_a_pin_of_the_wrong_shape_is_told_so_and_costs_no_try(app, done) -> None:
    for typo in ("12345", "abcdef", "1234567", "12 34 56"):
        answer = _unduh(app, done["token"], typo)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422 and "Location" not in answer.headers
        assert "PIN harus 6 angka." in html and "Sisa percobaan" not in html
    wrong = _unduh(app, done["token"], "135791").get_data(as_text=True)
    assert "Sisa percobaan: 4" in wrong  # the typos above were not counted


def test_the_form_mentions_a_pin_sent_to_the_phone_only_when_one_was_sent(
    app, api_factory, done
) -> None:
    said = "(atau yang dikirim ke HP Anda)"
    no_consent = app.test_client().get(f"/cek/{done['token']}").get_data(as_text=True)
    assert "Unduh dokumen" in no_consent and said not in no_consent
    told = _selesai(api_factory, _submitted(api_factory, {"pin": PIN}, notify=True))
    consented = app.test_client().get(f"/cek/{told['token']}").get_data(as_text=True)
    assert said in consented


@pytest.mark.parametrize("body", [{"pin": None}, None])
def test_a_request_submitted_without_a_pin_tells_the_resident_to_ask_the_desa(
    app, api_factory, body
) -> None:
    submitted = _submitted(api_factory, body)
    receipt = api_factory("op.a").get(f"/api/v1/requests/{submitted['id']}/receipt").text
    assert "tanda terima pertama" not in receipt  # there never was a PIN printed
    assert "belum ada; minta PIN di kantor desa" in receipt
    request = _selesai(api_factory, submitted)
    html = app.test_client().get(f"/cek/{request['token']}").get_data(as_text=True)
    assert 'name="pin"' not in html
    assert "belum punya PIN unduh" in html and "kantor desa" in html
