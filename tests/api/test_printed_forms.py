"""#17 part 4: the prefilled F-form of a request, printed at the loket to be signed.

`GET /api/v1/requests/<uuid>/formulir/<requirement>.pdf` on both adapter sets: the PDF
holds what was typed (pypdf's text extraction), its QR decodes to the request's code
(the QR is an embedded image: taken out with pypdf, read with zxing-cpp), it is A4, and
it is shown only to whoever may see the request.
"""

from __future__ import annotations

import copy
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from flask import Flask
from pypdf import PdfReader

from api.conftest import Answered, two_kabupaten_app
from bakso.domain.retention import erased
from helpers import DESA_B, SUMBAWA, Api, draft

VECTORS = Path(__file__).parents[2] / "backend" / "bakso" / "data" / "form_vectors.json"
A4_POINTS = (595.28, 841.89)


@pytest.fixture(params=["local", "aws"])
def app(
    request: pytest.FixtureRequest,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    answered_statuses: Answered,
) -> Iterator[Flask]:
    accounts = [("dukcapil.sb", "dukcapil", None, SUMBAWA, None)]
    with two_kabupaten_app(
        request.param, data_dir, monkeypatch, accounts, answered_statuses
    ) as app:
        yield app


def valid(service: str) -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))["valid"][service]
    return copy.deepcopy(fields)


def printed(api: Api, request_id: str, requirement: str) -> Any:
    return api.get(f"/api/v1/requests/{request_id}/formulir/{requirement}.pdf")


def pdf_of(response: Any) -> PdfReader:
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def qr_codes(reader: PdfReader, page: int) -> list[str]:
    """What the QR images of one page decode to."""
    found = []
    for image in reader.pages[page].images:
        found += [r.text for r in zxingcpp.read_barcodes(image.image)]
    return found


def test_the_f201_of_an_akta_lahir_holds_the_typed_values_and_a_qr_of_its_code(
    api_factory,
) -> None:
    op = api_factory("op.a")
    fields = valid("AKTA_LAHIR")
    created = op.create(draft(fields=fields))

    response = printed(op, created["id"], "F201")
    reader = pdf_of(response)
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'inline; filename="{created["code"]}-F201.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    text = text_of(reader)
    for typed in (
        fields["subject"]["name"],
        fields["mother"]["nik"],
        fields["mother"]["name"],
        fields["witnesses"][0]["name"],
        fields["witnesses"][1]["name"],
        fields["reporter"]["name"],
        created["code"],
    ):
        assert typed in text, typed
    assert "F-2.01" in text
    assert "FORMULIR PELAPORAN PENCATATAN SIPIL" in text
    assert "Bidan/perawat" in text and "BIDAN_PERAWAT" not in text  # a choice by its label
    assert "02-10-2026" in text  # the birth date day-first, as the paper form writes it
    assert "Tanjung Luar" in text and "Keruak" in text  # the request's desa and kecamatan
    assert "Saksi I" in text and "Saksi II" in text and "Kepala Desa/Lurah" in text
    assert "foto halaman ini pada persyaratan Formulir F-2.01" in text
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=0.5)
    assert qr_codes(reader, 0) == [created["code"]]


def test_the_f101_of_a_kk_baru_lists_every_member_and_repeats_the_code_on_each_page(
    api_factory,
) -> None:
    op = api_factory("op.a")
    fields = valid("KK_BARU")
    three = op.create(draft(service="KK_BARU", subject=None, fields=fields))
    text = text_of(pdf_of(printed(op, three["id"], "F101")))
    assert "FORMULIR BIODATA KELUARGA" in text
    for member in fields["members"]:
        assert member["name"] in text and member["nik"] in text, member["name"]

    # The most members the definition allows: the tables spill onto further pages.
    child = fields["members"][-1]
    for n in range(20 - len(fields["members"])):
        nik = child["nik"][:12] + f"{n + 10:04d}"
        fields["members"].append({**child, "name": f"Anak Ke {n + 4}", "nik": nik})
    many = op.create(draft(service="KK_BARU", subject=None, fields=fields))
    reader = pdf_of(printed(op, many["id"], "F101"))
    text = text_of(reader)
    for member in fields["members"]:
        assert member["name"] in text and member["nik"] in text, member["name"]
    assert len(reader.pages) >= 2
    for number, page in enumerate(reader.pages):
        assert many["code"] in page.extract_text(), number
        assert qr_codes(reader, number) == [many["code"]], number


def test_only_who_may_see_the_request_gets_its_form(api_factory) -> None:
    op_b = api_factory("op.b")
    theirs = op_b.create(draft(desa=DESA_B, fields=valid("AKTA_LAHIR")))
    for intruder in ("op.a", "dukcapil.sb"):  # another desa; another kabupaten's officer
        response = printed(api_factory(intruder), theirs["id"], "F201")
        assert response.status_code == 404, intruder
        assert response.get_json()["detail"] == "Permohonan tidak ditemukan."
        assert response.mimetype == "application/problem+json"
    assert printed(api_factory(None), theirs["id"], "F201").status_code == 401
    for officer in ("op.b", "dukcapil", "admin"):
        assert printed(api_factory(officer), theirs["id"], "F201").status_code == 200, officer
    assert printed(op_b, str(uuid.uuid4()), "F201").status_code == 404


def test_a_requirement_no_section_fills_is_404(api_factory) -> None:
    op = api_factory("op.a")
    akta = op.create(draft(fields=valid("AKTA_LAHIR")))
    assert printed(op, akta["id"], "F201").status_code == 200
    # F101 is another service's form; KK_ORTU a requirement of this one that is a photo.
    for requirement in ("F101", "KK_ORTU", "f201"):
        response = printed(op, akta["id"], requirement)
        assert response.status_code == 404, requirement
        assert response.get_json()["detail"] == (
            f"Formulir {requirement} tidak tersedia untuk layanan ini."
        )
    no_form = op.create(draft(service="KTP_HILANG", subject=None, fields={}))
    response = printed(op, no_form["id"], "F201")
    assert response.status_code == 404
    assert response.get_json()["detail"] == "Formulir F201 tidak tersedia untuk layanan ini."


def test_a_request_without_its_fields_yet_is_told_to_fill_them_first(api_factory) -> None:
    op = api_factory("op.a")
    empty = op.create(draft(fields={}))
    response = printed(op, empty["id"], "F201")
    assert response.status_code == 409
    assert response.get_json()["detail"].startswith("Isi formulir terlebih dahulu")
    filled = op.put(
        f"/api/v1/requests/{empty['id']}",
        json=draft(fields=valid("AKTA_LAHIR"), version=empty["version"]),
    )
    assert filled.status_code == 200, filled.get_json()
    assert printed(op, empty["id"], "F201").status_code == 200


def test_the_route_is_documented_as_a_pdf(app: Flask) -> None:
    doc = app.test_client().get("/api/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/requests/{request_id}/formulir/{requirement}.pdf"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/pdf"}
    assert {"401", "403", "404", "409"} <= set(operation["responses"])


def test_once_retention_erased_the_request_its_form_is_gone(api_factory, services) -> None:
    op = api_factory("op.a")
    created = op.create(draft(fields=valid("AKTA_LAHIR")))
    stored = services.records.get_request(created["id"])
    purged = replace(erased(stored, "2027-12-01T00:00:00.000+00:00"), version=stored.version + 1)
    services.records.save_request(purged, stored.version, None)
    response = printed(op, created["id"], "F201")
    assert response.status_code == 404
    assert "dihapus" in response.get_json()["detail"]
