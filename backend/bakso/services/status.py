"""The resident's view: a request found by its public token, or by code plus a second factor."""

from __future__ import annotations

import hmac
import re
from contextlib import nullcontext

from ..domain import localtime
from ..domain.catalog import Catalog
from ..domain.errors import NotFound
from ..domain.regions import Regions, kabupaten_of
from ..domain.resident import ResidentStatus, StatusTexts
from ..domain.tenants import Tenants
from ..ports import RequestStore
from .throttle import Throttle, ThrottlePolicy

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# The prefix is the kabupaten's (kabupaten.json `code_prefix`: 1 to 8 capitals or digits).
CODE_SHAPE = re.compile(r"^[A-Z0-9]{1,8}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
NOT_FOUND = "Permohonan tidak ditemukan. Periksa kembali tautan atau kode pada tanda terima."
NO_MATCH = "Kode atau 4 angka terakhir nomor HP (atau NIK) tidak cocok."


def second_factor(applicant: dict[str, object]) -> str:
    """The 4 digits a resident proves the request is theirs with: the phone's last four, or
    the NIK's when the request has no phone (one of the two, never either: no more guesses).
    Empty after retention erased them: the lookup then finds nothing."""
    phone = re.sub(r"\D", "", str(applicant.get("phone") or ""))
    if len(phone) >= 4:
        return phone[-4:]
    nik = re.sub(r"\D", "", str(applicant.get("nik") or ""))
    return nik[-4:] if len(nik) >= 4 else ""


TOO_MANY = "Terlalu banyak percobaan."


class StatusService:
    def __init__(
        self,
        records: RequestStore,
        catalog: Catalog,
        regions: Regions,
        texts: StatusTexts,
        throttle: Throttle,
        client_policy: ThrottlePolicy | None = None,
        tenants: Tenants | None = None,
    ) -> None:
        self.records = records
        self.catalog = catalog
        self.regions = regions
        self.texts = texts
        self.throttle = throttle  # its policy is the per-code one
        self.client_policy = client_policy or throttle.policy
        self.tenants = tenants  # whose clock a request's times are told in (#16)

    def by_token(self, token: str) -> ResidentStatus:
        """Unknown and malformed tokens get the same answer, which reveals nothing."""
        request = self.records.get_request_by_token(token) if TOKEN_SHAPE.match(token) else None
        if request is None or request.token is None:
            raise NotFound(NOT_FOUND)
        service = self.catalog.catalog_for(kabupaten_of(request.desa)).get(request.service)
        desa = self.regions.get(request.desa)
        zone = self.tenants.of_desa(request.desa).timezone if self.tenants else None
        with localtime.in_zone(zone) if zone else nullcontext():
            return self.texts.build(
                request,
                self.records.timeline(request.id),
                service_label=service.label if service else request.service,
                desa_name=desa.name if desa else request.desa,
                needs_referral=bool(service and service.referral),
                card=bool(service and service.document == "card"),
            )

    def lookup(self, code: str, phone_last4: str, client: str) -> str:
        """The status token for a resident who lost the link.

        The second factor is the last 4 digits of the phone number given at
        the loket, or of the applicant's NIK when no phone was given (the
        phone is optional; a request without one must still be found). Each
        try is counted per client and per code before it is checked
        (services/throttle.py), so neither one device nor many, nor many at
        once, can walk through codes or digits.
        """
        code = code.strip().upper()
        client_key = self.throttle.key("cek-client", client)
        code_key = self.throttle.key("cek-code", code)
        self.throttle.reserve(client_key, TOO_MANY, self.client_policy)
        self.throttle.reserve(code_key, TOO_MANY)
        request = self.records.get_request_by_code(code) if CODE_SHAPE.match(code) else None
        expected = second_factor(request.applicant) if request else ""
        given = re.sub(r"\D", "", phone_last4)
        matches = (
            request is not None
            and request.token is not None
            and len(given) == 4
            and len(expected) == 4
            and hmac.compare_digest(expected, given)
        )
        if not matches:
            raise NotFound(NO_MATCH)
        assert request is not None and request.token is not None
        self.throttle.clear(code_key)
        self.throttle.release(client_key, self.client_policy)
        return request.token
