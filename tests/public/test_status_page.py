"""The resident's status link: plain Indonesian, no personal data, nothing to guess."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from helpers import draft, fake_jpeg

PERSONAL = {
    "nik": "5203015708900001",
    "kk": "5203011203180002",
    "phone": "081234567890",
    "address": "Dusun Lendang Bare RT 02",
    "name": "Siti Aminah",
}


@pytest.fixture
def submitted(api_factory) -> dict:
    op = api_factory("op.a")
    body = draft(
        applicant={
            "nik": PERSONAL["nik"],
            "name": PERSONAL["name"],
            "kk": PERSONAL["kk"],
            "phone": PERSONAL["phone"],
            "address": PERSONAL["address"],
        },
    )
    created = op.create(body)
    op.attach_mandatory(created["id"])
    return op.post(f"/api/v1/requests/{created['id']}/submit").get_json()


def _move(api_factory, request: dict, path: list[tuple[str, str]], who: str = "dukcapil") -> dict:
    api = api_factory(who)
    current = request
    for to, note in path:
        response = api.post(
            f"/api/v1/requests/{request['id']}/transition",
            json={
                "to": to,
                "note": note,
                "version": current["version"],
                **({"handover": HANDOVER} if to == "DISERAHKAN" else {}),
            },
        )
        assert response.status_code == 200, response.get_json()
        current = response.get_json()
    return current


HANDOVER = {
    "received_by": "Rahman",
    "relation": "KELUARGA",
    "via": "KAWIL",
    "via_name": "Amaq Sahnan",
}

CASES = {
    "DIAJUKAN": ([], "Diajukan", "tidak perlu ke kantor Dukcapil"),
    "DITERIMA": ([("DITERIMA", "")], "Diterima Dukcapil", "Buka lagi halaman ini nanti"),
    "DIPROSES": ([("DITERIMA", ""), ("DIPROSES", "")], "Diproses", "Buka lagi halaman ini nanti"),
    "PERLU_PERBAIKAN": (
        [("DITERIMA", ""), ("PERLU_PERBAIKAN", "foto KK orang tua buram")],
        "Perlu perbaikan",
        "Yang perlu diperbaiki: foto KK orang tua buram",
    ),
    "DITOLAK": (
        [("DITERIMA", ""), ("DIPROSES", ""), ("DITOLAK", "data ganda di SIAK")],
        "Ditolak",
        "Alasan: data ganda di SIAK",
    ),
    "SELESAI": (
        [("DITERIMA", ""), ("DIPROSES", ""), ("SELESAI", "")],
        "Dokumen terbit",
        "siap diambil di kantor desa Tanjung Luar",
    ),
    "DIBATALKAN": (
        [("DIBATALKAN", "permintaan pemohon")],
        "Dibatalkan",
        "kantor desa Tanjung Luar",
    ),
}


@pytest.mark.parametrize("status", list(CASES))
def test_status_page_shows_label_and_next_step(app, api_factory, submitted, status) -> None:
    path, label, next_step = CASES[status]
    _move(api_factory, submitted, path)
    page = app.test_client().get(f"/cek/{submitted['token']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert label in html and next_step in html
    assert "Layanan ini GRATIS" in html and "Pasal 79A" in html and "lapor.go.id" in html
    assert "<script" not in html
    assert len(page.get_data()) <= 15 * 1024

    data = app.test_client().get(f"/api/v1/status/{submitted['token']}").get_json()
    assert data["status"] == status and data["status_label"] == label
    assert next_step in data["next_step"]
    assert data["name_masked"] == "S*** A*****"


def test_a_request_the_system_sent_back_tells_the_resident_which_page(
    app, services, submitted
) -> None:
    reason = "Berkas KK orang tua (halaman 1) tidak dapat dibaca; foto ulang dan ajukan kembali."
    assert services.requests.send_back_for_repair(submitted["id"], reason) is True

    data = app.test_client().get(f"/api/v1/status/{submitted['token']}").get_json()

    assert data["status"] == "PERLU_PERBAIKAN"
    assert data["next_step"].startswith(
        "Yang perlu diperbaiki: Berkas KK orang tua (halaman 1) tidak dapat dibaca; foto ulang "
        "dan ajukan kembali. Datanglah ke kantor desa"
    )


def test_ktp_el_at_selesai_says_the_referral_is_ready_not_the_card(app, api_factory) -> None:
    op = api_factory("op.a")
    created = op.create(draft(service="KTP_BARU", subject=None))
    op.attach(created["id"], "KK", fake_jpeg("kk"))
    submitted = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()
    _move(api_factory, submitted, [("DITERIMA", ""), ("DIPROSES", ""), ("SELESAI", "")])

    data = app.test_client().get(f"/api/v1/status/{submitted['token']}").get_json()

    assert data["headline"] == "Surat rujukan sudah siap."
    assert "Ambil surat rujukan di kantor desa Tanjung Luar" in data["next_step"]
    assert "perekaman sidik jari" in data["next_step"]
    assert "Dokumen sudah terbit" not in data["headline"] + data["next_step"]


@pytest.mark.parametrize("status", list(CASES))
def test_no_status_promises_a_notification_nobody_sends(app, api_factory, submitted, status):
    """Nothing notifies residents yet (a later issue): the page must not say it will."""
    _move(api_factory, submitted, CASES[status][0])
    data = app.test_client().get(f"/api/v1/status/{submitted['token']}").get_json()
    said = (data["headline"] + " " + data["next_step"]).lower()
    for promise in ("beri tahu", "kabar", "diberitahu", "hubungi anda", "sms", "whatsapp"):
        assert promise not in said, (status, promise)


def test_handed_over_page_gives_the_date(app, api_factory, submitted) -> None:
    done = _move(api_factory, submitted, [("DITERIMA", ""), ("DIPROSES", ""), ("SELESAI", "")])
    _move(api_factory, done, [("DISERAHKAN", "diterima sendiri")], who="op.a")
    html = app.test_client().get(f"/cek/{submitted['token']}").get_data(as_text=True)
    assert "Sudah diserahkan" in html and "Dokumen diserahkan pada" in html


def test_no_personal_value_appears_on_public_page_or_json(app, api_factory, submitted) -> None:
    done = _move(api_factory, submitted, [("DITERIMA", ""), ("DIPROSES", ""), ("SELESAI", "")])
    _move(api_factory, done, [("DISERAHKAN", "")], who="op.a")
    client = app.test_client()
    bodies = [
        client.get(f"/cek/{submitted['token']}").get_data(as_text=True),
        client.get(f"/api/v1/status/{submitted['token']}").get_data(as_text=True),
    ]
    forbidden = [
        *PERSONAL.values(),
        "2026-11-20",
        "20 November 2026",
        "Bayi Aminah",
        "Aminah",
        "Siti",
        "Rahman",
        "Sahnan",
    ]
    for body in bodies:
        for value in forbidden:
            assert value not in body, value


def test_public_responses_are_uncached_unindexed_and_locked_down(app, submitted) -> None:
    for path in (f"/cek/{submitted['token']}", f"/api/v1/status/{submitted['token']}", "/cek"):
        headers = app.test_client().get(path).headers
        assert headers["Cache-Control"] == "no-store"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "noindex" in headers["X-Robots-Tag"]
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_resident_answers_that_are_not_found_or_refused_are_locked_down_too(app) -> None:
    client = app.test_client()
    for response in (
        client.get("/cek/" + "x" * 32),
        client.get("/api/v1/status/" + "x" * 32),
        client.post("/cek", data={"code": "LT-XXXX-XXXX", "phone": "1234"}),
    ):
        assert response.status_code == 404
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("token", ["x" * 32, "short", "a.b.c-d_e~f", "A" * 200])
def test_unknown_tokens_get_one_generic_answer(app, token) -> None:
    page = app.test_client().get(f"/cek/{token}")
    assert page.status_code == 404
    assert "Permohonan tidak ditemukan" in page.get_data(as_text=True)
    api = app.test_client().get(f"/api/v1/status/{token}")
    assert api.status_code == 404
    assert api.get_json()["detail"].startswith("Permohonan tidak ditemukan")


def test_draft_has_no_public_status(api_factory, services) -> None:
    created = api_factory("op.a").create()
    assert created["token"] is None
    assert services.records.get_request(created["id"]).token is None


def test_lookup_with_code_and_phone_digits_leads_to_the_status(app, submitted) -> None:
    response = app.test_client().post(
        "/cek", data={"code": submitted["code"].lower(), "phone": "7890"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cek/{submitted['token']}")


def test_a_request_without_a_phone_is_found_by_the_niks_last_digits(app, api_factory) -> None:
    op = api_factory("op.a")
    body = draft(applicant={"nik": PERSONAL["nik"], "name": PERSONAL["name"]})
    created = op.create(body)
    op.attach_mandatory(created["id"])
    submitted = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()
    client = app.test_client()

    found = client.post("/cek", data={"code": submitted["code"], "phone": PERSONAL["nik"][-4:]})

    assert found.status_code == 303
    assert found.headers["Location"].endswith(f"/cek/{submitted['token']}")


def test_with_a_phone_the_nik_digits_do_not_also_open_it(app, submitted) -> None:
    """One second factor per request: offering both would double a guesser's chances."""
    response = app.test_client().post(
        "/cek", data={"code": submitted["code"], "phone": PERSONAL["nik"][-4:]}
    )
    assert response.status_code == 404


