"""The blob port: scans, batch volumes and return files, in a folder or S3."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import IO, Protocol


class BlobSink(Protocol):
    def write(self, data: bytes, /) -> int: ...


@dataclass(frozen=True)
class UploadTarget:
    method: str  # PUT or POST
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # presigned POST only


class Blobs(ABC):
    @abstractmethod
    def upload_target(
        self,
        key: str,
        *,
        size: int,
        content_type: str,
        expires_in: int,
        sha256: str | None = None,
    ) -> UploadTarget:
        """Where the device sends the bytes; size and type are bound into the signature.

        With `sha256` (hex) the bytes are bound too: a PUT of anything else is
        refused (Conflict), before or after the server checked the upload, so a
        URL still valid after `complete` cannot replace a checked file. The
        target's headers are the ones the device must send as given.
        """

    @abstractmethod
    def download_url(
        self, key: str, *, expires_in: int, filename: str | None = None, inline: bool = False
    ) -> str:
        """A short-lived GET URL, offered as `filename`; `inline`: for the browser to show
        (a PDF opened in a tab to print) rather than save."""

    @abstractmethod
    def size(self, key: str) -> int | None:
        """Stored size in bytes, or None if there is no such blob."""

    @abstractmethod
    def read_head(self, key: str, length: int) -> bytes: ...

    @abstractmethod
    def read_range(self, key: str, start: int, length: int) -> bytes:
        """Up to `length` bytes from offset `start` (fewer at the end; b"" past it).

        NotFound if there is no such blob. Random access into a large upload (the
        bulk return's zip is read member by member, never downloaded whole).
        """

    @abstractmethod
    def iter_chunks(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]: ...

    @abstractmethod
    def put(self, key: str, data: IO[bytes], content_type: str) -> None: ...

    @abstractmethod
    def writer(self, key: str, content_type: str) -> AbstractContextManager[BlobSink]:
        """Write a blob in order as it is produced, never staged whole anywhere.

        Stored on a clean exit, not at all if the block raises. The folder makes
        a file beside the blob and renames it; S3 a multipart upload, one part
        in memory at a time.
        """

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def erase_prefix(self, prefix: str) -> int:
        """Delete every blob whose key starts with `prefix` (ending in "/"), for good.

        Personal data: where the store keeps older versions (S3 versioning) every
        version and delete marker goes too, and half-written files with them.
        Reads the listing page by page. Returns how many keys were removed.
        """
