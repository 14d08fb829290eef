"""The queue's messages: wire form, old bodies, malformed bodies, and who sends them."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from bakso import messages
from bakso.domain.sasaran import RequestChange
from bakso.messages import (
    MESSAGE_CLASSES,
    BatchAccept,
    BatchBuildStep,
    NotifyResident,
    RequestSubmitted,
    ReturnChunk,
    ReturnPrepare,
    SasaranImportChunk,
    SasaranImportParse,
    SasaranRequestChange,
    UnknownMessage,
    decode,
)
from bakso.workers.handlers import HANDLERS

BACKEND = Path(messages.__file__).parent

CHANGE = RequestChange(
    request_id="r-1",
    version=3,
    desa="52.03.01.2001",
    at="2026-01-02T03:04:05+00:00",
    after_status="DIAJUKAN",
    before_status="DRAF",
    before_since="2026-01-01T00:00:00+00:00",
    sasaran_id="s-1",
    jemput_bola=True,
    before_jemput_bola=False,
)
EXAMPLES: list[messages.Message] = [
    RequestSubmitted("r-1", 2),
    BatchBuildStep("b-1", 4),
    BatchAccept("b-1", 2, None, "dukcapil"),
    BatchAccept("b-1", 1, "0001#r-9", "sistem"),
    ReturnPrepare("ret-1"),
    ReturnChunk("ret-1", 7),
    SasaranImportParse("imp-1"),
    SasaranImportChunk("imp-1", 0),
    SasaranRequestChange(CHANGE),
    SasaranRequestChange(RequestChange("r-2", 1, "52.03.01.2001", "2026-01-02", "DRAF")),
    NotifyResident("r-1", 5, "SELESAI"),
    NotifyResident("r-1", 3, "DIAJUKAN", "482915"),
    messages.ServiceTimeCount("r-1", "SELESAI", "2026-11-02T03:00:00+00:00"),
]


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: type(m).__name__)
def test_every_message_round_trips_through_its_json_body(message: messages.Message) -> None:
    body = json.loads(json.dumps(message.to_body()))  # as the queue stores it
    assert body["type"] == type(message).TYPE
    assert decode(body) == message


def test_every_message_class_has_an_example_and_one_handler() -> None:
    assert {type(m) for m in EXAMPLES} == set(MESSAGE_CLASSES)
    assert set(HANDLERS) == set(MESSAGE_CLASSES)
    assert len({cls.TYPE for cls in MESSAGE_CLASSES}) == len(MESSAGE_CLASSES)


def test_the_wire_format_is_unchanged() -> None:
    # Bodies exactly as the services wrote them before the message classes.
    assert RequestSubmitted("r-1", 2).to_body() == {
        "type": "request.submitted",
        "request_id": "r-1",
        "submission": 2,
    }
    assert BatchBuildStep("b-1", 4).to_body() == {
        "type": "batch.build",
        "batch_id": "b-1",
        "step": 4,
    }
    assert BatchAccept("b-1", 2, None, "dukcapil").to_body() == {
        "type": "batch.accept",
        "batch_id": "b-1",
        "volume": 2,
        "after": None,
        "by": "dukcapil",
    }
    assert ReturnPrepare("x").to_body() == {"type": "returns.prepare", "return_id": "x"}
    assert ReturnChunk("x", 1).to_body() == {"type": "returns.chunk", "return_id": "x", "chunk": 1}
    assert SasaranImportParse("i").to_body() == {"type": "sasaran.import.parse", "import_id": "i"}
    assert SasaranImportChunk("i", 2).to_body() == {
        "type": "sasaran.import.chunk",
        "import_id": "i",
        "chunk": 2,
    }
    assert SasaranRequestChange(CHANGE).to_body() == {
        "type": "sasaran.request_change",
        **CHANGE.to_record(),
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"type": "batch.build", "batch_id": "b-1"}, BatchBuildStep("b-1", 0)),
        ({"type": "batch.accept", "batch_id": "b-1", "volume": 1}, BatchAccept("b-1", 1)),
        (
            {"type": "batch.accept", "batch_id": "b-1", "volume": 1, "after": None, "by": None},
            BatchAccept("b-1", 1, None, "sistem"),
        ),
        (
            {
                "type": "sasaran.request_change",
                "request_id": "r-2",
                "version": 1,
                "desa": "52.03.01.2001",
                "at": "2026-01-02",
                "after_status": "DRAF",
            },
            SasaranRequestChange(RequestChange("r-2", 1, "52.03.01.2001", "2026-01-02", "DRAF")),
        ),
        (
            {"type": "request.submitted", "request_id": "r-1", "submission": 1, "extra": "x"},
            RequestSubmitted("r-1", 1),
        ),
    ],
    ids=["build-without-step", "accept-first-chunk", "accept-null-by", "change-minimal", "extra"],
)
def test_bodies_already_queued_still_decode(body: dict[str, Any], expected: Any) -> None:
    assert decode(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        {"type": "no.such.message"},
        {"request_id": "r-1", "submission": 1},
        {"type": None},
        {"type": 7},
        [1, 2],
        "request.submitted",
        None,
    ],
)
def test_an_unknown_message_is_refused(body: Any) -> None:
    with pytest.raises(UnknownMessage):
        decode(body)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "request.submitted", "request_id": "r-1"},
        {"type": "request.submitted", "submission": 1},
        {"type": "request.submitted", "request_id": "r-1", "submission": "1"},
        {"type": "request.submitted", "request_id": "r-1", "submission": True},
        {"type": "request.submitted", "request_id": "r-1", "submission": 1.5},
        {"type": "request.submitted", "request_id": 5, "submission": 1},
        {"type": "request.submitted", "request_id": None, "submission": 1},
        {"type": "batch.build", "batch_id": "b-1", "step": "0"},
        {"type": "batch.accept", "batch_id": "b-1"},
        {"type": "batch.accept", "batch_id": "b-1", "volume": 1, "after": 3},
        {"type": "returns.chunk", "return_id": "x"},
        {"type": "sasaran.import.parse"},
        {"type": "sasaran.import.chunk", "import_id": "i", "chunk": None},
        {"type": "sasaran.request_change", "request_id": "r-1"},
        {**SasaranRequestChange(CHANGE).to_body(), "jemput_bola": "yes"},
        {**SasaranRequestChange(CHANGE).to_body(), "version": "3"},
    ],
)
def test_a_malformed_body_is_an_unknown_message(body: dict[str, Any]) -> None:
    with pytest.raises(UnknownMessage):
        decode(body)


def _send_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(BACKEND.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "send"
                and "queue" in ast.unparse(node.func.value)
            ):
                calls.append((f"{path.relative_to(BACKEND)}:{node.lineno}", node))
    return calls


def test_every_queue_send_in_the_backend_sends_a_message_class() -> None:
    names = {cls.__name__ for cls in MESSAGE_CLASSES}
    calls = _send_calls()
    assert len(calls) >= len(MESSAGE_CLASSES)  # the scan finds the senders
    wrong = []
    for where, call in calls:
        (arg,) = call.args
        made_by_class = (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Attribute)
            and arg.func.attr == "to_body"
            and isinstance(arg.func.value, ast.Call)
            and isinstance(arg.func.value.func, ast.Name)
            and arg.func.value.func.id in names
        )
        if not made_by_class:
            wrong.append(f"{where}: {ast.unparse(arg)}")
    assert wrong == [], "queue.send( must take SomeMessage(...).to_body(), from bakso.messages"
    sent = {call.args[0].func.value.func.id for _, call in calls}  # type: ignore[attr-defined]
    assert sent == names  # and every message is sent by someone
