"""The pure rules of the resident's download (#18): what counts as collected, what the page
offers, and what the resident is told will come."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bakso.domain.lifecycle import Status
from bakso.domain.model import Request
from bakso.domain.resident_download import (
    OFFER_CARD,
    OFFER_FORM,
    OFFER_NO_PIN,
    OFFER_NONE,
    OFFER_PURGED,
    mask_phone,
    notice,
    offer,
)
from bakso.domain.retention import (
    FINAL_CLOCK,
    UNCOLLECTED_CLOCK,
    RetentionPolicy,
    erased,
    is_due,
    retention_clock,
)

AT = "2026-03-01T00:00:00.000+00:00"
LATER = "2026-03-05T00:00:00.000+00:00"
ISSUED = {"key": "issued/r1/abc", "sha256": "abc", "size": 9, "state": "ok", "at": AT}


def selesai(**changes: object) -> Request:
    request = Request(
        id="r1",
        code="LT-2222-3333",
        service="AKTA_LAHIR",
        desa="52.03.01.2001",
        applicant={"name": "Siti", "phone": "081234567890"},
        subject=None,
        notes="",
        status=Status.SELESAI,
        version=5,
        created_by="op.a",
        created_at=AT,
        updated_at=AT,
        status_since=AT,
        token="t" * 32,
        submission=1,
        issued=ISSUED,
        pin_hash="h" * 64,
    )
    return replace(request, **changes)  # type: ignore[arg-type]


def test_a_downloaded_document_runs_the_final_clock_from_the_download() -> None:
    assert retention_clock(selesai()) == retention_clock(selesai(downloaded_at=None))
    assert retention_clock(selesai()).name == UNCOLLECTED_CLOCK  # type: ignore[union-attr]

    clock = retention_clock(selesai(downloaded_at=LATER))

    assert clock is not None and (clock.name, clock.since) == (FINAL_CLOCK, LATER)
    policy = RetentionPolicy(retention_days=90, uncollected_days=365)
    at_91_days = datetime.fromisoformat(LATER) + timedelta(days=91)
    assert is_due(selesai(downloaded_at=LATER), policy, at_91_days)
    assert not is_due(selesai(), policy, at_91_days)


def test_a_download_before_a_later_selesai_does_not_count() -> None:
    # Downloaded at an earlier SELESAI; the request came back to SELESAI since.
    request = selesai(downloaded_at=AT, status_since=LATER)
    assert retention_clock(request).name == UNCOLLECTED_CLOCK  # type: ignore[union-attr]


def test_the_erased_request_keeps_no_pin() -> None:
    assert erased(selesai(), LATER).pin_hash is None


@pytest.mark.parametrize(
    ("request_", "document", "expected"),
    [
        (selesai(), "printable", OFFER_FORM),
        (selesai(), "card", OFFER_CARD),
        (selesai(status=Status.DIPROSES), "printable", OFFER_NONE),
        (selesai(issued=None), "printable", OFFER_NONE),
        (selesai(issued={**ISSUED, "state": "pending"}), "printable", OFFER_NONE),
        (selesai(pin_hash=None), "printable", OFFER_NO_PIN),
        (selesai(purged_at=LATER), "printable", OFFER_PURGED),
        (selesai(issued={"at": AT}), "printable", OFFER_PURGED),
    ],
)
def test_what_the_status_page_offers(request_: Request, document: str, expected: str) -> None:
    assert offer(request_, document) == expected


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("081234567890", "0812*****890"), ("+6281234567890", "0812*****890"), ("0812345", "*******")],
)
def test_the_phone_shows_only_its_prefix_and_last_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_the_notice_names_channel_number_and_statuses_only_with_consent() -> None:
    told = {"phone": "081234567890", "notify": True}
    assert notice(told, "local") == (
        "Pemberitahuan lewat SMS ke 0812*****890 saat: diajukan, perlu perbaikan, ditolak, selesai."
    )
    assert notice(told, "sns").startswith("Pemberitahuan lewat SMS ke")
    assert notice(told, "whatsapp").startswith("Pemberitahuan lewat WhatsApp ke")
    for silent, notifier in (({"phone": "081234567890"}, "local"), (told, "none")):
        assert notice(silent, notifier).startswith("Tidak ada pemberitahuan")


def test_the_pin_forms_redirect_to_s3_is_allowed_by_form_action() -> None:
    from bakso.security_headers import resident_csp

    aws = {"ADAPTERS": "aws", "BUCKET_NAME": "berkas", "AWS_REGION": "ap-southeast-3"}
    assert "form-action 'self' https://berkas.s3.ap-southeast-3.amazonaws.com;" in resident_csp(aws)
    assert "form-action 'self';" in resident_csp({"ADAPTERS": "local"})
