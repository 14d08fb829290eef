"""The ports the use cases run against: records and sasaran (one port per aggregate,
`Records` and `SasaranStore` their unions), blobs and the work queue.

Every method maps onto one DynamoDB Get/Query/conditional write (or S3/SQS
call), so that a local SQLite/folder adapter and the AWS adapter can serve the
same contract. Adapters raise bakso.domain.errors, never their driver's errors.

One module per group: `records` (requests, scans, batches, users, login
attempts, audit), `returns` (bulk returns), `sasaran`, `blobs`, `queue`; every
name is importable from `bakso.ports` itself.
"""

from __future__ import annotations

from .blobs import Blobs, BlobSink, UploadTarget
from .desa import DesaContactStore
from .due import DuePage
from .notification_log import NotificationLog
from .notifier import Notifier, SendFailed, SentMessage
from .queue import Message, Queue
from .records import (
    MAX_REQUEST_WRITES,
    AuditLog,
    BatchStore,
    CodeTaken,
    LoginAttemptStore,
    Page,
    Records,
    RequestStore,
    RequestWrite,
    ScanStore,
    SessionStore,
    UserStore,
)
from .returns import RETURN_LINES_PER_WRITE, ReturnStore
from .sasaran import (
    ChangesPage,
    CounterStore,
    ImportLineWrite,
    ImportStore,
    RowWrite,
    SasaranPage,
    SasaranStore,
    WorklistStore,
)
from .service_times import ServiceTimeStore

__all__ = [
    "MAX_REQUEST_WRITES",
    "RETURN_LINES_PER_WRITE",
    "AuditLog",
    "BatchStore",
    "BlobSink",
    "Blobs",
    "ChangesPage",
    "CodeTaken",
    "CounterStore",
    "DesaContactStore",
    "DuePage",
    "ImportLineWrite",
    "ImportStore",
    "LoginAttemptStore",
    "Message",
    "NotificationLog",
    "Notifier",
    "Page",
    "Queue",
    "Records",
    "RequestStore",
    "RequestWrite",
    "ReturnStore",
    "RowWrite",
    "SasaranPage",
    "SasaranStore",
    "ScanStore",
    "SendFailed",
    "SentMessage",
    "ServiceTimeStore",
    "SessionStore",
    "UploadTarget",
    "UserStore",
    "WorklistStore",
]
