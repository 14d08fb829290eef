"""Helpers of the sasaran tests: importing through the API (upload, start, drain the worker)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from bakso.bootstrap import Services
from bakso.workers.handlers import drain_once
from helpers import Api

HEADER = "nik,nama,kode_desa,alamat,dokumen,kategori_rentan,keterangan"
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def drain(services: Services) -> int:
    """Run the worker until the queue is empty; return how many messages it handled."""
    handled = 0
    while batch := drain_once(services):
        handled += batch
    return handled


class Importer:
    def __init__(self, api: Api, services: Services) -> None:
        self.api = api
        self.services = services

    def upload(
        self, data: bytes, filename: str = "sasaran.csv", content_type: str = CSV_TYPE
    ) -> dict[str, Any]:
        """Register and upload the file, start the import; return the started import."""
        registered = self.api.post(
            "/api/v1/sasaran/import",
            json={
                "id": str(uuid.uuid4()),
                "filename": filename,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "content_type": content_type,
            },
        )
        assert registered.status_code == 201, registered.get_json()
        body = registered.get_json()
        assert self.api.upload(body["upload"], data).status_code == 200
        started = self.api.post(f"/api/v1/sasaran/import/{body['import']['id']}/start")
        assert started.status_code == 202, started.get_json()
        return dict(started.get_json())

    def run(
        self, data: bytes, filename: str = "sasaran.csv", content_type: str = CSV_TYPE
    ) -> dict[str, Any]:
        """Import the file to the end; return the finished import."""
        started = self.upload(data, filename, content_type)
        drain(self.services)
        done = self.api.get(f"/api/v1/sasaran/import/{started['id']}").get_json()
        return dict(done)

    def report(self, import_id: str) -> list[tuple[int, str, str | None]]:
        items: list[dict[str, Any]] = []
        after = 0
        while True:
            page = self.api.get(f"/api/v1/sasaran/import/{import_id}/rows?after={after}").get_json()
            items += page["items"]
            if page["next_after"] is None:
                break
            after = page["next_after"]
        return [(i["line"], i["outcome"], i["reason"]) for i in items]


def worklist(api: Api, desa: str | None = None) -> list[dict[str, Any]]:
    query = f"?desa={desa}" if desa else ""
    response = api.get(f"/api/v1/sasaran{query}")
    assert response.status_code == 200, response.get_json()
    return list(response.get_json()["items"])


def coverage(api: Api, query: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/stats/coverage?{query}")
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())
