"""Tens of thousands of lines import through the worker, chunk by chunk, within API limits."""

from __future__ import annotations

from helpers import DESA_A, DESA_B
from sasaran.support import HEADER, drain

LINES = 20_000


def nik(i: int) -> str:
    """A distinct valid NIK per i: region 52.03.01, a real date of birth, a serial."""
    day, month = i % 28 + 1, (i // 28) % 12 + 1
    year, serial = 70 + (i // 336) % 30, i // 10_080 + 1
    return f"520301{day + 40 * (i % 2):02d}{month:02d}{year:02d}{serial:04d}"


def big_file() -> bytes:
    lines = [HEADER]
    for i in range(LINES):
        number = "" if i % 10 == 0 else nik(i)
        desa = DESA_A if i % 2 else DESA_B
        category = "LANSIA" if i % 7 == 0 else ""
        lines.append(
            f"{number},Warga Nomor {i},{desa},Dusun {i % 50} RT {i % 9},KTP;KK,{category},"
        )
    return ("\n".join(lines) + "\n").encode()


def test_twenty_thousand_lines_import_in_chunks_through_the_worker(importer, services) -> None:
    data = big_file()
    assert len(data) > 256 * 1024  # more than an API body may carry: it goes to the blob store
    begun = importer.upload(data)
    assert begun["status"] == "QUEUED"  # the API answered before any line was applied
    handled = drain(services)

    done = importer.api.get(f"/api/v1/sasaran/import/{begun['id']}").get_json()
    assert done["status"] == "DONE", done
    assert done["counts"] == {"accepted": LINES, "updated": 0, "unchanged": 0, "refused": 0}
    assert handled == 1 + LINES // 1_000  # one parse, then one message per 1,000-line chunk
    coverage = importer.api.get("/api/v1/stats/coverage?level=kabupaten").get_json()["total"]
    assert coverage["target"] == LINES
    lansia = next(r for r in coverage["rentan"] if r["category"] == "LANSIA")
    assert lansia["target"] == len(range(0, LINES, 7))


def test_redelivered_messages_change_nothing_twice(importer, services) -> None:
    total = 2 * services.sasaran.settings.chunk_rows + services.sasaran.settings.chunk_rows // 2
    lines = [HEADER] + [f",Warga {i},{DESA_A},Dusun {i},KK,," for i in range(total)]
    begun = importer.upload(("\n".join(lines) + "\n").encode())
    sasaran, import_id = services.sasaran, begun["id"]
    # The worker runs the steps by hand, as if SQS delivered some messages twice,
    # one of them while the next chunk was already done (three chunks in all).
    sasaran.parse_import(import_id)
    sasaran.apply_chunk(import_id, 0)
    sasaran.apply_chunk(import_id, 1)
    sasaran.apply_chunk(import_id, 0)
    sasaran.parse_import(import_id)
    drain(services)  # the queued parse and chunk messages, duplicates included
    sasaran.apply_chunk(import_id, 1)  # after the end: the chunk files are gone

    done = importer.api.get(f"/api/v1/sasaran/import/{import_id}").get_json()
    assert done["status"] == "DONE"
    assert done["counts"] == {"accepted": total, "updated": 0, "unchanged": 0, "refused": 0}
    assert importer.api.get("/api/v1/stats/coverage").get_json()["total"]["target"] == total
    assert len(importer.report(import_id)) == total
