"""Configuration: one class per kind of deployment, chosen by BAKSO_CONFIG.

The name is for logs; code never branches on it. What differs between
deployments is expressed as settings (e.g. ADAPTERS) read in one place,
the app factory.

Every upper-case setting can be set from the environment as `BAKSO_<NAME>`,
typed like its default (see `load()`); nothing is read from the environment
when this module is imported, so a process reads it once, when it builds its app.
"""

from __future__ import annotations

import json
import math
import os
import re
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import config_rules, config_secrets

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
    # The key of the audit chain's links and head (docs/security.md, "Audit log"): never
    # in the store it protects. Without it: made beside the local data like SECRET_KEY
    # when SECRET_KEY_FILE, else refused (on AWS it comes from the functions' environment).
    AUDIT_KEY: str | None = None
    AUDIT_OLD_KEYS: tuple[str, ...] = ()  # earlier keys verify still accepts (rotation)
    AUDIT_LEGACY_UNTIL = 0  # entries 1..N predate keyed links: checked the old way (cut-over)
    # The kabupaten/kota served (#16, domain/tenants.py; docs/kabupaten.md): the packaged
    # folders named here (all packaged ones, i.e. Lombok Timur, when empty), then the folders
    # of KABUPATEN_DIRS. Each folder holds its regions, code prefix, names, time zone, report
    # channels and Dukcapil office; the first kabupaten is the default.
    KABUPATEN: tuple[str, ...] = ()
    KABUPATEN_DIRS: tuple[str, ...] = ()
    CATALOG_FILE: str | None = None
    FORMS_FILE: str | None = None  # form definitions per service; None = data/forms.json

    MAX_CONTENT_LENGTH = 256 * 1024  # JSON bodies; scans never pass through the API
    MAX_SCAN_BYTES = 10 * 1024 * 1024
    # How long a request's personal data and files are kept (docs/retention.md): after a
    # final status; after SELESAI when never handed over; after the last change of a
    # DRAF or PERLU_PERBAIKAN, which the system then cancels (the desa is warned 7 days before).
    RETENTION_DAYS = 90
    UNCOLLECTED_DAYS = 365
    ABANDONED_DAYS = 60
    # Batch zips; unfinished uploads (docs/retention.md; BatchRetentionDays in infra/ matches).
    BATCH_RETENTION_DAYS = 30
    UPLOAD_RETENTION_DAYS = 1
    UPLOAD_URL_TTL = 15 * 60
    DOWNLOAD_URL_TTL = 5 * 60
    PAGE_SIZE_MAX = 100

    # Throttling (docs/security.md): each attempt is counted before it is checked.
    LOGIN_MAX_FAILURES = 5  # per username
    LOGIN_CLIENT_MAX_FAILURES = 30  # per client address (a desa office shares one)
    LOGIN_LOCKOUT_SECONDS = 60  # doubled for every failure past the maximum
    LOGIN_LOCKOUT_MAX_SECONDS = 3600
    PASSWORD_MIN_LENGTH = 10
    LOOKUP_MAX_FAILURES = 10  # the resident's "lost my link" form, per request code
    LOOKUP_CLIENT_MAX_FAILURES = 30  # ... and per client address
    LOOKUP_LOCKOUT_SECONDS = 300
    THROTTLE_FORGET_SECONDS = 24 * 3600  # a record is deleted this long after its last lock
    ARGON2_PARAMS: dict[str, int] | None = None  # argon2-cffi's defaults (RFC 9106 low-memory)

    SESSION_COOKIE_NAME = "bakso_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 12 * 3600  # absolute: from login, however busy
    SESSION_IDLE_SECONDS = 8 * 3600  # unused this long, a session ends (docs/security.md)
    SESSION_TOUCH_SECONDS = 300  # last use is written at most this often
    # An account read to resolve a session is reused this long in one process (#16): the
    # session item, read on every request, is what revocation marks (docs/security.md).
    USER_CACHE_SECONDS = 5
    # Strict-Transport-Security max-age (bakso/security_headers.py); 0 = not sent. Only
    # where BAKSO is reached over HTTPS: a browser that saw it refuses plain HTTP for a year.
    HSTS_SECONDS = 365 * 86400
    # The origin the PWA sends signed uploads to, for its CSP connect-src. None: derived
    # (on AWS the bucket's virtual-host origin from BUCKET_NAME and AWS_REGION; locally
    # this server). Set it when S3 is reached through another host (an endpoint override).
    BLOB_ORIGIN: str | None = None
    # The secret the CloudFront distribution sends (infra/ EdgeOriginSecret, docs/deploy-aws.md);
    # only a request carrying it is counted by its viewer's address. "" = no edge is trusted.
    EDGE_ORIGIN_SECRET = ""

    # Base of the links printed on receipts; None = the address the request came in on.
    PUBLIC_BASE_URL: str | None = None
    # Set by `bakso serve` to its own address: the worker (which has no HTTP request)
    # links its messages there when PUBLIC_BASE_URL is unset (docs/notifications.md).
    SERVE_BASE_URL: str | None = None
    PWA_DIST: str | None = None  # the built loket app; None = pwa/dist in the repository

    # Sasaran: Dukcapil's list of residents lacking documents (docs/sasaran-import.md).
    # The local upload route caps a file at the largest of MAX_SCAN_BYTES and the return limits.
    SASARAN_MAX_FILE_BYTES = 10 * 1024 * 1024
    SASARAN_MAX_ROWS = 100_000
    SASARAN_CHUNK_ROWS = 1_000  # lines per worker message
    SASARAN_PAGE_SIZE_MAX = 500  # a desa's worklist is fetched whole for offline use
    # Days a removed worklist row's tombstone is kept for ?since= (docs/sasaran-import.md);
    # a device that last synced before that downloads its desa's list again.
    SASARAN_TOMBSTONE_DAYS = 30

    # Dukcapil batches: cut into self-contained zip volumes of at most this many
    # requests and bytes, built by bounded worker steps.
    BATCH_VOLUME_REQUESTS = 250
    BATCH_VOLUME_BYTES = 1 << 30
    BATCH_STEP_REQUESTS = 100  # requests gathered or planned per worker step
    # A batch BUILDING with no recorded progress for this long reads as FAILED. Must
    # exceed the queue's whole redelivery window (WORKER_VISIBILITY_TIMEOUT ×
    # QUEUE_MAX_RECEIVES), or a step still being retried would be cut short; load() checks.
    BATCH_BUILD_DEADLINE = 3600

    # Bulk return: a table of status updates plus a zip of issued PDFs, uploaded
    # straight to the blob store and applied by the worker in chunks.
    RETURN_MAX_ROWS = 5000
    RETURN_CHUNK_ROWS = 100  # rows per worker message
    RETURN_MAX_TABLE_BYTES = 5 * 1024 * 1024
    RETURN_MAX_PDFS_BYTES = 2 * 1024**3  # the zip of issued PDFs
    RETURN_MAX_PDF_BYTES = 20 * 1024 * 1024  # one issued PDF inside it

    # Unpacking uploaded archives (domain/unpacking.py): a return's zip and an XLSX
    # are judged by their central directory before a member is opened, and counted
    # while read (docs/security.md "Uploads and unpacking").
    UNPACK_MAX_ENTRIES = 20_000  # members of one zip or XLSX (a return: <= 5,000 PDFs)
    UNPACK_MAX_RATIO = 200  # uncompressed/compressed per member over 1 MiB (zeros: ~1000)
    UNPACK_MAX_BYTES = 4 * 1024**3  # a return zip's members, uncompressed, together
    UNPACK_MAX_XLSX_BYTES = 512 * 1024 * 1024  # an XLSX's parts (100k rows: ~45 MB)
    UNPACK_MAX_XLSX_STRINGS_BYTES = 8 * 1024 * 1024  # sharedStrings.xml, read whole (~8×)
    UNPACK_MAX_CELL_BYTES = 256 * 1024  # one text run in an XLSX part (a cell: 32,767 chars)

    # Messages to residents who consented and to desa (#18, docs/notifications.md): local
    # (kept in the data folder, listed by `bakso notify list`), sns (Amazon SNS SMS),
    # whatsapp (WhatsApp Business Cloud API), none. Sent by the worker, never in a request.
    NOTIFIER = "local"
    # sns: each SMS's sender id; None = the account's (`bakso notify sms-settings`).
    SMS_SENDER_ID: str | None = None
    # whatsapp: the business number's id, an approved Indonesian template with one body
    # parameter, and the token: a secret, in the worker's environment, never in a file.
    WHATSAPP_API_URL = "https://graph.facebook.com/v21.0"
    WHATSAPP_PHONE_NUMBER_ID: str | None = None
    WHATSAPP_TOKEN: str | None = None
    WHATSAPP_TEMPLATE = "bakso_status"
    SERVICE_TIMES_MIN_REQUESTS = 10  # /layanan: fewer in 90 days, "belum cukup data" (#19)
    SERVICE_TIMES_IKM_MIN_RESPONDENTS = 30  # /layanan shows an IKM grade from this many

    RUN_WORKER = False  # start the in-process worker thread (bakso serve)
    QUEUE_MAX_RECEIVES = 5
    WORKER_VISIBILITY_TIMEOUT = 120

    # AWS set (used when ADAPTERS == "aws"); also BAKSO_TABLE and BAKSO_BUCKET (ALIASES).
    AWS_REGION = "ap-southeast-3"
    TABLE_NAME = "bakso-records"
    BUCKET_NAME = "bakso-blobs"
    QUEUE_URL = ""


