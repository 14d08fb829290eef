"""The work queue on SQS, with its dead-letter queue found through the redrive policy.

On Lambda the worker does not call `receive`: the event-source mapping polls
and deletes (bakso.workers.sqs). `receive`/`ack` serve `drain_once` and tools;
`dead_letters`/`redrive` serve operators.

Unlike the SQLite queue, SQS may delete a message for the receipt handle of
an earlier delivery (AWS documents it as "might not be deleted"); handlers are
idempotent, so such a late ack only ends work that another delivery redoes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ...domain.errors import PayloadTooLarge
from ...domain.refusals import MESSAGE_TOO_LARGE
from ...ports import Message, Queue
from .errors import error_code, translated

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

MAX_BODY_BYTES = 1 << 20  # SQS's limit (1 MiB)
SQS_MAX_BATCH = 10
# A redriven message is a new SQS message: this attribute carries the id it had,
# so it keeps one id through its whole life, as in the SQLite queue.
ORIGIN_ATTRIBUTE = "bakso-origin-id"
# How long listing the dead letters hides them from other readers.
PEEK_SECONDS = 30
_GONE = {
    "ReceiptHandleIsInvalid",
    "InvalidParameterValue",
    "AWS.SimpleQueueService.NonExistentQueue",
}


class SqsQueue(Queue):
    def __init__(self, client: SQSClient, queue: str) -> None:
        """`queue` is the queue's URL or, to keep account ids out of settings, its name."""
        self.client = client
        self._queue = queue
        self._url: str | None = queue if "://" in queue else None
        self._dead_url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            with translated("resolve queue url"):
                self._url = self.client.get_queue_url(QueueName=self._queue)["QueueUrl"]
        return self._url

    def send(self, body: dict[str, Any]) -> None:
        self._send(self.url, body, origin=None)

    def receive(self, *, max_messages: int = 10, visibility_timeout: int = 60) -> list[Message]:
        received: list[Message] = []
        while len(received) < max_messages:
            batch = self._receive(self.url, max_messages - len(received), visibility_timeout)
            if not batch:
                break
            received.extend(_message(raw) for raw in batch)
        return received

    def ack(self, message: Message) -> None:
        with translated("ack message"):
            try:
                self.client.delete_message(QueueUrl=self.url, ReceiptHandle=message.receipt)
            except ClientError as error:
                if error_code(error) not in _GONE:
                    raise

    def dead_letters(self) -> list[Message]:
        peeked = self._peek_dead()
        self._release(peeked)
        # The peek itself counted as a receive.
        return [_message(raw, already_received=1) for raw in peeked]

    def redrive(self, message_id: str) -> bool:
        peeked = self._peek_dead()
        found = next((raw for raw in peeked if _message(raw).id == message_id), None)
        self._release([raw for raw in peeked if raw is not found])
        if found is None:
            return False
        # Send before delete: a crash in between duplicates the work, never loses it.
        self._send(self.url, json.loads(found["Body"]), origin=message_id)
        with translated("delete dead letter"):
            self.client.delete_message(QueueUrl=self.dead_url, ReceiptHandle=found["ReceiptHandle"])
        return True

    @property
    def dead_url(self) -> str:
        if self._dead_url is None:
            with translated("resolve dead-letter queue"):
                attributes = self.client.get_queue_attributes(
                    QueueUrl=self.url, AttributeNames=["RedrivePolicy"]
                )["Attributes"]
                arn = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
                _, _, _, _, account, name = arn.split(":", 5)
                self._dead_url = self.client.get_queue_url(
                    QueueName=name, QueueOwnerAWSAccountId=account
                )["QueueUrl"]
        return self._dead_url

    # Helpers --------------------------------------------------------------
    def _send(self, url: str, body: dict[str, Any], *, origin: str | None) -> None:
        encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        if len(encoded.encode()) > MAX_BODY_BYTES:
            raise PayloadTooLarge(MESSAGE_TOO_LARGE)
        with translated("send message"):
            if origin is None:
                self.client.send_message(QueueUrl=url, MessageBody=encoded)
            else:
                self.client.send_message(
                    QueueUrl=url,
                    MessageBody=encoded,
                    MessageAttributes={
                        ORIGIN_ATTRIBUTE: {"DataType": "String", "StringValue": origin}
                    },
                )

    def _receive(self, url: str, count: int, visibility_timeout: int) -> list[MessageTypeDef]:
        with translated("receive messages"):
            response = self.client.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(count, SQS_MAX_BATCH),
                VisibilityTimeout=visibility_timeout,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
                MessageAttributeNames=[ORIGIN_ATTRIBUTE],
            )
        return list(response.get("Messages", []))

    def _peek_dead(self) -> list[MessageTypeDef]:
        """Every dead letter, hidden for PEEK_SECONDS; the caller releases them."""
        peeked: list[MessageTypeDef] = []
        while batch := self._receive(self.dead_url, SQS_MAX_BATCH, PEEK_SECONDS):
            peeked.extend(batch)
        peeked.sort(key=lambda raw: (int(raw["Attributes"]["SentTimestamp"]), raw["MessageId"]))
        return peeked

    def _release(self, messages: list[MessageTypeDef]) -> None:
        for start in range(0, len(messages), SQS_MAX_BATCH):
            chunk = messages[start : start + SQS_MAX_BATCH]
            with translated("release dead letters"):
                self.client.change_message_visibility_batch(
                    QueueUrl=self.dead_url,
                    Entries=[
                        {
                            "Id": str(number),
                            "ReceiptHandle": raw["ReceiptHandle"],
                            "VisibilityTimeout": 0,
                        }
                        for number, raw in enumerate(chunk)
                    ],
                )


def _message(raw: MessageTypeDef, *, already_received: int = 0) -> Message:
    attribute = raw.get("MessageAttributes", {}).get(ORIGIN_ATTRIBUTE)
    origin = attribute.get("StringValue") if attribute else None
    return Message(
        id=origin or raw["MessageId"],
        body=json.loads(raw["Body"]),
        receipt=raw["ReceiptHandle"],
        attempts=int(raw["Attributes"]["ApproximateReceiveCount"]) - already_received,
    )
