"""Blobs in one S3 bucket, reached by devices through presigned URLs.

Uploads are presigned PUTs that sign Content-Type and Content-Length, so S3
refuses any other type or size, and, when the server knows the bytes' SHA-256,
`x-amz-checksum-sha256`, so S3 itself refuses any other bytes (BadDigest): the
URL only works for the bytes the server registered, even after `complete`.
Encryption is the bucket's default, SSE-KMS with the stack's key
(infra/bakso.yaml); the bucket policy refuses any other encryption.

A presigned URL dies with the credentials that signed it: on Lambda those are
the role's session credentials, so a URL can expire before `expires_in` says;
an expired URL is simply asked for again.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO, TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain.errors import InvalidInput, NotFound, StoreUnavailable
from ...domain.refusals import BAD_BLOB_KEY, BAD_RANGE, BLOB_NOT_FOUND, STORE_FAILING
from ...ports import Blobs, BlobSink, UploadTarget
from .errors import error_code, translated

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

log = logging.getLogger(__name__)

CHUNK = 1 << 20
# 16 MiB parts: a 1 GiB volume is 64 parts (S3 allows 10,000), and one part is
# all a writer holds in memory.
PART_SIZE = 16 << 20
_MISSING = BLOB_NOT_FOUND
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


class _MultipartSink:
    """Buffers one part (S3's minimum is 5 MiB except the last) and uploads it when full."""

    def __init__(self, client: S3Client, bucket: str, key: str, upload_id: str) -> None:
        self.client, self.bucket, self.key, self.upload_id = client, bucket, key, upload_id
        self.buffer = bytearray()
        self.parts: list[CompletedPartTypeDef] = []

    def write(self, data: bytes, /) -> int:
        self.buffer += data
        while len(self.buffer) >= PART_SIZE:
            self._upload(bytes(self.buffer[:PART_SIZE]))
            del self.buffer[:PART_SIZE]
        return len(data)

    def complete(self) -> None:
        if self.buffer or not self.parts:
            self._upload(bytes(self.buffer))
            self.buffer.clear()
        with translated("complete multipart upload"):
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self.upload_id,
                MultipartUpload={"Parts": self.parts},
            )

    def _upload(self, part: bytes) -> None:
        number = len(self.parts) + 1
        with translated("upload part"):
            response = self.client.upload_part(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self.upload_id,
                PartNumber=number,
                Body=part,
            )
        self.parts.append({"ETag": response["ETag"], "PartNumber": number})


def checksum_header(sha256: str) -> str:
    """S3's x-amz-checksum-sha256: the digest in base64, where BAKSO registers it in hex."""
    try:
        digest = bytes.fromhex(sha256)
    except ValueError:
        digest = b""
    if len(digest) != 32:
        raise InvalidInput("Sidik SHA-256 tidak valid.")
    return base64.b64encode(digest).decode("ascii")


def _check_key(key: str) -> None:
    # The same keys as the folder adapter accepts, so both stores hold the same names.
    if (
        not key
        or key.startswith("/")
        or "\\" in key
        or "\0" in key
        or any(not part or part.startswith(".") for part in key.split("/"))
    ):
        raise InvalidInput(BAD_BLOB_KEY)


