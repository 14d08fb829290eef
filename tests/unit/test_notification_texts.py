"""The residents' messages (domain/notifications.py): one SMS each, never a NIK or a name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bakso.domain import notifications
from bakso.domain.notifications import (
    SMS_LENGTH,
    MessageFacts,
    fits_sms,
    gsm7,
    is_gsm7,
    resident_text,
)
from bakso.domain.phone import consent_problem, mobile_e164
from bakso.services.notifications import status_link

DATA = Path(notifications.__file__).parent.parent / "data"
SERVICES = json.loads((DATA / "catalog.json").read_text(encoding="utf-8"))["services"]
LONGEST = max(SERVICES, key=lambda s: len(s["label"]))
TOKEN = "x" * 32  # secrets.token_urlsafe(24), as submit makes it
# The deployment's base (docs/deploy-aws.md) and a longer one, as a kabupaten might have.
BASES = ("https://bakso.lomboktimurkab.go.id", "https://layanan-bakso.kabupatenlomboktengah.go.id")
NIK = "3203014501900003"
NAME = "Siti Aminah Rahmawati"
LONG_REASON = (
    f"Foto KK halaman 2 milik {NAME} (NIK {NIK}) buram dan terpotong; bawa KK asli “lengkap” "
    "serta akta kelahiran anak – dan surat keterangan dari kepala dusun… " * 3
)


def facts(status: str, base: str, **changes: object) -> MessageFacts:
    values: dict[str, object] = {
        "status": status,
        "code": "LT-7K2P-9QXD",
        "service": LONGEST["code"],
        "service_label": LONGEST["label"],
        "link": status_link(base, TOKEN),
        "pin": "482915",
        "reason": LONG_REASON,
        "printable": True,
        "downloadable": True,
        "office": "Dukcapil Lombok Timur",
        "names": (NAME, "Bayi Kenari"),
    }
    values.update(changes)
    return MessageFacts(**values)  # type: ignore[arg-type]


CASES = [
    ("DIAJUKAN", {}),
    ("DIAJUKAN", {"pin": None}),
    ("PERLU_PERBAIKAN", {}),
    ("PERLU_PERBAIKAN", {"reason": ""}),
    ("DITOLAK", {}),
    ("SELESAI", {}),
    ("SELESAI", {"downloadable": False}),
    ("SELESAI", {"printable": False, "office": "Dukcapil Kota Administrasi Jakarta Utara Raya"}),
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize(("status", "changes"), CASES)
@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s["code"])
def test_every_text_is_one_gsm7_sms_without_a_nik_or_a_name(
    base: str, status: str, changes: dict[str, object], service: dict[str, str]
) -> None:
    given = facts(status, base, service=service["code"], service_label=service["label"], **changes)
    text = resident_text(given)
    assert len(text) <= SMS_LENGTH, text
    assert is_gsm7(text), text
    assert fits_sms(text)
    assert NIK not in text
    for word in NAME.split():
        assert word.lower() not in text.lower()
    assert given.code in text


@pytest.mark.parametrize("base", BASES)
def test_the_link_and_the_pin_are_whole_in_the_diajukan_message(base: str) -> None:
    text = resident_text(facts("DIAJUKAN", base))
    assert status_link(base, TOKEN) in text
    assert "PIN unduh: 482915" in text
    assert "GRATIS" in text


def test_a_long_reason_is_cut_with_three_dots_and_keeps_its_start() -> None:
    text = resident_text(facts("PERLU_PERBAIKAN", BASES[0]))
    assert text.endswith("...")
    assert "kantor desa" in text
    assert "Foto KK halaman 2 milik *** (NIK ***)" in text
    assert "…" not in text  # not GSM-7


def test_a_16_digit_number_is_taken_out_however_it_is_spaced() -> None:
    text = resident_text(
        facts("DITOLAK", BASES[0], reason="NIK 3203 0145 0190 0003 tidak cocok dengan KK")
    )
    assert "3203" not in text
    assert "tidak cocok dengan KK" in text


def test_selesai_says_where_the_document_is() -> None:
    card = resident_text(facts("SELESAI", BASES[0], service="KIA", printable=False))
    assert "Ambil di Dukcapil Lombok Timur atau UPT" in card
    assert "unduh" not in card
    printable = resident_text(facts("SELESAI", BASES[0], service="AKTA_LAHIR"))
    assert "Cetak di kantor desa atau unduh dengan PIN" in printable
    assert status_link(BASES[0], TOKEN) in printable


def test_gsm7_folds_what_officers_type() -> None:
    assert gsm7("“KK” – asli… ñ ê\tok") == '"KK" - asli... ñ e ok'
    assert not is_gsm7("€") and not is_gsm7("…") and is_gsm7("Ambil di desa (Rp 0).")


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 789", "+628123456789"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("081234567", None),  # too short
        ("0376-21234", None),  # a landline takes no SMS
        ("+6581234567", None),  # not Indonesian
        ("", None),
    ],
)
def test_the_mobile_number_as_e164(typed: str, e164: str | None) -> None:
    assert mobile_e164(typed) == e164


def test_consent_needs_a_mobile_number() -> None:
    assert consent_problem({"notify": True, "phone": "081234567890"}) is None
    assert consent_problem({"notify": False, "phone": None}) is None
    assert consent_problem({"phone": "0376-21234"}) is None
    assert consent_problem({"notify": True, "phone": "0376-21234"})
    assert consent_problem({"notify": True})
