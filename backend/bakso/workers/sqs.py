"""The worker Lambda: SQS batches, and the scheduled jobs of the worker stage.

SQS: `handle` per message, only the failures reported back. The event-source
mapping (infra/bakso.yaml) has ReportBatchItemFailures, so SQS deletes every
message not listed in `batchItemFailures` and delivers the listed ones again
(to the DLQ after maxReceiveCount).

Schedules: each `events` entry of the worker stage in zappa_settings.json
becomes an EventBridge rule named `<function name>-<job>` that invokes this
function with a "Scheduled Event"; the job is the part of the rule's name
after the last "-" (Zappa's own convention), and only the jobs in SCHEDULED
run.

Services are built on the first event, once per container, not at import.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING, Any

from .. import config, logs

if TYPE_CHECKING:
    from ..bootstrap import Services

log = logging.getLogger(__name__)

_services: Services | None = None
_lock = threading.Lock()


def services() -> Services:
    global _services
    with _lock:
        if _services is None:
            # Imported here, not at module level: Lambda imports this module at cold
            # start, and the services and their libraries are needed only on the first event.
            from ..bootstrap import build_services

            logs.configure()
            _services = build_services(config.load())
        return _services


# The log lines of a retention run: infra/bakso.yaml's metric filters count them
# (RetentionFailedAlarm, and RetentionMissedAlarm when no run is done for 26 h).
RETENTION_DONE = "retention run done"
RETENTION_FAILED = "retention run failed"


def cleanup_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """The retention purge (DESIGN §3), run daily by the worker stage's schedule."""
    try:
        report = services().retention.purge()
        files = services().retention_files.purge().as_dict()
    except Exception:
        # Raised on as well: the invocation fails (the worker's Errors alarm) and
        # EventBridge retries it; the job is idempotent.
        log.exception(RETENTION_FAILED)
        raise
    # The file part's keys are prefixed: its counts are of other things than the requests'.
    counts = {
        **report.to_dict(),
        **{f"files_{name}": value for name, value in files.items()},
    }
    log.info(RETENTION_DONE, extra=counts)
    return counts


# The jobs a schedule may run, by the dotted name zappa_settings.json gives them.
SCHEDULED = {"bakso.workers.sqs.cleanup_handler": cleanup_handler}


def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    """Handle one SQS batch, or run the job a scheduled event names."""
    if event.get("detail-type") == "Scheduled Event":
        return _run_scheduled(event, context)
    return _handle_batch(event)


def _run_scheduled(event: dict[str, Any], context: Any) -> Any:
    rule = str((event.get("resources") or [""])[0]).rsplit("/", 1)[-1]
    job = SCHEDULED.get(rule.rsplit("-", 1)[-1])
    if job is None:
        # Not an import: a rule's name must never choose what code runs.
        log.error("scheduled event from rule %s names no job of the worker", rule)
        return None
    return job(event, context)


def _handle_batch(event: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """A message fails alone, never its neighbours."""
    from . import handlers

    svc = services()
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = str(record.get("messageId", ""))
        try:
            body = json.loads(record["body"])
            if not isinstance(body, dict):
                raise TypeError("message body is not a JSON object")
            handlers.handle(svc, body)
        except Exception:
            # Ids only: bodies carry no personal data, but deeper errors might.
            log.exception(
                "message %s failed (receive %s)",
                message_id,
                record.get("attributes", {}).get("ApproximateReceiveCount", "?"),
            )
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
