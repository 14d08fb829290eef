"""Wiring, part of bootstrap: the adapter set a configuration picks, and the XLSX limits."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .domain.audit_chain import AuditKeys
from .domain.unpacking import XlsxLimits, ZipLimits
from .ports import Blobs, Queue, Records


def build_adapters(config: Mapping[str, Any]) -> tuple[Records, Blobs, Queue]:
    kind = config["ADAPTERS"]
    if kind == "local":
        from .adapters.local import FolderBlobs, SqliteQueue, SqliteRecords

        data_dir = Path(config["DATA_DIR"])
        data_dir.mkdir(parents=True, exist_ok=True)
        return (
            SqliteRecords(data_dir / "records.sqlite3", AuditKeys.from_config(config)),
            FolderBlobs(data_dir / "blobs", config["SECRET_KEY"]),
            SqliteQueue(data_dir / "queue.sqlite3", max_receives=config["QUEUE_MAX_RECEIVES"]),
        )
    if kind == "aws":
        from .adapters import aws

        return aws.build(config)
    raise ValueError(f"unknown adapter set {kind!r}")


def xlsx_limits(config: Mapping[str, Any]) -> XlsxLimits:
    """What an uploaded XLSX (a sasaran list, a return table) may unpack to."""
    return XlsxLimits(
        zip=ZipLimits(
            max_entries=config["UNPACK_MAX_ENTRIES"],
            max_entry_bytes=config["UNPACK_MAX_XLSX_BYTES"],
            max_total_bytes=config["UNPACK_MAX_XLSX_BYTES"],
            max_ratio=config["UNPACK_MAX_RATIO"],
        ),
        max_part_bytes=config["UNPACK_MAX_XLSX_STRINGS_BYTES"],
        max_run_bytes=config["UNPACK_MAX_CELL_BYTES"],
    )
