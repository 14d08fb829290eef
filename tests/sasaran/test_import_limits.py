"""An XLSX is unpacked within limits before openpyxl opens it (#13 item 4).

The workbooks are written member by member with zipfile, the large cell
streamed in chunks, so the test never holds what they unpack to.
"""

from __future__ import annotations

import hashlib
import io
import random
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import replace

import pytest

from bakso.domain.unpacking import XLSX_LIMITS, XmlTextScan
from bakso.services.sasaran_files import read_lines
from bakso.services.spreadsheets import Column, Sheet, xlsx_bytes
from bakso.services.unpacking import FileProblem, check_xlsx
from helpers import DESA_A
from rss import peak_growth
from sasaran.support import HEADER, XLSX_TYPE, drain

MIB = 1024 * 1024
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{REL}">'
        '<sheets><sheet name="sasaran" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook_with_a_long_cell(cell: Iterable[bytes]) -> bytes:
    """A valid XLSX: the header row, then one row whose name cell is the `cell` chunks."""
    columns = HEADER.split(",")
    header = "".join(_inline(f"{chr(65 + i)}1", name) for i, name in enumerate(columns))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet {NS}><sheetData>'.encode())
            sheet.write(f'<row r="1">{header}</row><row r="2">'.encode())
            sheet.write(b'<c r="B2" t="inlineStr"><is><t>')
            for chunk in cell:
                sheet.write(chunk)
            sheet.write(f"</t></is></c>{_inline('C2', DESA_A)}</row>".encode())
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _letters(total: int) -> Iterable[bytes]:
    rng = random.Random(13)
    for _ in range(total // MIB):
        yield bytes(rng.choices(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ ", k=MIB))


def _register(dukcapil, data: bytes) -> str:
    import_id = str(uuid.uuid4())
    registered = dukcapil.post(
        "/api/v1/sasaran/import",
        json={
            "id": import_id,
            "filename": "sasaran.xlsx",
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "content_type": XLSX_TYPE,
        },
    )
    assert registered.status_code == 201, registered.get_json()
    assert dukcapil.upload(registered.get_json()["upload"], data).status_code == 200
    return import_id


def test_a_208_kb_xlsx_with_a_200_mb_cell_is_refused_at_start_in_flat_memory(
    dukcapil, services
) -> None:
    data = workbook_with_a_long_cell(b"A" * MIB for _ in range(200))
    assert len(data) < 400_000  # the adversarial run's 208 KB
    import_id = _register(dukcapil, data)

    with peak_growth() as grown:
        started = dukcapil.post(f"/api/v1/sasaran/import/{import_id}/start")
        handled = drain(services)

    assert grown.mib < 50
    assert started.status_code == 422
    assert started.mimetype == "application/problem+json"
    detail = started.get_json()["detail"]
    assert detail.startswith("Berkas XLSX: sheet1.xml dipadatkan lebih dari 200 kali")
    assert "bom zip" in detail
    assert handled == 0  # nothing was queued: the worker never opened it
    assert dukcapil.get(f"/api/v1/sasaran/import/{import_id}").get_json()["status"] == "UPLOADING"


def test_a_cell_longer_than_a_spreadsheet_allows_fails_the_import_with_the_reason(
    dukcapil, services
) -> None:
    # 3 MB of random letters: compresses only ~1.6 times, so no ratio gives it away;
    # openpyxl would build the whole cell in memory. The worker's scan refuses it.
    data = workbook_with_a_long_cell(_letters(3 * MIB))
    import_id = _register(dukcapil, data)
    assert dukcapil.post(f"/api/v1/sasaran/import/{import_id}/start").status_code == 202

    with peak_growth() as grown:
        drain(services)

    assert grown.mib < 50
    done = dukcapil.get(f"/api/v1/sasaran/import/{import_id}").get_json()
    assert done["status"] == "FAILED"
    assert "satu sel atau tag lebih dari 256 KB" in done["error"]
    assert "xl/worksheets/sheet1.xml" in done["error"]


@pytest.mark.parametrize(
    ("part", "text", "reason"),
    [
        (
            "xl/sharedStrings.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sst/>',
            "DOCTYPE",
        ),
        ("xl/styles.xml", "<styleSheet>" + "<x/>" * (9 * MIB // 4) + "</styleSheet>", "8 MB"),
    ],
    ids=["doctype", "part-read-whole"],
)
def test_a_part_openpyxl_would_read_whole_or_expand_is_refused(
    part: str, text: str, reason: str
) -> None:
    limits = replace(XLSX_LIMITS, max_part_bytes=8 * MIB)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in PARTS.items():
            archive.writestr(name, content)
        archive.writestr(part, text, compress_type=zipfile.ZIP_STORED)  # no ratio to see

    with pytest.raises(FileProblem, match=reason):
        check_xlsx(out, limits)


def test_a_real_workbook_reads_as_before() -> None:
    rows = [
        [f"5203015708900{i:03d}", f"Warga {i}", DESA_A, "Dusun", "KK", "", ""] for i in range(50)
    ]
    data = xlsx_bytes([Sheet("sasaran", [Column(name) for name in HEADER.split(",")], rows)])

    lines = list(read_lines("xlsx", io.BytesIO(data), max_lines=100))

    assert len(lines) == 51 and lines[1][1][1] == "Warga 0"


def test_a_text_run_split_across_chunks_is_still_counted() -> None:
    scan = XmlTextScan("xl/worksheets/sheet1.xml", max_run=10)
    assert scan.feed(b"<c><t>12345") is None
    assert scan.feed(b"678") is None  # 8 so far
    assert scan.feed(b"90</t>") is None  # exactly 10
    assert scan.feed(b"<t>1234567") is None
    assert scan.feed(b"8901</t>") is not None  # 11
    assert XmlTextScan("p", 10).feed(b"<!DOC") is None
    split = XmlTextScan("p", 10)
    assert split.feed(b"<a/><!DOC") is None
    assert split.feed(b"TYPE x>") is not None


def workbook_with_a_wide_row(cells: int) -> bytes:
    """A few MB on disk (a ratio ~4), one row of `cells` cells:
    openpyxl builds a row whole, ~450 bytes a cell (the review's 2.5M cells: +1.1 GB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet {NS}><sheetData><row r="1">'.encode())
            rng = random.Random(7)  # varied numbers: a ratio far below the zip limit
            for start in range(0, cells, 10_000):
                count = min(10_000, cells - start)
                sheet.write(
                    b"".join(b"<c><v>%d</v></c>" % rng.randrange(10**6) for _ in range(count))
                )
            sheet.write(b"</row></sheetData></worksheet>")
    return out.getvalue()


def test_a_row_of_a_million_cells_is_refused_before_openpyxl_builds_it(dukcapil, services) -> None:
    data = workbook_with_a_wide_row(1_000_000)
    import_id = _register(dukcapil, data)
    assert dukcapil.post(f"/api/v1/sasaran/import/{import_id}/start").status_code == 202

    with peak_growth() as grown:
        drain(services)

    assert grown.mib < 50
    done = dukcapil.get(f"/api/v1/sasaran/import/{import_id}").get_json()
    assert done["status"] == "FAILED"
    assert "lebih dari 1000 sel" in done["error"]


def test_cells_split_across_chunks_are_counted_once() -> None:
    scan = XmlTextScan("xl/worksheets/sheet1.xml", max_run=100, max_row_cells=3)
    assert scan.feed(b'<row r="1"><c><v>1</v></c><c') is None  # 2 cells
    assert scan.feed(b"><v>2</v></c>") is None  # the split one: 2, not 3, until here
    assert scan.feed(b"<row><c/><c/><c/>") is None  # a new row starts over at 3
    assert scan.feed(b"<c/>") is not None  # 4 in one row


def test_shared_strings_past_the_default_limit_are_refused() -> None:
    """openpyxl holds shared strings at ~8× their XML size: 32 MB of them was +254 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in PARTS.items():
            archive.writestr(name, content)
        strings = "".join(f"<si><t>w{i}</t></si>" for i in range(600_000))  # ~9 MB
        archive.writestr("xl/sharedStrings.xml", f"<sst {NS}>{strings}</sst>")

    with pytest.raises(FileProblem, match="simpan sebagai CSV"):
        check_xlsx(out, XLSX_LIMITS)
