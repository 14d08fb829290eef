"""Records BAKSO keeps: requests, their scans and timeline, officers, audit entries."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from .actors import DUKCAPIL_STAFF as DUKCAPIL_STAFF
from .actors import Actor as Actor
from .actors import is_dukcapil_staff as is_dukcapil_staff
from .fields import known_fields
from .lifecycle import Role, Status

# No 0/O, 1/I: the code is read aloud at the loket and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def request_code(request_id: str, attempt: int = 0, prefix: str = "LT") -> str:
    """Human code (e.g. LT-7K2P-9QXD) derived from the device's UUID.

    Derived rather than random so that a replayed create yields the same code;
    `attempt` moves to another code when the first is already taken.
    """
    digest = hashlib.blake2b(f"{request_id}:{attempt}".encode(), digest_size=5).digest()
    value = int.from_bytes(digest, "big")
    chars = [CODE_ALPHABET[(value >> (5 * i)) & 31] for i in range(8)]
    return f"{prefix}-{''.join(chars[:4])}-{''.join(chars[4:])}"


def mask_name(name: str) -> str:
    """'Siti Aminah' → 'S*** A*****': enough for a resident to recognise, not to identify."""
    return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split() if w)


@dataclass(frozen=True)
class Draft:
    """What the desa typed for a request, as the service takes it (built by the view).

    `applicant` and `subject` are the plain values stored on the request: the
    applicant's nik, name, kk, phone and address; the subject's name, nik,
    birth_date (ISO), birth_place and sex.
    """

    service: str
    desa: str
    applicant: dict[str, Any]
    subject: dict[str, Any] | None = None
    notes: str = ""
    version: int = 0  # the version the device last saw; 0 = new
    sasaran_id: str | None = None
    jemput_bola: bool = False
    # The service form's values, `{section: {field: value}}` (docs/forms.md); {} = none typed.
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Request:
    id: str
    code: str
    service: str
    desa: str
    applicant: dict[str, Any]
    subject: dict[str, Any] | None
    notes: str
    status: Status
    version: int
    created_by: str
    created_at: str
    updated_at: str
    status_since: str
    token: str | None = None
    submission: int = 0  # times submitted: a resubmission is a new piece of work
    ready_submission: int = 0  # the submission whose scans the worker re-verified
    verify_problem: str | None = None
    warnings: list[dict[str, str]] = field(default_factory=list)
    berkas_key: str | None = None  # the printable file the worker built for this submission
    batch_id: str | None = None  # the Dukcapil batch holding this submission
    issued: dict[str, Any] | None = None  # the issued document: key, sha256, size
    handover: dict[str, Any] | None = None  # who received the document, through whom
    purged_at: str | None = None  # scans and files deleted after the retention period
    sasaran_id: str | None = None  # the worklist row this request serves
    jemput_bola: bool = False  # taken at the resident's home
    # The applicant's NIK as the search index holds it (domain.search.nik_index_key).
    nik_key: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # the form's values (docs/forms.md)
    # The resident's download PIN, as services/resident_pin.pin_hash keeps it: never served,
    # never in a manifest, berkas, audit entry or log (docs/resident-download.md).
    pin_hash: str | None = None
    # The resident's first download of the issued document: it counts as collected.
    downloaded_at: str | None = None

    @property
    def ready(self) -> bool:
        return self.submission > 0 and self.ready_submission == self.submission

    def content(self) -> dict[str, Any]:
        """What the desa typed: compared to tell a replay from a change."""
        return {
            "service": self.service,
            "desa": self.desa,
            "applicant": self.applicant,
            "subject": self.subject,
            "notes": self.notes,
            "sasaran_id": self.sasaran_id,
            "jemput_bola": self.jemput_bola,
            "fields": self.fields,
        }

    def to_record(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Request:
        return cls(**known_fields(cls, {**data, "status": Status(data["status"])}))


BATCH_BUILDING = "BUILDING"
BATCH_READY = "READY"
BATCH_FAILED = "FAILED"

# A batch is built in bounded worker steps (bakso.services.batches): gather the
# requests, plan the volumes, pack each volume. `step` counts the steps done.
PHASE_GATHER = "gather"
PHASE_PLAN = "plan"
PHASE_PACK = "pack"
PHASE_DONE = "done"

VOLUME_PENDING = "PENDING"
VOLUME_READY = "READY"


def batch_position(request: Request) -> str:
    """Where a request sorts inside its batch: the order volumes are cut in."""
    return f"{request.created_at}#{request.id}"


@dataclass
class Volume:
    """One self-contained zip of a batch: the requests between `first` and `last`."""

    n: int
    first: str  # batch_position of its first request
    last: str
    count: int  # requests planned; after packing, requests packed
    size: int  # bytes planned (scans + berkas.pdf); after packing, the zip's size
    status: str = VOLUME_PENDING
    key: str | None = None
    sha256: str | None = None
    downloaded_at: str | None = None
    downloads: int = 0

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Batch:
    """Submitted requests for Dukcapil, in zip volumes (DESIGN §3 "Dukcapil batches")."""

    id: str
    created_by: str
    created_at: str
    filters: dict[str, str | None]
    status: str = BATCH_BUILDING
    count: int = 0
    key: str | None = None  # batches built before volumes: their one zip
    size: int | None = None
    sha256: str | None = None
    error: str | None = None
    downloaded_at: str | None = None
    downloads: int = 0
    purged_at: str | None = None
    version: int = 0  # every save is conditional on it
    phase: str = PHASE_GATHER
    step: int = 0  # build steps done; a step's message carries the number it expects
    cursor: str | None = None  # where the current phase goes on
    progress_at: str | None = None  # last recorded progress of the build
    volumes: list[Volume] = field(default_factory=list)
    excluded: list[dict[str, Any]] = field(default_factory=list)  # {id, code, reason}
    rebuild_of: str | None = None  # the failed batch whose requests this one takes
    claimed: int = 0  # requests the gather steps took
    planned: int = 0  # requests the plan steps put in volumes
    gathered_at: str | None = None
    # The kabupaten whose requests it takes (#16); "" in batches from before: the default's.
    kabupaten: str = ""

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Batch:
        volumes = [Volume(**known_fields(Volume, v)) for v in data.get("volumes", [])]
        if not volumes and data.get("key"):
            # Built before volumes: its one zip is volume 1 of the whole batch.
            volumes = [
                Volume(
                    n=1,
                    first="",
                    last="",
                    count=data.get("count", 0),
                    size=data.get("size") or 0,
                    status=VOLUME_READY,
                    key=data["key"],
                    sha256=data.get("sha256"),
                    downloaded_at=data.get("downloaded_at"),
                    downloads=data.get("downloads", 0),
                )
            ]
        return cls(**known_fields(cls, {**data, "volumes": volumes}))

    def reads_failed(self, now: str, deadline_seconds: int) -> bool:
        """FAILED when marked so, or BUILDING with no progress for the deadline."""
        if self.status == BATCH_FAILED:
            return True
        if self.status != BATCH_BUILDING:
            return False
        since = self.progress_at or self.created_at
        elapsed = datetime.fromisoformat(now) - datetime.fromisoformat(since)
        return elapsed.total_seconds() > deadline_seconds

    def as_read(self, now: str, deadline_seconds: int) -> Batch:
        """The batch as a reader must see it: a stalled build reads FAILED."""
        if self.status == BATCH_BUILDING and self.reads_failed(now, deadline_seconds):
            return replace(self, status=BATCH_FAILED, error=self.error or "deadline")
        return self


@dataclass
class Scan:
    id: str
    request_id: str
    requirement: str
    sha256: str
    size: int
    content_type: str
    key: str
    state: str  # pending | ok
    created_at: str
    # A photo taken again for a page Dukcapil sent back: the id of the scan it replaces
    # (removed once this one is checked), and where it sorts: the old page's place,
    # "<created_at>|<id>" of the page first in that place.
    replaces: str | None = None
    placed_at: str = ""
    # The submission this scan first went out with (request.submission + 1 when it was
    # registered): a page with the request's current number > 1 is new for Dukcapil.
    submission: int = 0
    # The photo check's flags the operator kept the page despite (domain/scan_quality.py).
    quality: tuple[str, ...] = ()

    @property
    def order_key(self) -> tuple[str, str]:
        """Where the page sorts among its document's pages (berkas.pdf, Dukcapil's screen)."""
        if self.placed_at:
            at, _, first = self.placed_at.partition("|")
            return at, first
        return self.created_at, self.id

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Event:
    """One step of a request's timeline; also written to the audit log."""

    request_id: str
    at: str
    by: str
    from_status: Status | None
    to_status: Status
    note: str = ""
    action: str = "request.transition"


