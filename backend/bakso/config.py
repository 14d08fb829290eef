"""Configuration: one class per kind of deployment, chosen by BAKSO_CONFIG.

The name is for logs; code never branches on it. What differs between
deployments is expressed as settings (e.g. ADAPTERS) read in one place,
the app factory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

REPO_DATA_DIR = Path(__file__).resolve().parents[2] / "var"


class Config:
    NAME = "base"
    ADAPTERS = "local"  # local (SQLite + folder + in-process worker) | aws
    DATA_DIR: str | None = None  # BAKSO_DATA_DIR, else var/ in the repo
    SECRET_KEY: str | None = None  # else BAKSO_SECRET_KEY, read by load()
    # Without a secret key: True makes one and keeps it beside the local data
    # (one machine); False refuses to start, because every process must share
    # one key (sessions, signed URLs) and a Lambda's disk is neither shared nor kept.
    SECRET_KEY_FILE = True
    REGIONS_FILE: str | None = None  # defaults to the packaged Lombok Timur file
    CATALOG_FILE: str | None = None
    CODE_PREFIX = "LT"

    MAX_CONTENT_LENGTH = 256 * 1024  # JSON bodies; scans never pass through the API
    MAX_SCAN_BYTES = int(os.environ.get("BAKSO_MAX_SCAN_BYTES", 10 * 1024 * 1024))
    MAX_RETURN_BYTES = 50 * 1024 * 1024  # bulk return: CSV + zip of issued PDFs
    RETENTION_DAYS = 90  # scans and files kept after a request is final (DESIGN §3)
    UPLOAD_URL_TTL = 15 * 60
    DOWNLOAD_URL_TTL = 5 * 60
    PAGE_SIZE_MAX = 100

    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_SECONDS = 60  # doubled for every failure past the maximum
    LOGIN_LOCKOUT_MAX_SECONDS = 3600
    PASSWORD_MIN_LENGTH = 10
    LOOKUP_MAX_FAILURES = 10  # the resident's "lost my link" form, per device and per code
    LOOKUP_LOCKOUT_SECONDS = 300
    ARGON2_PARAMS: dict[str, int] | None = None  # argon2-cffi's defaults (RFC 9106 low-memory)

    SESSION_COOKIE_NAME = "bakso_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 12 * 3600

    # Where the status page and receipt tell residents to report a demand for money.
    REPORT_CHANNELS = (
        "LAPOR! (SP4N): www.lapor.go.id atau SMS 1708",
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lombok Timur, Selong",
    )
    # Base of the links printed on receipts; None = the address the request came in on.
    PUBLIC_BASE_URL: str | None = os.environ.get("BAKSO_PUBLIC_BASE_URL")

    # Sasaran: Dukcapil's list of residents lacking documents (docs/sasaran-import.md).
    # The local upload route also caps a file at MAX_SCAN_BYTES.
    SASARAN_MAX_FILE_BYTES = 10 * 1024 * 1024
    SASARAN_MAX_ROWS = 100_000
    SASARAN_CHUNK_ROWS = 1_000  # lines per worker message
    SASARAN_PAGE_SIZE_MAX = 500  # a desa's worklist is fetched whole for offline use

    RUN_WORKER = False  # start the in-process worker thread (bakso serve)
    QUEUE_MAX_RECEIVES = 5
    WORKER_VISIBILITY_TIMEOUT = 120

    # AWS set (used when ADAPTERS == "aws")
    AWS_REGION = os.environ.get("BAKSO_AWS_REGION", "ap-southeast-3")
    TABLE_NAME = os.environ.get("BAKSO_TABLE", "bakso-records")
    BUCKET_NAME = os.environ.get("BAKSO_BUCKET", "bakso-blobs")
    QUEUE_URL = os.environ.get("BAKSO_QUEUE_URL", "")


class LocalConfig(Config):
    """One machine: `make run`. Plain HTTP on localhost, so cookies cannot be Secure."""

    NAME = "local"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class AwsConfig(Config):
    NAME = "aws"
    ADAPTERS = "aws"
    SECRET_KEY_FILE = False


class ConfigError(RuntimeError):
    """The deployment's configuration cannot work; the message says what to set."""


CONFIGS: dict[str, type[Config]] = {"local": LocalConfig, "aws": AwsConfig}


def load(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    name = os.environ.get("BAKSO_CONFIG", "local")
    cls = CONFIGS[name]
    values = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    values.update(overrides or {})
    values["DATA_DIR"] = str(
        values.get("DATA_DIR") or os.environ.get("BAKSO_DATA_DIR") or REPO_DATA_DIR
    )
    secret = values.get("SECRET_KEY") or os.environ.get("BAKSO_SECRET_KEY", "")
    if secret.strip():
        values["SECRET_KEY"] = secret
    elif values["SECRET_KEY_FILE"]:
        values["SECRET_KEY"] = _local_secret(Path(values["DATA_DIR"]))
    else:
        raise ConfigError(
            f"BAKSO_SECRET_KEY is not set (BAKSO_CONFIG={name}). Set it in the configuration of "
            "every function that runs BAKSO, the same value everywhere (docs/deploy-aws.md, "
            "step 4): sessions and signed links made by one must be valid in the others. "
            "No key is made up here."
        )
    return values


def _local_secret(data_dir: Path) -> str:
    """A secret kept beside the local data, so sessions and signed URLs survive restarts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made earlier, or by a process starting at the same time
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
