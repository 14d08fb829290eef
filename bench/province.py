"""A province on one deployment, for the morning-peak bench (#16 part 5): the kabupaten/kota
of Nusa Tenggara Barat as tenant folders (domain/tenants.py), beside the packaged Lombok
Timur.

Only `kabupaten.json` is written for each; its regions come from the nationwide list, as a
real kabupaten's folder without its own `wilayah.csv` would. The request-code prefix is the
kabupaten's four digits (names are too alike to abbreviate uniquely by rule).
"""

from __future__ import annotations

import json
from pathlib import Path

from bakso.domain.nationwide import national_codes

PROVINSI = "52"  # Nusa Tenggara Barat: 8 kabupaten and 2 kota
DEFAULT = "52.03"  # Lombok Timur: packaged, the deployment's default


def province_folders(work: Path, provinsi: str = PROVINSI, count: int | None = None) -> list[str]:
    """Folders of the province's kabupaten other than the packaged default, written under
    `work` (at most `count` - 1 of them, so that `count` kabupaten are served in all)."""
    codes = sorted(
        code
        for code in national_codes().kabupaten
        if code.startswith(provinsi + ".") and code != DEFAULT
    )
    if count is not None:
        codes = codes[: max(0, count - 1)]
    folders = []
    for code in codes:
        name = national_codes().kabupaten[code]
        short = name.removeprefix("Kabupaten ")  # "Kota Bima" stays apart from "Bima"
        folder = work / "kabupaten" / code
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "kabupaten.json").write_text(
            json.dumps(
                {
                    "code": code,
                    "name": name,
                    "short_name": short,
                    "code_prefix": code.replace(".", ""),
                    "timezone": "Asia/Makassar",
                    "report_channels": ["LAPOR! (SP4N): www.lapor.go.id atau SMS 1708"],
                    "dukcapil": {"name": f"Dinas Kependudukan dan Pencatatan Sipil {name}"},
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
        folders.append(str(folder))
    return folders
