"""Logging, set up in one place: JSON lines on Lambda, the host's format elsewhere.

On Lambda (AWS_LAMBDA_FUNCTION_NAME is set) every record becomes one JSON
object on one line: time, level, logger, message, the record's `extra`
fields, Lambda's request id and any traceback, so CloudWatch Logs Insights
can filter on fields and a traceback stays one event.

BAKSO logs ids and counts only, never NIK, names, cookies or tokens. The one
line it does not write itself is Zappa's access log, which carries the
request path and the Referer: a resident's status token travels in the path
(/cek/<token>, /api/v1/status/<token>), so the formatter masks it. At DEBUG
Zappa also prints the whole event: the formatter hides the values of its
credential headers (cookies, Authorization, the CloudFront origin secret).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# What every LogRecord has: anything else on a record came in through `extra`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "aws_request_id",  # set by Lambda's own log filter; written as request_id
}
_TOKEN_IN_PATH = re.compile(r"(/cek/|/api/v1/status/)[^/?#\s\"']+")
MASK = "[token]"
# Headers whose value is a credential, as a dict of them prints (Zappa's DEBUG line
# "Zappa Event: {...}" has the whole event; a WSGI environ names them HTTP_*): the
# CloudFront origin secret (bakso.client_address.EDGE_HEADER), cookies, Authorization.
_SECRET_HEADER = re.compile(
    r"""(['"](?:http_)?(?:x[-_]bakso[-_]edge|cookie|set-cookie|authorization)['"]\s*:\s*)"""
    r"""(\[[^\]]*\]|'[^']*'|"[^"]*")""",
    re.IGNORECASE,
)
HIDDEN = "'[hidden]'"


def mask(text: str) -> str:
    text = _SECRET_HEADER.sub(lambda m: m.group(1) + HIDDEN, text)
    return _TOKEN_IN_PATH.sub(lambda m: m.group(1) + MASK, text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            key: value
            for key, value in vars(record).items()
            if key not in _RECORD_FIELDS and not key.startswith("_")
        }
        entry.update(
            time=datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            level=record.levelname,
            logger=record.name,
            message=mask(record.getMessage()),
        )
        request_id = getattr(record, "aws_request_id", None)
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = mask(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(environ: Mapping[str, str] | None = None) -> None:
    """BAKSO's loggers at INFO; on Lambda, JSON lines on every root handler. Idempotent.

    Lambda's runtime puts its own handler on the root logger (it adds the
    request id to each record): its format is replaced, the handler kept.
    """
    env = os.environ if environ is None else environ
    logging.getLogger("bakso").setLevel(logging.INFO)
    if not env.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stdout))
    for handler in root.handlers:
        if not isinstance(handler.formatter, JsonFormatter):
            handler.setFormatter(JsonFormatter())
