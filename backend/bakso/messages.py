"""The queue's messages: one frozen dataclass per kind, and its wire form.

A body on the queue is a JSON object: "type" names the kind, the other keys are
its fields. The type strings and field names are the wire format, shared with
messages already queued (or dead-lettered) in production, so they never change;
a field added later gets a default (a `batch.build` from before build steps has
no "step" and decodes as step 0). Bodies carry ids, numbers and statuses only,
never personal data.

Services send `queue.send(SomeMessage(...).to_body())`; the worker decodes each
body with `decode` and looks up its handler in `workers/handlers.HANDLERS`. A
body of no known type, or with a field missing or of the wrong type, raises
UnknownMessage: the worker leaves it unacked, so it ends as a dead letter.
Keys a kind does not know are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias

from .domain.sasaran import RequestChange


class UnknownMessage(Exception):
    """A body that is none of the messages below: unknown type, or malformed."""


@dataclass(frozen=True)
class _Body:
    TYPE: ClassVar[str]

    def to_body(self) -> dict[str, Any]:
        return {"type": self.TYPE, **vars(self)}


@dataclass(frozen=True)
class RequestSubmitted(_Body):
    """Verify the scans of this submission of a request (RequestService.verify_submission)."""

    TYPE: ClassVar[str] = "request.submitted"
    request_id: str
    submission: int

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> RequestSubmitted:
        return cls(_str(body, "request_id"), _int(body, "submission"))


@dataclass(frozen=True)
class BatchBuildStep(_Body):
    """Do build step `step` of a batch (BatchService.build_step); each queues the next."""

    TYPE: ClassVar[str] = "batch.build"
    batch_id: str
    step: int = 0

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> BatchBuildStep:
        return cls(_str(body, "batch_id"), _int(body, "step", default=0))


@dataclass(frozen=True)
class BatchAccept(_Body):
    """Mark the chunk of a downloaded volume after position `after` DITERIMA, as `by`."""

    TYPE: ClassVar[str] = "batch.accept"
    batch_id: str
    volume: int
    after: str | None = None
    by: str = "sistem"

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> BatchAccept:
        return cls(
            _str(body, "batch_id"),
            _int(body, "volume"),
            _optional_str(body, "after"),
            _str(body, "by", default="sistem"),
        )


@dataclass(frozen=True)
class ReturnPrepare(_Body):
    """Read a bulk return's files once and plan its chunks (ReturnService.prepare)."""

    TYPE: ClassVar[str] = "returns.prepare"
    return_id: str

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> ReturnPrepare:
        return cls(_str(body, "return_id"))


@dataclass(frozen=True)
class ReturnChunk(_Body):
    """Apply one chunk of a bulk return (ReturnService.apply_chunk); each queues the next."""

    TYPE: ClassVar[str] = "returns.chunk"
    return_id: str
    chunk: int

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> ReturnChunk:
        return cls(_str(body, "return_id"), _int(body, "chunk"))


@dataclass(frozen=True)
class SasaranImportParse(_Body):
    """Judge every line of a sasaran import once (SasaranService.parse_import)."""

    TYPE: ClassVar[str] = "sasaran.import.parse"
    import_id: str

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> SasaranImportParse:
        return cls(_str(body, "import_id"))


@dataclass(frozen=True)
class SasaranImportChunk(_Body):
    """Apply one chunk of a sasaran import (SasaranService.apply_chunk); each queues the next."""

    TYPE: ClassVar[str] = "sasaran.import.chunk"
    import_id: str
    chunk: int

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> SasaranImportChunk:
        return cls(_str(body, "import_id"), _int(body, "chunk"))


@dataclass(frozen=True)
class SasaranRequestChange(_Body):
    """Coverage of a request change that could not be counted when it was saved."""

    TYPE: ClassVar[str] = "sasaran.request_change"
    change: RequestChange

    def to_body(self) -> dict[str, Any]:
        return {"type": self.TYPE, **self.change.to_record()}  # flat, as it always was

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> SasaranRequestChange:
        return cls(
            RequestChange(
                request_id=_str(body, "request_id"),
                version=_int(body, "version"),
                desa=_str(body, "desa"),
                at=_str(body, "at"),
                after_status=_str(body, "after_status"),
                before_status=_optional_str(body, "before_status"),
                before_since=_optional_str(body, "before_since"),
                sasaran_id=_optional_str(body, "sasaran_id"),
                jemput_bola=_bool(body, "jemput_bola", default=False),
                before_jemput_bola=_bool(body, "before_jemput_bola", default=False),
            )
        )


Message: TypeAlias = (
    RequestSubmitted
    | BatchBuildStep
    | BatchAccept
    | ReturnPrepare
    | ReturnChunk
    | SasaranImportParse
    | SasaranImportChunk
    | SasaranRequestChange
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


def _str(body: Mapping[str, Any], name: str, *, default: str | None = None) -> str:
    value: str = _field(body, name, (str,), default)
    return value


def _optional_str(body: Mapping[str, Any], name: str) -> str | None:
    return None if body.get(name) is None else _str(body, name)


def _int(body: Mapping[str, Any], name: str, *, default: int | None = None) -> int:
    value: int = _field(body, name, (int,), default)
    return value


def _bool(body: Mapping[str, Any], name: str, *, default: bool | None = None) -> bool:
    value: bool = _field(body, name, (bool,), default)
    return value