@dataclass
class User:
    username: str
    role: Role
    desa: str | None
    password_hash: str
    active: bool = True
    # Bumped on password reset or disable: sessions carry it, so old ones die.
    session_epoch: int = 0
    created_at: str = ""
    # The kabupaten an officer or admin works for (an operator's is its desa's); the
    # province role's province. Accounts from before #16 name none: the default kabupaten.
    kabupaten: str | None = None
    provinsi: str | None = None


@dataclass
class LoginAttempts:
    """Attempts counted against one throttle key (a hashed username, code or client)."""

    key: str
    failures: int  # attempts counted (each reserved before it was checked)
    locked_until: float  # unix time; 0 = not locked
    # Unix time after which the record is forgotten (DynamoDB's TTL; swept locally);
    # 0 only in records from before #13, read as already forgotten.
    expires_at: float = 0.0


@dataclass(frozen=True)
class OfficerSession:
    """One login on one device, stored server-side; the cookie holds only its random id."""

    id_hash: str  # SHA-256 of the id in the cookie: the store never sees the id itself
    username: str
    epoch: int  # the account's session_epoch at login: bumping it ends every session
    created_at: float  # unix times
    last_seen: float
    expires_at: float  # when it dies at the latest (idle or absolute lifetime)
    revoked: bool = False


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    target: str
    data: dict[str, Any]
    prev_hash: str
    hash: str  # the link: HMAC under key `key_id` (domain/audit_chain.py); legacy: SHA-256
    key_id: str = ""  # "" on entries written before the log was keyed
    # The chain it belongs to (#16): a kabupaten code; set from where it was read, not
    # covered by the link (each chain's sealed head names it).
    chain: str = ""


