"""What the browser is told about each API answer: never stored, never sniffed, never framed.

An answer carrying NIK, names or phone numbers must not stay in a shared tablet's disk
cache after logout (`Cache-Control: no-store`); a JSON or problem+json body must never be
sniffed as HTML; HSTS is sent everywhere but on the local, plain-HTTP set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bakso import config
from helpers import NIK_WOMAN, close_app, make_app, submit_ready


def assert_uncached(response) -> None:
    assert response.headers["Cache-Control"] == "no-store", response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_personal_api_answers_are_never_stored(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create()
    for path in (
        f"/api/v1/requests/{created['id']}",
        "/api/v1/requests",
        "/api/v1/requests?limit=5",
        "/api/v1/auth/me",
        "/api/v1/sasaran",
        "/api/v1/catalog",
    ):
        response = op.get(path)
        assert response.status_code == 200, path
        assert_uncached(response)
        assert response.headers["Referrer-Policy"] == "strict-origin"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert NIK_WOMAN in op.get(f"/api/v1/requests/{created['id']}").get_data(as_text=True)
    assert_uncached(op.put(f"/api/v1/requests/{created['id']}", json=created | {"x": 1}))


def test_worklist_keeps_its_etag_but_is_not_stored(api_factory) -> None:
    op = api_factory("op.a")
    first = op.get("/api/v1/sasaran")
    assert_uncached(first)
    again = op.get("/api/v1/sasaran", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304  # the PWA revalidates with its own stored ETag
    assert again.headers["Cache-Control"] == "no-store"


def test_problem_answers_are_never_stored(api_factory) -> None:
    anonymous = api_factory(None)
    for response in (
        anonymous.get("/api/v1/requests"),  # 401
        api_factory("op.a").get("/api/v1/requests/00000000-0000-4000-8000-000000000000"),
        anonymous.get("/api/v1/no-such-route"),
    ):
        assert response.mimetype == "application/problem+json"
        assert_uncached(response)


def test_redirects_to_signed_urls_and_the_receipt_are_not_stored(api_factory, services) -> None:
    op = api_factory("op.a")
    submitted = submit_ready(op, services)
    scan = op.get(f"/api/v1/requests/{submitted['id']}").get_json()["scans"][0]
    redirect = op.get(f"/api/v1/requests/{submitted['id']}/scans/{scan['id']}")
    assert redirect.status_code == 302
    assert_uncached(redirect)
    receipt = op.get(f"/api/v1/requests/{submitted['id']}/receipt")
    assert_uncached(receipt)
    assert receipt.headers["Referrer-Policy"] == "no-referrer"  # its QR link carries the token
    assert "frame-ancestors 'none'" in receipt.headers["Content-Security-Policy"]


def test_local_signed_blob_urls_send_no_referrer(api_factory, services, app) -> None:
    if services.adapters != "local":
        pytest.skip("S3 serves the blobs on the AWS set")
    op = api_factory("op.a")
    submitted = submit_ready(op, services)
    scan = op.get(f"/api/v1/requests/{submitted['id']}").get_json()["scans"][0]
    location = op.get(f"/api/v1/requests/{submitted['id']}/scans/{scan['id']}").location
    download = app.test_client().get(location)
    assert download.status_code == 200
    download.close()
    assert download.headers["Cache-Control"] == "private, no-store"
    assert download.headers["Referrer-Policy"] == "no-referrer"  # the signature is in the URL
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_sent_by_the_aws_config_and_not_by_the_local_plain_http_one(
    api_factory, services
) -> None:
    response = api_factory("op.a").get("/api/v1/auth/me")
    if services.adapters == "aws":  # the fixture runs BAKSO_CONFIG=aws
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    else:
        assert "Strict-Transport-Security" not in response.headers


def test_hsts_on_every_family_when_deployed(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", HSTS_SECONDS=31_536_000)
    try:
        client = app.test_client()
        for path in ("/api/v1/auth/me", "/healthz", "/cek", "/", "/api/openapi.json"):
            response = client.get(path)
            response.close()
            assert (
                response.headers["Strict-Transport-Security"]
                == "max-age=31536000; includeSubDomains"
            ), path
    finally:
        close_app(app)


def test_the_aws_config_sends_hsts_and_the_local_one_does_not() -> None:
    deployed = config.load(
        environ={"BAKSO_CONFIG": "aws", "BAKSO_SECRET_KEY": "k" * 32, "BAKSO_AUDIT_KEY": "a" * 32}
    )
    assert deployed["HSTS_SECONDS"] == 31_536_000
    assert (
        config.load(environ={"BAKSO_CONFIG": "local", "BAKSO_SECRET_KEY": "k"})["HSTS_SECONDS"] == 0
    )
