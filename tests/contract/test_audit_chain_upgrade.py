"""A SQLite log from before #16 (one chain, one head) becomes the default kabupaten's chain."""

from __future__ import annotations

from pathlib import Path

from bakso.adapters.local import SqliteRecords
from bakso.adapters.local.records import MIGRATIONS
from bakso.adapters.local.sqlite import SqliteDatabase
from bakso.domain.audit_chain import AuditKeys
from bakso.services.audit import AuditService

KEYS = AuditKeys.from_settings(None)


def _old_log(path: Path, keys: AuditKeys, count: int) -> None:
    """The rows and the head as the code of #13 wrote them: `audit` keyed by seq alone,
    `audit_head` one row sealed without a chain name."""
    chained = next(i for i, script in enumerate(MIGRATIONS) if "audit_chained" in script)
    old = SqliteDatabase(path, MIGRATIONS[:chained])
    prev = "0" * 64
    with old.transaction() as db:
        for n in range(1, count + 1):
            entry = keys.entry(
                n, f"2026-03-01T08:00:0{n}Z", "admin", "x", f"u{n}", {}, prev, chain=""
            )
            db.execute(
                "INSERT INTO audit (seq, at, actor, action, target, data, prev_hash, hash, key_id)"
                " VALUES (?, ?, ?, ?, ?, '{}', ?, ?, ?)",
                (
                    n,
                    entry.at,
                    entry.actor,
                    entry.action,
                    entry.target,
                    prev,
                    entry.hash,
                    entry.key_id,
                ),
            )
            prev = entry.hash
        unnamed = keys._mac(keys.key_id, ["bakso.audit.head.v1", count, prev, keys.key_id])
        db.execute(
            "INSERT INTO audit_head (id, seq, link, key_id, mac) VALUES (1, ?, ?, ?, ?)",
            (count, prev, keys.key_id, unnamed),
        )
    old.close()


def test_the_old_log_is_the_default_kabupatens_chain_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    _old_log(path, KEYS, 4)

    records = SqliteRecords(path, KEYS)
    service = AuditService(records, KEYS, chains=["52.03", "52.04"])

    assert [e.chain for e in records.audit_entries(chain="52.03")] == ["52.03"] * 4
    assert records.audit_entries(chain="52.04") == []
    assert [(c.chain, c.problem, c.checked) for c in service.verify_all()] == [
        ("52.03", None, 4),
        ("52.04", None, 0),
    ]
    entry = records.append_audit(
        chain="52.03", at="2026-03-02T08:00:00Z", actor="admin", action="x", target="t", data={}
    )
    other = records.append_audit(
        chain="52.04", at="2026-03-02T08:00:00Z", actor="admin", action="x", target="t", data={}
    )
    assert (entry.seq, other.seq) == (5, 1)
    assert [c.problem for c in service.verify_all()] == [None, None]
    records.close()
