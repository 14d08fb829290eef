"""The handover (DISERAHKAN): who received the issued document, when, and the photo of the
signed receipt (DESIGN §2 "Handover").

The photo travels like a scan (register → PUT to a signed URL → checked when the
handover is recorded), under the request's `scans/` prefix so retention erases it
with the request's other blobs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain.errors import InvalidInput, NotFound, PayloadTooLarge
from ..domain.filetypes import ALLOWED_TYPES, SNIFF_BYTES, sniff
from ..domain.lifecycle import LABELS, Status
from ..domain.localtime import local, zone
from ..domain.model import Actor, Request
from ..domain.resident import indonesian_date
from ..ports import UploadTarget
from .request_base import RequestBase

VIA_LABELS = {
    "LOKET": "loket desa",
    "KAWIL": "Kawil/Kadus",
    "RT": "RT",
    "UPT": "Dukcapil/UPT kecamatan",
}
PRINTED_LABEL = "Dicetak di desa"
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def handover_note(handover: dict[str, Any]) -> str:
    via = VIA_LABELS.get(str(handover.get("via")), str(handover.get("via")))
    through = f"{via} ({handover['via_name']})" if handover.get("via_name") else via
    relation = str(handover["relation"]).lower()
    # A card is not handed over through anyone: the resident collected it at the UPT.
    where = "di" if handover.get("via") == "UPT" else "melalui"
    note = f"Diterima oleh {handover['received_by']} ({relation}) {where} {through}."
    if handover.get("printed"):
        note = f"{PRINTED_LABEL}. {note}"
    if handover.get("date"):
        note += f" Diserahkan pada {indonesian_date(str(handover['date']), with_time=False)}."
    if handover.get("photo"):
        note += " Foto tanda terima dilampirkan."
    return note


def _photo_key(request_id: str, sha256: str) -> str:
    return f"scans/{request_id}/handover-{sha256}"


class RequestHandover(RequestBase):
    def register_handover_photo(
        self, actor: Actor, request_id: str, *, sha256: str, size: int, content_type: str
    ) -> UploadTarget | None:
        """Where to upload the photo of the signed receipt; None when it is already there."""
        request = self._handing_over(actor, request_id)
        if content_type not in ALLOWED_TYPES:
            raise InvalidInput("Hanya foto JPEG, PNG, WebP atau berkas PDF yang diterima.")
        if size > self.settings.max_scan_bytes:
            limit_mb = self.settings.max_scan_bytes / 1024 / 1024
            raise PayloadTooLarge(f"Berkas terlalu besar; batasnya {limit_mb:.0f} MB.")
        key = _photo_key(request.id, sha256)
        if self._check_blob(key, size, sha256, content_type) is None:
            return None  # a replay after the upload: nothing to send again
        return self.blobs.upload_target(
            key,
            size=size,
            content_type=content_type,
            expires_in=self.settings.upload_url_ttl,
            sha256=sha256,
        )

    def handover_photo_url(self, actor: Actor, request_id: str) -> str:
        request = self.get(actor, request_id)
        photo = (request.handover or {}).get("photo")
        if not isinstance(photo, dict) or request.purged_at:
            raise NotFound("Foto tanda terima tidak ada.")
        ext = _EXTENSIONS.get(str(photo.get("content_type")), "pdf")
        return self.blobs.download_url(
            str(photo["key"]),
            expires_in=self.settings.download_url_ttl,
            filename=f"{request.code}-tanda-terima.{ext}",
            inline=True,
        )

    def _handover(
        self, request: Request, given: dict[str, Any], note: str
    ) -> tuple[dict[str, Any], str]:
        """The handover as stored (date checked, photo checked) and the timeline's note."""
        handover = {k: v for k, v in given.items() if k not in ("date", "photo_sha256")}
        handover["printed"] = self._printed(request, given)
        if given.get("date"):
            try:
                day = dt.date.fromisoformat(str(given["date"]))
            except ValueError:
                raise InvalidInput("Tanggal penyerahan tidak dikenal.") from None
            today = self.clock().astimezone(zone()).date()
            issued = local(request.status_since).date()
            if day > today:
                raise InvalidInput("Tanggal penyerahan tidak boleh di masa depan.")
            if day < issued:
                shown = indonesian_date(request.status_since, with_time=False)
                raise InvalidInput(
                    f"Tanggal penyerahan tidak boleh sebelum dokumen terbit ({shown})."
                )
            handover["date"] = day.isoformat()
        if given.get("photo_sha256"):
            sha256 = str(given["photo_sha256"])
            key = _photo_key(request.id, sha256)
            size = self.blobs.size(key)
            if size is None:
                raise InvalidInput("Foto tanda terima belum diunggah; unggah lalu coba lagi.")
            content_type = sniff(self.blobs.read_head(key, SNIFF_BYTES)) or ""
            problem = self._check_blob(key, size, sha256, content_type)
            if problem or content_type not in ALLOWED_TYPES:
                raise InvalidInput(problem or "Foto tanda terima tidak dapat dibaca.")
            handover["photo"] = {
                "key": key,
                "sha256": sha256,
                "size": size,
                "content_type": content_type,
            }
        if note.strip() and handover["printed"]:
            note = f"{PRINTED_LABEL}. {note.strip()}"  # the officers' record says it either way
        return handover, note.strip() or handover_note(handover)

    def _printed(self, request: Request, given: dict[str, Any]) -> bool:
        """Whether the desa printed the document, checked against what the service issues:
        a printable one only with its PDF attached; the UPT route is a card's only."""
        card = self._service(request.service, request.desa).document == "card"
        if given.get("via") == "UPT" and not card:
            raise InvalidInput(
                "handover.via: pengambilan di Dukcapil/UPT kecamatan hanya untuk kartu "
                "(KTP-el, KIA).",
                errors=[{"field": "handover.via", "message": "hanya untuk KTP-el atau KIA"}],
            )
        if not given.get("printed"):
            return False
        if card:
            problem = "KTP-el/KIA berupa kartu dan tidak dapat dicetak di desa."
        elif (request.issued or {}).get("state") != "ok" or request.purged_at:
            problem = (
                "Dokumen terbit (PDF) belum dilampirkan Dukcapil; belum dapat dicetak di desa."
            )
        else:
            return True
        raise InvalidInput(
            f"handover.printed: {problem}",
            errors=[{"field": "handover.printed", "message": problem}],
        )

    def _handing_over(self, actor: Actor, request_id: str) -> Request:
        request = self.get(actor, request_id)
        self._require_operator_of(actor, request.desa)
        if request.status is not Status.SELESAI:
            raise self._stale(
                f"Permohonan berstatus {LABELS[request.status]}; belum dapat diserahkan.",
                request,
            )
        return request
