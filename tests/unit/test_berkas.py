"""berkas.pdf: a photo too large to decode is refused by its header, naming the page."""

from __future__ import annotations

import io
import resource
import warnings

import pytest
from PIL import Image

from bakso.domain.catalog import Requirement, Service
from bakso.domain.model import Scan
from bakso.services import berkas
from bakso.services.berkas import MAX_IMAGE_PIXELS, BerkasProblem, page_names
from helpers import bomb_png, fake_jpeg

PAGE = "KTP-el orang tua (halaman 2)"


def _png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


def test_a_50000_by_50000_png_is_refused_without_decoding_it() -> None:
    data = bomb_png()
    assert len(data) < 1024 * 1024 and data.startswith(b"\x89PNG\r\n\x1a\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    with pytest.raises(BerkasProblem) as caught:
        berkas._image_page(data, PAGE)

    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 100  # decoding it would take gigabytes
    assert str(caught.value) == (
        f"Foto {PAGE} terlalu besar untuk dicetak, paling besar 60 megapiksel; "
        "foto ulang dan ajukan kembali."
    )


def test_a_photo_over_bakso_s_limit_but_under_pillows_is_refused_with_its_size() -> None:
    # 8000 × 8000 = 64 MP: over MAX_IMAGE_PIXELS, below Pillow's own warning (89 MP).
    assert 8000 * 8000 > MAX_IMAGE_PIXELS > 7000 * 7000
    with pytest.raises(BerkasProblem, match=r"\(8000×8000 piksel\)"):
        berkas._image_page(bomb_png(8000, 8000), PAGE)


@pytest.mark.parametrize("warnings_are_errors", [True, False])
def test_a_photo_pillow_only_warns_about_is_refused_whatever_the_warning_filter(
    warnings_are_errors: bool,
) -> None:
    # 12000 × 12000 = 144 MP: Pillow warns (DecompressionBombWarning) but opens it.
    with warnings.catch_warnings():
        warnings.simplefilter("error" if warnings_are_errors else "ignore")
        with pytest.raises(BerkasProblem, match=PAGE.replace("(", r"\(").replace(")", r"\)")):
            berkas._image_page(bomb_png(12000, 12000), PAGE)


@pytest.mark.parametrize(
    "data",
    [fake_jpeg("foto biasa", 256), _png(300, 200), _png(64, 64, "L"), _png(32, 32, "RGBA")],
    ids=["jpeg", "png-rgb", "png-grey", "png-alpha"],
)
def test_a_normal_photo_renders_with_warnings_as_errors(data: bytes) -> None:
    # The suite runs with filterwarnings=error: any warning here would fail it.
    page = berkas._image_page(data, PAGE)
    assert page.startswith(b"%PDF-")


def test_a_file_that_is_no_image_is_unreadable_naming_the_page() -> None:
    with pytest.raises(BerkasProblem, match="tidak dapat dibaca; foto ulang"):
        berkas._image_page(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, PAGE)


def test_pages_are_named_by_requirement_label_and_number_in_berkas_order() -> None:
    service = Service(
        "X",
        "X",
        "X",
        (Requirement("KK", "Kartu Keluarga", True, None), Requirement("KTP", "KTP-el", True, None)),
    )

    def scan(scan_id: str, requirement: str, at: str, state: str = "ok") -> Scan:
        return Scan(scan_id, "r", requirement, "0" * 64, 1, "image/jpeg", "k", state, at)

    scans = [
        scan("b", "KTP", "2026-01-02"),
        scan("a", "KTP", "2026-01-01"),
        scan("c", "KK", "2026-01-03"),
        scan("d", "KK", "2026-01-04", state="pending"),
    ]

    assert page_names(service, scans) == {
        "c": "Kartu Keluarga (halaman 1)",
        "a": "KTP-el (halaman 1)",
        "b": "KTP-el (halaman 2)",
    }
