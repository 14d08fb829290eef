"""An upload URL only takes the bytes registered with it (#13 item 3).

The URL outlives `complete` (15 minutes), so without binding it to the
registered SHA-256 a second PUT of other bytes of the same size would replace
a scan the server had already checked — and a batch built later would carry
the altered file.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from helpers import fake_jpeg, sha


def _same_size_other_bytes(data: bytes) -> bytes:
    # Still a JPEG of exactly the registered size: only the content differs.
    return data[:-3] + bytes(b ^ 0xFF for b in data[-3:-1]) + data[-1:]


def _stored_bytes(op, request_id: str, scan_id: str) -> bytes:
    redirect = op.get(f"/api/v1/requests/{request_id}/scans/{scan_id}")
    assert redirect.status_code == 302
    location = urlsplit(redirect.headers["Location"])
    download = op.get(location.path)
    try:
        assert download.status_code == 200
        return bytes(download.data)
    finally:
        download.close()  # send_file's open file


def test_a_second_put_of_other_bytes_after_complete_is_refused(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create()
    data = fake_jpeg("akta asli")
    registered = op.register(created["id"], "F201", data).get_json()
    upload, scan_id = registered["upload"], registered["scan_id"]
    assert op.upload(upload, data).status_code == 200
    done = op.post(f"/api/v1/requests/{created['id']}/scans/{scan_id}/complete")
    assert done.status_code == 200 and done.get_json()["scan"]["state"] == "ok"

    other = _same_size_other_bytes(data)
    assert len(other) == len(data) and sha(other) != sha(data)
    again = op.upload(upload, other)  # the same, still valid URL

    assert again.status_code == 409
    assert again.content_type == "application/problem+json"
    assert "SHA-256" in again.get_json()["detail"]
    assert _stored_bytes(op, created["id"], scan_id) == data
    # The same bytes again are harmless (a retry of a lost answer).
    assert op.upload(upload, data).status_code == 200


def test_other_bytes_before_complete_are_refused_and_the_right_ones_then_land(
    api_factory,
) -> None:
    op = api_factory("op.a")
    created = op.create()
    data = fake_jpeg("kk asli")
    registered = op.register(created["id"], "KK_ORTU", data).get_json()
    upload, scan_id = registered["upload"], registered["scan_id"]

    refused = op.upload(upload, _same_size_other_bytes(data))

    assert refused.status_code == 409
    assert "tidak disimpan" in refused.get_json()["detail"]
    complete = op.post(f"/api/v1/requests/{created['id']}/scans/{scan_id}/complete")
    assert complete.status_code == 422  # nothing was stored
    assert op.upload(upload, data).status_code == 200
    complete = op.post(f"/api/v1/requests/{created['id']}/scans/{scan_id}/complete")
    assert complete.status_code == 200
    assert _stored_bytes(op, created["id"], scan_id) == data
