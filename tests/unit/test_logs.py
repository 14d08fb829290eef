"""Log records as JSON lines (on Lambda): one object a record, extra fields kept, tokens masked."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bakso import logs


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    log = logging.getLogger("bakso.test_logs")
    log.addHandler(handler)
    log.propagate = False
    yield log, stream
    log.removeHandler(handler)
    log.propagate = True


def test_a_record_is_one_json_line_with_its_extra_fields(logger) -> None:
    log, stream = logger
    log.warning("batch %s ready", "b-1", extra={"requests": 3, "aws_request_id": "req-9"})

    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "batch b-1 ready"
    assert (entry["level"], entry["logger"]) == ("WARNING", "bakso.test_logs")
    assert (entry["requests"], entry["request_id"]) == (3, "req-9")
    assert entry["time"].endswith("+00:00")


def test_a_traceback_stays_in_its_record_with_status_tokens_masked(logger) -> None:
    log, stream = logger
    try:
        raise ValueError("no page for /cek/Ab3_sEcReT-1?x=1")
    except ValueError:
        log.exception("GET /api/v1/status/Zz9-sEcReT-2 failed")

    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["message"] == f"GET /api/v1/status/{logs.MASK} failed"
    assert f"/cek/{logs.MASK}?x=1" in entry["exception"]
    assert "sEcReT" not in line


def test_json_only_on_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    try:
        logs.configure({})
        assert not isinstance(handler.formatter, logs.JsonFormatter)
        logs.configure({"AWS_LAMBDA_FUNCTION_NAME": "bakso-web"})
        assert isinstance(handler.formatter, logs.JsonFormatter)
    finally:
        root.removeHandler(handler)


def test_credential_headers_never_reach_the_log(logger) -> None:
    # Zappa at DEBUG prints the whole API Gateway event: the CloudFront origin secret
    # would let anyone who reads the logs be counted as any address they like.
    log, stream = logger
    event = {
        "path": "/api/v1/auth/login",
        "headers": {"X-Bakso-Edge": "edge-sEcReT-1", "Cookie": "bakso_session=sEcReT-2"},
        "multiValueHeaders": {"x-bakso-edge": ["edge-sEcReT-1"], "authorization": ["sEcReT-3"]},
    }
    log.warning("Zappa Event: %s", event)
    log.warning("environ %s", {"HTTP_X_BAKSO_EDGE": "sEcReT-4", "HTTP_HOST": "example"})

    text = stream.getvalue()
    assert "sEcReT" not in text
    first, second = (json.loads(line)["message"] for line in text.splitlines())
    assert "'X-Bakso-Edge': '[hidden]'" in first and "/api/v1/auth/login" in first
    assert "'HTTP_HOST': 'example'" in second
