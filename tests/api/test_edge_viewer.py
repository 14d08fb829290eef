"""Behind the CloudFront distribution, each phone keeps its own login budget.

API Gateway's source address is then a CloudFront edge, the same for every phone
that edge serves (docs/deploy-aws.md, "Client addresses behind CloudFront"). The
app counts the viewer CloudFront names, but only on requests that carry the origin
secret the distribution sends: without it one phone's failures would lock out
everyone behind its edge, and with a forged viewer header anyone could be anyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from helpers import close_app, make_app

SECRET = "kunci-asal-cloudfront-0123456789abcdef"
EDGE_IP = "130.176.1.10"
MAX_FAILURES = 3


@pytest.fixture
def edge_app(data_dir: Path) -> Iterator[Flask]:
    app = make_app(data_dir, EDGE_ORIGIN_SECRET=SECRET, LOGIN_CLIENT_MAX_FAILURES=MAX_FAILURES)
    yield app
    close_app(app)


def _login(app: Flask, viewer: str, attempt: int, headers: dict[str, str]) -> int:
    """A wrong password (for a new username each time) from `viewer`, via the edge."""
    event: dict[str, Any] = {"requestContext": {"identity": {"sourceIp": EDGE_IP}}}
    response = app.test_client().post(
        "/api/v1/auth/login",
        json={"username": f"tebak.{viewer}.{attempt}", "password": "tebakan-yang-salah"},
        headers={"CloudFront-Viewer-Address": f"{viewer}:50123", **headers},
        environ_base={"REMOTE_ADDR": viewer, "lambda.event": event},
    )
    return response.status_code


def _lock_out_then_try_another(app: Flask, headers: dict[str, str]) -> tuple[list[int], int]:
    first = [_login(app, "36.68.12.34", i, headers) for i in range(MAX_FAILURES + 1)]
    return first, _login(app, "2001:db8::1", 0, headers)


def test_two_phones_behind_one_edge_are_throttled_apart(edge_app: Flask) -> None:
    first, other = _lock_out_then_try_another(edge_app, {"X-Bakso-Edge": SECRET})

    assert first == [401] * MAX_FAILURES + [429]
    assert other == 401  # its own count: still allowed to try


def test_without_the_secret_the_edge_address_is_counted(edge_app: Flask) -> None:
    # A forged CloudFront-Viewer-Address (no secret, or a wrong one) changes nothing.
    first, other = _lock_out_then_try_another(edge_app, {"X-Bakso-Edge": "tebakan"})

    assert first == [401] * MAX_FAILURES + [429]
    assert other == 429


def test_an_app_trusting_no_edge_counts_the_edge_address(data_dir: Path) -> None:
    app = make_app(data_dir, LOGIN_CLIENT_MAX_FAILURES=MAX_FAILURES)
    try:
        _, other = _lock_out_then_try_another(app, {"X-Bakso-Edge": SECRET})
    finally:
        close_app(app)

    assert other == 429
