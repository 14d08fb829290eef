"""The resident's view: a request found by its public token, or by code plus a second factor."""

from __future__ import annotations

import hmac
import re

from ..domain.catalog import Catalog
from ..domain.errors import NotFound
from ..domain.regions import Regions
from ..domain.resident import ResidentStatus, StatusTexts
from ..ports import RequestStore
from .throttle import Throttle

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
CODE_SHAPE = re.compile(r"^[A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
NOT_FOUND = "Permohonan tidak ditemukan. Periksa kembali tautan atau kode pada tanda terima."
NO_MATCH = "Kode atau 4 angka terakhir nomor HP tidak cocok."


class StatusService:
    def __init__(
        self,
        records: RequestStore,
        catalog: Catalog,
        regions: Regions,
        texts: StatusTexts,
        throttle: Throttle,
    ) -> None:
        self.records = records
        self.catalog = catalog
        self.regions = regions
        self.texts = texts
        self.throttle = throttle

    def by_token(self, token: str) -> ResidentStatus:
        """Unknown and malformed tokens get the same answer, which reveals nothing."""
        request = self.records.get_request_by_token(token) if TOKEN_SHAPE.match(token) else None
        if request is None or request.token is None:
            raise NotFound(NOT_FOUND)
        service = self.catalog.get(request.service)
        desa = self.regions.get(request.desa)
        return self.texts.build(
            request,
            self.records.timeline(request.id),
            service_label=service.label if service else request.service,
            desa_name=desa.name if desa else request.desa,
            needs_referral=bool(service and service.referral),
        )

    def lookup(self, code: str, phone_last4: str, client: str) -> str:
        """The status token for a resident who lost the link.

        The second factor is the last 4 digits of the phone number given at
        the loket. Failures are throttled per client and per code, so neither
        one device nor many can walk through codes or digits.
        """
        code = code.strip().upper()
        keys = (f"cek-client:{client}", f"cek-code:{code}")
        for key in keys:
            self.throttle.check(key, "Terlalu banyak percobaan.")
        request = self.records.get_request_by_code(code) if CODE_SHAPE.match(code) else None
        phone_digits = (
            re.sub(r"\D", "", str(request.applicant.get("phone") or "")) if request else ""
        )
        given = re.sub(r"\D", "", phone_last4)
        matches = (
            request is not None
            and request.token is not None
            and len(given) == 4
            and len(phone_digits) >= 4
            and hmac.compare_digest(phone_digits[-4:], given)
        )
        if not matches:
            for key in keys:
                self.throttle.failed(key)
            raise NotFound(NO_MATCH)
        assert request is not None and request.token is not None
        self.throttle.succeeded(keys[0])
        return request.token
