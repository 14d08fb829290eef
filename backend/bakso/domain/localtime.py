"""The kabupaten's local time: the one zone every date a person reads is shown in.

One deployment serves one kabupaten, so the zone is process-wide: it is the
TIMEZONE setting (default Asia/Makassar, WITA, for Lombok Timur), which
`bootstrap.build_services` hands to `use_zone` once. Screens, exports, the
resident page and the weekly trend read it from here instead of each keeping
its own +08:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Makassar"

_zone: tzinfo = ZoneInfo(DEFAULT_ZONE)


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


def use_zone(name: str) -> None:
    """Make `name` (e.g. "Asia/Makassar") the local time of this process."""
    global _zone
    _zone = zone_named(name)


def zone() -> tzinfo:
    return _zone


def zone_label(at: datetime | None = None) -> str:
    """What people call the zone: 'WITA' (tz database abbreviations, else 'UTC+08')."""
    moment = (at or datetime.now(UTC)).astimezone(_zone)
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
    return moment.astimezone(_zone)


def local_naive(value: str | datetime | None) -> datetime | None:
    """The local wall-clock time without a zone, to the second: what a spreadsheet cell holds."""
    if value is None or value == "":
        return None
    return local(value).replace(tzinfo=None, microsecond=0)
