"""Wiring of `bakso notify sms-settings`, beside bootstrap: the one place that picks the
adapter for the AWS account's SMS settings (docs/deploy-aws.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .services.sms_settings import SmsSettingsService


def build_sms_settings(config: Mapping[str, Any]) -> SmsSettingsService:
    """The SMS settings of the AWS account in AWS_REGION: Amazon SNS whatever NOTIFIER
    says, since they are set before SMS is switched on."""
    from .config import ConfigError

    if config["ADAPTERS"] != "aws":
        raise ConfigError("SMS settings belong to an AWS account: run this with BAKSO_CONFIG=aws.")
    from .adapters.aws.notifier_sns import build_sns_notifier

    return SmsSettingsService(build_sns_notifier(config))
