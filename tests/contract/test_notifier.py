"""The Notifier contract, over the fake, the local SQLite one, SNS on moto and WhatsApp
against a fake Cloud API on loopback; then what each adapter does beyond it (the local
one's de-duplication, SNS's and WhatsApp's errors and retries)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

import aws_env
from bakso.adapters.aws.notifier_sns import SnsNotifier, build_sns_notifier
from bakso.adapters.local.notifier import LocalNotifier
from bakso.adapters.whatsapp import WhatsAppNotifier
from bakso.domain.notifications import CHANNEL_NAMES
from bakso.ports import Notifier, SendFailed
from fake_whatsapp import PHONE_NUMBER_ID, TEMPLATE, TOKEN, FakeWhatsApp, fake_whatsapp
from fakes import FakeNotifier

NUMBER = "+6281234567890"
OTHER = "+6287765432100"
TEXT = "BAKSO: permohonan KK-7Q2M diterima. Cek: https://bakso.example.go.id/cek/abc PIN 123456"


@dataclass
class NotifierSet:
    name: str
    notifier: Notifier
    delivered: Callable[[], list[tuple[str, str]]]  # (number, text) the provider took
    keeps_log: bool  # `sent` lists what was sent (the fake and the local one)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _local(tmp_path: Path) -> Iterator[NotifierSet]:
    notifier = LocalNotifier(tmp_path / "notifications.sqlite3", now=Clock())
    yield NotifierSet(
        "local", notifier, lambda: [(m.to, m.text) for m in reversed(notifier.sent())], True
    )
    notifier.close()


def _sns(monkeypatch: pytest.MonkeyPatch) -> Iterator[NotifierSet]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    with aws_env.moto_aws(monkeypatch):
        notifier = build_sns_notifier({"AWS_REGION": aws_env.REGION})
        backend = sns_backends[DEFAULT_ACCOUNT_ID][aws_env.REGION]
        yield NotifierSet("sns", notifier, lambda: list(backend.sms_messages.values()), False)


def _whatsapp() -> Iterator[NotifierSet]:
    with fake_whatsapp() as api:
        notifier = _whatsapp_notifier(api, sleep=lambda _: None)

        def delivered() -> list[tuple[str, str]]:
            return [
                ("+" + r.body["to"], r.body["template"]["components"][0]["parameters"][0]["text"])
                for r in api.delivered()
            ]

        yield NotifierSet("whatsapp", notifier, delivered, False)


def _whatsapp_notifier(api: FakeWhatsApp, **options: Any) -> WhatsAppNotifier:
    return WhatsAppNotifier(
        api_url=api.url,
        phone_number_id=PHONE_NUMBER_ID,
        token=TOKEN,
        template=TEMPLATE,
        **{"timeout": 5.0, **options},
    )


def _memory() -> Iterator[NotifierSet]:
    fake = FakeNotifier()
    yield NotifierSet("memory", fake, lambda: [(m.to, m.text) for m in fake.messages], True)


@pytest.fixture(params=["memory", "local", "sns", "whatsapp"])
def notifier_set(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[NotifierSet]:
    if request.param == "memory":
        yield from _memory()
    elif request.param == "local":
        yield from _local(tmp_path)
    elif request.param == "sns":
        yield from _sns(monkeypatch)
    else:
        yield from _whatsapp()


# --- the contract ---------------------------------------------------------------------


def test_a_message_reaches_the_number_with_its_text(notifier_set: NotifierSet) -> None:
    notifier_set.notifier.send(to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1")

    assert notifier_set.delivered() == [(NUMBER, TEXT)]


def test_two_events_are_two_messages_in_order(notifier_set: NotifierSet) -> None:
    notifier = notifier_set.notifier
    notifier.send(to=NUMBER, text="pertama", key="r-1:2", request_id="r-1")
    notifier.send(to=OTHER, text="kedua", key="r-2:2", request_id="r-2")

    assert notifier_set.delivered() == [(NUMBER, "pertama"), (OTHER, "kedua")]


def test_the_channel_is_one_the_receipt_can_name(notifier_set: NotifierSet) -> None:
    assert notifier_set.notifier.channel in CHANNEL_NAMES


def test_sent_lists_the_newest_first_where_the_adapter_keeps_them(
    notifier_set: NotifierSet,
) -> None:
    notifier = notifier_set.notifier
    for n in range(3):
        notifier.send(to=NUMBER, text=f"pesan {n}", key=f"r-{n}:2", request_id=f"r-{n}")

    newest = notifier.sent(limit=2)

    if notifier_set.keeps_log:
        assert [(m.key, m.request_id, m.to, m.text) for m in newest] == [
            ("r-2:2", "r-2", NUMBER, "pesan 2"),
            ("r-1:2", "r-1", NUMBER, "pesan 1"),
        ]
        assert all(m.at.endswith("Z") for m in newest)
    else:
        assert newest == []  # the provider keeps its own log


def test_forget_erases_that_requests_messages_only(notifier_set: NotifierSet) -> None:
    notifier = notifier_set.notifier
    notifier.send(to=NUMBER, text="diajukan", key="r-1:2", request_id="r-1")
    notifier.send(to=NUMBER, text="selesai", key="r-1:5", request_id="r-1")
    notifier.send(to=OTHER, text="lain", key="r-2:2", request_id="r-2")
    notifier.send(
        to=OTHER, text="ringkasan desa", key="desa:52.03.01.2001:2026-01-01", request_id=None
    )

    notifier.forget("r-1")

    kept = [(m.request_id, m.text) for m in notifier.sent()]
    if notifier_set.keeps_log:
        assert kept == [(None, "ringkasan desa"), ("r-2", "lain")]
    else:
        assert kept == []
    notifier.compact()  # retention's next step: what was kept stays readable
    assert [(m.request_id, m.text) for m in notifier.sent()] == kept


# --- local ---------------------------------------------------------------------------


def test_local_keeps_one_message_per_event_though_told_twice(tmp_path: Path) -> None:
    """A redelivered queue message is the same key: the local provider never repeats it."""
    notifier = LocalNotifier(tmp_path / "n.sqlite3", now=Clock())
    try:
        notifier.send(to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1")
        notifier.send(to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1")
        notifier.send(to=NUMBER, text="perlu perbaikan lagi", key="r-1:4", request_id="r-1")

        assert [m.key for m in notifier.sent()] == ["r-1:4", "r-1:2"]
    finally:
        notifier.close()


def test_local_messages_outlive_the_process_and_forget_reaches_the_file(tmp_path: Path) -> None:
    path = tmp_path / "n.sqlite3"
    first = LocalNotifier(path, now=Clock())
    first.send(to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1")
    first.close()

    again = LocalNotifier(path)
    try:
        assert [(m.to, m.text) for m in again.sent()] == [(NUMBER, TEXT)]
        again.forget("r-1")
    finally:
        again.close()
    third = LocalNotifier(path)
    try:
        assert third.sent() == []
    finally:
        third.close()


# --- SNS -----------------------------------------------------------------------------


def _sns_client() -> Any:
    return boto3.client(
        "sns",
        region_name=aws_env.REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_sns_publishes_a_transactional_sms_with_the_sender_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with aws_env.moto_aws(monkeypatch):
        client = _sns_client()
        calls: list[dict[str, Any]] = []
        client.meta.events.register(
            "provide-client-params.sns.Publish", lambda params, **_: calls.append(dict(params))
        )

        SnsNotifier(client, sender_id="BAKSO").send(
            to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1"
        )

    assert calls == [
        {
            "PhoneNumber": NUMBER,
            "Message": TEXT,
            "MessageAttributes": {
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "BAKSO"},
            },
        }
    ]


def test_sns_refusing_the_number_is_not_transient(monkeypatch: pytest.MonkeyPatch) -> None:
    with aws_env.moto_aws(monkeypatch):
        notifier = build_sns_notifier({"AWS_REGION": aws_env.REGION})

        with pytest.raises(SendFailed) as refused:
            notifier.send(to="081234567890", text=TEXT, key="r-1:2", request_id="r-1")

    assert refused.value.transient is False


@pytest.mark.parametrize(
    ("code", "status", "transient"),
    [
        ("Throttled", 429, True),
        ("Throttling", 400, True),
        ("InternalError", 500, True),
        ("OptedOut", 400, False),
        ("InvalidParameter", 400, False),
    ],
)
def test_sns_errors_say_whether_trying_again_may_work(
    code: str, status: int, transient: bool, caplog: pytest.LogCaptureFixture
) -> None:
    client = _sns_client()
    with Stubber(client) as stub:
        stub.add_client_error(
            "publish",
            service_error_code=code,
            service_message=f"Phone number {NUMBER} refused",
            http_status_code=status,
        )
        with caplog.at_level(logging.INFO), pytest.raises(SendFailed) as failed:
            SnsNotifier(client).send(to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1")

    assert failed.value.transient is transient
    assert NUMBER not in caplog.text and TEXT not in caplog.text
    assert NUMBER not in str(failed.value)


def test_sns_out_of_reach_is_transient() -> None:
    class Unreachable:
        def publish(self, **_: Any) -> None:
            raise EndpointConnectionError(endpoint_url="https://sns.ap-southeast-3.amazonaws.com")

    with pytest.raises(SendFailed) as failed:
        SnsNotifier(Unreachable()).send(to=NUMBER, text=TEXT, key="k", request_id=None)  # type: ignore[arg-type]

    assert failed.value.transient is True


# --- WhatsApp ------------------------------------------------------------------------


@pytest.fixture
def api() -> Iterator[FakeWhatsApp]:
    with fake_whatsapp() as fake:
        yield fake


def test_whatsapp_posts_the_template_message_with_the_bearer_token(api: FakeWhatsApp) -> None:
    _whatsapp_notifier(api).send(to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1")

    (request,) = api.received
    assert request.path == f"/v21.0/{PHONE_NUMBER_ID}/messages"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "messaging_product": "whatsapp",
        "to": "6281234567890",
        "type": "template",
        "template": {
            "name": TEMPLATE,
            "language": {"code": "id"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": TEXT}]}],
        },
    }


def test_whatsapp_retries_a_5xx_and_delivers_once(api: FakeWhatsApp) -> None:
    waits: list[float] = []
    api.answer(500, 200)

    _whatsapp_notifier(api, sleep=waits.append, backoff=(0.5, 2.0)).send(
        to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1"
    )

    assert len(api.received) == 2
    assert len(api.delivered()) == 1
    assert waits == [0.5]


@pytest.mark.parametrize("answer", [500, 503, 429, (400, {"error": {"code": 130429}})])
def test_whatsapp_gives_up_after_its_attempts_as_transient(
    api: FakeWhatsApp, answer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    waits: list[float] = []
    api.answer(answer)

    with caplog.at_level(logging.INFO), pytest.raises(SendFailed) as failed:
        _whatsapp_notifier(api, sleep=waits.append, backoff=(0.5, 2.0)).send(
            to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1"
        )

    assert failed.value.transient is True
    assert len(api.received) == 3 and api.delivered() == []
    assert waits == [0.5, 2.0]
    for secret in (TOKEN, NUMBER, NUMBER.removeprefix("+"), TEXT):
        assert secret not in caplog.text
        assert secret not in str(failed.value)


@pytest.mark.parametrize("status", [400, 401, 404])
def test_whatsapp_refusal_is_not_retried_nor_transient(api: FakeWhatsApp, status: int) -> None:
    api.answer(status)

    with pytest.raises(SendFailed) as refused:
        _whatsapp_notifier(api, sleep=lambda _: None).send(
            to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1"
        )

    assert refused.value.transient is False
    assert len(api.received) == 1


def test_whatsapp_unreachable_is_retried_then_transient() -> None:
    with fake_whatsapp() as gone:
        url = gone.url  # a port nothing listens on once the server has closed
    notifier = WhatsAppNotifier(
        api_url=url,
        phone_number_id=PHONE_NUMBER_ID,
        token=TOKEN,
        template=TEMPLATE,
        sleep=lambda _: None,
    )

    with pytest.raises(SendFailed) as failed:
        notifier.send(to=NUMBER, text=TEXT, key="r-1:2", request_id="r-1")

    assert failed.value.transient is True


def test_whatsapp_refuses_a_number_not_in_e164_without_a_request(api: FakeWhatsApp) -> None:
    with pytest.raises(SendFailed) as refused:
        _whatsapp_notifier(api).send(to="081234567890", text=TEXT, key="k", request_id=None)

    assert refused.value.transient is False
    assert api.received == []


def test_whatsapp_notifier_does_not_show_its_token() -> None:
    notifier = WhatsAppNotifier(
        api_url="https://graph.facebook.com/v21.0",
        phone_number_id=PHONE_NUMBER_ID,
        token=TOKEN,
        template=TEMPLATE,
    )

    assert TOKEN not in repr(notifier)


def test_whatsapp_sends_a_text_of_several_lines_as_one_line(api: FakeWhatsApp) -> None:
    """The Cloud API refuses a template parameter with a newline, a tab or 5 spaces."""
    _whatsapp_notifier(api).send(
        to=NUMBER,
        text="Permohonan KK-7Q2M\nselesai.\tAmbil di     kantor desa.",
        key="k",
        request_id=None,
    )

    (request,) = api.received
    parameter = request.body["template"]["components"][0]["parameters"][0]["text"]
    assert parameter == "Permohonan KK-7Q2M selesai. Ambil di kantor desa."


@pytest.mark.parametrize("status", [301, 302, 307])
def test_whatsapp_never_follows_a_redirect_with_its_token(api: FakeWhatsApp, status: int) -> None:
    api.answer(status, 200)

    with pytest.raises(SendFailed) as refused:
        _whatsapp_notifier(api, sleep=lambda _: None).send(
            to=NUMBER, text=TEXT, key="k", request_id=None
        )

    assert refused.value.transient is False
    assert [r.path for r in api.received] == [f"/v21.0/{PHONE_NUMBER_ID}/messages"]
