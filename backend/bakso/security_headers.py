"""The security headers of every response, per family of paths, in one after_request hook.

- resident (`/cek…`, `/api/v1/status/…`): `no-store`, `no-referrer` (the token is in the
  URL), `noindex`, the pages' strict CSP (public/__init__.py, which hashes their CSS).
- api (`/api/…`: JSON, problem+json, the receipt): `no-store` unless the view chose a
  private policy itself, `strict-origin`, a CSP that lets nothing run in a JSON document.
- blobs (`/blobs/…`, the local set's signed URLs): `no-store`, `no-referrer` (the
  signature is in the URL).
- shell (`/`, `/index.html`, `/sw.js`): the PWA's CSP; the service worker's too, as its
  policy is its script's header and it sends the outbox (to S3 on AWS).
- static (`/assets/…`, `/icons/…`, the manifest, anything else): the common headers.

Common to all: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, a problem+json
body is never stored, and `Strict-Transport-Security` when `HSTS_SECONDS` > 0 (every
deployment but the local one, which is plain HTTP). docs/security.md says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request

from .public import CSP as RESIDENT_CSP

# A JSON answer is never a document: if a browser is tricked into rendering one, nothing runs.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
NO_STORE = "no-store"
PROBLEM_TYPE = "application/problem+json"
SHELL_PATHS = frozenset({"/", "/index.html", "/sw.js"})


def shell_csp(config: Mapping[str, Any]) -> str:
    """The loket PWA's policy: its own origin only, plus where it sends signed uploads."""
    connect = " ".join(["'self'", *blob_origins(config)])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' blob: data:; "
        f"connect-src {connect}; worker-src 'self'; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def blob_origins(config: Mapping[str, Any]) -> list[str]:
    """Origins of the signed upload URLs the devices PUT to, besides this server."""
    if config.get("BLOB_ORIGIN"):
        return [str(config["BLOB_ORIGIN"])]
    if config.get("ADAPTERS") != "aws":
        return []  # the local set's URLs are paths on this server
    bucket, region = config["BUCKET_NAME"], config["AWS_REGION"]
    # What boto3 signs with s3v4 and virtual-host addressing (adapters/aws.build).
    origins = [f"https://{bucket}.s3.{region}.amazonaws.com"]
    if region == "us-east-1":
        origins.append(f"https://{bucket}.s3.amazonaws.com")
    return origins


def family(path: str) -> str:
    if path == "/cek" or path.startswith(("/cek/", "/api/v1/status/")):
        return "resident"
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/blobs/"):
        return "blobs"
    if path in SHELL_PATHS:
        return "shell"
    return "static"


def resident_csp(config: Mapping[str, Any]) -> str:
    """The status pages' policy; its form-action also lets the PIN form's 303 reach the
    signed URL of the PDF (browsers check form-action on a form's redirects too)."""
    origins = blob_origins(config)
    if not origins:
        return RESIDENT_CSP
    return RESIDENT_CSP.replace("form-action 'self'", " ".join(["form-action 'self'", *origins]))


def init_security_headers(app: Flask) -> None:
    shell = shell_csp(app.config)
    resident = resident_csp(app.config)
    hsts = int(app.config.get("HSTS_SECONDS") or 0)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        kind = family(request.path)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        if hsts:
            headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
        if kind in ("resident", "blobs"):
            headers["Referrer-Policy"] = "no-referrer"
        else:
            headers.setdefault("Referrer-Policy", "strict-origin")
        if kind == "resident":
            headers["Cache-Control"] = NO_STORE
            headers["X-Robots-Tag"] = "noindex, nofollow"
            headers.setdefault("Content-Security-Policy", resident)
        elif kind in ("api", "blobs"):
            if not _private(headers.get("Cache-Control")):
                headers["Cache-Control"] = NO_STORE
            if kind == "api":
                headers.setdefault("Content-Security-Policy", API_CSP)  # the receipt sets its own
        elif kind == "shell":
            headers.setdefault("Content-Security-Policy", shell)
        if response.mimetype == PROBLEM_TYPE:
            headers["Cache-Control"] = NO_STORE
        return response


def _private(cache_control: str | None) -> bool:
    """A view's own policy is kept only if no shared cache may store the answer."""
    if not cache_control:
        return False
    words = {part.strip().split("=")[0] for part in cache_control.lower().split(",")}
    return "no-store" in words or "private" in words