def test_wrong_second_factor_reveals_nothing(app, submitted) -> None:
    client = app.test_client()
    wrong_digits = client.post("/cek", data={"code": submitted["code"], "phone": "1111"})
    unknown_code = client.post("/cek", data={"code": "LT-2222-3333", "phone": "7890"})
    assert wrong_digits.status_code == unknown_code.status_code == 404
    for response in (wrong_digits, unknown_code):
        html = response.get_data(as_text=True)
        assert "tidak cocok" in html
        assert submitted["token"] not in html and "Tanjung Luar" not in html


def test_lookup_is_throttled_even_for_the_right_answer(app, submitted) -> None:
    client = app.test_client()
    for guess in range(10):
        assert (
            client.post(
                "/cek", data={"code": submitted["code"], "phone": f"{guess:04d}"}
            ).status_code
            == 404
        )
    locked = client.post("/cek", data={"code": submitted["code"], "phone": "7890"})
    assert locked.status_code == 429
    assert "Coba lagi" in locked.get_data(as_text=True)


def test_lookup_throttle_per_code_holds_across_clients(app, submitted) -> None:
    for guess in range(10):
        client = app.test_client()
        client.post(
            "/cek",
            data={"code": submitted["code"], "phone": f"{guess:04d}"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{guess}"},
        )
    other = app.test_client().post(
        "/cek",
        data={"code": submitted["code"], "phone": "7890"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert other.status_code == 429


@pytest.mark.parametrize("layout", ["a4", "thermal"])
def test_receipt_carries_code_link_and_free_notice(api_factory, submitted, layout) -> None:
    op = api_factory("op.a")
    response = op.get(f"/api/v1/requests/{submitted['id']}/receipt?layout={layout}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert submitted["code"] in html
    assert f"/cek/{submitted['token']}" in html
    assert "<svg" in html and "Layanan ini GRATIS" in html
    assert "https://wa.me/?text=" in html
    assert PERSONAL["nik"] not in html and PERSONAL["phone"] not in html


def test_receipt_prints_with_one_button_and_names_the_lookup_address(
    api_factory, submitted
) -> None:
    response = api_factory("op.a").get(f"/api/v1/requests/{submitted['id']}/receipt")
    html = response.get_data(as_text=True)
    assert '<button type="button" id="print">Cetak</button>' in html
    # Its one script runs because the CSP names its hash, and nothing else could.
    script = re.search(r"<script>(.*?)</script>", html, re.S)
    assert script is not None and "window.print()" in script.group(1)
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in response.headers["Content-Security-Policy"]
    # Paper has no links: the lookup address is printed whole, with its host.
    assert 'Buka <span class="url">http://localhost/cek</span>' in html


def test_report_channels_are_links_a_resident_can_tap(app, submitted) -> None:
    html = app.test_client().get(f"/cek/{submitted['token']}").get_data(as_text=True)
    assert '<a href="https://www.lapor.go.id">www.lapor.go.id</a>' in html
    assert '<a href="sms:1708">SMS 1708</a>' in html
    assert "<script" not in html


def test_receipt_of_a_draft_is_refused(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create()
    op.attach(created["id"], "F201", fake_jpeg("x"))
    assert op.get(f"/api/v1/requests/{created['id']}/receipt").status_code == 409
