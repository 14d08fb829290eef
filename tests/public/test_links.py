"""Report channels become links a resident can tap (#14)."""

from __future__ import annotations

from bakso.public.links import Part, channel_parts


def test_web_address_and_sms_number_become_links() -> None:
    assert channel_parts("LAPOR! (SP4N): www.lapor.go.id atau SMS 1708") == [
        Part("LAPOR! (SP4N): "),
        Part("www.lapor.go.id", "https://www.lapor.go.id"),
        Part(" atau "),
        Part("SMS 1708", "sms:1708"),
    ]


def test_phone_numbers_dial() -> None:
    parts = channel_parts("Dukcapil Lombok Timur, telp. (0376) 21234 / 0812-3456-7890")
    assert [p.href for p in parts if p.href] == ["tel:037621234", "tel:081234567890"]


def test_plain_words_stay_words() -> None:
    text = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Lombok Timur, Selong"
    assert channel_parts(text) == [Part(text)]
