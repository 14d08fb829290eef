"""An import: its run, how each line of the file is judged, and the per-line report.

A line is judged on its own (judge_line), then against the earlier lines of
the same file (refuse_duplicates); what it updates is decided when its chunk
is applied (rows.pick_match).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ..errors import InvalidInput
from ..fields import known_fields
from ..identity import parse_nik
from ..regions import Regions, kabupaten_of
from .normalise import clean_text, code_token, fold, name_key, normalise_desa_code
from .vocabulary import (
    CATEGORY_ALIASES,
    COLUMNS,
    DOCUMENT_ALIASES,
    DOCUMENTS,
    LINE_MESSAGES,
    Category,
)

MAX_NAME = 120
MAX_ADDRESS = 300
MAX_NOTE = 500

# Report outcomes of one import line.
ACCEPTED = "accepted"
UPDATED = "updated"
UNCHANGED = "unchanged"
REFUSED = "refused"
OUTCOMES = (ACCEPTED, UPDATED, UNCHANGED, REFUSED)

# Refusal reasons: machine codes, each with an Indonesian message (LINE_MESSAGES).
UNKNOWN_DESA = "UNKNOWN_DESA"
BAD_NIK = "BAD_NIK"
DUPLICATE = "DUPLICATE"
MISSING_NAME = "MISSING_NAME"
MISSING_ADDRESS = "MISSING_ADDRESS"
MISSING_DOCUMENTS = "MISSING_DOCUMENTS"
UNKNOWN_DOCUMENT = "UNKNOWN_DOCUMENT"
UNKNOWN_CATEGORY = "UNKNOWN_CATEGORY"
TOO_LONG = "TOO_LONG"

# Import runs.
IMPORT_UPLOADING = "UPLOADING"
IMPORT_QUEUED = "QUEUED"
IMPORT_RUNNING = "RUNNING"
IMPORT_DONE = "DONE"
IMPORT_FAILED = "FAILED"


@dataclass(frozen=True)
class LineFields:
    """A line that passed every check: what it says, normalised."""

    desa: str
    name: str
    address: str
    documents: list[str]
    nik: str | None
    category: str | None
    note: str
    key: str  # name_key(name, desa, address), worked out once

    def to_record(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class JudgedLine:
    line: int  # as a spreadsheet numbers it: the header is line 1
    fields: LineFields | None
    reason: str | None = None
    message: str = ""

    def to_record(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "fields": self.fields.to_record() if self.fields else None,
            "reason": self.reason,
            "message": self.message,
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> JudgedLine:
        fields = data["fields"]
        return cls(
            data["line"],
            LineFields(**known_fields(LineFields, fields)) if fields else None,
            data.get("reason"),
            data.get("message", ""),
        )


def map_header(cells: Sequence[str]) -> tuple[dict[str, int], list[str], list[str]]:
    """(column → index, ignored headers, missing required columns) of a header line."""
    by_alias = {alias: column.name for column in COLUMNS for alias in column.aliases}
    index: dict[str, int] = {}
    ignored: list[str] = []
    for position, cell in enumerate(cells):
        folded = fold(cell or "").replace(" ", "_")
        name = by_alias.get(folded)
        if name is not None and name not in index:
            index[name] = position
        elif (cell or "").strip():
            ignored.append(clean_text(cell))
    missing = [c.name for c in COLUMNS if c.required and c.name not in index]
    return index, ignored, missing


def parse_documents(value: str) -> tuple[list[str], list[str]]:
    """(known codes in catalog order, unknown spellings) of a 'KTP, KK; akta lahir' cell."""
    codes: set[str] = set()
    unknown: list[str] = []
    for part in re.split(r"[,;/|\n]+", value):
        if not part.strip():
            continue
        token = code_token(part)
        code = DOCUMENT_ALIASES.get(token)
        if code is None:
            code = next((d.code for d in DOCUMENTS if code_token(d.code) == token), None)
        if code is None:
            unknown.append(clean_text(part))
        else:
            codes.add(code)
    return [d.code for d in DOCUMENTS if d.code in codes], unknown


def parse_category(value: str) -> Category | None:
    """None for an empty cell; raises InvalidInput for an unknown category."""
    if not value.strip():
        return None
    token = code_token(value)
    for category in Category:
        if code_token(category.value) == token:
            return category
    found = CATEGORY_ALIASES.get(token)
    if found is None:
        raise InvalidInput(LINE_MESSAGES["category_unknown"].format(value=clean_text(value)))
    return found


def judge_line(
    line: int,
    cells: Mapping[str, str],
    regions: Regions,
    today: date | None = None,
    *,
    kabupaten: str | None = None,
) -> JudgedLine:
    """Check one data line on its own (duplicates are found across lines, later).

    `cells` maps column names to their text ('' when absent). Every problem is
    reported; the reason is the first one's code. With `kabupaten` (the importing
    officer's, #16), a desa of another kabupaten is refused as an unknown one is.
    """
    problems: list[tuple[str, str]] = []
    name = clean_text(cells.get("nama", ""))
    address = clean_text(cells.get("alamat", ""))
    note = clean_text(cells.get("keterangan", ""))
    desa = normalise_desa_code(cells.get("kode_desa", ""))
    if not name:
        problems.append((MISSING_NAME, LINE_MESSAGES["name_missing"]))
    elif len(name) > MAX_NAME:
        problems.append((TOO_LONG, LINE_MESSAGES["name_too_long"].format(max=MAX_NAME)))
    if not desa:
        problems.append((UNKNOWN_DESA, LINE_MESSAGES["desa_missing"]))
    elif not regions.is_desa(desa):
        problems.append((UNKNOWN_DESA, LINE_MESSAGES["desa_unknown"].format(desa=desa)))
    elif kabupaten is not None and kabupaten_of(desa) != kabupaten:
        problems.append((UNKNOWN_DESA, LINE_MESSAGES["desa_other_kabupaten"].format(desa=desa)))
    if not address:
        problems.append((MISSING_ADDRESS, LINE_MESSAGES["address_missing"]))
    elif len(address) > MAX_ADDRESS:
        problems.append((TOO_LONG, LINE_MESSAGES["address_too_long"].format(max=MAX_ADDRESS)))
    if len(note) > MAX_NOTE:
        problems.append((TOO_LONG, LINE_MESSAGES["note_too_long"].format(max=MAX_NOTE)))
    nik: str | None = None
    if cells.get("nik", "").strip():
        try:
            nik = parse_nik(cells["nik"], regions, today=today).number
        except InvalidInput as exc:
            problems.append((BAD_NIK, exc.detail))
    documents, unknown = parse_documents(cells.get("dokumen", ""))
    if unknown:
        problems.append(
            (
                UNKNOWN_DOCUMENT,
                LINE_MESSAGES["documents_unknown"].format(unknown=", ".join(unknown)),
            )
        )
    elif not documents:
        problems.append((MISSING_DOCUMENTS, LINE_MESSAGES["documents_missing"]))
    category: Category | None = None
    try:
        category = parse_category(cells.get("kategori_rentan", ""))
    except InvalidInput as exc:
        problems.append((UNKNOWN_CATEGORY, exc.detail))
    if problems:
        return JudgedLine(line, None, problems[0][0], " ".join(m for _, m in problems))
    fields = LineFields(
        desa,
        name,
        address,
        documents,
        nik,
        category.value if category else None,
        note,
        name_key(name, desa, address),
    )
    return JudgedLine(line, fields)


def refuse_duplicates(lines: Iterable[JudgedLine]) -> list[JudgedLine]:
    """Refuse every line that would update the same row as an earlier line of the file."""
    by_nik: dict[str, int] = {}
    by_key: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
    judged: list[JudgedLine] = []
    for item in lines:
        fields = item.fields
        if fields is None:
            judged.append(item)
            continue
        earlier = by_nik.get(fields.nik) if fields.nik else None
        key = fields.key
        if earlier is None:
            earlier = next(
                (
                    line
                    for line, nik in by_key[key]
                    if fields.nik is None or nik is None or nik == fields.nik
                ),
                None,
            )
        if earlier is not None:
            judged.append(
                JudgedLine(
                    item.line, None, DUPLICATE, LINE_MESSAGES["duplicate"].format(line=earlier)
                )
            )
            continue
        if fields.nik:
            by_nik[fields.nik] = item.line
        by_key[key].append((item.line, fields.nik))
        judged.append(item)
    return judged


@dataclass(frozen=True)
class ImportResult:
    """The report for one line of an import."""

    import_id: str
    line: int
    outcome: str  # accepted | updated | unchanged | refused
    reason: str | None = None
    message: str = ""
    sasaran_id: str | None = None

    def to_record(self) -> dict[str, Any]:
        return dict(vars(self))

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> ImportResult:
        return cls(**known_fields(cls, data))


@dataclass
class ImportRun:
    id: str
    created_by: str
    created_at: str
    filename: str
    sha256: str
    size: int
    content_type: str
    kind: str  # csv | xlsx
    status: str = IMPORT_UPLOADING
    lines_total: int = 0
    chunks_total: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    error: str | None = None
    finished_at: str | None = None
    # The kabupaten whose worklists it fills (#16); "" in runs from before: the default's.
    kabupaten: str = ""

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> ImportRun:
        return cls(**known_fields(cls, data))
