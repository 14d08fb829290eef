"""Blobs as files under one folder, with signed upload/download URLs that Flask serves.

The tokens play the part of S3's presigned URLs: key, size and content type
are signed in, so the device cannot store anything other than what the server
registered. Expiry is checked against the injected clock rather than with
itsdangerous' timed serializer, so tests can move time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

from itsdangerous import BadSignature, URLSafeSerializer

from ...domain.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from ...domain.refusals import (
    BAD_BLOB_KEY,
    BAD_DOWNLOAD_LINK,
    BAD_RANGE,
    BAD_UPLOAD_LINK,
    BLOB_NOT_FOUND,
    EXPIRED_DOWNLOAD_LINK,
    EXPIRED_UPLOAD_LINK,
    LARGER_THAN_REGISTERED,
    OTHER_BYTES_THAN_REGISTERED,
    WRONG_CONTENT_TYPE,
)
from ...ports import Blobs, BlobSink, UploadTarget

UPLOAD_SALT = "bakso-blob-upload"
DOWNLOAD_SALT = "bakso-blob-download"
CHUNK = 1 << 20

_MISSING = BLOB_NOT_FOUND


class FolderBlobs(Blobs):
    def __init__(
        self,
        root: Path,
        secret: str,
        *,
        now: Callable[[], float] = time.time,
        url_prefix: str = "/blobs",
    ) -> None:
        self.root = root
        self._now = now
        self._url_prefix = url_prefix.rstrip("/")
        self._upload_signer = URLSafeSerializer(secret, salt=UPLOAD_SALT)
        self._download_signer = URLSafeSerializer(secret, salt=DOWNLOAD_SALT)
        root.mkdir(parents=True, exist_ok=True)

    # Port -----------------------------------------------------------------
    def upload_target(
        self,
        key: str,
        *,
        size: int,
        content_type: str,
        expires_in: int,
        sha256: str | None = None,
    ) -> UploadTarget:
        self._path(key)
        claims = {"k": key, "s": size, "t": content_type, "e": int(self._now()) + expires_in}
        if sha256 is not None:
            claims["h"] = sha256
        token = self._upload_signer.dumps(claims)
        return UploadTarget(
            "PUT",
            f"{self._url_prefix}/upload/{token}",
            headers={"Content-Type": content_type},
        )

    def download_url(
        self, key: str, *, expires_in: int, filename: str | None = None, inline: bool = False
    ) -> str:
        self._path(key)
        claims: dict[str, Any] = {"k": key, "e": int(self._now()) + expires_in, "n": filename}
        if inline:
            claims["i"] = 1  # older tokens lack it: attachment, as before
        token = self._download_signer.dumps(claims)
        return f"{self._url_prefix}/download/{token}"

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def read_head(self, key: str, length: int) -> bytes:
        return self.read_range(key, 0, max(length, 0))

    def read_range(self, key: str, start: int, length: int) -> bytes:
        if start < 0 or length < 0:
            raise InvalidInput(BAD_RANGE)
        try:
            with self._path(key).open("rb") as file:
                file.seek(start)
                return file.read(length)
        except FileNotFoundError:
            raise NotFound(_MISSING) from None

    def iter_chunks(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        try:
            file = self._path(key).open("rb")
        except FileNotFoundError:
            raise NotFound(_MISSING) from None
        with file:
            while chunk := file.read(chunk_size):
                yield chunk

    def put(self, key: str, data: IO[bytes], content_type: str) -> None:
        self._write(self._path(key), data, limit=None)

    @contextlib.contextmanager
    def writer(self, key: str, content_type: str) -> Iterator[BlobSink]:
        """The file is made in the blob folder and renamed when done: written once."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as temp:
                yield temp
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def erase_prefix(self, prefix: str) -> int:
        """Every file under the prefix's folder, half-written `.part` files included."""
        if not prefix.endswith("/"):
            raise InvalidInput(BAD_BLOB_KEY)
        folder = self._path(prefix.rstrip("/"))
        if not folder.is_dir():
            return 0
        removed = 0
        # Deepest first, so each folder is empty by the time it is removed.
        for current, folders, files in os.walk(folder, topdown=False):
            for name in files:
                Path(current, name).unlink(missing_ok=True)
                removed += not name.startswith(".")
            for name in folders:
                with contextlib.suppress(FileNotFoundError, OSError):
                    Path(current, name).rmdir()
        with contextlib.suppress(FileNotFoundError, OSError):
            folder.rmdir()
        return removed

    # What the Flask blob routes call ------------------------------------------
    def accept_upload(
        self,
        token: str,
        content_type: str | None,
        stream: IO[bytes],
        content_length: int | None,
    ) -> str:
        """Store the body of a PUT to an upload URL; return the key it was stored under."""
        claims = self._verify(
            self._upload_signer,
            token,
            BAD_UPLOAD_LINK,
            EXPIRED_UPLOAD_LINK,
        )
        key, size, signed_type = claims["k"], claims["s"], claims["t"]
        if (content_type or "").strip() != signed_type:
            raise InvalidInput(WRONG_CONTENT_TYPE)
        if content_length is not None and content_length > size:
            raise PayloadTooLarge(LARGER_THAN_REGISTERED)
        sha256 = claims.get("h")
        self._write(
            self._path(key), stream, limit=size, sha256=sha256 if isinstance(sha256, str) else None
        )
        return str(key)

    def resolve_download(self, token: str) -> tuple[Path, str | None]:
        """The file a download URL points at and the name to offer it under."""
        claims = self._verify(
            self._download_signer,
            token,
            BAD_DOWNLOAD_LINK,
            EXPIRED_DOWNLOAD_LINK,
        )
        path = self._path(claims["k"])
        if not path.is_file():
            raise NotFound(_MISSING)
        name = claims.get("n")
        return path, name if isinstance(name, str) else None

    def download_is_inline(self, token: str) -> bool:
        """Whether a download URL asks the browser to show the file rather than save it."""
        claims = self._verify(
            self._download_signer, token, BAD_DOWNLOAD_LINK, EXPIRED_DOWNLOAD_LINK
        )
        return bool(claims.get("i"))

    # Helpers --------------------------------------------------------------
    def _verify(
        self, signer: URLSafeSerializer, token: str, forged: str, expired: str
    ) -> dict[str, Any]:
        try:
            claims = signer.loads(token)
        except BadSignature:
            raise Forbidden(forged) from None
        if not isinstance(claims, dict):
            raise Forbidden(forged)
        if self._now() > claims["e"]:
            raise Forbidden(expired, reason="expired")
        return claims

    def _path(self, key: str) -> Path:
        """The file for `key`; refuses keys that could leave the root or hit temp files."""
        parts = key.split("/")
        if (
            not key
            or "\\" in key
            or "\0" in key
            or PurePosixPath(key).is_absolute()
            # A leading dot also rules out "." and "..", and our ".*.part" temp files.
            or any(not part or part.startswith(".") for part in parts)
        ):
            raise InvalidInput(BAD_BLOB_KEY)
        return self.root.joinpath(*parts)

    @staticmethod
    def _write(
        path: Path, source: IO[bytes], *, limit: int | None, sha256: str | None = None
    ) -> None:
        """Copy into a temp file beside `path`, then rename: readers never see half a blob.

        With `sha256`, bytes that hash otherwise are never renamed into place: the
        blob already there (a checked scan) stays as it was.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as temp:
                written = 0
                while True:
                    # Reading one byte past the limit is enough to know it was exceeded.
                    want = CHUNK if limit is None else min(CHUNK, limit - written + 1)
                    chunk = source.read(want)
                    if not chunk:
                        break
                    written += len(chunk)
                    if limit is not None and written > limit:
                        raise PayloadTooLarge(LARGER_THAN_REGISTERED)
                    digest.update(chunk)
                    temp.write(chunk)
                temp.flush()
                os.fsync(temp.fileno())
            if sha256 is not None and digest.hexdigest() != sha256:
                raise Conflict(OTHER_BYTES_THAN_REGISTERED)
            os.replace(temp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