class S3Blobs(Blobs):
    def __init__(self, client: S3Client, bucket: str) -> None:
        """`client` must sign with s3v4 and virtual-hosted addressing (see `build`)."""
        self.client = client
        self.bucket = bucket

    def upload_target(
        self,
        key: str,
        *,
        size: int,
        content_type: str,
        expires_in: int,
        sha256: str | None = None,
    ) -> UploadTarget:
        _check_key(key)
        params: dict[str, str | int] = {
            "Bucket": self.bucket,
            "Key": key,
            "ContentType": content_type,
            "ContentLength": size,
        }
        headers = {"Content-Type": content_type}
        if sha256 is not None:
            checksum = checksum_header(sha256)
            params["ChecksumSHA256"] = checksum  # signed: x-amz-checksum-sha256
            headers["x-amz-checksum-sha256"] = checksum
        with translated("presign upload"):
            url = self.client.generate_presigned_url(
                "put_object", Params=params, ExpiresIn=expires_in, HttpMethod="PUT"
            )
        # Content-Length is signed too; every HTTP client sets it from the body.
        return UploadTarget("PUT", url, headers=headers)

    def download_url(
        self, key: str, *, expires_in: int, filename: str | None = None, inline: bool = False
    ) -> str:
        _check_key(key)
        params = {"Bucket": self.bucket, "Key": key}
        if filename:
            safe = _UNSAFE_FILENAME.sub("_", filename)
            disposition = "inline" if inline else "attachment"
            params["ResponseContentDisposition"] = f'{disposition}; filename="{safe}"'
        with translated("presign download"):
            return self.client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires_in, HttpMethod="GET"
            )

    def size(self, key: str) -> int | None:
        _check_key(key)
        with translated("head blob"):
            try:
                head = self.client.head_object(Bucket=self.bucket, Key=key)
            except ClientError as error:
                if error_code(error) in _NOT_FOUND:
                    return None
                raise
        return head["ContentLength"]

    def read_head(self, key: str, length: int) -> bytes:
        return self.read_range(key, 0, max(length, 0))

    def read_range(self, key: str, start: int, length: int) -> bytes:
        _check_key(key)
        if start < 0 or length < 0:
            raise InvalidInput(BAD_RANGE)
        if length == 0:
            return b""
        with translated("read blob range"):
            try:
                response = self.client.get_object(
                    Bucket=self.bucket, Key=key, Range=f"bytes={start}-{start + length - 1}"
                )
            except ClientError as error:
                if error_code(error) in _NOT_FOUND:
                    raise NotFound(_MISSING) from None
                if error_code(error) == "InvalidRange":  # at or past the end
                    return b""
                raise
            body = response["Body"]
            try:
                return body.read()
            finally:
                body.close()

    def iter_chunks(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        _check_key(key)
        with translated("read blob"):
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=key)
            except ClientError as error:
                if error_code(error) in _NOT_FOUND:
                    raise NotFound(_MISSING) from None
                raise
            body = response["Body"]
            try:
                yield from body.iter_chunks(chunk_size)
            finally:
                body.close()

    def put(self, key: str, data: IO[bytes], content_type: str) -> None:
        _check_key(key)
        # The managed transfer goes multipart for large files (batch zips), reading
        # the stream in parts: memory stays flat however large the blob.
        with translated("put blob"):
            self.client.upload_fileobj(
                data, self.bucket, key, ExtraArgs={"ContentType": content_type}
            )

    @contextmanager
    def writer(self, key: str, content_type: str) -> Iterator[BlobSink]:
        """A multipart upload: one part in memory at a time, aborted if the block raises."""
        _check_key(key)
        with translated("start multipart upload"):
            upload_id = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key, ContentType=content_type
            )["UploadId"]
        sink = _MultipartSink(self.client, self.bucket, key, upload_id)
        try:
            yield sink
            sink.complete()
        except BaseException:
            # The bucket's lifecycle rule also aborts uploads left incomplete
            # (a Lambda killed here never reaches this line).
            with suppress(Exception), translated("abort multipart upload"):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise

    def delete(self, key: str) -> None:
        _check_key(key)
        with translated("delete blob"):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def erase_prefix(self, prefix: str) -> int:
        """Every version and delete marker under the prefix, and unfinished multipart uploads.

        A plain delete on a versioned bucket only hides the object behind a
        delete marker (the lifecycle rule would expire it days later): personal
        data goes now, version by version, a listing page (1000) at a time.
        """
        if not prefix.endswith("/"):
            raise InvalidInput(BAD_BLOB_KEY)
        _check_key(prefix.rstrip("/"))
        keys: set[str] = set()
        with translated("erase blobs"):
            pages = self.client.get_paginator("list_object_versions")
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
                versions = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                if not versions:
                    continue
                answer = self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={
                        "Objects": [
                            {"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions
                        ],
                        "Quiet": True,
                    },
                )
                if answer.get("Errors"):
                    # Quiet mode lists only failures; the next run tries again.
                    log.error("erase blobs failed: %s", answer["Errors"][0].get("Code"))
                    raise StoreUnavailable(STORE_FAILING)
                keys.update(v["Key"] for v in page.get("Versions", []))
            uploads = self.client.get_paginator("list_multipart_uploads")
            for listing in uploads.paginate(Bucket=self.bucket, Prefix=prefix):
                for upload in listing.get("Uploads", []):
                    with suppress(ClientError):  # finished or aborted meanwhile
                        self.client.abort_multipart_upload(
                            Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                        )
        return len(keys)
