"""One batch volume as a zip: the layout of DESIGN §3, streamed into a blob sink.

Stored, not deflated (scans are already compressed). Each entry is hashed as
it is written and checked against the SHA-256 registered at upload: a missing
or altered file raises BrokenFiles, and the builder packs the volume again
without that request.
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO, Any

from ..domain.catalog import Catalog
from ..domain.errors import NotFound
from ..domain.forms import Forms
from ..domain.model import (
    Batch,
    Request,
    Scan,
)
from ..domain.regions import Regions
from ..ports import (
    Blobs,
    BlobSink,
    ScanStore,
)
from .batch_manifest import ManifestLayout, manifest_json
from .berkas import ordered_scans
from .spreadsheets import Sheet, csv_stream, xlsx_file

log = logging.getLogger(__name__)

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


class BrokenFiles(Exception):
    """A request's file is missing or not what was uploaded: it leaves the volume."""

    def __init__(self, request: Request, reason: str) -> None:
        super().__init__(request.id)
        self.request = request
        self.reason = reason


class HashingSink:
    """Counts and hashes what goes into one zip entry or into a whole volume.

    It has tell() but no seek(), so zipfile writes in streaming mode (data
    descriptors after each entry): every byte is written once, in order.
    """

    def __init__(self, target: BlobSink) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> int:
        self.target.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # the blob writer's context stores or discards what was written


