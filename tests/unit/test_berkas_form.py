"""berkas.pdf's form pages: each requirement a section fills follows that section's data.

Built on a definition made here (not forms.json) so the filled requirement is not the
first of the catalog: the photos must move to the data, not merely happen to be first.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bakso.domain.forms import FieldDef, FormDefinition, SectionDef
from bakso.domain.lifecycle import Status
from bakso.domain.model import Request, Scan
from bakso.services import form_view
from bakso.services.berkas import build_berkas
from helpers import DESA_A, fake_jpeg

VECTORS = Path(__file__).resolve().parents[2] / "backend" / "bakso" / "data" / "form_vectors.json"
VALID: dict[str, dict[str, Any]] = json.loads(VECTORS.read_text())["valid"]

AT = "2026-11-27T08:00:00.000+00:00"
NAME = FieldDef("name", "Nama lengkap", "text", True)
NIK = FieldDef("nik", "NIK", "nik", True)
NOTE = FieldDef("note", "Keterangan", "text", False)


def _request(fields: dict[str, Any]) -> Request:
    return Request(
        id="r1",
        code="LT-TEST-0001",
        service="AKTA_LAHIR",
        desa=DESA_A,
        applicant={"nik": "5203015708900001", "name": "Siti Aminah"},
        subject=None,
        notes="",
        status=Status.DIAJUKAN,
        version=1,
        created_by="op.a",
        created_at=AT,
        updated_at=AT,
        status_since=AT,
        fields=fields,
    )


def _pages(services: Any, form: FormDefinition, fields: dict[str, Any]) -> list[str]:
    scans = []
    for n, requirement in enumerate(("F201", "SURAT_KET_LAHIR", "KTP_ORTU")):
        key = f"scans/r1/{n}"
        services.blobs.put(key, io.BytesIO(fake_jpeg(requirement)), "image/jpeg")
        scans.append(Scan(f"s{n}", "r1", requirement, "0" * 64, 1, "image/jpeg", key, "ok", AT))
    service = services.catalog.get("AKTA_LAHIR")
    out = io.BytesIO()
    count = build_berkas(
        _request(fields), service, services.regions, scans, services.blobs, out, form
    )
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == count
    return [page.extract_text() for page in reader.pages]


def test_photos_of_a_filled_requirement_follow_its_section_and_the_rest_keep_catalog_order(
    services,
) -> None:
    form = FormDefinition(
        "AKTA_LAHIR",
        "Uji",
        (
            SectionDef("parents", "Data orang tua", (NAME, NIK), fills="KTP_ORTU"),
            SectionDef("extra", "Keterangan lain", (NOTE,)),
        ),
        (),
    )
    pages = _pages(
        services,
        form,
        {"parents": {"name": "Baiq Nurul", "nik": "5203010101850002"}, "extra": {"note": "X"}},
    )

    firsts = [text.split("\n", 1)[0] for text in pages]
    assert firsts == [
        "BERKAS PERMOHONAN LT-TEST-0001",  # cover and the parents' data
        "LT-TEST-0001 - KTP-el orang tua (halaman 1)",  # beside the data it came from
        "LT-TEST-0001 - Uji (lanjutan)",  # the next section on a page of its own
        "LT-TEST-0001 - Formulir F-2.01 (halaman 1)",  # the others in catalog order
        "LT-TEST-0001 - Surat keterangan lahir (halaman 1)",
    ]
    assert "Data orang tua" in pages[0] and "Baiq Nurul" in pages[0]
    assert "Keterangan lain" in pages[2] and "Keterangan X" in pages[2]


def test_a_long_group_wraps_over_pages_and_text_outside_latin1_does_not_stop_it(
    services,
) -> None:
    members = SectionDef("members", "Anggota keluarga", (NAME, NIK, NOTE), repeat=(1, 20))
    form = FormDefinition("AKTA_LAHIR", "Uji", (members,), ())
    long_note = "sangat panjang " * 40
    items = [
        {"name": f"Anggota Ke{n} “Ŝ” 😀", "nik": f"52030101018500{n:02d}", "note": long_note}
        for n in range(1, 21)
    ]
    pages = _pages(services, form, {"members": items})

    data = "\n".join(pages[:-3])
    assert len(pages) - 3 >= 4  # twenty members with a long note do not fit one page
    for n in range(1, 21):
        assert f"Anggota keluarga {n}\n" in data
        assert f"52030101018500{n:02d}" in data
        assert f"Anggota Ke{n} " in data  # typographic quotes become plain ones, emoji "?"
    # The long note is wrapped in full, not cut at the page's edge.
    assert data.count("sangat") == 20 * 40


def _values(fields: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for section in fields.values():
        for item in section if isinstance(section, list) else [section]:
            out += [v for v in item.values() if v not in (None, "")]
    return out


@pytest.mark.parametrize("service", sorted(VALID))
def test_every_service_s_valid_form_prints_every_value_under_its_section(
    services, service: str
) -> None:
    """Each definition in forms.json, filled with its shared vector, prints in full."""
    form = services.forms.get(service)
    assert form is not None
    catalog = services.catalog.get(service)
    out = io.BytesIO()
    request = replace(_request(VALID[service]), service=service)
    build_berkas(request, catalog, services.regions, [], services.blobs, out, form)
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(out.getvalue())).pages
    )
    for section in form.sections:
        assert section.label in text, section.label
    for shown in (
        s for section in form_view.show(form, VALID[service]) for i in section.items for s in i
    ):
        if shown.value not in (None, ""):
            assert " ".join(form_view.text(shown).split()) in text, (shown.key, shown.value)
    assert _values(VALID[service])  # the vector is not empty
