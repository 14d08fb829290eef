"""Behind CloudFront, through Zappa's own handler: each phone keeps its login budget.

tests/api/test_edge_viewer.py checks the rule on the Flask app; here, that the
headers CloudFront adds reach it through Zappa 0.63's event translation, on the
AWS adapter set, as on the web function (docs/deploy-aws.md "Client addresses
behind CloudFront").
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import aws_env
import bakso.wsgi
from bakso import config
from helpers import FAST_ARGON2

ROOT = Path(__file__).resolve().parents[2]
SECRET = "kunci-asal-cloudfront-0123456789abcdef"
EDGE_IP = "130.176.1.10"  # API Gateway's source: the CloudFront edge
MAX_FAILURES = 3


@pytest.fixture
def handler(
    stack: aws_env.Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Callable[[dict[str, Any]], dict[str, Any]]]:
    """The web function's handler (Zappa's, with the settings module `zappa package` makes)."""
    from zappa.cli import ZappaCLI
    from zappa.handler import LambdaHandler

    monkeypatch.setattr(config.AwsConfig, "ARGON2_PARAMS", FAST_ARGON2)
    monkeypatch.setenv("BAKSO_EDGE_ORIGIN_SECRET", SECRET)
    monkeypatch.setenv("BAKSO_LOGIN_CLIENT_MAX_FAILURES", str(MAX_FAILURES))
    monkeypatch.setattr(bakso.wsgi.app, "_app", None)
    cli = ZappaCLI()
    cli.api_stage = "web"
    cli.load_settings(str(ROOT / "zappa_settings.json"))
    (tmp_path / "zappa_settings.py").write_text(cli.get_zappa_settings_string())
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "zappa_settings", raising=False)
    for name in ("AWS_REGION", "SERVERTYPE", "FRAMEWORK", "PROJECT", "STAGE"):
        monkeypatch.setenv(name, "")  # Zappa writes these into the environment
    level = logging.getLogger().level
    monkeypatch.setattr(LambdaHandler, "_LambdaHandler__instance", None)
    monkeypatch.setattr(LambdaHandler, "settings", None)
    yield lambda event: bakso.wsgi.lambda_handler(event, None)
    logging.getLogger().setLevel(level)


def login_via_edge(viewer: str, attempt: int, edge_secret: str) -> dict[str, Any]:
    """A REST (v1) proxy event of a wrong login that CloudFront forwarded for `viewer`."""
    headers = {
        "Host": "a1b2c3d4e5.execute-api.ap-southeast-3.amazonaws.com",
        "Content-Type": "application/json",
        "X-Bakso-Edge": edge_secret,
        "CloudFront-Viewer-Address": f"{viewer}:50123",
        "X-Forwarded-For": f"{viewer}, {EDGE_IP}",
    }
    body = {"username": f"tebak.{attempt}.{viewer}", "password": "tebakan-yang-salah"}
    return {
        "resource": "/{proxy+}",
        "path": "/api/v1/auth/login",
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": "api/v1/auth/login"},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": "POST",
            "path": "/web/api/v1/auth/login",
            "stage": "web",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": EDGE_IP, "userAgent": "Mozilla/5.0"},
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize(("edge_secret", "other"), [(SECRET, 401), ("dibuat-buat", 429)])
def test_phones_behind_one_edge_are_counted_apart_only_with_the_secret(
    handler: Callable[[dict[str, Any]], dict[str, Any]], edge_secret: str, other: int
) -> None:
    first = [
        handler(login_via_edge("36.68.12.34", i, edge_secret))["statusCode"]
        for i in range(MAX_FAILURES + 1)
    ]
    second = handler(login_via_edge("2001:db8::1", 0, edge_secret))

    assert first == [401] * MAX_FAILURES + [429]
    # With the secret, the second phone has its own count; without it (a made-up viewer
    # header on a direct call) both are the edge's address, already locked.
    assert second["statusCode"] == other, second.get("body")
