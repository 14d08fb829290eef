"""NOTIFIER picks the adapter; load() refuses a notifier that cannot send."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from bakso import config
from bakso.adapters.aws.notifier_sns import SnsNotifier
from bakso.adapters.local.notifier import LocalNotifier
from bakso.adapters.notifiers import build_notifier
from bakso.adapters.whatsapp import WhatsAppNotifier

WHATSAPP = {
    "BAKSO_NOTIFIER": "whatsapp",
    "BAKSO_WHATSAPP_TOKEN": "EAAG-token",
    "BAKSO_WHATSAPP_PHONE_NUMBER_ID": "109876543210",
}


def _load(tmp_path: Path, **environ: str) -> dict[str, Any]:
    return config.load(environ={"BAKSO_DATA_DIR": str(tmp_path), **environ})


def test_the_local_default_keeps_messages_in_the_data_folder(tmp_path: Path) -> None:
    notifier = build_notifier(_load(tmp_path))

    assert isinstance(notifier, LocalNotifier)
    notifier.send(to="+6281234567890", text="uji", key="r-1:2", request_id="r-1")
    notifier.close()
    assert (tmp_path / "notifications.sqlite3").is_file()


def test_none_sends_nothing(tmp_path: Path) -> None:
    assert build_notifier(_load(tmp_path, BAKSO_NOTIFIER="none")) is None


def test_aws_defaults_to_sms_through_sns(tmp_path: Path) -> None:
    values = _load(tmp_path, BAKSO_CONFIG="aws", BAKSO_SECRET_KEY="k", BAKSO_AUDIT_KEY="a")

    notifier = build_notifier(values)

    assert isinstance(notifier, SnsNotifier) and notifier.channel == "sms"


def test_whatsapp_is_built_from_its_settings(tmp_path: Path) -> None:
    notifier = build_notifier(_load(tmp_path, **WHATSAPP))

    assert isinstance(notifier, WhatsAppNotifier) and notifier.channel == "whatsapp"
    assert notifier.payload("+6281234567890", "uji")["template"]["name"] == "bakso_status"


@pytest.mark.parametrize("missing", ["BAKSO_WHATSAPP_TOKEN", "BAKSO_WHATSAPP_PHONE_NUMBER_ID"])
def test_whatsapp_without_its_token_or_number_refuses_to_start(
    tmp_path: Path, missing: str
) -> None:
    environ = {k: v for k, v in WHATSAPP.items() if k != missing}

    with pytest.raises(config.ConfigError, match=missing):
        _load(tmp_path, **environ)


@pytest.mark.parametrize(
    "url", ["http://graph.facebook.com/v21.0", "ftp://graph.facebook.com", "graph.facebook.com"]
)
def test_whatsapp_refuses_to_send_its_token_in_clear(tmp_path: Path, url: str) -> None:
    with pytest.raises(config.ConfigError, match="BAKSO_WHATSAPP_API_URL"):
        _load(tmp_path, **WHATSAPP, BAKSO_WHATSAPP_API_URL=url)


def test_whatsapp_may_use_plain_http_to_a_server_on_this_machine(tmp_path: Path) -> None:
    values = _load(tmp_path, **WHATSAPP, BAKSO_WHATSAPP_API_URL="http://127.0.0.1:8099/v21.0")

    assert values["WHATSAPP_API_URL"] == "http://127.0.0.1:8099/v21.0"


def test_an_unknown_notifier_refuses_to_start_from_the_environment_or_an_override(
    tmp_path: Path,
) -> None:
    with pytest.raises(config.ConfigError, match="BAKSO_NOTIFIER"):
        _load(tmp_path, BAKSO_NOTIFIER="telegram")
    with pytest.raises(config.ConfigError, match="BAKSO_NOTIFIER"):
        config.load({"NOTIFIER": "sms"}, environ={"BAKSO_DATA_DIR": str(tmp_path)})


@pytest.mark.parametrize("sender", ["BAKSO-LOTIM", "123456", "TOOLONGNAME12"])
def test_a_sender_id_sns_would_refuse_refuses_to_start(tmp_path: Path, sender: str) -> None:
    with pytest.raises(config.ConfigError, match="BAKSO_SMS_SENDER_ID"):
        _load(tmp_path, BAKSO_SMS_SENDER_ID=sender)


def test_a_sender_id_is_passed_to_sns(tmp_path: Path) -> None:
    values = _load(
        tmp_path,
        BAKSO_CONFIG="aws",
        BAKSO_SECRET_KEY="k",
        BAKSO_AUDIT_KEY="a",
        BAKSO_SMS_SENDER_ID="BAKSO",
    )

    notifier = build_notifier(values)

    assert isinstance(notifier, SnsNotifier)
    with Stubber(notifier.client) as stub:
        attributes = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "BAKSO"},
        }
        stub.add_response(
            "publish",
            {"MessageId": "m-1"},
            {"PhoneNumber": "+6281234567890", "Message": "uji", "MessageAttributes": attributes},
        )
        notifier.send(to="+6281234567890", text="uji", key="r-1:2", request_id="r-1")
        stub.assert_no_pending_responses()
