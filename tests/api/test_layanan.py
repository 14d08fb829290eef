"""/layanan (#19, docs/service-times.md) on both adapter sets: the public table of service
times shows no name, NIK or request code, hides a desa below the minimum, runs no script
and may be cached; the resident's pages link to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask

from bakso.domain.localtime import zone_named
from helpers import DESA_A, DESA_B, KK, NIK_WOMAN, Api, draft, services_of, submit_ready

NAME = "Baiq Nurhasanah Zulaikha"


def _served_request(app: Flask, api_factory: Callable[[str | None], Api]) -> dict[str, str]:
    """One request taken, submitted and made SELESAI through the API, as the desa and
    Dukcapil do: its name, NIK and code must never reach the page."""
    op, dk = api_factory("op.a"), api_factory("dukcapil")
    body = draft()
    body["applicant"] = {**body["applicant"], "name": NAME}
    submitted = submit_ready(op, services_of(app), body)
    version = submitted["version"]
    for to in ("DITERIMA", "DIPROSES", "SELESAI"):
        moved = dk.post(
            f"/api/v1/requests/{submitted['id']}/transition",
            json={"to": to, "note": "", "version": version},
        )
        assert moved.status_code == 200, moved.get_json()
        version = moved.get_json()["version"]
    return {"code": submitted["code"], "token": submitted["token"], "nik": NIK_WOMAN}


def test_the_public_table_shows_times_never_a_person_and_hides_small_desa(
    app: Flask, api_factory: Callable[[str | None], Api]
) -> None:
    seeded = _served_request(app, api_factory)
    # Nine more served in desa A today (10 with the real one: the minimum); desa B none.
    records = services_of(app).records
    today = datetime.now(UTC).astimezone(zone_named("Asia/Makassar")).date()
    for n in range(9):
        day = (today - timedelta(days=n)).isoformat()
        assert records.count_service_time(f"seed-{n}", "SELESAI", "52.03", DESA_A, day, n)

    anonymous = api_factory(None)
    page = anonymous.get("/layanan")  # one kabupaten served: its table at once

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tanjung Luar" in html and "Keruak" in html
    # Served 10: 0 (the real one, today),0..8 -> sorted 0,0,1,...,8: median rank 5 -> 3,
    # p90 rank 9 -> 7.
    assert '<td data-l="Dilayani">10</td>' in html
    assert "3 / 7 hari" in html
    assert "belum cukup data" in html  # desa B and the others
    assert "kurang dari 10" in html
    # A desa that served none says 0 (it points at nobody); the desa sit under their kecamatan.
    assert '<td data-l="Dilayani">0</td>' in html
    assert 'scope="rowgroup">Kecamatan Keruak</th>' in html and 'href="#kec-' in html
    for secret in (NAME, "Aminah", seeded["nik"], KK, seeded["code"], seeded["token"]):
        assert secret not in html
    # No script and none allowed; cacheable, as it holds nothing personal.
    assert "<script" not in html.lower()
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert page.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in page.headers

    same = anonymous.get("/layanan/52.03")
    assert same.status_code == 200 and '<td data-l="Dilayani">10</td>' in same.get_data(True)
    missing = anonymous.get("/layanan/99.99")
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"

    # Three served in desa B, hidden: "13" minus the shown desa A's 10 would tell it.
    for n in range(3):
        assert records.count_service_time(
            f"b-{n}", "SELESAI", "52.03", DESA_B, today.isoformat(), 1
        )
    services_of(app).service_times._cache.clear()  # not five minutes later
    hidden = anonymous.get("/layanan").get_data(as_text=True)
    assert '<td data-l="Dilayani">lebih dari 10</td>' in hidden and ">13<" not in hidden

    status = anonymous.get(f"/cek/{seeded['token']}").get_data(as_text=True)
    assert 'href="/layanan"' in status
    assert 'href="/layanan"' in anonymous.get("/cek").get_data(as_text=True)


def test_the_quarter_is_named_by_its_months() -> None:
    from bakso.public.layanan import quarter_words

    assert quarter_words("2026-Q3") == "Juli–September 2026"
    assert quarter_words("2027-Q1") == "Januari–Maret 2027"
