"""Both Lambda functions, called as Lambda calls them, against the stack in moto.

Web: the handler zappa_settings.json names, which runs Zappa's own handler
(LambdaHandler with the settings module `zappa package` generates), fed
API-Gateway-shaped events. Worker: its handler, fed SQS-shaped batches.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest

import aws_env
import bakso.workers.sqs
import bakso.wsgi
from bakso.bootstrap import Services
from helpers import FAST_ARGON2, PASSWORD, USERS, Api, draft

ROOT = Path(__file__).resolve().parents[2]
API_HOST = "a1b2c3d4e5.execute-api.ap-southeast-3.amazonaws.com"


def _function(dotted: str) -> Callable[..., Any]:
    module, name = dotted.rsplit(".", 1)
    function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return function


def _stage(name: str) -> dict[str, Any]:
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    stage = dict(settings[name])
    parent = stage.pop("extends", None)
    return {**settings[parent], **stage} if parent else stage


@pytest.fixture
def officers(stack: aws_env.Stack, monkeypatch: pytest.MonkeyPatch) -> Services:
    """The officers, created through the services the web function will build."""
    from bakso import config

    monkeypatch.setattr(config.AwsConfig, "ARGON2_PARAMS", FAST_ARGON2)
    monkeypatch.setattr(bakso.wsgi.app, "_app", None)  # a fresh app for this stack
    services: Services = bakso.wsgi.app.flask.extensions["bakso"]
    for username, role, desa in USERS:
        services.accounts.create_user(username, role, desa, PASSWORD)
    return services


@pytest.fixture
def web_handler(
    officers: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Callable[[dict[str, Any]], dict[str, Any]]]:
    """The web stage's Lambda handler, with the settings module Zappa would package."""
    from zappa.cli import ZappaCLI
    from zappa.handler import LambdaHandler

    cli = ZappaCLI()
    cli.api_stage = "web"
    cli.load_settings(str(ROOT / "zappa_settings.json"))
    (tmp_path / "zappa_settings.py").write_text(cli.get_zappa_settings_string())
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "zappa_settings", raising=False)
    # Zappa writes these into the environment and sets the root log level.
    for name in ("AWS_REGION", "SERVERTYPE", "FRAMEWORK", "PROJECT", "STAGE"):
        monkeypatch.setenv(name, "")
    root = logging.getLogger()
    level = root.level
    # LambdaHandler is a process-wide singleton: start and leave it empty.
    monkeypatch.setattr(LambdaHandler, "_LambdaHandler__instance", None)
    monkeypatch.setattr(LambdaHandler, "settings", None)
    handler = _function(_stage("web")["lambda_handler"])
    yield lambda event: handler(event, None)
    root.setLevel(level)


def rest_event(
    method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event, as the web stage's API sends it."""
    all_headers = {
        "Host": API_HOST,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.7",
        "User-Agent": "Mozilla/5.0 (Linux; Android 10)",
        **({"Content-Type": "application/json"} if body is not None else {}),
        **(headers or {}),
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {key: [value] for key, value in all_headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/web{path}",
            "stage": "web",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "Mozilla/5.0"},
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def set_cookies(response: dict[str, Any]) -> list[str]:
    """The Set-Cookie headers API Gateway sends for a REST proxy answer.

    It merges `headers` into `multiValueHeaders`; a key-value pair in both
    counts once. Every spelling of the name counts.
    """
    multi = response.get("multiValueHeaders") or {}
    values = [v for k, vs in multi.items() if k.lower() == "set-cookie" for v in vs]
    for key, value in (response.get("headers") or {}).items():
        if key.lower() == "set-cookie" and value not in multi.get(key, []):
            values.append(value)
    return values


def test_zappa_handler_logs_in_then_reads_me_with_one_session_cookie(
    web_handler: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    login = web_handler(
        rest_event("POST", "/api/v1/auth/login", body={"username": "op.a", "password": PASSWORD})
    )

    assert login["statusCode"] == 200, login.get("body")
    cookies = [c for c in set_cookies(login) if c.startswith("bakso_session=")]
    assert len(cookies) == 1, set_cookies(login)
    assert "Secure" in cookies[0] and "HttpOnly" in cookies[0]
    session = SimpleCookie(cookies[0])["bakso_session"].value

    me = web_handler(
        rest_event("GET", "/api/v1/auth/me", headers={"Cookie": f"bakso_session={session}"})
    )

    assert me["statusCode"] == 200, me.get("body")
    assert json.loads(me["body"])["user"] == {
        "username": "op.a",
        "role": "operator",
        "desa": "52.03.01.2001",
    }


def test_zappa_handler_without_session_is_refused(
    web_handler: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    me = web_handler(rest_event("GET", "/api/v1/auth/me"))

    assert me["statusCode"] == 401
    assert set_cookies(me) == []


def sqs_event(stack: aws_env.Stack, bodies: list[str]) -> dict[str, Any]:
    arn = f"arn:aws:sqs:{aws_env.REGION}:123456789012:{stack.queue_url.rsplit('/', 1)[1]}"
    return {
        "Records": [
            {
                "messageId": f"m-{number}",
                "receiptHandle": f"handle-{number}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1767225600000"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": aws_env.REGION,
            }
            for number, body in enumerate(bodies)
        ]
    }


@pytest.fixture
def worker_handler(
    officers: Services, monkeypatch: pytest.MonkeyPatch
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    monkeypatch.setattr(bakso.workers.sqs, "_services", None)  # built by the first event
    handler = _function(_stage("worker")["lambda_handler"])
    return lambda event: handler(event, None)


def test_worker_reports_only_the_poison_message_of_a_batch(
    stack: aws_env.Stack,
    officers: Services,
    worker_handler: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    # A real submission: its verification message is what SQS would deliver.
    op = Api(bakso.wsgi.app.flask.test_client())
    assert op.login("op.a").status_code == 200
    request_id = op.create(draft())["id"]
    op.attach_mandatory(request_id)
    assert op.post(f"/api/v1/requests/{request_id}/submit").status_code == 200
    (queued,) = officers.queue.receive(visibility_timeout=60)
    poison = json.dumps({"type": "no.such.job", "request_id": request_id})
    stale = json.dumps(
        {"type": queued.body["type"], "request_id": str(uuid.uuid4()), "submission": 1}
    )
    batch = sqs_event(stack, [json.dumps(queued.body), poison, stale])

    result = worker_handler(batch)

    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    request = officers.records.get_request(request_id)
    assert request is not None and request.ready


def test_worker_reports_a_body_that_is_not_json_and_nothing_else(
    stack: aws_env.Stack, worker_handler: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    stale = {"type": "request.submitted", "request_id": str(uuid.uuid4()), "submission": 1}
    batch = sqs_event(stack, ["{not json", json.dumps(stale), "[1, 2]"])

    result = worker_handler(batch)

    assert result == {"batchItemFailures": [{"itemIdentifier": "m-0"}, {"itemIdentifier": "m-2"}]}
