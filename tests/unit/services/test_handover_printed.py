"""The handover of #18 on the fakes: "dicetak di desa" for a printed TTE PDF, the UPT route
for a card (KTP-el, KIA) collected at Dukcapil/UPT kecamatan."""

from __future__ import annotations

import uuid

import pytest

from bakso.domain.errors import InvalidInput
from bakso.domain.lifecycle import Status
from bakso.domain.model import Draft
from bakso.workers.handlers import drain_until_idle
from fakes import FakeSet
from helpers import DESA_A, KK, NIK_WOMAN, draft
from unit.services.support import DUKCAPIL, OPERATOR, upload_scan
from unit.services.test_retention_service import later, move, retention

HANDOVER = {"received_by": "Siti Aminah", "relation": "PEMOHON", "via": "LOKET"}
# One printable service and one card, each with its mandatory documents.
PRINTABLE = ("PINDAH_DATANG", ("SKPWNI",))
CARD = ("KIA", ("AKTA_LAHIR", "KK", "KTP_ORTU"))


def _selesai(fakes: FakeSet, kind: tuple[str, tuple[str, ...]], *, pdf: bool) -> str:
    service, documents = kind
    body = draft(service=service)
    applicant = {"nik": NIK_WOMAN, "name": "Siti Aminah", "kk": KK, "phone": "081234567890"}
    requests = fakes.services.requests
    request_id = str(uuid.uuid4())
    requests.upsert_draft(
        OPERATOR,
        request_id,
        Draft(
            service=service,
            desa=DESA_A,
            applicant=applicant,
            subject=body["subject"],
            fields=body["fields"],
        ),
    )
    for requirement in documents:
        upload_scan(fakes, OPERATOR, request_id, requirement)
    requests.submit(OPERATOR, request_id)
    drain_until_idle(fakes.services)
    move(fakes, DUKCAPIL, request_id, Status.DITERIMA)
    move(fakes, DUKCAPIL, request_id, Status.DIPROSES)
    if pdf:
        current = requests.get(DUKCAPIL, request_id)
        requests.attach_issued_bytes(DUKCAPIL, current, b"%PDF-1.4 surat pindah")
    move(fakes, DUKCAPIL, request_id, Status.SELESAI)
    return request_id


def _refused(fakes: FakeSet, request_id: str, handover: dict[str, object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        move(fakes, OPERATOR, request_id, Status.DISERAHKAN, handover=handover)
    request = fakes.records.get_request(request_id)
    assert request is not None and request.status is Status.SELESAI and request.handover is None
    return refused.value


def test_a_printed_pdf_is_recorded_as_printed_at_the_desa(fakes: FakeSet) -> None:
    request_id = _selesai(fakes, PRINTABLE, pdf=True)

    done = move(
        fakes, OPERATOR, request_id, Status.DISERAHKAN, handover={**HANDOVER, "printed": True}
    )

    assert done.handover is not None and done.handover["printed"] is True
    note = fakes.records.timeline(request_id)[-1].note
    assert note.startswith("Dicetak di desa. Diterima oleh Siti Aminah (pemohon)")
    # How the document was collected outlives the erasure of who received it.
    retention(fakes, later(91)).purge()
    erased = fakes.records.get_request(request_id)
    assert erased is not None and erased.handover == {
        "relation": "PEMOHON",
        "via": "LOKET",
        "printed": True,
    }


def test_printed_is_refused_without_the_issued_pdf(fakes: FakeSet) -> None:
    request_id = _selesai(fakes, PRINTABLE, pdf=False)

    refused = _refused(fakes, request_id, {**HANDOVER, "printed": True})

    assert "handover.printed" in refused.detail and "belum dilampirkan" in refused.detail
    assert refused.extra["errors"][0]["field"] == "handover.printed"


def test_a_card_cannot_be_printed_but_is_collected_at_the_upt(fakes: FakeSet) -> None:
    request_id = _selesai(fakes, CARD, pdf=True)

    refused = _refused(fakes, request_id, {**HANDOVER, "printed": True})
    assert "handover.printed" in refused.detail and "kartu" in refused.detail

    done = move(fakes, OPERATOR, request_id, Status.DISERAHKAN, handover={**HANDOVER, "via": "UPT"})
    assert done.handover is not None
    assert done.handover["via"] == "UPT" and done.handover["printed"] is False
    note = fakes.records.timeline(request_id)[-1].note
    assert note == "Diterima oleh Siti Aminah (pemohon) di Dukcapil/UPT kecamatan."


def test_the_upt_route_is_refused_for_a_printable_document(fakes: FakeSet) -> None:
    request_id = _selesai(fakes, PRINTABLE, pdf=True)

    refused = _refused(fakes, request_id, {**HANDOVER, "via": "UPT"})

    assert "handover.via" in refused.detail and "hanya untuk kartu" in refused.detail
