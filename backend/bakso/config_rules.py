"""Rules between settings, checked by `bakso.config.load()` on the final values.

Each holds whatever the values' source (class default, environment, overrides),
and a broken one raises ConfigError saying which variables to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def check(values: Mapping[str, Any]) -> None:
    _check_deadline(values)
    _check_sessions(values)


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
