"""The queue's messages: one frozen dataclass per kind, and its wire form.

A body on the queue is a JSON object: "type" names the kind, the other keys are
its fields. The type strings and field names are the wire format, shared with
messages already queued (or dead-lettered) in production, so they never change;
a field added later gets a default (a `batch.build` from before build steps has
no "step" and decodes as step 0). Bodies carry ids, numbers and statuses only,
never personal data.

Services send `queue.send(SomeMessage(...).to_body())`; the worker decodes each
body with `decode` (a kind's fields are read by their declared types: str, int,
bool, `str | None`) and looks up its handler in `workers/handlers.HANDLERS`. A
body of no known type, or with a field missing or of the wrong type, raises
UnknownMessage: the worker leaves it unacked, so it ends as a dead letter.
Keys a kind does not know are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar, Self, TypeAlias, TypeVar, get_type_hints

from .domain.sasaran import RequestChange


class UnknownMessage(Exception):
    """A body that is none of the messages below: unknown type, or malformed."""


@dataclass(frozen=True)
class _Body:
    TYPE: ClassVar[str]

    def to_body(self) -> dict[str, Any]:
        return {"type": self.TYPE, **vars(self)}

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Self:
        """The message a body of this kind holds, read field by field (`_decoded`)."""
        return _decoded(cls, body)


@dataclass(frozen=True)
class RequestSubmitted(_Body):
    """Verify the scans of this submission of a request (RequestService.verify_submission)."""

    TYPE: ClassVar[str] = "request.submitted"
    request_id: str
    submission: int


@dataclass(frozen=True)
class BatchBuildStep(_Body):
    """Do build step `step` of a batch (BatchService.build_step); each queues the next."""

    TYPE: ClassVar[str] = "batch.build"
    batch_id: str
    step: int = 0


@dataclass(frozen=True)
class BatchAccept(_Body):
    """Mark the chunk of a downloaded volume after position `after` DITERIMA, as `by`."""

    TYPE: ClassVar[str] = "batch.accept"
    batch_id: str
    volume: int
    after: str | None = None
    by: str = "sistem"


@dataclass(frozen=True)
class ReturnPrepare(_Body):
    """Read a bulk return's files once and plan its chunks (ReturnService.prepare)."""

    TYPE: ClassVar[str] = "returns.prepare"
    return_id: str


@dataclass(frozen=True)
class ReturnChunk(_Body):
    """Apply one chunk of a bulk return (ReturnService.apply_chunk); each queues the next."""

    TYPE: ClassVar[str] = "returns.chunk"
    return_id: str
    chunk: int


@dataclass(frozen=True)
class SasaranImportParse(_Body):
    """Judge every line of a sasaran import once (SasaranService.parse_import)."""

    TYPE: ClassVar[str] = "sasaran.import.parse"
    import_id: str


@dataclass(frozen=True)
class SasaranImportChunk(_Body):
    """Apply one chunk of a sasaran import (SasaranService.apply_chunk); each queues the next."""

    TYPE: ClassVar[str] = "sasaran.import.chunk"
    import_id: str
    chunk: int


@dataclass(frozen=True)
class SasaranRequestChange(_Body):
    """Coverage of a request change that could not be counted when it was saved."""

    TYPE: ClassVar[str] = "sasaran.request_change"
    change: RequestChange

    def to_body(self) -> dict[str, Any]:
        return {"type": self.TYPE, **self.change.to_record()}  # flat, as it always was

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Self:
        return cls(_decoded(RequestChange, body))


@dataclass(frozen=True)
class NotifyResident(_Body):
    """Tell the resident (with consent) of the move that made `version` of a request
    (NotificationService.deliver). `pin_sealed`: on the DIAJUKAN message only, the
    download PIN sealed for this message (services/resident_pin.seal), never in clear."""

    TYPE: ClassVar[str] = "notify.resident"
    request_id: str
    version: int
    status: str
    pin_sealed: str | None = None


@dataclass(frozen=True)
class ServiceTimeCount(_Body):
    """A request's arrival at SELESAI or DISERAHKAN (`at`) that /layanan's histograms
    could not count when it was saved (ServiceTimeService.count_later)."""

    TYPE: ClassVar[str] = "service_times.count"
    request_id: str
    status: str
    at: str


Message: TypeAlias = (
    RequestSubmitted
    | BatchBuildStep
    | BatchAccept
    | ReturnPrepare
    | ReturnChunk
    | SasaranImportParse
    | SasaranImportChunk
    | SasaranRequestChange
    | NotifyResident
    | ServiceTimeCount
)
MESSAGE_CLASSES: tuple[type[Message], ...] = (
    RequestSubmitted,
    BatchBuildStep,
    BatchAccept,
    ReturnPrepare,
    ReturnChunk,
    SasaranImportParse,
    SasaranImportChunk,
    SasaranRequestChange,
    NotifyResident,
    ServiceTimeCount,
)
_BY_TYPE: dict[str, type[Message]] = {cls.TYPE: cls for cls in MESSAGE_CLASSES}


def decode(body: object) -> Message:
    """The message a queued body is; UnknownMessage if it is none."""
    if not isinstance(body, Mapping):
        raise UnknownMessage("message body is not an object")
    kind = body.get("type")
    cls = _BY_TYPE.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise UnknownMessage(f"unknown message type {kind!r}")
    return cls.from_body(body)


_D = TypeVar("_D")


_KINDS: dict[type[Any], tuple[tuple[str, Any, Any], ...]] = {}


def _field_kinds(cls: type[Any]) -> tuple[tuple[str, Any, Any], ...]:
    """(name, type, default or None) of each field of a dataclass, worked out once."""
    if cls not in _KINDS:
        hints = get_type_hints(cls)
        _KINDS[cls] = tuple(
            (f.name, hints[f.name], None if f.default is MISSING else f.default)
            for f in fields(cls)
        )
    return _KINDS[cls]


def _decoded(cls: type[_D], body: Mapping[str, Any]) -> _D:
    """A dataclass of str, int, bool and `str | None` fields, read from a body."""
    values: dict[str, Any] = {}
    for name, kind, default in _field_kinds(cls):
        if kind == str | None:
            values[name] = _optional_str(body, name)
        elif kind in (str, int, bool):
            values[name] = _field(body, name, (kind,), default)
        else:
            raise TypeError(f"{cls.__name__}.{name}: no reader for {kind!r}")
    return cls(**values)


# Field readers: the error names the field, never its value. A field with a default
# may be absent (or null): it was added after messages without it were queued.
def _field(body: Mapping[str, Any], name: str, kinds: tuple[type, ...], default: Any) -> Any:
    value = body.get(name)
    if value is None and default is not None:
        return default
    # bool is an int in Python, never in a message.
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise UnknownMessage(f"{body.get('type')} message: field {name!r} missing or malformed")
    return value


def _optional_str(body: Mapping[str, Any], name: str) -> str | None:
    value: str | None = None if body.get(name) is None else _field(body, name, (str,), None)
    return value
