"""Steps the service unit tests share: a draft, a scan uploaded the way the device does."""

from __future__ import annotations

import hashlib
import uuid

from bakso.domain.lifecycle import Role
from bakso.domain.model import Actor, Draft, Request
from fakes import FakeSet
from helpers import DESA_A, KK, NIK_WOMAN, fake_jpeg, valid_fields

OPERATOR = Actor("op.a", Role.OPERATOR, DESA_A)
OTHER_OPERATOR = Actor("op.a2", Role.OPERATOR, DESA_A)
DUKCAPIL = Actor("dukcapil", Role.DUKCAPIL, None)


def ktp_draft(desa: str = DESA_A, **changes: object) -> Draft:
    """A new KTP-el: only the KK is a mandatory document; its form filled (submit needs it)."""
    applicant = {"nik": NIK_WOMAN, "name": "Siti Aminah", "kk": KK, "phone": "081234567890"}
    changes.setdefault("fields", valid_fields("KTP_BARU"))
    return Draft(service="KTP_BARU", desa=desa, applicant=applicant, **changes)  # type: ignore[arg-type]


def upload_scan(fakes: FakeSet, actor: Actor, request_id: str, requirement: str = "KK") -> None:
    data = fake_jpeg(f"{request_id}:{requirement}", size=16)
    requests = fakes.services.requests
    scan, target = requests.register_scan(
        actor,
        request_id,
        requirement=requirement,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type="image/jpeg",
    )
    assert target is not None
    fakes.blobs.accept_upload(target.url, "image/jpeg", data)
    requests.complete_scan(actor, request_id, scan.id)


def submitted(fakes: FakeSet, actor: Actor) -> Request:
    request_id = str(uuid.uuid4())
    fakes.services.requests.upsert_draft(actor, request_id, ktp_draft(actor.desa or DESA_A))
    upload_scan(fakes, actor, request_id)
    return fakes.services.requests.submit(actor, request_id)
