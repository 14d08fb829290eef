"""Both Lambda functions, called as Lambda calls them, against the stack in moto.

Web: the handler zappa_settings.json names, which runs Zappa's own handler
(LambdaHandler with the settings module `zappa package` generates), fed
API-Gateway-shaped events. Worker: its handler, fed SQS-shaped batches.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import io
import json
import logging
import sys
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

import aws_env
import bakso.bootstrap
import bakso.workers.sqs
import bakso.wsgi
from bakso.bootstrap import Services
from bakso.logs import MASK
from bakso.services.retention_files import FileRetentionReport
from helpers import FAST_ARGON2, PASSWORD, USERS, Api, draft, fake_jpeg

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
        "kabupaten": "52.03",
        "provinsi": None,
    }
    assert json.loads(me["body"])["kabupaten"]["name"] == "Kabupaten Lombok Timur"


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


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "")
    return buffer.getvalue()


def scheduled_event(job: str) -> dict[str, Any]:
    """What the worker function receives from the rule `zappa schedule worker` makes for `job`.

    Zappa's own code schedules the worker stage's events in moto's EventBridge;
    the event is EventBridge's, rendered through the target's input template.
    """
    from zappa.core import Zappa

    worker = _stage("worker")
    (event,) = [e for e in worker["events"] if e["function"] == job]
    name = f"{worker['project_name']}-worker"
    role = boto3.client("iam").get_role(RoleName=worker["role_name"])["Role"]["Arn"]
    function = boto3.client("lambda", region_name=aws_env.REGION).create_function(
        FunctionName=name,
        Runtime=worker["runtime"],
        Role=role,
        Handler=worker["lambda_handler"],
        Code={"ZipFile": _empty_zip()},
    )
    zappa = Zappa(aws_region=aws_env.REGION, desired_role_arn=role, runtime=worker["runtime"])
    zappa.schedule_events(lambda_arn=function["FunctionArn"], lambda_name=name, events=[event])
    events = boto3.client("events", region_name=aws_env.REGION)
    (rule,) = events.list_rules(NamePrefix=name)["Rules"]
    assert rule["ScheduleExpression"] == event["expression"]
    (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == function["FunctionArn"]
    sent = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-04-02T01:00:00Z",
        "region": aws_env.REGION,
        "resources": [rule["Arn"]],
        "detail": {},
    }
    template = target["InputTransformer"]["InputTemplate"]
    for name, path in target["InputTransformer"]["InputPathsMap"].items():
        template = template.replace(f"<{name}>", json.dumps(sent[path.removeprefix("$.")]))
    rendered: dict[str, Any] = json.loads(template)
    return rendered


def test_daily_cleanup_zappa_schedules_runs_the_retention_purge(
    stack: aws_env.Stack,
    officers: Services,
    worker_handler: Callable[[dict[str, Any]], dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A draft with one scan, cancelled: final, so its files go RETENTION_DAYS later.
    op = Api(bakso.wsgi.app.flask.test_client())
    assert op.login("op.a").status_code == 200
    request_id = op.create(draft())["id"]
    op.attach(request_id, "F201", fake_jpeg("cleanup"))
    version = op.get(f"/api/v1/requests/{request_id}").get_json()["version"]
    cancelled = op.post(
        f"/api/v1/requests/{request_id}/transition",
        json={"to": "DIBATALKAN", "note": "salah input", "version": version},
    )
    assert cancelled.status_code == 200, cancelled.get_json()
    (scan,) = officers.records.list_scans(request_id)
    assert officers.blobs.size(scan.key) is not None
    event = scheduled_event("bakso.workers.sqs.cleanup_handler")
    # The worker builds its services on this first event, with a clock 91 days on.
    later = datetime.now(UTC) + timedelta(days=91)
    monkeypatch.setattr(bakso.bootstrap, "utc_now", lambda: later)

    result = worker_handler(event)

    # The run also does the rest of retention (services/retention_files.py): nothing due here.
    no_files = {f"files_{name}": 0 for name in FileRetentionReport().as_dict()}
    assert result == {"requests": 1, "blobs": 1, "cancelled": 0, **no_files}
    assert officers.blobs.size(scan.key) is None
    purged = officers.records.get_request(request_id)
    assert purged is not None and purged.purged_at is not None
    assert worker_handler(event) == {"requests": 0, "blobs": 0, "cancelled": 0, **no_files}


def test_scheduled_event_from_an_unknown_rule_runs_nothing(
    stack: aws_env.Stack, worker_handler: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    rule = f"arn:aws:events:{aws_env.REGION}:123456789012:rule/bakso-worker-os.system"
    event = {"detail-type": "Scheduled Event", "resources": [rule], "detail": {}}

    assert worker_handler(event) is None
    assert bakso.workers.sqs._services is None  # nothing was even built


@pytest.fixture
def lambda_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """Logging as on Lambda (AWS_LAMBDA_FUNCTION_NAME set); what a root handler wrote."""
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "bakso-web")
    root = logging.getLogger()
    formatters = [(handler, handler.formatter) for handler in root.handlers]
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    root.addHandler(capture)
    yield stream
    root.removeHandler(capture)
    for handler, formatter in formatters:
        handler.setFormatter(formatter)


class ZappaApi:
    """An officer's client that goes through the web function's Lambda handler."""

    def __init__(self, handler: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self.handler = handler
        self.headers: dict[str, str] = {}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = self.handler(rest_event(method, path, body=body, headers=self.headers))
        text = response.get("body") or ""
        is_json = text.startswith(("{", "["))
        return response["statusCode"], json.loads(text) if is_json else text

    def login(self, username: str) -> tuple[str, str]:
        event = rest_event(
            "POST", "/api/v1/auth/login", body={"username": username, "password": PASSWORD}
        )
        response = self.handler(event)
        assert response["statusCode"] == 200, response.get("body")
        (cookie,) = [c for c in set_cookies(response) if c.startswith("bakso_session=")]
        session = SimpleCookie(cookie)["bakso_session"].value
        csrf = json.loads(response["body"])["csrf_token"]
        self.headers = {"Cookie": f"bakso_session={session}", "X-CSRF-Token": csrf}
        return session, csrf


def test_lambda_logs_are_json_lines_without_nik_names_tokens_or_cookies(
    lambda_logs: io.StringIO,
    stack: aws_env.Stack,
    web_handler: Callable[[dict[str, Any]], dict[str, Any]],
    worker_handler: Callable[[dict[str, Any]], dict[str, Any]],
    officers: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bakso.wsgi.app, "_app", None)  # built again, now as on Lambda
    lambda_logs.seek(0)  # drop what the fixtures logged while the stack was made
    lambda_logs.truncate()
    op = ZappaApi(web_handler)
    session, csrf = op.login("op.a")
    request_id = str(uuid.uuid4())
    status, _ = op.call("PUT", f"/api/v1/requests/{request_id}", draft())
    assert status == 201
    for requirement in ("F201", "SURAT_KET_LAHIR", "BUKU_NIKAH", "KK_ORTU", "KTP_ORTU"):
        data = fake_jpeg(request_id + requirement)
        status, registered = op.call(
            "POST",
            f"/api/v1/requests/{request_id}/scans",
            {
                "requirement": requirement,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "content_type": "image/jpeg",
            },
        )
        assert status == 201, registered
        upload = registered["upload"]
        sent = requests.request(
            upload["method"], upload["url"], data=data, headers=upload["headers"], timeout=30
        )
        assert sent.status_code == 200
        scan = registered["scan_id"]
        assert op.call("POST", f"/api/v1/requests/{request_id}/scans/{scan}/complete")[0] == 200
    status, submitted = op.call("POST", f"/api/v1/requests/{request_id}/submit")
    assert status == 200, submitted
    token = submitted["token"]
    messages = officers.queue.receive(visibility_timeout=60)
    assert worker_handler(sqs_event(stack, [json.dumps(m.body) for m in messages])) == {
        "batchItemFailures": []
    }
    resident = ZappaApi(web_handler)
    assert resident.call("GET", f"/cek/{token}")[0] == 200
    assert resident.call("GET", f"/api/v1/status/{token}")[0] == 200
    wrong = rest_event("POST", "/api/v1/auth/login", body={"username": "op.a", "password": "x"})
    assert web_handler(wrong)["statusCode"] == 401

    output = lambda_logs.getvalue()
    person, child = draft()["applicant"], draft()["subject"]
    secrets = [person["nik"], person["kk"], person["phone"], person["name"], child["name"]]
    secrets += [token, session, csrf, PASSWORD]
    assert [secret for secret in secrets if secret.lower() in output.lower()] == []
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    ours = [line["message"] for line in lines if line["logger"].startswith("bakso.")]
    assert f"request {request_id} moved DRAF -> DIAJUKAN" in ours
    assert any(f"GET /cek/{MASK} " in line["message"] for line in lines)  # Zappa's access log


@pytest.fixture
def pwa_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small build with its br/gz copies, for the web function built after this fixture."""
    import gzip

    import brotli

    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>BAKSO</title>")
    script = "".join(f"export const a{i} = 'Permohonan {i}';\n" for i in range(200)).encode()
    (dist / "assets" / "index-abc123.js").write_bytes(script)
    for path in (dist / "index.html", dist / "assets" / "index-abc123.js"):
        data = path.read_bytes()
        path.with_name(path.name + ".br").write_bytes(brotli.compress(data, quality=11))
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(data))
    monkeypatch.setenv("BAKSO_PWA_DIST", str(dist))
    return dist


