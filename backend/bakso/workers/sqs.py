"""The worker Lambda: SQS batches in, `handle` per message, only the failures reported back.

The event-source mapping (infra/bakso.yaml) has ReportBatchItemFailures, so
SQS deletes every message not listed in `batchItemFailures` and delivers the
listed ones again (to the DLQ after maxReceiveCount). Services are built on
the first event, once per container, not at import.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from .. import config
from ..bootstrap import Services, build_services
from .handlers import handle

log = logging.getLogger(__name__)

_services: Services | None = None
_lock = threading.Lock()


def services() -> Services:
    global _services
    with _lock:
        if _services is None:
            logging.getLogger("bakso").setLevel(logging.INFO)
            _services = build_services(config.load())
        return _services


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Handle one SQS batch; a message fails alone, never its neighbours."""
    svc = services()
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = str(record.get("messageId", ""))
        try:
            body = json.loads(record["body"])
            if not isinstance(body, dict):
                raise TypeError("message body is not a JSON object")
            handle(svc, body)
        except Exception:
            # Ids only: bodies carry no personal data, but deeper errors might.
            log.exception(
                "message %s failed (receive %s)",
                message_id,
                record.get("attributes", {}).get("ApproximateReceiveCount", "?"),
            )
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
