"""Wiring beside bootstrap.py: the IKM survey's store and service (docs/ikm.md)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .bootstrap_notify import utc_now
from .ports import Records
from .ports.ikm import IkmStore

__all__ = ["IkmService", "IkmStore", "attach_ikm", "build_ikm_store"]
from .services.ikm import IkmService

if TYPE_CHECKING:
    from .bootstrap import Services


def build_ikm_store(config: Mapping[str, Any], records: Records) -> IkmStore:
    """Locally its own SQLite file beside records.sqlite3; on AWS the records table."""
    kind = config["ADAPTERS"]
    if kind == "local":
        from .adapters.local.ikm import SqliteIkmStore

        return SqliteIkmStore(Path(config["DATA_DIR"]) / "ikm.sqlite3")
    if kind == "aws":
        from .adapters import aws
        from .adapters.aws.ikm import DynamoIkmStore

        if isinstance(records, aws.DynamoRecords):
            return DynamoIkmStore(records.client, records.table)
        raise ValueError("the IKM store on AWS shares the records adapter's table")
    raise ValueError(f"unknown adapter set {kind!r}")


def attach_ikm(
    services: Services, config: Mapping[str, Any], store: IkmStore | None = None
) -> IkmService:
    """The survey service on `store` (tests' fake) or the configured one; retention's
    erasure of a request also drops the request's survey comment (and compacts its file)."""
    ikm = IkmService(
        store or build_ikm_store(config, services.records),
        services.records,
        services.tenants,
        services.regions,
        utc_now,
    )
    retention = services.retention
    earlier = retention.forget_messages

    def forget(request_id: str) -> None:
        if earlier is not None:
            earlier(request_id)
        ikm.forget(request_id)

    retention.forget_messages = forget
    compact_earlier = retention.compact_messages

    def compact() -> None:
        if compact_earlier is not None:
            compact_earlier()
        ikm.store.compact()

    retention.compact_messages = compact
    return ikm