class VolumeWriter:
    def __init__(
        self,
        scans: ScanStore,
        blobs: Blobs,
        catalog: Catalog,
        regions: Regions,
        forms: Forms | None = None,
    ) -> None:
        self.records = scans
        self.blobs = blobs
        self.catalog = catalog
        self.regions = regions
        self.forms = forms  # the services' form definitions: the manifest's labels

    def write_volume(
        self,
        batch: Batch,
        volume: int,
        requests: Sequence[Request],
        excluded: Sequence[dict[str, Any]],
        out: HashingSink,
    ) -> None:
        """The layout of DESIGN §3, one volume; stored, not deflated (scans are compressed).

        Entries carry the batch's creation time, so a rebuilt volume has the same bytes.
        """
        stamp = _zip_time(batch.created_at)
        sums: list[tuple[str, str]] = []
        manifest_rows: list[dict[str, Any]] = []
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for request in requests:
                files = self._write_request(zf, request, sums, stamp)
                manifest_rows.append(self._manifest_row(request, files))
            head = {
                "id": batch.id,
                "created_at": batch.created_at,
                "created_by": batch.created_by,
                "filters": batch.filters,
                "volume": volume,
                "volumes": len(batch.volumes),
                "count": len(requests),
            }
            layout = ManifestLayout(self.forms, self.catalog, {r["service"] for r in manifest_rows})
            chunks = manifest_json(head, manifest_rows, excluded, layout)
            self._write_chunks(zf, "manifest.json", chunks, sums, stamp)
            columns = layout.request_columns()
            rows = layout.request_rows(manifest_rows)
            self._write_chunks(zf, "manifest.csv", csv_stream(columns, rows), sums, stamp)
            for group in layout.groups:
                group_rows = layout.group_rows(group, manifest_rows)
                chunks = csv_stream(layout.group_columns(group), group_rows)
                self._write_chunks(zf, f"{group.stem}.csv", chunks, sums, stamp)
            sheets = [
                Sheet("manifest", columns, layout.request_rows(manifest_rows)),
                *(
                    Sheet(g.title, layout.group_columns(g), layout.group_rows(g, manifest_rows))
                    for g in layout.groups
                ),
            ]
            with xlsx_file(sheets, stamp=datetime.fromisoformat(batch.created_at)) as workbook:
                self._write_file(zf, "manifest.xlsx", workbook, sums, stamp)
            lines = "".join(f"{digest}  {name}\n" for name, digest in sums)
            zf.writestr(_entry("SHA256SUMS", stamp), lines.encode())

    def _write_request(
        self,
        zf: zipfile.ZipFile,
        request: Request,
        sums: list[tuple[str, str]],
        stamp: tuple[int, int, int, int, int, int],
    ) -> list[dict[str, Any]]:
        service = self.catalog.get(request.service)
        scans: list[Scan] = [s for s in self.records.list_scans(request.id) if s.state == "ok"]
        if service is not None:
            scans = ordered_scans(service, scans)
        files: list[dict[str, Any]] = []
        if request.berkas_key:
            files.append(
                self._write_blob(
                    zf,
                    f"{request.code}/berkas.pdf",
                    request.berkas_key,
                    sums,
                    stamp,
                    request,
                    expected=None,
                    label="Berkas cetak (berkas.pdf)",
                )
            )
        pages: dict[str, int] = {}
        for scan in scans:
            pages[scan.requirement] = pages.get(scan.requirement, 0) + 1
            name = (
                f"{request.code}/{scan.requirement}-{pages[scan.requirement]}"
                f".{EXTENSIONS.get(scan.content_type, 'bin')}"
            )
            requirement = service.requirement(scan.requirement) if service else None
            label = requirement.label if requirement else scan.requirement
            entry = self._write_blob(
                zf,
                name,
                scan.key,
                sums,
                stamp,
                request,
                expected=scan.sha256,
                label=f"{label} (halaman {pages[scan.requirement]})",
            )
            entry["requirement"] = scan.requirement
            # What the photo check flagged and the operator kept anyway ([] for most pages).
            entry["quality"] = list(scan.quality)
            files.append(entry)
        return files

    def _write_blob(
        self,
        zf: zipfile.ZipFile,
        name: str,
        key: str,
        sums: list[tuple[str, str]],
        stamp: tuple[int, int, int, int, int, int],
        request: Request,
        *,
        expected: str | None,
        label: str,
    ) -> dict[str, Any]:
        try:
            with zf.open(_entry(name, stamp), "w", force_zip64=True) as entry:
                writer = HashingSink(entry)
                for chunk in self.blobs.iter_chunks(key):
                    writer.write(chunk)
        except NotFound:
            raise BrokenFiles(
                request, f"{label} tidak ditemukan di penyimpanan; foto ulang dan ajukan kembali."
            ) from None
        digest = writer.digest.hexdigest()
        if expected is not None and digest != expected:
            raise BrokenFiles(
                request,
                f"{label} berubah setelah diunggah (SHA-256 tidak cocok); "
                "foto ulang dan ajukan kembali.",
            )
        sums.append((name, digest))
        return {"path": name, "sha256": digest, "size": writer.size}

    @staticmethod
    def _write_file(
        zf: zipfile.ZipFile,
        name: str,
        source: IO[bytes],
        sums: list[tuple[str, str]],
        stamp: tuple[int, int, int, int, int, int],
    ) -> None:
        with zf.open(_entry(name, stamp), "w", force_zip64=True) as entry:
            writer = HashingSink(entry)
            while chunk := source.read(64 * 1024):
                writer.write(chunk)
        sums.append((name, writer.digest.hexdigest()))

    @staticmethod
    def _write_chunks(
        zf: zipfile.ZipFile,
        name: str,
        chunks: Iterable[bytes],
        sums: list[tuple[str, str]],
        stamp: tuple[int, int, int, int, int, int],
    ) -> None:
        """An entry written as it is produced (manifest.json, the CSVs): never whole in memory."""
        with zf.open(_entry(name, stamp), "w", force_zip64=True) as entry:
            writer = HashingSink(entry)
            for chunk in chunks:
                writer.write(chunk)
        sums.append((name, writer.digest.hexdigest()))

    def _manifest_row(self, request: Request, files: list[dict[str, Any]]) -> dict[str, Any]:
        service = self.catalog.get(request.service)
        desa = self.regions.get(request.desa)
        kecamatan = self.regions.get(self.regions.kecamatan_of(request.desa))
        return {
            "id": request.id,
            "code": request.code,
            "service": request.service,
            "service_label": service.label if service else request.service,
            "status": request.status.value,
            "desa": request.desa,
            "desa_name": desa.name if desa else "",
            "kecamatan": kecamatan.code if kecamatan else "",
            "kecamatan_name": kecamatan.name if kecamatan else "",
            "applicant": request.applicant,
            "subject": request.subject,
            "notes": request.notes,
            "fields": request.fields,  # as stored; the labelled reading is added when written
            "jemput_bola": request.jemput_bola,
            "submitted_at": request.status_since,
            "files": files,
        }


def _zip_time(created_at: str) -> tuple[int, int, int, int, int, int]:
    moment = datetime.fromisoformat(created_at)
    return (
        max(moment.year, 1980),
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def _entry(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info