class LocalConfig(Config):
    """One machine: `make run`. Plain HTTP on localhost, so cookies cannot be Secure."""

    NAME = "local"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    HSTS_SECONDS = 0  # plain HTTP on localhost: HSTS would lock the browser out of it


class AwsConfig(Config):
    NAME = "aws"
    ADAPTERS = "aws"
    SECRET_KEY_FILE = False
    NOTIFIER = "sns"


class ConfigError(RuntimeError):
    """The deployment's configuration cannot work; the message says what to set."""


CONFIGS: dict[str, type[Config]] = {"local": LocalConfig, "aws": AwsConfig}

ENV_PREFIX = "BAKSO_"
# Shorter names deployments already use (zappa_settings.json), read like BAKSO_<NAME>.
ALIASES: dict[str, str] = {"TABLE_NAME": "BAKSO_TABLE", "BUCKET_NAME": "BAKSO_BUCKET"}

MIB = 1024 * 1024
# Whole-number settings are at least 1 (other numbers > 0) unless listed: (smallest, largest).
RANGES: dict[str, tuple[int, int | None]] = {
    "BATCH_VOLUME_BYTES": (MIB, None),
    # 0 erases at the next run (a test, or a deployment that keeps nothing after the fact).
    "RETENTION_DAYS": (0, None),
    "UNCOLLECTED_DAYS": (0, None),
    "BATCH_RETENTION_DAYS": (0, None),
    "UPLOAD_RETENTION_DAYS": (0, None),
    "SASARAN_TOMBSTONE_DAYS": (0, None),
    "HSTS_SECONDS": (0, None),
    "USER_CACHE_SECONDS": (0, 60),  # 0: every request reads the account
    "AUDIT_LEGACY_UNTIL": (0, None),
    "MAX_CONTENT_LENGTH": (1024, None),
    "PASSWORD_MIN_LENGTH": (8, None),
    "QUEUE_MAX_RECEIVES": (1, 1000),  # SQS's range for maxReceiveCount
    "WORKER_VISIBILITY_TIMEOUT": (1, 12 * 3600),  # SQS's longest visibility timeout
}
CHOICES: dict[str, tuple[str, ...]] = {
    "ADAPTERS": ("local", "aws"),
    "SESSION_COOKIE_SAMESITE": ("Strict", "Lax", "None"),
    "NOTIFIER": config_rules.NOTIFIERS,
}
ARGON2_KEYS = frozenset({"time_cost", "memory_cost", "parallelism", "hash_len", "salt_len"})
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def load(
    overrides: dict[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The settings of the deployment named by BAKSO_CONFIG, read now (never at import).

    For every upper-case setting NAME: `overrides` (tests, tools) win over the
    environment variable BAKSO_<NAME> (or its alias in ALIASES), which wins over
    the class default. A variable is typed like the default: int, float, bool
    (1/0, true/false, yes/no, on/off), str, a tuple of str (a JSON list, or
    items separated by `;`), a dict (a JSON object); a setting whose default is
    None takes the type of its annotation (str unless it says dict), and an
    empty value leaves it None. A value that cannot be used raises ConfigError
    naming the variable and what it expects. Overrides are taken as given, but
    every deployment-wide rule between settings (BATCH_BUILD_DEADLINE) is checked
    on the final values, whatever their source.
    """
    env = os.environ if environ is None else environ
    name = env.get("BAKSO_CONFIG", "local")
    cls = CONFIGS.get(name)
    if cls is None:
        raise ConfigError(f"BAKSO_CONFIG={name!r}: expected one of {', '.join(CONFIGS)}.")
    values = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    values.update(_from_environment(cls, values, env))
    values.update(overrides or {})
    config_rules.check(values)
    values["DATA_DIR"] = str(values.get("DATA_DIR") or REPO_DATA_DIR)
    config_secrets.settle(values, name)
    return values


class _Unusable(ValueError):
    """A value from the environment cannot be used; the message says what is expected."""


def _from_environment(
    cls: type[Config], defaults: dict[str, Any], env: Mapping[str, str]
) -> dict[str, Any]:
    """The settings given in the environment, typed like their defaults and checked."""
    hints = typing.get_type_hints(cls)
    found: dict[str, Any] = {}
    for key, default in defaults.items():
        variable, raw = _variable(key, env)
        if raw is None:
            continue
        try:
            found[key] = _check(key, _parse(raw, default, hints.get(key)))
        except _Unusable as exc:
            shown = raw if len(raw) <= 60 else raw[:57] + "..."
            raise ConfigError(f"{variable}={shown!r}: expected {exc}.") from None
    return found


def _variable(key: str, env: Mapping[str, str]) -> tuple[str, str | None]:
    """The variable setting `key` and its value (None: not set)."""
    variable = ENV_PREFIX + key
    alias = ALIASES.get(key)
    if alias is None or alias not in env:
        return variable, env.get(variable)
    if variable in env and env[variable] != env[alias]:
        raise ConfigError(
            f"{variable} and {alias} are both set, to different values; {alias} is the older "
            f"name of the same setting ({key}). Keep one."
        )
    return alias, env[alias]


def _parse(raw: str, default: Any, hint: Any) -> Any:
    if default is None:
        if not raw.strip():
            return None
        return _parse(raw, {}, None) if _is_dict(hint) else raw
    parser = _PARSERS.get(type(default))
    if parser is None:  # a new setting of another type: say so rather than guess
        raise _Unusable(f"nothing: {type(default).__name__} settings cannot be set from here")
    return parser(raw)


def _is_dict(hint: Any) -> bool:
    """True if the annotation of a None-default setting is `dict[...] | None`."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) not in (typing.Union, types.UnionType) or len(args) != 1:
        return False
    return (typing.get_origin(args[0]) or args[0]) is dict


def _parse_bool(raw: str) -> bool:
    word = raw.strip().lower()
    if word in _TRUE | _FALSE:
        return word in _TRUE
    raise _Unusable("1/0, true/false or yes/no")


def _parse_int(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise _Unusable("a whole number, e.g. 250") from None


def _parse_float(raw: str) -> float:
    try:
        number = float(raw.strip())
    except ValueError:
        raise _Unusable("a number, e.g. 2.5") from None
    if not math.isfinite(number):
        raise _Unusable("a finite number")
    return number


def _parse_strings(raw: str) -> tuple[str, ...]:
    text = raw.strip()
    if not text.startswith("["):
        return tuple(part.strip() for part in text.split(";") if part.strip())
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        raise _Unusable('a JSON list of strings (["a", "b"]) or items separated by ";"') from None
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise _Unusable('a JSON list of strings (["a", "b"]) or items separated by ";"')
    return tuple(items)


def _parse_dict(raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        raise _Unusable('a JSON object, e.g. {"time_cost": 3}')
    return data


_PARSERS: dict[type, Callable[[str], Any]] = {
    bool: _parse_bool,
    int: _parse_int,
    float: _parse_float,
    str: lambda raw: raw,
    tuple: _parse_strings,
    dict: _parse_dict,
}


def _check(key: str, value: Any) -> Any:
    """`value` if it is a sensible value of setting `key`; else _Unusable."""
    if isinstance(value, float) and key not in RANGES:
        if value <= 0:
            raise _Unusable("a number > 0")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        low, high = RANGES.get(key, (1, None))
        if value < low or (high is not None and value > high):
            kind = "a whole number" if isinstance(value, int) else "a number"
            upper = f" and <= {high}" if high is not None else ""
            raise _Unusable(f"{kind} >= {low}{upper}")
    elif key in CHOICES and value not in CHOICES[key]:
        raise _Unusable(f"one of {', '.join(CHOICES[key])}")
    elif key == "KABUPATEN" and not all(re.fullmatch(r"[0-9]{2}\.[0-9]{2}", v) for v in value):
        raise _Unusable("kabupaten codes like 52.03, separated by ';'")
    elif key == "PUBLIC_BASE_URL" and value is not None and not re.match(r"https?://.", value):
        raise _Unusable("an address starting with https:// (or http://)")
    elif key == "BLOB_ORIGIN" and value is not None and not _ORIGIN.fullmatch(value):
        raise _Unusable("an origin without a path, e.g. https://bucket.s3.example.com")
    elif key == "ARGON2_PARAMS" and value is not None:
        bad = [
            k
            for k, v in value.items()
            if k not in ARGON2_KEYS or not isinstance(v, int) or isinstance(v, bool) or v < 1
        ]
        if bad:
            names = ", ".join(sorted(ARGON2_KEYS))
            raise _Unusable(f"an object of whole numbers >= 1 with keys among {names}")
    return value
