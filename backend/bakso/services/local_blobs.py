"""The local blob folder's signed-URL routes: what S3 serves by itself on AWS.

Only the local adapter set has them (`bootstrap` builds this service when the
blob store can honour its own signed URLs); the Flask routes in `api/blobs`
call it, never the store.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Protocol, runtime_checkable


@runtime_checkable
class SignedUrlBlobs(Protocol):
    """A blob store whose upload and download URLs this server answers itself."""

    def accept_upload(
        self, token: str, content_type: str | None, stream: IO[bytes], content_length: int | None
    ) -> str:
        """Store the body of a PUT to an upload URL (key, size and type are in the token)."""

    def resolve_download(self, token: str) -> tuple[Path, str | None]:
        """The file a download URL points at and the name to offer it under."""

    def download_is_inline(self, token: str) -> bool:
        """Whether the URL asks for the file to be shown rather than saved."""


class LocalBlobService:
    def __init__(self, blobs: SignedUrlBlobs) -> None:
        self.blobs = blobs

    def accept_upload(
        self, token: str, content_type: str | None, stream: IO[bytes], content_length: int | None
    ) -> str:
        """Store an upload; Forbidden for a forged or expired token, InvalidInput for another
        type, PayloadTooLarge past the signed size. Returns the key stored."""
        return self.blobs.accept_upload(token, content_type, stream, content_length)

    def resolve_download(self, token: str) -> tuple[Path, str | None]:
        return self.blobs.resolve_download(token)

    def download_is_inline(self, token: str) -> bool:
        return self.blobs.download_is_inline(token)