GENESIS_HASH = "0" * 64


def audit_hash(
    seq: int, at: str, actor: str, action: str, target: str, data: dict[str, Any], prev: str
) -> str:
    payload = json.dumps(
        [seq, at, actor, action, target, data, prev], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def first_broken_link(entries: list[AuditEntry]) -> int | None:
    """The seq of the first entry whose unkeyed chain does not hold, or None if all do.

    The rule of entries written before the log was keyed (#13): new entries are
    HMAC-linked and checked by `domain.audit_chain.AuditKeys` with the chain's head.

    Entries must be in seq order from 1; a removed row shows as a gap in seq
    or a prev_hash that no longer matches.
    """
    prev = GENESIS_HASH
    for expected_seq, entry in enumerate(entries, start=1):
        if not link_holds(entry, expected_seq, prev):
            return expected_seq
        prev = entry.hash
    return None


def link_holds(entry: AuditEntry, expected_seq: int, prev: str) -> bool:
    """Whether `entry` is the chain's entry number `expected_seq`, following the hash `prev`."""
    recomputed = audit_hash(
        entry.seq, entry.at, entry.actor, entry.action, entry.target, entry.data, prev
    )
    return entry.seq == expected_seq and entry.prev_hash == prev and entry.hash == recomputed


def event_audit_data(event: Event) -> dict[str, Any]:
    """What the audit log keeps of a timeline event: the move, never the note's text.

    A note can carry personal values (a handover names who received the document,
    an officer's reason is free text), and the chained log cannot be erased when
    the request is (docs/retention.md): the note lives in the timeline only.
    """
    return {
        "from": event.from_status.value if event.from_status else None,
        "to": event.to_status.value,
        "noted": bool(event.note.strip()),
    }
