"""The API tests run on both adapter sets: local, and AWS on moto (the stack of infra/).

On the AWS set a botocore hook counts every DynamoDB operation the app makes;
a test whose request paths issued a Scan fails (DESIGN §3: Get and Query only).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from flask import Flask

import aws_env
from helpers import PASSWORD, USERS, close_app, make_app, services_of

# API tests that cannot run on the AWS set, and why. Those checking what the blob
# store itself refuses (signature, expiry, size) could not fail there: moto
# accepts any presigned request (tests/integration/test_aws_stack.py checks what
# the signature binds instead).
_MOTO_ACCEPTS = "moto does not check presigned URLs"
LOCAL_ONLY = {
    "test_expired_upload_url_is_refused_and_a_new_one_works": _MOTO_ACCEPTS,
    "test_forged_upload_signature_is_refused": _MOTO_ACCEPTS,
    "test_upload_larger_than_registered_is_refused": _MOTO_ACCEPTS,
    "test_healthz_names_the_adapter_set": "expects the local set by name",
}


@pytest.fixture(params=["local", "aws"])
def app(
    request: pytest.FixtureRequest, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    with ExitStack() as stack:
        operations = None
        if request.param == "aws":
            reason = LOCAL_ONLY.get(request.node.originalname)
            if reason:
                pytest.skip(reason)
            operations = stack.enter_context(aws_env.aws_app_settings(monkeypatch))
        app = make_app(data_dir)
        accounts = services_of(app).accounts
        for username, role, desa in USERS:
            accounts.create_user(username, role, desa, PASSWORD)
        yield app
        close_app(app)
        if operations is not None:
            assert operations["Scan"] == 0, f"a request path scanned the table: {operations}"
