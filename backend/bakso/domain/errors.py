"""Errors the domain and the adapters raise, each with the HTTP status it suggests.

Views never see sqlite3 or botocore exceptions: adapters translate them into
these, and the API turns them into problem+json with an Indonesian `detail`.
"""

from __future__ import annotations

from typing import Any


class BaksoError(Exception):
    status = 400
    title = "Permintaan tidak dapat diproses"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(BaksoError):
    status = 422
    title = "Data tidak valid"


class NotFound(BaksoError):
    status = 404
    title = "Tidak ditemukan"


class Conflict(BaksoError):
    status = 409
    title = "Konflik"


class NotAuthenticated(BaksoError):
    status = 401
    title = "Belum masuk"


class Forbidden(BaksoError):
    status = 403
    title = "Tidak diizinkan"


class TooManyAttempts(BaksoError):
    status = 429
    title = "Terlalu banyak percobaan"


class PayloadTooLarge(BaksoError):
    status = 413
    title = "Data terlalu besar"


class StoreUnavailable(BaksoError):
    """A store refused or failed a call we cannot recover from here.

    DynamoDB/S3 throttled, down or misconfigured; SQLite's file locked past the
    busy timeout, full, or failing to read or write. 503 rather than 500: the
    device keeps the work in its outbox and retries.
    """

    status = 503
    title = "Layanan sedang tidak tersedia"
