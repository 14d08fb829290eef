"""Picks the notifier NOTIFIER names (docs/notifications.md).

Imports lazily, like bootstrap.build_adapters: the local set never loads boto3, and a
deployment without WhatsApp never builds its client.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..ports import Notifier


def build_notifier(config: Mapping[str, Any]) -> Notifier | None:
    """The notifier of `config`, or None when NOTIFIER is "none" (nothing is sent).

    Builds clients only, no network call: safe in a Lambda's cold start.
    """
    kind = config["NOTIFIER"]
    if kind == "none":
        return None
    if kind == "local":
        from .local.notifier import LocalNotifier

        return LocalNotifier(Path(config["DATA_DIR"]) / "notifications.sqlite3")
    if kind == "sns":
        from .aws.notifier_sns import build_sns_notifier

        return build_sns_notifier(config)
    if kind == "whatsapp":
        from .whatsapp import WhatsAppNotifier

        return WhatsAppNotifier(
            api_url=config["WHATSAPP_API_URL"],
            phone_number_id=config["WHATSAPP_PHONE_NUMBER_ID"],
            token=config["WHATSAPP_TOKEN"],
            template=config["WHATSAPP_TEMPLATE"],
        )
    raise ValueError(f"unknown notifier {kind!r}")
