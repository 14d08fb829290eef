"""A deployment of several kabupaten (#16): the resident's page and the receipt name the
request's kabupaten, its report channels and its clock; the form offers its catalog."""

from __future__ import annotations

import html
import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from flask import Flask
from pypdf import PdfReader

from bakso.workers.handlers import drain_until_idle
from helpers import (
    DESA_A,
    DESA_SUMBAWA,
    PANGANDARAN_DIR,
    PASSWORD,
    SUMBAWA,
    SUMBAWA_DIR,
    Api,
    close_app,
    draft,
    make_app,
    services_of,
    submit_ready,
)

DESA_PANGANDARAN = "32.18.01.2001"  # Parigi, Parigi


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    # Pangandaran (WIB) as a folder of its own that does not offer KIA (its catalog.json).
    pangandaran = tmp_path / "kabupaten" / "32.18"
    shutil.copytree(PANGANDARAN_DIR, pangandaran)
    (pangandaran / "catalog.json").write_text(
        json.dumps(
            {
                "disabled": ["KIA"],
                "services": {"AKTA_LAHIR": {"label": "Akta kelahiran (Pangandaran)"}},
            }
        ),
        encoding="utf-8",
    )
    app = make_app(tmp_path / "data", KABUPATEN_DIRS=(SUMBAWA_DIR, str(pangandaran)))
    accounts = services_of(app).accounts
    accounts.create_user("op.lt", "operator", DESA_A, PASSWORD)
    accounts.create_user("op.sb", "operator", DESA_SUMBAWA, PASSWORD)
    accounts.create_user("op.pd", "operator", DESA_PANGANDARAN, PASSWORD)
    accounts.create_user("dk.pd", "dukcapil", None, PASSWORD, kabupaten="32.18")
    yield app
    close_app(app)


def _operator(app: Flask, username: str) -> Api:
    api = Api(app.test_client())
    assert api.login(username).status_code == 200
    return api


