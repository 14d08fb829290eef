"""`bakso cleanup` also runs the rest of retention: a never-completed scan upload goes."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakso.bootstrap import build_services
from bakso.cli import main
from bakso.config import load
from unit.services.support import OPERATOR, ktp_draft


def test_cleanup_removes_a_scan_upload_never_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKSO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BAKSO_UPLOAD_RETENTION_DAYS", "0")
    services = build_services(load())
    request_id = str(uuid.uuid4())
    services.requests.upsert_draft(OPERATOR, request_id, ktp_draft())
    data = b"\xff\xd8\xff\xe0 half sent"
    scan, _ = services.requests.register_scan(
        OPERATOR,
        request_id,
        requirement="KK",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type="image/jpeg",
    )
    services.blobs.put(scan.key, io.BytesIO(data), "image/jpeg")

    result = CliRunner().invoke(main, ["cleanup"])

    assert result.exit_code == 0, result.output
    assert "1 unggahan pindaian" in result.output
    assert services.records.list_scans(request_id) == []
    assert services.blobs.size(scan.key) is None
