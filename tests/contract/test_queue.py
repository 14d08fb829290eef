"""The Queue contract: at-least-once delivery with visibility timeout and dead letters."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from bakso.ports import Message, Queue

if TYPE_CHECKING:
    from conftest import AdapterSet

VISIBILITY = 30


def test_sent_message_is_received_once_with_its_body(queue: Queue) -> None:
    queue.send({"job": "verify-scan", "request_id": "r-1", "scan_id": "s-1"})

    messages = queue.receive(max_messages=10, visibility_timeout=VISIBILITY)

    assert [m.body for m in messages] == [
        {"job": "verify-scan", "request_id": "r-1", "scan_id": "s-1"}
    ]
    assert messages[0].attempts == 1
    assert queue.receive(visibility_timeout=VISIBILITY) == []


def test_receive_of_empty_queue_returns_nothing(queue: Queue) -> None:
    assert queue.receive(visibility_timeout=VISIBILITY) == []


def test_receive_returns_at_most_max_messages(queue: Queue) -> None:
    for i in range(5):
        queue.send({"i": i})

    batches = [queue.receive(max_messages=2, visibility_timeout=VISIBILITY) for _ in range(4)]

    assert [len(batch) for batch in batches] == [2, 2, 1, 0]
    assert sorted(m.body["i"] for batch in batches for m in batch) == [0, 1, 2, 3, 4]


def test_unacked_message_is_invisible_until_timeout_then_redelivered(
    adapter_set: AdapterSet,
) -> None:
    queue = adapter_set.queue
    queue.send({"job": "build-batch"})
    (first,) = queue.receive(visibility_timeout=VISIBILITY)

    adapter_set.advance(VISIBILITY - 1)
    assert queue.receive(visibility_timeout=VISIBILITY) == []
    adapter_set.advance(2)
    (again,) = queue.receive(visibility_timeout=VISIBILITY)

    assert again.id == first.id
    assert again.body == first.body
    assert again.attempts == 2
    assert again.receipt != first.receipt


def test_acked_message_is_not_redelivered(adapter_set: AdapterSet) -> None:
    queue = adapter_set.queue
    queue.send({"job": "build-batch"})
    (message,) = queue.receive(visibility_timeout=VISIBILITY)

    queue.ack(message)
    adapter_set.advance(VISIBILITY + 1)

    assert queue.receive(visibility_timeout=VISIBILITY) == []
    assert queue.dead_letters() == []


def test_ack_with_receipt_of_superseded_delivery_is_ignored(adapter_set: AdapterSet) -> None:
    queue = adapter_set.queue
    queue.send({"job": "build-batch"})
    (old,) = queue.receive(visibility_timeout=VISIBILITY)
    adapter_set.advance(VISIBILITY + 1)
    (current,) = queue.receive(visibility_timeout=VISIBILITY)

    queue.ack(old)
    adapter_set.advance(VISIBILITY + 1)
    (still_there,) = queue.receive(visibility_timeout=VISIBILITY)

    assert still_there.id == current.id
    queue.ack(still_there)
    adapter_set.advance(VISIBILITY + 1)
    assert queue.receive(visibility_timeout=VISIBILITY) == []


def _fail_every_delivery(adapter_set: AdapterSet) -> Message:
    """Receive and drop a message until the queue gives up on it; return the last delivery."""
    queue = adapter_set.queue
    last = None
    for attempt in range(1, adapter_set.max_receives + 1):
        (last,) = queue.receive(visibility_timeout=VISIBILITY)
        assert last.attempts == attempt
        adapter_set.advance(VISIBILITY + 1)
    assert last is not None
    return last


def test_message_unacked_max_receives_times_becomes_dead_letter(
    adapter_set: AdapterSet,
) -> None:
    queue = adapter_set.queue
    queue.send({"job": "verify-scan", "scan_id": "s-9"})

    last = _fail_every_delivery(adapter_set)
    queue.send({"job": "healthy"})

    assert [m.body for m in queue.receive(visibility_timeout=VISIBILITY)] == [{"job": "healthy"}]
    (dead,) = queue.dead_letters()
    assert dead.id == last.id
    assert dead.body == {"job": "verify-scan", "scan_id": "s-9"}
    assert dead.attempts == adapter_set.max_receives


def test_redrive_makes_dead_letter_receivable_with_fresh_attempts(
    adapter_set: AdapterSet,
) -> None:
    queue = adapter_set.queue
    queue.send({"job": "verify-scan"})
    last = _fail_every_delivery(adapter_set)
    assert queue.receive(visibility_timeout=VISIBILITY) == []

    assert queue.redrive(last.id) is True

    assert queue.dead_letters() == []
    (revived,) = queue.receive(visibility_timeout=VISIBILITY)
    assert revived.id == last.id
    assert revived.body == {"job": "verify-scan"}
    assert revived.attempts == 1
    # A receipt from before the message died must not ack the new delivery.
    queue.ack(last)
    adapter_set.advance(VISIBILITY + 1)
    assert [m.id for m in queue.receive(visibility_timeout=VISIBILITY)] == [last.id]


def test_redrive_of_unknown_or_live_message_returns_false(queue: Queue) -> None:
    queue.send({"job": "x"})
    (live,) = queue.receive(visibility_timeout=VISIBILITY)

    assert queue.redrive("0" * 32) is False
    assert queue.redrive(live.id) is False


def test_concurrent_consumers_get_each_message_once(adapter_set: AdapterSet) -> None:
    queue = adapter_set.queue
    for i in range(40):
        queue.send({"i": i})
    start = threading.Barrier(4)
    received: list[int] = []
    lock = threading.Lock()

    def consume() -> None:
        try:
            start.wait()
            while batch := queue.receive(max_messages=3, visibility_timeout=600):
                with lock:
                    received.extend(m.body["i"] for m in batch)
                for message in batch:
                    queue.ack(message)
        finally:
            adapter_set.thread_done()

    threads = [threading.Thread(target=consume) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(received) == list(range(40))