def _decoded(response: dict[str, Any]) -> bytes:
    import gzip

    import brotli

    assert response["isBase64Encoded"] is True
    body = base64.b64decode(response["body"])
    headers = {k.lower(): v for k, v in response["headers"].items()}
    if headers["content-encoding"] == "br":
        return bytes(brotli.decompress(body))
    assert headers["content-encoding"] == "gzip"
    return gzip.decompress(body)


@pytest.mark.parametrize("accept", ["gzip, br", "gzip"])
def test_zappa_handler_sends_assets_and_json_compressed_as_base64(
    pwa_dist: Path, web_handler: Callable[[dict[str, Any]], dict[str, Any]], accept: str
) -> None:
    # binary_support (zappa_settings.json) is what base64-encodes a Content-Encoding body:
    # API Gateway, its binary media types */*, then sends the client the bytes themselves.
    assert _stage("web")["binary_support"] is True
    coding = "br" if "br" in accept else "gzip"
    for path, identity in (
        ("/assets/index-abc123.js", (pwa_dist / "assets" / "index-abc123.js").read_bytes()),
        ("/api/openapi.json", None),
    ):
        plain = web_handler(rest_event("GET", path))
        assert plain["statusCode"] == 200
        assert "Content-Encoding" not in plain["headers"]
        expected = identity if identity is not None else plain["body"].encode()
        assert len(expected) > 1024

        response = web_handler(rest_event("GET", path, headers={"Accept-Encoding": accept}))

        assert response["statusCode"] == 200, path
        assert response["headers"]["Content-Encoding"] == coding, path
        assert "Accept-Encoding" in response["headers"]["Vary"], path
        assert _decoded(response) == expected, path


def test_zappa_handler_sends_the_prefilled_form_pdf_as_base64(
    web_handler: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    # A PDF built by the web function itself (not a redirect to S3): API Gateway passes
    # binary bodies only base64-encoded (binary_support), or the printed form is garbage.
    from pypdf import PdfReader

    op = ZappaApi(web_handler)
    op.login("op.a")
    request_id = str(uuid.uuid4())
    vectors = json.loads((ROOT / "backend/bakso/data/form_vectors.json").read_text())
    body = draft(fields=vectors["valid"]["AKTA_LAHIR"])
    status, created = op.call("PUT", f"/api/v1/requests/{request_id}", body)
    assert status == 201, created
    path = f"/api/v1/requests/{request_id}/formulir/F201.pdf"
    response = web_handler(rest_event("GET", path, headers=op.headers))
    assert response["statusCode"] == 200, response.get("body")
    assert response["isBase64Encoded"] is True
    assert response["headers"]["Content-Type"] == "application/pdf"
    pdf = base64.b64decode(response["body"])
    assert pdf.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert created["code"] in text and created["fields"]["mother"]["name"] in text
