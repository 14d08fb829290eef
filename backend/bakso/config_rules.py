"""Rules between settings, checked by `bakso.config.load()` on the final values.

Each holds whatever the values' source (class default, environment, overrides),
and a broken one raises ConfigError saying which variables to change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def check(values: Mapping[str, Any]) -> None:
    _check_deadline(values)
    _check_sessions(values)
    _check_notifier(values)
    _check_service_times(values)


def _check_service_times(values: Mapping[str, Any]) -> None:
    """/layanan's minimums (docs/service-times.md): below 5 a figure can point at a person."""
    from .config import ConfigError  # config imports this module

    for key in ("SERVICE_TIMES_MIN_REQUESTS", "SERVICE_TIMES_IKM_MIN_RESPONDENTS"):
        value = values.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 5:
            raise ConfigError(f"BAKSO_{key}={value!r}: expected a whole number of at least 5.")


NOTIFIERS = ("local", "sns", "whatsapp", "none")
_SENDER_ID = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9]{1,11}")
_WHATSAPP_URL = re.compile(r"https://[^/]|http://(127\.0\.0\.1|localhost)(:[0-9]{1,5})?(/|$)")


def _check_notifier(values: Mapping[str, Any]) -> None:
    """A notifier the code knows, and WhatsApp only with what it needs to send."""
    from .config import ConfigError  # config imports this module

    kind = values["NOTIFIER"]
    if kind not in NOTIFIERS:
        raise ConfigError(f"BAKSO_NOTIFIER={kind!r}: expected one of {', '.join(NOTIFIERS)}.")
    sender = values.get("SMS_SENDER_ID")
    if sender is not None and not _SENDER_ID.fullmatch(sender):
        raise ConfigError(
            f"BAKSO_SMS_SENDER_ID={sender!r}: expected 1 to 11 letters and digits, at least "
            "one a letter (Amazon SNS's rule for a sender id)."
        )
    if kind != "whatsapp":
        return
    url = str(values.get("WHATSAPP_API_URL") or "")
    if not _WHATSAPP_URL.match(url):
        raise ConfigError(
            f"BAKSO_WHATSAPP_API_URL={url!r}: expected an https:// address (http:// only to "
            "localhost, for a test): every request carries the access token."
        )
    missing = [
        f"BAKSO_{key}"
        for key in ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID")
        if not str(values.get(key) or "").strip()
    ]
    if missing:
        raise ConfigError(
            f"BAKSO_NOTIFIER=whatsapp needs {' and '.join(missing)}: the Cloud API's access "
            "token (in the worker's environment, never in a file) and the id of the business "
            "phone number it sends from (docs/notifications.md). Or choose another notifier."
        )


def _check_sessions(values: Mapping[str, Any]) -> None:
    """Last use is written more often than a session may sit idle (docs/security.md)."""
    from .config import ConfigError  # config imports this module

    if values["SESSION_TOUCH_SECONDS"] >= values["SESSION_IDLE_SECONDS"]:
        raise ConfigError(
            f"BAKSO_SESSION_TOUCH_SECONDS={values['SESSION_TOUCH_SECONDS']} must be less than "
            f"BAKSO_SESSION_IDLE_SECONDS={values['SESSION_IDLE_SECONDS']}."
        )


def _check_deadline(values: Mapping[str, Any]) -> None:
    """A building batch must not read FAILED while the queue may still redeliver its step."""
    from .config import ConfigError  # config imports this module

    deadline = values["BATCH_BUILD_DEADLINE"]
    timeout, receives = values["WORKER_VISIBILITY_TIMEOUT"], values["QUEUE_MAX_RECEIVES"]
    window = timeout * receives
    if deadline <= window:
        raise ConfigError(
            f"BAKSO_BATCH_BUILD_DEADLINE={deadline} must be greater than the queue's whole "
            f"redelivery window, BAKSO_WORKER_VISIBILITY_TIMEOUT × BAKSO_QUEUE_MAX_RECEIVES "
            f"= {timeout} × {receives} = {window} seconds: otherwise a batch whose build step "
            "is still being retried would already read as FAILED. Raise the deadline or "
            "shorten the window."
        )