def _page(app: Flask, submitted: dict[str, object]) -> str:
    response = app.test_client().get(f"/cek/{submitted['token']}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_a_sumbawa_requests_page_and_receipt_name_sumbawa_and_its_channels(app: Flask) -> None:
    api = _operator(app, "op.sb")
    submitted = submit_ready(api, services_of(app), draft(desa=DESA_SUMBAWA))

    page = _page(app, submitted)
    assert "Dukcapil Kabupaten Sumbawa" in page
    assert "Kabupaten Sumbawa, Sumbawa Besar" in page  # its own report channel
    assert "Lombok Timur" not in page

    receipt = api.get(f"/api/v1/requests/{submitted['id']}/receipt")
    assert receipt.status_code == 200
    text = unquote(html.unescape(receipt.get_data(as_text=True)))
    assert "sudah dikirim ke Dukcapil Sumbawa." in text  # the WhatsApp message
    assert "Kabupaten Sumbawa, Sumbawa Besar" in text
    assert "Lombok Timur" not in text


def test_a_lombok_timur_request_still_names_lombok_timur(app: Flask) -> None:
    submitted = submit_ready(_operator(app, "op.lt"), services_of(app), draft())
    page = _page(app, submitted)
    assert "Dukcapil Kabupaten Lombok Timur" in page
    assert "Sumbawa" not in page and "Pangandaran" not in page
    assert " WITA" in page


def test_a_pangandaran_requests_times_are_wib_in_the_same_process(app: Flask) -> None:
    api = _operator(app, "op.pd")
    submitted = submit_ready(api, services_of(app), draft(desa=DESA_PANGANDARAN))
    page = _page(app, submitted)
    assert " WIB" in page and "WITA" not in page
    receipt = api.get(f"/api/v1/requests/{submitted['id']}/receipt").get_data(as_text=True)
    assert " WIB" in receipt and "WITA" not in receipt
    # The next page, of a Lombok Timur request, is back in WITA.
    lotim = submit_ready(_operator(app, "op.lt"), services_of(app), draft())
    assert " WITA" in _page(app, lotim)


def test_the_lookup_form_lists_every_kabupaten_served(app: Flask) -> None:
    page = html.unescape(app.test_client().get("/cek").get_data(as_text=True))
    assert "Dukcapil Kabupaten Lombok Timur, Kabupaten Sumbawa dan Kabupaten Pangandaran" in page
    assert "Kabupaten Sumbawa, Sumbawa Besar" in page and page.count("LAPOR! (SP4N)") == 1


def test_a_kabupatens_catalog_json_takes_a_service_off_its_form_only(app: Flask) -> None:
    pangandaran = _operator(app, "op.pd")
    offered = {s["code"]: s for s in pangandaran.get("/api/v1/catalog").get_json()["services"]}
    assert "KIA" not in offered
    assert offered["AKTA_LAHIR"]["label"] == "Akta kelahiran (Pangandaran)"
    officer = _operator(app, "dk.pd")
    assert "KIA" not in {s["code"] for s in officer.get("/api/v1/catalog").get_json()["services"]}

    refused = pangandaran.put(
        "/api/v1/requests/5d1f3c8e-1111-4a2b-9c3d-000000000001",
        json=draft(desa=DESA_PANGANDARAN, service="KIA"),
    )
    assert refused.status_code == 422
    assert "KIA" in refused.get_json()["detail"]

    lotim = _operator(app, "op.lt")
    codes = {s["code"]: s for s in lotim.get("/api/v1/catalog").get_json()["services"]}
    assert "KIA" in codes and codes["AKTA_LAHIR"]["label"] == "Akta kelahiran"
    made = lotim.put(
        "/api/v1/requests/5d1f3c8e-1111-4a2b-9c3d-000000000002", json=draft(service="KIA")
    )
    assert made.status_code == 201, made.get_json()


def test_the_regions_api_answers_the_callers_kabupaten(app: Flask) -> None:
    answer = _operator(app, "op.sb").get("/api/v1/regions").get_json()
    assert answer["kabupaten"]["code"] == SUMBAWA
    assert answer["desa"] and all(d["code"].startswith("52.04.") for d in answer["desa"])
    lotim = _operator(app, "op.lt").get("/api/v1/regions").get_json()
    assert lotim["kabupaten"]["code"] == "52.03"
    assert all(d["code"].startswith("52.03.") for d in lotim["desa"])


def test_a_pangandaran_batch_is_written_in_wib_by_the_worker(app: Flask) -> None:
    """The batch's manifest and berkas.pdf are made by queued messages: each one in the
    clock of the kabupaten whose batch or request it handles."""
    svc = services_of(app)
    submit_ready(_operator(app, "op.pd"), svc, draft(desa=DESA_PANGANDARAN))
    officer = _operator(app, "dk.pd")
    made = officer.post("/api/v1/batches", json={})
    assert made.status_code == 202, made.get_json()
    drain_until_idle(svc)
    link = officer.get(f"/api/v1/batches/{made.get_json()['id']}/download?volume=1")
    assert link.status_code == 302
    path = link.headers["Location"].split("://", 1)[-1].split("/", 1)[1]
    with officer.client.get("/" + path) as zipped:
        archive = zipfile.ZipFile(io.BytesIO(zipped.get_data()))
    header = archive.read("manifest.csv").decode("utf-8-sig").splitlines()[0]
    assert "Diajukan (WIB)" in header
    berkas = next(n for n in archive.namelist() if n.endswith("berkas.pdf"))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(berkas))).pages)
    assert " WIB" in text and "WITA" not in text


def test_the_page_before_the_pwa_is_built_names_every_kabupaten(tmp_path: Path) -> None:
    app = make_app(
        tmp_path / "data", KABUPATEN_DIRS=(SUMBAWA_DIR,), PWA_DIST=str(tmp_path / "no-build")
    )
    try:
        response = app.test_client().get("/")
        assert response.status_code == 503
        assert "setiap desa Lombok Timur dan Sumbawa." in response.get_data(as_text=True)
    finally:
        close_app(app)
