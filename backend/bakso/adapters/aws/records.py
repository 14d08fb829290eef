"""Records in one DynamoDB table: every read a GetItem or a Query, never a Scan.

Items, by (PK, SK):

    REQ#<kab>#<id> REQ             the request (JSON in `data`) plus the keys of its indexes
                                   (the lists: "request#<kabupaten>", "<kabupaten>#<status>",
                                   desa, "<desa>#<status>"; records_request_reads)
                                   (retention-due: records_retention)
    REQ#<kab>#<id> EVT#<seq>       one timeline event; <seq> is its audit entry's, so it orders them
    REQ#<kab>#<id> SCAN#<scan id>  one scan (retention-due "scan#<kab>" while pending)
    REQID#<id>     POINTER         the kabupaten of a request id (tenant_keys; also BATCHID#,
                                   RETURNID#, and the sasaran store's SASARANID#, IMPORTID#)
    CODE#<code>    CODE            claims a human code for one request (codes are unique across
                                   the deployment): its id and kabupaten
    USERS          USER#<name>     one officer; the partition is the list of officers
    LOGIN#<key>    LOGIN           login throttling (key: a hash); DynamoDB's TTL removes it
    SESSION#<hash> SESSION         one officer's session, by the SHA-256 of its id; TTL likewise
    SESSIONS#<name> SESSION#<hash> points at one of the officer's sessions, so that "end all"
                                   revokes each (records_sessions); TTL as the session's
    AUDIT#<kab>    HEAD            a kabupaten's audit chain: length (seq), last link, seal (mac)
    AUDIT#<kab>    ENTRY#<seq>     one entry of it, indexed by "<kab>#<target>", "<kab>#<actor>"
                                   and by time in all-newest (kind "audit#<kab>", newest
                                   "<at>#<seq>"); the log from before #16 (the default
                                   kabupaten's chain) in AUDIT with "audit" and bare names
                                   until `bakso audit move-legacy` (records_audit_chain)
    BATCH#<kab>#<id>  BATCH        one Dukcapil batch (JSON in `data`)
    RETURN#<kab>#<id> RUN          one bulk return run (JSON in `data`)
    RETURN#<kab>#<id> LINE#<seq>   the result of one line of the return
    RETURN#<kab>#<id> CHUNK#<n>    the outcome counts of one applied chunk

<kab> is the kabupaten's code (52.03): every item of a kabupaten's data is in a partition
of its own (#16). Items from before keep `REQ#<id>`, `BATCH#<id>`, `RETURN#<id>` and have
no pointer: an id without one is read and written there (tenant_keys).
    DESA#<code>    CONTACT         the desa office's phone and hours (records_desa)
    NOTIFIED#<key> NOTIFIED        a notification already sent, "<request id>:<version>": its
                                   time only; TTL (records_notifications)
    STIMES#<kab>#<day> DESA#<desa> a desa's service-time histograms of one day; STCOUNTED#<id>
                                   <status>: that move counted (records_service_times)
    REPORT#<id>    REPORT          a resident's report, JSON (records_reports; docs/reports.md);
                                   pointers REPORTS#<kab> / REQREPORTS#<request> by time,
                                   REPORTFORM#<form> FORM, REPORTCOUNT#<kab> COUNT

Timeline, scans and audit live in their own items, so no item grows without
bound (400 KB is DynamoDB's limit). Writes that must go together (a request,
its code, its event and the audit entry) are one TransactWriteItems; the audit
chain stays linear because every append conditionally advances its chain's HEAD item
from the seq it read, and is retried when another append got there first.

The adapter is composed of one mixin per aggregate: records_requests (requests,
their timeline, code claims) with records_request_reads (their lists, partitioned
by kabupaten: `kind_kabupaten`, `kabupaten_status`), records_scans, records_batches, records_users
(officers, login throttling), records_sessions, records_audit (the chain, append and search) and
records_returns (bulk returns); records_items holds the keys, item translations
and the table they share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...domain.audit_chain import AuditKeys
from ...ports import Records
from .records_audit import AuditRecords
from .records_batches import BatchRecords
from .records_desa import DesaContactRecords
from .records_items import (
    BATCH_KIND,
    INDEXES,
    LIST_INDEXES,
    MAX_CONTENTION_RETRIES,
    REQUEST_KIND,
    SORT_ATTRIBUTE,
)
from .records_notifications import NotificationLogRecords
from .records_reports import ReportRecords
from .records_request_reads import RequestReads
from .records_requests import RequestRecords
from .records_retention import RetentionRecords
from .records_returns import ReturnRecords
from .records_scans import ScanRecords
from .records_service_times import ServiceTimeRecords
from .records_sessions import SessionRecords
from .records_users import UserRecords

__all__ = [
    "BATCH_KIND",
    "INDEXES",
    "LIST_INDEXES",
    "MAX_CONTENTION_RETRIES",
    "REQUEST_KIND",
    "SORT_ATTRIBUTE",
    "DynamoRecords",
]

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoRecords(
    RetentionRecords,
    RequestReads,
    RequestRecords,
    ScanRecords,
    BatchRecords,
    UserRecords,
    SessionRecords,
    AuditRecords,
    ReturnRecords,
    DesaContactRecords,
    NotificationLogRecords,
    ServiceTimeRecords,
    ReportRecords,
    Records,
):
    """Every records port on one table; built with `DynamoRecords(client, table)`."""

    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        audit_keys: AuditKeys | None = None,
        kabupaten: Sequence[str] = (),
    ) -> None:
        # `kabupaten`: the codes served, the default first (none: the packaged default).
        super().__init__(client, table, kabupaten)
        # bootstrap passes the configured key; without one (tests) a fixed test key.
        self.audit_keys = audit_keys or AuditKeys.from_settings(None)
