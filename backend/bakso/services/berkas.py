"""berkas.pdf: a cover sheet with the form's fields, then every scan in order — what
Dukcapil prints and files. The photos of a requirement the form's data fills (the signed
F-2.01, F-1.01) come right after that data (berkas_form.py); the other scans follow in
the catalog's order.

fpdf2 embeds JPEG bytes as they are (DCTDecode), so photos are never
re-encoded; PNG and WebP are stored losslessly; uploaded PDFs are merged page
for page with pypdf.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO, Any

from ..domain import scan_quality
from ..domain.catalog import Service
from ..domain.forms import FormDefinition
from ..domain.lifecycle import LABELS
from ..domain.model import Request, Scan
from ..domain.regions import Regions
from ..domain.resident import indonesian_date
from ..ports import Blobs
from . import form_view
from .berkas_form import blocks, latin1, new_pdf, photos_after, render

A4_WIDTH, A4_HEIGHT, MARGIN = 210.0, 297.0, 10.0
# The largest photo rendered into berkas.pdf. A 12 MP phone photo (4000×3000) is
# far below, and a 48–50 MP sensor's full-size photo still passes; decoded, 60 MP
# is ~180 MB (RGB) in the worker. A PNG only claiming 50000×50000 in its header
# (2.5 G pixels, a few KB on disk, ~7.5 GB decoded) is refused before any decoding.
MAX_IMAGE_PIXELS = 60_000_000
REDO = "foto ulang dan ajukan kembali."


class BerkasProblem(Exception):
    """A scan cannot go into the printable file; the message, in Indonesian, names the
    page (requirement label and page number) and what the desa must do."""


def ordered_scans(service: Service, scans: Iterable[Scan]) -> list[Scan]:
    """Scans in the catalog's requirement order, pages in the order they were added
    (a replacing photo in the place of the page it replaced)."""
    rank = {r.code: i for i, r in enumerate(service.requirements)}
    return sorted(
        (s for s in scans if s.state == "ok"),
        key=lambda s: (rank.get(s.requirement, len(rank)), *s.order_key),
    )


def page_names(service: Service, scans: Iterable[Scan]) -> dict[str, str]:
    """How the desa knows each page: scan id → "KTP-el orang tua (halaman 2)".

    Numbered per requirement in berkas order (ordered_scans), as the desa added them.
    """
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for scan in ordered_scans(service, scans):
        counts[scan.requirement] = number = counts.get(scan.requirement, 0) + 1
        requirement = service.requirement(scan.requirement)
        label = requirement.label if requirement else scan.requirement
        names[scan.id] = f"{label} (halaman {number})"
    return names


def _cover(
    pdf: Any, request: Request, service: Service, regions: Regions, scans: list[Scan]
) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, latin1(f"BERKAS PERMOHONAN {request.code}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 7, latin1(service.label), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    desa = regions.get(request.desa)
    kecamatan = regions.get(regions.kecamatan_of(request.desa))
    rows = [
        ("Status", LABELS[request.status]),
        ("Desa", f"{desa.name if desa else ''} ({request.desa})"),
        ("Kecamatan", kecamatan.name if kecamatan else ""),
        ("Dibuat", indonesian_date(request.created_at)),
        ("Pemohon", request.applicant.get("name", "")),
        ("NIK pemohon", request.applicant.get("nik", "")),
        ("No. KK", request.applicant.get("kk") or "-"),
        ("No. HP", request.applicant.get("phone") or "-"),
        ("Alamat", request.applicant.get("address") or "-"),
    ]
    if request.subject:
        rows += [
            ("Nama (dokumen untuk)", request.subject.get("name", "")),
            ("NIK", request.subject.get("nik") or "-"),
            ("Tanggal lahir", request.subject.get("birth_date") or "-"),
            ("Tempat lahir", request.subject.get("birth_place") or "-"),
            ("Jenis kelamin", request.subject.get("sex") or "-"),
        ]
    if request.notes:
        rows.append(("Catatan", request.notes))
    if request.jemput_bola:
        rows.append(("Layanan", "Jemput bola (di rumah penduduk)"))
    for label, value in rows:
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(50, 6, latin1(label))
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "Persyaratan", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    have: dict[str, int] = {}
    for scan in scans:
        have[scan.requirement] = have.get(scan.requirement, 0) + 1
    for req in service.requirements:
        pages = have.get(req.code, 0)
        mark = f"[x] {pages} hlm" if pages else "[  ]"
        kind = "wajib" if req.required else "bila ada"
        others = [r.label for r in service.requirements if req.one_of and r.one_of == req.one_of]
        alt = f", salah satu dari: {' / '.join(others)}" if req.one_of else ""
        pdf.multi_cell(
            0, 6, latin1(f"{mark}  {req.label} ({kind}{alt})"), new_x="LMARGIN", new_y="NEXT"
        )


def _check_pixels(data: bytes, page: str) -> None:
    """Refuse, by its header alone, an image too large to decode (a decompression bomb)."""
    from PIL import Image

    try:
        # Lazy: reads the header only. Pillow itself refuses past twice its own
        # limit (an error) and warns past it (an error too under warnings-as-errors).
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BerkasProblem(_too_large(page)) from exc
    except (OSError, ValueError) as exc:
        raise BerkasProblem(f"Berkas {page} tidak dapat dibaca; {REDO}") from exc
    if width * height > MAX_IMAGE_PIXELS:
        raise BerkasProblem(_too_large(page, f" ({width}×{height} piksel)"))


def _too_large(page: str, size: str = "") -> str:
    limit = MAX_IMAGE_PIXELS // 1_000_000
    return f"Foto {page} terlalu besar untuk dicetak{size}, paling besar {limit} megapiksel; {REDO}"


def _image_page(data: bytes, page: str, caption: str = "") -> bytes:
    from fpdf import FPDF

    _check_pixels(data, page)  # before fpdf2 decodes it
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    # A printed page that falls out of its folder still says whose it is and what it is.
    pdf.set_font("Helvetica", "", 8)
    pdf.set_xy(MARGIN, 3)
    pdf.cell(0, 5, latin1(caption or page))
    # Fit inside the margins, keeping the aspect ratio.
    pdf.image(
        io.BytesIO(data),
        x=MARGIN,
        y=MARGIN,
        w=A4_WIDTH - 2 * MARGIN,
        h=A4_HEIGHT - 2 * MARGIN,
        keep_aspect_ratio=True,
    )
    return bytes(pdf.output())


def _stamp(width_pt: float, height_pt: float, caption: str) -> bytes:
    """A transparent page of the given size carrying the caption in its top margin."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(width_pt, height_pt))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 8)
    pdf.set_xy(20, 6)
    pdf.cell(0, 10, latin1(caption))
    return bytes(pdf.output())


