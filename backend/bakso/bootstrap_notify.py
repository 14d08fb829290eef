"""Wiring beside bootstrap.py (which stays under 400 lines): the services' clock and the
messages to residents (docs/notifications.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .domain.catalog import Catalog
from .domain.tenants import Tenants
from .ports import Notifier, Queue, Records
from .services.notifications import NotificationService, NotificationSettings


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_notifications(
    config: Mapping[str, Any],
    records: Records,
    queue: Queue,
    catalog: Catalog,
    tenants: Tenants,
    notifier: Notifier | None = None,
) -> NotificationService:
    """Messages to residents through `notifier`, else the configured one (None: none)."""
    if notifier is None:
        from .adapters.notifiers import build_notifier

        notifier = build_notifier(config)
    settings = NotificationSettings(
        # The worker has no request to take a host from: on AWS the deploy sets it
        # (docs/deploy-aws.md step 4); locally the address `bakso serve` listens on.
        public_base_url=config.get("PUBLIC_BASE_URL")
        or config.get("SERVE_BASE_URL")
        or "http://127.0.0.1:8000",
        secret=config["SECRET_KEY"],
    )
    return NotificationService(records, queue, notifier, catalog, tenants, settings, utc_now)
