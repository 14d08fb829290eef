"""The API tests run on both adapter sets: local, and AWS on moto (the stack of infra/).

On the AWS set a botocore hook counts every DynamoDB operation the app makes;
a test whose request paths issued a Scan fails (DESIGN §3: Get and Query only).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response
from flask import request as flask_request

import aws_env
from bakso.api.meta.views import build_openapi
from helpers import PASSWORD, SUMBAWA_DIR, USERS, close_app, make_app, services_of

# API tests that cannot run on the AWS set, and why. Those checking what the blob
# store itself refuses (signature, expiry, size) could not fail there: moto
# accepts any presigned request (tests/integration/test_aws_stack.py checks what
# the signature binds instead).
_MOTO_ACCEPTS = "moto does not check presigned URLs"
LOCAL_ONLY = {
    "test_expired_upload_url_is_refused_and_a_new_one_works": _MOTO_ACCEPTS,
    "test_forged_upload_signature_is_refused": _MOTO_ACCEPTS,
    "test_upload_larger_than_registered_is_refused": _MOTO_ACCEPTS,
    # moto does not verify x-amz-checksum-sha256; tests/contract/test_blobs.py checks it is signed.
    "test_a_second_put_of_other_bytes_after_complete_is_refused": _MOTO_ACCEPTS,
    "test_other_bytes_before_complete_are_refused_and_the_right_ones_then_land": _MOTO_ACCEPTS,
    "test_healthz_names_the_adapter_set": "expects the local set by name",
}


# (route, method) -> every status the API suite saw it answer; checked against the
# OpenAPI document when the session ends (test_meta checks the document's rules too).
Answered = dict[tuple[str, str], set[int]]
_DOCUMENT: list[dict[str, Any]] = []  # /api/openapi.json, built from the first app


@pytest.fixture(scope="session")
def answered_statuses() -> Iterator[Answered]:
    answered: Answered = {}
    yield answered
    if not _DOCUMENT:
        return
    paths = _DOCUMENT[0]["paths"]
    undocumented = sorted(
        f"{method.upper()} {path}: {status}"
        for (path, method), statuses in answered.items()
        for status in statuses
        if str(status) not in paths.get(path, {}).get(method, {}).get("responses", {})
    )
    assert not undocumented, f"answered but not in /api/openapi.json: {undocumented}"


def record_statuses(app: Flask, answered: Answered) -> None:
    """Note what each documented API route answers (for the session's check)."""
    if not _DOCUMENT:
        with app.app_context():
            _DOCUMENT.append(build_openapi())

    @app.after_request
    def note(response: Response) -> Response:
        rule = flask_request.url_rule
        if rule is not None and rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            answered.setdefault((path, flask_request.method.lower()), set()).add(
                response.status_code
            )
        return response


@pytest.fixture(params=["local", "aws"])
def app(
    request: pytest.FixtureRequest,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    answered_statuses: Answered,
) -> Iterator[Flask]:
    with ExitStack() as stack:
        operations = None
        if request.param == "aws":
            reason = LOCAL_ONLY.get(request.node.originalname)
            if reason:
                pytest.skip(reason)
            operations = stack.enter_context(aws_env.aws_app_settings(monkeypatch))
        app = make_app(data_dir)
        record_statuses(app, answered_statuses)
        accounts = services_of(app).accounts
        for username, role, desa in USERS:
            accounts.create_user(username, role, desa, PASSWORD)
        yield app
        close_app(app)
        if operations is not None:
            assert operations["Scan"] == 0, f"a request path scanned the table: {operations}"


# An extra account of a two-kabupaten app: (username, role, desa, kabupaten, provinsi).
Account = tuple[str, str, str | None, str | None, str | None]


@contextmanager
def two_kabupaten_app(
    adapters: str,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    accounts: list[Account],
    answered: Answered | None = None,
    *,
    forbid_scans: bool = True,
) -> Iterator[Flask]:
    """Lombok Timur (the seeded USERS) beside Sumbawa on one adapter set ("local" or
    "aws"), with `accounts` made too (#16's tenant tests); on AWS, no request path Scans."""
    with ExitStack() as stack:
        operations = None
        if adapters == "aws":
            operations = stack.enter_context(aws_env.aws_app_settings(monkeypatch))
        app = make_app(data_dir, KABUPATEN_DIRS=(SUMBAWA_DIR,))
        if answered is not None:
            record_statuses(app, answered)
        made = services_of(app).accounts
        for username, role, desa in USERS:
            made.create_user(username, role, desa, PASSWORD)
        for username, role, desa, kabupaten, provinsi in accounts:
            made.create_user(username, role, desa, PASSWORD, kabupaten=kabupaten, provinsi=provinsi)
        yield app
        close_app(app)
        if operations is not None and forbid_scans:
            assert operations["Scan"] == 0, f"a request path scanned the table: {operations}"
