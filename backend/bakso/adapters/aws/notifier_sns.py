"""SMS through Amazon SNS: `Publish` straight to a phone number, no topic.

The account-level SMS settings (monthly spend limit, default sender id, default
type) are not here nor in infra/: CloudFormation has no resource for them. They are
set once per account and region with `bakso notify sms-settings` (docs/deploy-aws.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import InvalidInput, StoreUnavailable
from ...ports import Notifier, SendFailed, SentMessage
from .errors import error_code

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef

log = logging.getLogger(__name__)

# The worker has minutes, not API Gateway's 29 s; a short read timeout still keeps
# one stuck call from eating a step. SNS's own retries cover a throttled burst.
_SNS = Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})

# Codes SNS answers when this message itself cannot be sent: trying again never works.
# Any other failure (throttling, 5xx, a connection error, a role not yet allowed) is
# transient, so the queue retries and at worst keeps the message as a dead letter to
# redrive once it is fixed.
PERMANENT_CODES = frozenset(
    {
        "InvalidParameter",
        "InvalidParameterValue",
        "ParameterValueInvalid",
        "ValidationException",
        "ValidationError",
        "OptedOut",
        "OptedOutException",
        "EndpointDisabled",
    }
)


class SnsNotifier(Notifier):
    """SMS of the Transactional type (delivered before Promotional, and to numbers on
    do-not-disturb lists where the carrier allows it).

    `sent` is [] and `forget` does nothing: SNS keeps its own delivery logs (CloudWatch
    Logs, when delivery status logging is on, with the account's retention), which this
    adapter neither reads nor can erase.
    """

    channel = "sms"

    def __init__(self, client: SNSClient, *, sender_id: str | None = None) -> None:
        self.client = client
        self._sender_id = sender_id or None

    def send(self, *, to: str, text: str, key: str, request_id: str | None) -> None:
        attributes: dict[str, MessageAttributeValueTypeDef] = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
        }
        if self._sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {
                "DataType": "String",
                "StringValue": self._sender_id,
            }
        try:
            self.client.publish(PhoneNumber=to, Message=text, MessageAttributes=attributes)
        except ClientError as error:
            code = error_code(error)
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            transient = code not in PERMANENT_CODES
            # The code only: SNS's message can quote the number.
            log.warning("sms publish failed: %s (HTTP %s, transient=%s)", code, status, transient)
            raise SendFailed(f"SNS {code or status}", transient=transient) from None
        except BotoCoreError as error:
            log.warning("sms publish failed: %s", type(error).__name__)
            raise SendFailed(f"SNS unreachable: {type(error).__name__}", transient=True) from None

    def sent(self, *, limit: int = 100) -> list[SentMessage]:
        return []

    def forget(self, request_id: str) -> None:
        """Nothing kept here to erase (see the class's docstring)."""

    def set_sms_settings(self, *, monthly_spend_limit: int, sender_id: str | None) -> None:
        """The account's SMS settings in this region: spend limit (USD a month), the
        Transactional default type and, when given, the default sender id."""
        attributes = {
            "MonthlySpendLimit": str(monthly_spend_limit),
            "DefaultSMSType": "Transactional",
        }
        if sender_id:
            attributes["DefaultSenderID"] = sender_id
        with _settings_errors("set_sms_attributes"):
            self.client.set_sms_attributes(attributes=attributes)

    def sms_settings(self) -> dict[str, str]:
        with _settings_errors("get_sms_attributes"):
            return dict(self.client.get_sms_attributes().get("attributes", {}))


@contextmanager
def _settings_errors(what: str) -> Iterator[None]:
    """SNS refusing the settings (e.g. a spend limit above the account's quota) is the
    deployer's to fix, so it names SNS's code; anything else is SNS out of reach."""
    try:
        yield
    except ClientError as error:
        code = error_code(error)
        log.error("%s failed: %s", what, code)
        if code in PERMANENT_CODES or code == "AuthorizationError":
            raise InvalidInput(
                f"Amazon SNS menolak pengaturan SMS ({code}). Batas biaya di atas kuota akun "
                "perlu dinaikkan dulu lewat AWS Support; izin sns:SetSMSAttributes perlu ada "
                "pada kredensial yang dipakai."
            ) from None
        raise StoreUnavailable(f"Amazon SNS sedang bermasalah ({code}); coba lagi.") from None
    except BotoCoreError as error:
        log.error("%s failed: %s", what, type(error).__name__)
        raise StoreUnavailable("Amazon SNS tidak dapat dihubungi; coba lagi.") from None


def build_sns_notifier(config: Mapping[str, Any]) -> SnsNotifier:
    """Builds the client only (no network call): safe in a cold start."""
    session = boto3.session.Session(region_name=config["AWS_REGION"])
    return SnsNotifier(
        session.client("sns", config=_SNS), sender_id=config.get("SMS_SENDER_ID") or None
    )
