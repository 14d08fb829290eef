"""Each HTTP request tells times in its kabupaten's clock (#16): a Pangandaran officer's
exports say WIB, a Lombok Timur operator's receipt WITA, in the same process.

The zone (domain/localtime.py, a context variable) is set before every API view from the
logged-in account's kabupaten, and put back when the request ends, so a thread that serves
the next request never keeps it. Without an account (login, the resident's pages) it stays
the default kabupaten's; the resident's page sets its request's own (services/status.py).
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user

from ..domain import localtime
from .common import actor_of, services


def init_local_time(app: Flask) -> None:
    app.before_request(_use_kabupaten_zone)
    app.teardown_request(_put_zone_back)


def _use_kabupaten_zone() -> None:
    # Only the API: the PWA's files and icons need no clock, nor a look-up of the session.
    if not request.path.startswith("/api/") or not current_user.is_authenticated:
        return
    tenants = services().tenants
    acting = actor_of(current_user.user, tenants.default.code)
    kabupaten = tenants.get(acting.kabupaten) or tenants.default
    g.bakso_zone = localtime.use_zone(kabupaten.timezone)


def _put_zone_back(_exc: BaseException | None) -> None:
    token = g.pop("bakso_zone", None)
    if token is not None:
        localtime.reset(token)
