"""The resident's download PIN (docs/notifications.md "PIN"): six digits, kept only as a hash.

The PIN is made on the operator's device when the request is submitted (so it can be
printed on the receipt offline) or by the server when the desa issues a new one. The
records hold `pin_hash` only: an HMAC under the deployment's secret, over the request id
and the PIN, so a copy of the table alone does not give the 10⁶ guesses a plain hash
would. The one message that must carry the PIN, DIAJUKAN's, carries it sealed: its digits
plus a pad drawn from an HMAC over the request id and version, so a queue body (or a dead
letter) shows six digits that mean nothing without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

PIN = re.compile(r"[0-9]{6}")


def new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def pin_hash(secret: str, request_id: str, pin: str) -> str:
    return hmac.new(secret.encode(), f"pin:{request_id}:{pin}".encode(), hashlib.sha256).hexdigest()


def pin_matches(secret: str, request_id: str, pin: str, stored_hash: str | None) -> bool:
    if stored_hash is None or not PIN.fullmatch(pin):
        return False
    return hmac.compare_digest(pin_hash(secret, request_id, pin), stored_hash)


def _pad(secret: str, request_id: str, version: int) -> int:
    digest = hmac.new(secret.encode(), f"pin-seal:{request_id}:{version}".encode(), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big") % 10**6


def seal(secret: str, request_id: str, version: int, pin: str) -> str:
    """The PIN for the queue body of one message: PIN + pad mod 10⁶ (a one-time pad)."""
    return f"{(int(pin) + _pad(secret, request_id, version)) % 10**6:06d}"


def unseal(secret: str, request_id: str, version: int, sealed: str) -> str:
    return f"{(int(sealed) - _pad(secret, request_id, version)) % 10**6:06d}"
