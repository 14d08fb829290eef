"""`compact()` (ports.Records, ports.Queue): retention calls it after erasing, so what was
erased leaves the store's files (local SQLite: its WAL checkpointed with TRUNCATE). On
every adapter set it keeps everything not erased readable; on SQLite the WAL is empty."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bakso.domain.desa import DesaContact
from bakso.ports import Queue, Records

if TYPE_CHECKING:
    from conftest import AdapterSet


def test_compact_keeps_what_is_stored_and_empties_a_sqlite_wal(
    adapter_set: AdapterSet, records: Records, queue: Queue, tmp_path: Path
) -> None:
    contact = DesaContact("52.03.01.2001", "0376-21234", False, "", "2026-01-01T00:00Z", "op")
    records.save_desa_contact(contact)
    queue.send({"type": "t", "n": 1})

    records.compact()
    queue.compact()

    if adapter_set.name == "local":
        wal = sorted(tmp_path.rglob("*.sqlite3-wal"))
        assert len(wal) == 2 and all(p.stat().st_size == 0 for p in wal)
    assert records.get_desa_contact("52.03.01.2001") == contact
    assert [m.body for m in queue.receive()] == [{"type": "t", "n": 1}]
