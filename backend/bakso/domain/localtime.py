"""The kabupaten's local time: the zone every date a person reads is shown in.

A deployment serves several kabupaten (#16), each with its own zone (kabupaten.json's
`timezone`): Lombok Timur's dates say WITA, Pangandaran's WIB, in the same process. So the
zone is a context variable, not a global: each HTTP request sets it from the logged-in
account's kabupaten (bakso/zones.py), the resident's page from its request's desa, each
worker message from the kabupaten of what it handles. Where nothing set it, it is the
default kabupaten's, which `bootstrap.build_services` makes the fallback once
(`use_default_zone`). Screens, exports, the resident page and the weekly trend read it from
here instead of each keeping its own +08:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Makassar"

_default: tzinfo = ZoneInfo(DEFAULT_ZONE)
# None: nothing set it in this context, i.e. the default kabupaten's zone.
_current: ContextVar[tzinfo | None] = ContextVar("bakso_zone", default=None)


class UnknownZone(ValueError):
    """The name is not an IANA time zone this machine knows."""


def zone_named(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownZone(name) from None


def is_zone(name: str) -> bool:
    try:
        zone_named(name)
    except UnknownZone:
        return False
    return True


def use_default_zone(name: str) -> None:
    """Make `name` (the default kabupaten's, e.g. "Asia/Makassar") the zone of every context
    that sets none: the process's start-up, the CLI, code run outside a request."""
    global _default
    _default = zone_named(name)


def use_zone(name: str) -> Token[tzinfo | None]:
    """Make `name` the local time of the current context (one HTTP request, one message);
    `reset(token)` goes back to what it was."""
    return _current.set(zone_named(name))


def reset(token: Token[tzinfo | None]) -> None:
    try:
        _current.reset(token)
    except ValueError:  # set in another context (a thread the token did not come from)
        _current.set(None)


@contextmanager
def in_zone(name: str) -> Iterator[None]:
    """Dates of one kabupaten inside the block (a worker message, a resident's page)."""
    token = use_zone(name)
    try:
        yield
    finally:
        reset(token)


def zone() -> tzinfo:
    return _current.get() or _default


def zone_label(at: datetime | None = None) -> str:
    """What people call the zone: 'WITA' (tz database abbreviations, else 'UTC+08')."""
    moment = (at or datetime.now(UTC)).astimezone(zone())
    name = moment.tzname() or ""
    if name[:1] in ("+", "-") or not name:
        offset = moment.utcoffset()
        hours = int(offset.total_seconds() // 3600) if offset is not None else 0
        name = f"UTC{hours:+03d}"
    return name


def local(value: str | datetime) -> datetime:
    """A stored timestamp (ISO text or datetime; naive means UTC) in the local zone."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def local_naive(value: str | datetime | None) -> datetime | None:
    """The local wall-clock time without a zone, to the second: what a spreadsheet cell holds."""
    if value is None or value == "":
        return None
    return local(value).replace(tzinfo=None, microsecond=0)
