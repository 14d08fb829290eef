"""The Blobs contract, plus the folder adapter's own upload safety."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

from bakso.adapters.local import FolderBlobs
from bakso.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from bakso.ports import Blobs

if TYPE_CHECKING:
    from conftest import AdapterSet

# Large enough to span several 1 MiB chunks, not a multiple of any chunk size.
DATA = bytes(range(256)) * 9_000 + b"\xff\xd8tail"
KEY = "scans/0b3f6c1e-request/" + hashlib.sha256(DATA).hexdigest()


def upload(adapter_set: AdapterSet, data: bytes = DATA, *, expires_in: int = 900) -> None:
    target = adapter_set.blobs.upload_target(
        KEY, size=len(data), content_type="image/jpeg", expires_in=expires_in
    )
    adapter_set.upload(target, data, "image/jpeg")


def test_upload_then_size_head_and_chunks_read_it_back(adapter_set: AdapterSet) -> None:
    blobs = adapter_set.blobs
    target = blobs.upload_target(KEY, size=len(DATA), content_type="image/jpeg", expires_in=900)
    assert target.method in {"PUT", "POST"}

    adapter_set.upload(target, DATA, "image/jpeg")

    assert blobs.size(KEY) == len(DATA)
    assert blobs.read_head(KEY, 16) == DATA[:16]
    chunks = list(blobs.iter_chunks(KEY, chunk_size=100_000))
    assert all(len(chunk) <= 100_000 for chunk in chunks)
    assert b"".join(chunks) == DATA


def test_upload_target_carries_the_content_type_header(blobs: Blobs) -> None:
    target = blobs.upload_target(KEY, size=10, content_type="application/pdf", expires_in=60)

    if target.method == "PUT":
        assert target.headers["Content-Type"] == "application/pdf"
    else:
        assert target.fields["Content-Type"] == "application/pdf"


def test_repeated_upload_to_same_key_is_harmless(adapter_set: AdapterSet) -> None:
    upload(adapter_set)
    upload(adapter_set)

    assert adapter_set.blobs.size(KEY) == len(DATA)


def test_size_of_missing_blob_is_none(blobs: Blobs) -> None:
    assert blobs.size("scans/nothing/here") is None


def test_upload_just_before_expiry_is_accepted(adapter_set: AdapterSet) -> None:
    target = adapter_set.blobs.upload_target(
        KEY, size=len(DATA), content_type="image/jpeg", expires_in=300
    )
    adapter_set.advance(299)

    adapter_set.upload(target, DATA, "image/jpeg")

    assert adapter_set.blobs.size(KEY) == len(DATA)


def test_upload_after_expiry_is_refused(adapter_set: AdapterSet) -> None:
    adapter_set.require_url_policy()
    target = adapter_set.blobs.upload_target(
        KEY, size=len(DATA), content_type="image/jpeg", expires_in=300
    )
    adapter_set.advance(301)

    with pytest.raises(Forbidden) as caught:
        adapter_set.upload(target, DATA, "image/jpeg")

    assert caught.value.extra.get("reason") == "expired"
    assert adapter_set.blobs.size(KEY) is None


def test_upload_with_forged_signature_is_refused(adapter_set: AdapterSet) -> None:
    adapter_set.require_url_policy()
    target = adapter_set.blobs.upload_target(
        KEY, size=len(DATA), content_type="image/jpeg", expires_in=300
    )
    last = target.url[-1]
    forged = dataclasses.replace(target, url=target.url[:-1] + ("A" if last != "A" else "B"))

    with pytest.raises(Forbidden):
        adapter_set.upload(forged, DATA, "image/jpeg")

    assert adapter_set.blobs.size(KEY) is None


def test_upload_larger_than_registered_is_refused(adapter_set: AdapterSet) -> None:
    adapter_set.require_url_policy()
    target = adapter_set.blobs.upload_target(
        KEY, size=len(DATA) - 1, content_type="image/jpeg", expires_in=300
    )

    with pytest.raises(PayloadTooLarge):
        adapter_set.upload(target, DATA, "image/jpeg")

    assert adapter_set.blobs.size(KEY) is None


def test_upload_with_other_content_type_is_refused(adapter_set: AdapterSet) -> None:
    adapter_set.require_url_policy()
    target = adapter_set.blobs.upload_target(
        KEY, size=len(DATA), content_type="image/jpeg", expires_in=300
    )

    with pytest.raises(InvalidInput):
        adapter_set.upload(target, DATA, "text/html")

    assert adapter_set.blobs.size(KEY) is None


def test_upload_bound_to_a_sha256_refuses_other_bytes_before_and_after(
    adapter_set: AdapterSet,
) -> None:
    adapter_set.require_url_policy()
    other = DATA[:-1] + b"\x00"  # the same size and type, other bytes
    target = adapter_set.blobs.upload_target(
        KEY,
        size=len(DATA),
        content_type="image/jpeg",
        expires_in=300,
        sha256=hashlib.sha256(DATA).hexdigest(),
    )

    with pytest.raises(Conflict):
        adapter_set.upload(target, other, "image/jpeg")
    assert adapter_set.blobs.size(KEY) is None

    adapter_set.upload(target, DATA, "image/jpeg")
    adapter_set.upload(target, DATA, "image/jpeg")  # the same bytes again: harmless
    with pytest.raises(Conflict):
        adapter_set.upload(target, other, "image/jpeg")
    assert b"".join(adapter_set.blobs.iter_chunks(KEY)) == DATA


def test_s3_upload_url_signs_the_checksum_and_says_which_headers_to_send(
    adapter_set: AdapterSet,
) -> None:
    # moto does not verify x-amz-checksum-sha256; S3 does, for a signed header it
    # must receive as signed. So: it is signed, and the device is told to send it.
    if adapter_set.name != "aws":
        pytest.skip("presigned S3 URLs")
    digest = hashlib.sha256(DATA).digest()
    target = adapter_set.blobs.upload_target(
        KEY,
        size=len(DATA),
        content_type="image/jpeg",
        expires_in=300,
        sha256=digest.hex(),
    )

    query = parse_qs(urlsplit(target.url).query)
    signed = query["X-Amz-SignedHeaders"][0].split(";")
    assert {"x-amz-checksum-sha256", "content-type", "content-length"} <= set(signed)
    assert "x-amz-checksum-sha256" not in {k.lower() for k in query}  # a header, not a param
    assert target.headers == {
        "Content-Type": "image/jpeg",
        "x-amz-checksum-sha256": base64.b64encode(digest).decode(),
    }
    adapter_set.upload(target, DATA, "image/jpeg")  # the headers as given are accepted
    assert adapter_set.blobs.size(KEY) == len(DATA)


def test_put_then_download_url_serves_the_bytes(adapter_set: AdapterSet) -> None:
    adapter_set.blobs.put("batches/b-1.zip", io.BytesIO(b"PK\x03\x04zip"), "application/zip")

    url = adapter_set.blobs.download_url("batches/b-1.zip", expires_in=60, filename="b-1.zip")

    assert adapter_set.download(url) == b"PK\x03\x04zip"


def test_an_inline_download_url_asks_to_show_the_file_and_a_plain_one_to_save_it(
    adapter_set: AdapterSet,
) -> None:
    adapter_set.blobs.put("issued/r-1/a", io.BytesIO(b"%PDF-1.4"), "application/pdf")
    blobs = adapter_set.blobs

    def disposition(inline: bool) -> str:
        url = blobs.download_url("issued/r-1/a", expires_in=60, filename="x.pdf", inline=inline)
        if adapter_set.name == "aws":  # S3 answers with what the URL asks for
            query = parse_qs(urlsplit(url).query)
            return query["response-content-disposition"][0].split(";")[0]
        token = url if adapter_set.name == "memory" else url.rsplit("/", 1)[1]
        return "inline" if blobs.download_is_inline(token) else "attachment"  # type: ignore[attr-defined]

    assert disposition(inline=True) == "inline"
    assert disposition(inline=False) == "attachment"


def test_download_after_expiry_is_refused(adapter_set: AdapterSet) -> None:
    adapter_set.require_url_policy()
    adapter_set.blobs.put("batches/b-1.zip", io.BytesIO(b"zip"), "application/zip")
    url = adapter_set.blobs.download_url("batches/b-1.zip", expires_in=60)
    adapter_set.advance(61)

    with pytest.raises(Forbidden):
        adapter_set.download(url)


def test_put_replaces_existing_blob(blobs: Blobs) -> None:
    blobs.put("issued/LT-2222-3333.pdf", io.BytesIO(b"%PDF-old"), "application/pdf")
    blobs.put("issued/LT-2222-3333.pdf", io.BytesIO(b"%PDF-new!"), "application/pdf")

    assert blobs.read_head("issued/LT-2222-3333.pdf", 100) == b"%PDF-new!"


def test_writer_stores_what_was_written_in_order_across_parts(blobs: Blobs) -> None:
    # Larger than one S3 part, so the multipart path uploads several.
    from bakso.adapters.aws.blobs import PART_SIZE

    pieces = [bytes([n]) * (PART_SIZE // 3 + 7) for n in range(7)]
    with blobs.writer("batches/b/vol-001.zip", "application/zip") as sink:
        for piece in pieces:
            sink.write(piece)
        assert blobs.size("batches/b/vol-001.zip") is None  # nothing visible until done

    assert b"".join(blobs.iter_chunks("batches/b/vol-001.zip")) == b"".join(pieces)


def test_writer_that_fails_stores_nothing(blobs: Blobs) -> None:
    with pytest.raises(RuntimeError), blobs.writer("batches/b/vol-002.zip", "application/zip") as s:
        s.write(b"half a volume")
        raise RuntimeError("the step died")

    assert blobs.size("batches/b/vol-002.zip") is None


def test_delete_removes_blob_and_deleting_missing_is_fine(adapter_set: AdapterSet) -> None:
    upload(adapter_set)

    adapter_set.blobs.delete(KEY)
    adapter_set.blobs.delete(KEY)

    assert adapter_set.blobs.size(KEY) is None


# FolderBlobs only -------------------------------------------------------------


@pytest.fixture
def folder(adapter_set: AdapterSet) -> FolderBlobs:
    if not isinstance(adapter_set.blobs, FolderBlobs):
        pytest.skip("FolderBlobs behaviour")
    return adapter_set.blobs


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


class _DroppedConnection(io.RawIOBase):
    """A request body whose connection dies after `good` bytes."""

    def __init__(self, good: bytes) -> None:
        self._good = io.BytesIO(good)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._good.read(size)
        if not chunk:
            raise ConnectionResetError("client went away")
        return chunk


def test_dropped_upload_leaves_neither_blob_nor_temp_file(folder: FolderBlobs) -> None:
    target = folder.upload_target(KEY, size=len(DATA), content_type="image/jpeg", expires_in=60)

    with pytest.raises(ConnectionResetError):
        folder.accept_upload(
            _token(target.url), "image/jpeg", _DroppedConnection(DATA[:5000]), len(DATA)
        )

    assert _files(folder.root) == []


def test_streamed_upload_past_signed_size_is_cut_off_without_leftovers(
    folder: FolderBlobs,
) -> None:
    target = folder.upload_target(KEY, size=100, content_type="image/jpeg", expires_in=60)

    # No Content-Length (chunked transfer): only counting the bytes can catch it.
    with pytest.raises(PayloadTooLarge):
        folder.accept_upload(_token(target.url), "image/jpeg", io.BytesIO(DATA), None)

    assert _files(folder.root) == []


def test_upload_token_signed_with_another_secret_is_refused(
    folder: FolderBlobs, tmp_path: Path
) -> None:
    impostor = FolderBlobs(tmp_path / "other", "another-secret")
    target = impostor.upload_target(KEY, size=3, content_type="image/jpeg", expires_in=60)

    with pytest.raises(Forbidden, match="Tautan unggah tidak sah"):
        folder.accept_upload(_token(target.url), "image/jpeg", io.BytesIO(b"abc"), 3)


def test_download_token_is_not_accepted_as_upload_token(folder: FolderBlobs) -> None:
    url = folder.download_url(KEY, expires_in=60)

    with pytest.raises(Forbidden):
        folder.accept_upload(_token(url), "image/jpeg", io.BytesIO(b"abc"), 3)


def test_download_of_missing_blob_raises_not_found(folder: FolderBlobs) -> None:
    url = folder.download_url("batches/gone.zip", expires_in=60, filename="gone.zip")

    with pytest.raises(NotFound):
        folder.resolve_download(_token(url))


def test_download_resolves_to_file_and_offered_name(folder: FolderBlobs) -> None:
    folder.put("batches/b-2.zip", io.BytesIO(b"zip"), "application/zip")
    url = folder.download_url("batches/b-2.zip", expires_in=60, filename="bakso-b-2.zip")

    path, name = folder.resolve_download(_token(url))

    assert path.read_bytes() == b"zip"
    assert name == "bakso-b-2.zip"


@pytest.mark.parametrize(
    "key",
    ["../outside", "scans/../../etc/passwd", "/etc/passwd", "scans//x", "scans/.hidden", ""],
)
def test_key_that_could_escape_root_is_refused(folder: FolderBlobs, key: str) -> None:
    with pytest.raises(InvalidInput):
        folder.upload_target(key, size=1, content_type="image/jpeg", expires_in=60)
    with pytest.raises(InvalidInput):
        folder.put(key, io.BytesIO(b"x"), "image/jpeg")


def test_read_range_reads_any_span_and_stops_at_the_end(adapter_set: AdapterSet) -> None:
    upload(adapter_set)
    blobs = adapter_set.blobs

    assert blobs.read_range(KEY, 0, 16) == DATA[:16]
    assert blobs.read_range(KEY, 1_000_000, 300_000) == DATA[1_000_000:1_300_000]
    assert blobs.read_range(KEY, len(DATA) - 5, 100) == DATA[-5:]  # fewer at the end
    assert blobs.read_range(KEY, len(DATA), 10) == b""  # past the end
    assert blobs.read_range(KEY, 7, 0) == b""


def test_read_range_of_a_missing_blob_is_not_found(blobs: Blobs) -> None:
    with pytest.raises(NotFound):
        blobs.read_range("scans/none/missing", 0, 10)
