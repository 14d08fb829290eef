"""The handover over HTTP: the receipt's photo through the upload protocol, an earlier day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import requests

from bakso.domain.localtime import zone
from helpers import attach_issued, fake_jpeg, sha, submit_ready

HANDOVER = {"received_by": "Siti Aminah", "relation": "PEMOHON", "via": "LOKET"}


def _selesai(api_factory, services) -> tuple[object, dict]:
    op = api_factory("op.a")
    request = submit_ready(op, services)
    dk = api_factory("dukcapil")
    version = request["version"]
    for to in ("DITERIMA", "DIPROSES", "SELESAI"):
        moved = dk.post(
            f"/api/v1/requests/{request['id']}/transition", json={"to": to, "version": version}
        )
        assert moved.status_code == 200, moved.get_json()
        version = moved.get_json()["version"]
    return op, {**request, "version": version}


def test_the_receipt_photo_is_uploaded_recorded_and_opened_inline(api_factory, services) -> None:
    op, request = _selesai(api_factory, services)
    photo = fake_jpeg("tanda terima", size=32)
    base = f"/api/v1/requests/{request['id']}"
    registered = op.post(
        f"{base}/handover-photo",
        json={"sha256": sha(photo), "size": len(photo), "content_type": "image/jpeg"},
    )
    assert registered.status_code == 201, registered.get_json()
    assert op.upload(registered.get_json()["upload"], photo).status_code == 200
    today = datetime.now(UTC).astimezone(zone()).date().isoformat()

    handed = op.post(
        f"{base}/transition",
        json={
            "to": "DISERAHKAN",
            "version": request["version"],
            "handover": {**HANDOVER, "date": today, "photo_sha256": sha(photo)},
        },
    )

    assert handed.status_code == 200, handed.get_json()
    body = handed.get_json()
    assert body["handover"]["date"] == today
    assert body["timeline"][-1]["note"].endswith("Foto tanda terima dilampirkan.")
    link = op.get(f"{base}/handover-photo")
    assert link.status_code == 302
    location = link.headers["Location"]
    if urlsplit(location).hostname in {"localhost", "127.0.0.1"}:
        with op.client.get(urlsplit(location).path) as response:
            assert response.get_data() == photo
            assert response.headers["Content-Disposition"].startswith("inline")
    else:  # S3 (moto): the signed URL asks S3 to answer inline
        response = requests.get(location, timeout=10)
        assert response.content == photo
        query = parse_qs(urlsplit(location).query)
        assert query["response-content-disposition"][0].startswith("inline")
    assert api_factory("op.b").get(f"{base}/handover-photo").status_code == 404


def test_a_handover_dated_tomorrow_is_refused_in_indonesian(api_factory, services) -> None:
    op, request = _selesai(api_factory, services)
    tomorrow = (datetime.now(UTC).astimezone(zone()) + timedelta(days=1)).date().isoformat()

    refused = op.post(
        f"/api/v1/requests/{request['id']}/transition",
        json={
            "to": "DISERAHKAN",
            "version": request["version"],
            "handover": {**HANDOVER, "date": tomorrow},
        },
    )

    assert refused.status_code == 422, refused.get_json()
    assert "masa depan" in refused.get_json()["detail"]
    assert op.get(f"/api/v1/requests/{request['id']}").get_json()["status"] == "SELESAI"


def test_a_handover_printed_at_the_desa_over_http(api_factory, services) -> None:
    op, request = _selesai(api_factory, services)
    base = f"/api/v1/requests/{request['id']}"
    dk = api_factory("dukcapil")
    attach_issued(dk, request["id"], b"%PDF-1.4 akta kelahiran")
    printed = {**HANDOVER, "printed": True}

    upt = op.post(
        f"{base}/transition",
        json={
            "to": "DISERAHKAN",
            "version": request["version"],
            "handover": {**printed, "via": "UPT"},
        },
    )
    assert upt.status_code == 422, upt.get_json()
    assert upt.get_json()["errors"][0]["field"] == "handover.via"  # an akta is no card

    handed = op.post(
        f"{base}/transition",
        json={"to": "DISERAHKAN", "version": request["version"], "handover": printed},
    )

    assert handed.status_code == 200, handed.get_json()
    body = handed.get_json()
    assert body["handover"]["printed"] is True
    assert body["timeline"][-1]["note"].startswith("Dicetak di desa. Diterima oleh Siti Aminah")
    shown = dk.get(base).get_json()  # Dukcapil's detail reads the same record and timeline
    assert shown["handover"]["printed"] is True
    assert shown["timeline"][-1]["note"].startswith("Dicetak di desa.")
