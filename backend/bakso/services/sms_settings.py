"""The AWS account's SMS settings, set once per account and region (docs/deploy-aws.md).

CloudFormation has no resource for SNS's account-level SMS attributes, so the deploy
step runs `bakso notify sms-settings`, which comes here: the values are checked, then
the SNS adapter sets them (SetSMSAttributes) and reads back what SNS holds.
"""

from __future__ import annotations

import re
from typing import Protocol

from ..domain.errors import InvalidInput

# SNS's rule for a sender id: 1-11 letters and digits, at least one of them a letter.
_SENDER_ID = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9]{1,11}")


class SmsAccount(Protocol):
    def set_sms_settings(self, *, monthly_spend_limit: int, sender_id: str | None) -> None: ...

    def sms_settings(self) -> dict[str, str]: ...


class SmsSettingsService:
    def __init__(self, account: SmsAccount) -> None:
        self._account = account

    def apply(self, *, monthly_spend_limit: int, sender_id: str | None) -> dict[str, str]:
        """Sets the spend limit (whole USD a month), the Transactional default type and
        the sender id when given; returns the account's SMS settings as SNS now has them."""
        if monthly_spend_limit < 0:
            raise InvalidInput("Batas biaya SMS bulanan harus bilangan bulat 0 atau lebih (USD).")
        if sender_id is not None and not _SENDER_ID.fullmatch(sender_id):
            raise InvalidInput(
                "ID pengirim SMS harus 1 sampai 11 huruf dan angka, sedikitnya satu huruf."
            )
        self._account.set_sms_settings(monthly_spend_limit=monthly_spend_limit, sender_id=sender_id)
        return self._account.sms_settings()