def build_berkas(
    request: Request,
    service: Service,
    regions: Regions,
    scans: Iterable[Scan],
    blobs: Blobs,
    out: IO[bytes],
    form: FormDefinition | None = None,
) -> int:
    """Write the printable file to `out`; return its page count. Raises BerkasProblem."""
    # The PDF libraries cost ~0.5 s to import; only the worker ever needs them.
    from pypdf import PdfWriter

    in_order = ordered_scans(service, scans)
    names = page_names(service, in_order)
    writer = PdfWriter()
    caption = f"{request.code} - {form.form if form and form.form else 'Data formulir'} (lanjutan)"
    pdf = new_pdf(caption, cover=True)
    _cover(pdf, request, service, regions, in_order)
    parts = blocks(form_view.show(form, request.fields)) if form or request.fields else []
    if parts:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 12)
        title = f"Data formulir {form.form}" if form and form.form else "Data formulir"
        pdf.cell(0, 7, latin1(title), new_x="LMARGIN", new_y="NEXT")
    beside = photos_after(parts, {s.requirement for s in in_order})
    for index, block in enumerate(parts):
        if pdf is None:
            pdf = new_pdf(caption, cover=False)
            pdf.add_page()
        render(pdf, block)
        if index in beside:
            writer.append(io.BytesIO(bytes(pdf.output())))
            pdf = None
            for scan in in_order:
                if scan.requirement == beside[index]:
                    _append_scan(writer, request, scan, names[scan.id], blobs)
    if pdf is not None:
        writer.append(io.BytesIO(bytes(pdf.output())))
    placed = set(beside.values())
    for scan in in_order:
        if scan.requirement not in placed:
            _append_scan(writer, request, scan, names[scan.id], blobs)
    pages = len(writer.pages)
    writer.write(out)
    return pages


def _append_scan(writer: Any, request: Request, scan: Scan, page: str, blobs: Blobs) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # A page kept despite the photo check says so on paper too (domain/scan_quality.py).
    kept = scan_quality.kept_note(scan.quality)
    caption = f"{request.code} - {page}" + (f" ({kept})" if kept else "")
    data = b"".join(blobs.iter_chunks(scan.key))
    try:
        if scan.content_type == "application/pdf":
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise BerkasProblem(
                    f"PDF {page} terkunci kata sandi; unggah tanpa kata sandi dan ajukan kembali."
                )
            first = len(writer.pages)
            writer.append(reader)
            for number, added in enumerate(writer.pages[first:], start=1):
                box = added.mediabox
                overlay = PdfReader(
                    io.BytesIO(_stamp(float(box.width), float(box.height), f"{caption}, {number}"))
                ).pages[0]
                added.merge_page(overlay)
        else:
            writer.append(io.BytesIO(_image_page(data, page, caption)))
    except (PdfReadError, OSError, ValueError) as exc:
        raise BerkasProblem(f"Berkas {page} tidak dapat dibaca; {REDO}") from exc
