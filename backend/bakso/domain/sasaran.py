"""Residents lacking documents (sasaran): the rules, with no storage or HTTP in sight.

What lives here: the import format (columns, document and category codes),
how a line is judged, how names and addresses are normalised into a natural
key, how a new line finds the row it updates, the worklist order, and the
coverage counters a row or a request change adds to its desa, kecamatan and
kabupaten. Counters are derived from state — a row counts as (before → after)
— so applying every change's delta keeps them equal to a full recount.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

from .errors import InvalidInput
from .identity import parse_nik
from .lifecycle import LABELS, Status
from .regions import Regions


class Category(StrEnum):
    """Penduduk rentan: served at home (jemput bola), so listed first."""

    LANSIA = "LANSIA"
    DISABILITAS = "DISABILITAS"
    TERPENCIL = "TERPENCIL"
    MARJINAL = "MARJINAL"
    ANAK_TERLANTAR = "ANAK_TERLANTAR"


CATEGORY_LABELS: dict[Category, str] = {
    Category.LANSIA: "Lansia",
    Category.DISABILITAS: "Penyandang disabilitas",
    Category.TERPENCIL: "Tinggal di wilayah terpencil",
    Category.MARJINAL: "Masyarakat marjinal",
    Category.ANAK_TERLANTAR: "Anak terlantar",
}


class Outcome(StrEnum):
    """What the desa found when it went looking for the resident."""

    DITEMUKAN = "DITEMUKAN"
    SUDAH_PUNYA = "SUDAH_PUNYA"
    PINDAH = "PINDAH"
    MENINGGAL = "MENINGGAL"
    TIDAK_DITEMUKAN = "TIDAK_DITEMUKAN"


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.DITEMUKAN: "Ditemukan",
    Outcome.SUDAH_PUNYA: "Sudah punya dokumen",
    Outcome.PINDAH: "Pindah",
    Outcome.MENINGGAL: "Meninggal",
    Outcome.TIDAK_DITEMUKAN: "Tidak ditemukan",
}


@dataclass(frozen=True)
class Document:
    code: str
    label: str
    service: str  # the catalog service that issues it: "Buat permohonan" starts this one


# The import's vocabulary: changing it changes the documented file format.
DOCUMENTS: tuple[Document, ...] = (
    Document("KTP_EL", "KTP-el", "KTP_BARU"),
    Document("KK", "Kartu Keluarga", "KK_BARU"),
    Document("AKTA_LAHIR", "Akta kelahiran", "AKTA_LAHIR"),
    Document("KIA", "Kartu Identitas Anak", "KIA"),
    Document("AKTA_KAWIN", "Akta perkawinan", "AKTA_KAWIN"),
    Document("AKTA_CERAI", "Akta perceraian", "AKTA_CERAI"),
    Document("AKTA_MATI", "Akta kematian", "AKTA_MATI"),
)
DOCUMENTS_BY_CODE = {d.code: d for d in DOCUMENTS}

# Spellings seen in registry spreadsheets, after _token() normalisation.
_DOCUMENT_ALIASES = {
    "ktp": "KTP_EL",
    "ktpel": "KTP_EL",
    "ektp": "KTP_EL",
    "kk": "KK",
    "kartukeluarga": "KK",
    "aktalahir": "AKTA_LAHIR",
    "aktakelahiran": "AKTA_LAHIR",
    "kartuidentitasanak": "KIA",
    "aktakawin": "AKTA_KAWIN",
    "aktaperkawinan": "AKTA_KAWIN",
    "aktanikah": "AKTA_KAWIN",
    "aktacerai": "AKTA_CERAI",
    "aktaperceraian": "AKTA_CERAI",
    "aktamati": "AKTA_MATI",
    "aktakematian": "AKTA_MATI",
}

_CATEGORY_ALIASES = {
    "lansia": Category.LANSIA,
    "lanjutusia": Category.LANSIA,
    "disabilitas": Category.DISABILITAS,
    "difabel": Category.DISABILITAS,
    "penyandangdisabilitas": Category.DISABILITAS,
    "terpencil": Category.TERPENCIL,
    "marjinal": Category.MARJINAL,
    "marginal": Category.MARJINAL,
    "anakterlantar": Category.ANAK_TERLANTAR,
}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    aliases: tuple[str, ...]
    description: str


COLUMNS: tuple[Column, ...] = (
    Column("nik", False, ("nik", "no_nik", "nomor_nik"), "NIK 16 digit, bila diketahui"),
    Column("nama", True, ("nama", "nama_lengkap", "nama_penduduk"), "Nama lengkap"),
    Column(
        "kode_desa",
        True,
        ("kode_desa", "desa", "kode_wilayah", "kode_kemendagri"),
        "Kode Kemendagri desa/kelurahan, mis. 52.03.01.2001",
    ),
    Column("alamat", True, ("alamat", "alamat_lengkap"), "Dusun/RT/RW atau alamat"),
    Column(
        "dokumen",
        True,
        ("dokumen", "dokumen_belum_dimiliki", "dokumen_kurang", "kekurangan_dokumen"),
        "Dokumen yang belum dimiliki, dipisah koma: " + ", ".join(d.code for d in DOCUMENTS),
    ),
    Column(
        "kategori_rentan",
        False,
        ("kategori_rentan", "rentan", "kategori"),
        "Kosong, atau salah satu: " + ", ".join(c.value for c in Category),
    ),
    Column("keterangan", False, ("keterangan", "catatan"), "Catatan dari Dukcapil untuk desa"),
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

# Refusal reasons (machine codes; each comes with an Indonesian message).
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

SERVED_STATUSES = frozenset({Status.SELESAI, Status.DISERAHKAN})
# Lombok is on WITA; weeks of the trend start on Monday 00:00 there.
WITA = timezone(timedelta(hours=8))
MAX_DWELL_DAYS = 365  # stays longer than a year share the last bucket


# Normalisation ----------------------------------------------------------------
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _fold(value: str) -> str:
    """Lower case, accents dropped, anything but letters and digits turned into spaces."""
    if not value.isascii():
        decomposed = unicodedata.normalize("NFKD", value)
        value = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_ALNUM.sub(" ", value.casefold()).split())


def _token(value: str) -> str:
    return _fold(value).replace(" ", "").replace("akte", "akta")


def clean_text(value: str) -> str:
    """What is shown and stored: the text as typed, whitespace collapsed."""
    return " ".join(value.split())


def normalise_name(name: str) -> str:
    return _fold(name)


_ADDRESS_WORDS = {
    "dsn": "dusun",
    "jl": "jalan",
    "jln": "jalan",
    "gg": "gang",
    "kp": "kampung",
    "kmp": "kampung",
    "ds": "desa",
    "kel": "kelurahan",
    "no": "nomor",
}


_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


def normalise_address(address: str) -> str:
    """'Dsn. Lendang RT 001/RW 02' and 'dusun lendang rt 1 rw 2' are the same place."""
    folded = _fold(address)
    folded = _LETTER_DIGIT.sub(" ", folded)
    words = []
    for word in folded.split():
        word = _ADDRESS_WORDS.get(word, word)
        words.append(str(int(word)) if word.isdigit() else word)
    return " ".join(words)


def name_key(name: str, desa: str, address: str) -> str:
    """The natural key of a resident without a NIK; hashed, so it carries no name."""
    raw = f"{desa}|{normalise_name(name)}|{normalise_address(address)}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def normalise_desa_code(value: str) -> str:
    """'5203012001' → '52.03.01.2001'; a dotted code is kept as it is."""
    code = value.strip().replace(" ", "")
    if len(code) == 10 and code.isascii() and code.isdigit():
        return f"{code[0:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"
    return code


def scopes(desa: str) -> list[tuple[str, str]]:
    """The (level, code) counter scopes a desa's changes add to."""
    parts = desa.split(".")
    return [("desa", desa), ("kecamatan", ".".join(parts[:3])), ("kabupaten", ".".join(parts[:2]))]


# (level, code) → counter name → change: what a store adds, in one atomic write.
ScopeDeltas = dict[tuple[str, str], dict[str, int]]


def rolled_up(deltas: Iterable[Mapping[str, Mapping[str, int]]]) -> ScopeDeltas:
    """Desa deltas (desa → name → change) spread over each desa's scopes and added up.

    The desa → kecamatan → kabupaten roll-up of every counter write, once for
    both stores: they add exactly these per-scope changes, in the same
    transaction as the rows they count. Zeros are left out, and a scope left
    with no change is not there at all.
    """
    total: ScopeDeltas = {}
    for item in deltas:
        for desa, changes in item.items():
            for scope in scopes(desa):
                bucket = total.setdefault(scope, {})
                for name, value in changes.items():
                    bucket[name] = bucket.get(name, 0) + value
    pruned = {scope: {k: v for k, v in c.items() if v} for scope, c in total.items()}
    return {scope: changes for scope, changes in pruned.items() if changes}


# Rows and follow-ups --------------------------------------------------------------
@dataclass
class SasaranRow:
    """One resident on a desa's worklist."""

    id: str
    desa: str
    name: str
    address: str
    documents: list[str]
    nik: str | None = None
    category: str | None = None
    note: str = ""  # from Dukcapil, for the desa
    name_key: str = ""
    version: int = 1
    created_at: str = ""
    updated_at: str = ""
    import_id: str = ""  # the import that last created or changed it
    line: int = 0
    followup: dict[str, Any] | None = None  # the latest: id, outcome, note, at, by
    first_followup_at: str | None = None
    followup_count: int = 0
    request_id: str | None = None  # the request started from this row
    request_status: str | None = None
    request_version: int = 0  # of the request change last applied, so a late one is ignored
    served_request_id: str | None = None
    served_at: str | None = None

    @property
    def served(self) -> bool:
        return self.served_request_id is not None

    @property
    def sort_key(self) -> str:
        """The worklist order: rentan residents first, then by name."""
        rank = 0 if self.category else 1
        return f"{rank}|{normalise_name(self.name)}|{self.id}"

    def content(self) -> dict[str, Any]:
        """What an import sets: compared to tell an update from an unchanged line."""
        return {
            "desa": self.desa,
            "name": self.name,
            "address": self.address,
            "documents": list(self.documents),
            "nik": self.nik,
            "category": self.category,
            "note": self.note,
        }

    def to_record(self) -> dict[str, Any]:
        # Shallow and by hand: asdict's deep copy dominated large imports.
        record = dict(vars(self))
        record["documents"] = list(self.documents)
        if self.followup is not None:
            record["followup"] = dict(self.followup)
        return record

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> SasaranRow:
        return cls(**data)


@dataclass(frozen=True)
class Followup:
    id: str  # made by the device, so a replayed outbox entry is recognised
    sasaran_id: str
    outcome: str
    note: str
    at: str  # when the officer recorded it (device clock, never later than the server's)
    by: str
    recorded_at: str  # when the server stored it

    def same_as(self, other: Followup) -> bool:
        return (self.sasaran_id, self.outcome, self.note) == (
            other.sasaran_id,
            other.outcome,
            other.note,
        )

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "outcome": self.outcome, "note": self.note, "at": self.at}

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


def apply_followup(row: SasaranRow, followup: Followup, now: str) -> SasaranRow:
    """The row after a follow-up: the latest by recording time is the row's current one."""
    current = row.followup
    newer = current is None or (followup.at, followup.id) >= (current["at"], current["id"])
    first = row.first_followup_at
    return SasaranRow(
        **{
            **row.to_record(),
            "followup": {**followup.summary(), "by": followup.by} if newer else current,
            "first_followup_at": min(first, followup.at) if first else followup.at,
            "followup_count": row.followup_count + 1,
            "version": row.version + 1,
            "updated_at": now,
        }
    )


def pick_match(
    nik: str | None, by_nik: SasaranRow | None, by_name: Sequence[SasaranRow]
) -> SasaranRow | None:
    """The stored row a line updates: the one with its NIK, else one with its name key.

    A name-key twin that carries a different NIK is another person.
    """
    if by_nik is not None:
        return by_nik
    candidates = [r for r in by_name if nik is None or r.nik is None]
    candidates.sort(key=lambda r: (r.created_at, r.id))
    return candidates[0] if candidates else None


# Import lines -------------------------------------------------------------------------
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
            LineFields(**fields) if fields else None,
            data["reason"],
            data["message"],
        )


def map_header(cells: Sequence[str]) -> tuple[dict[str, int], list[str], list[str]]:
    """(column → index, ignored headers, missing required columns) of a header line."""
    by_alias = {alias: column.name for column in COLUMNS for alias in column.aliases}
    index: dict[str, int] = {}
    ignored: list[str] = []
    for position, cell in enumerate(cells):
        folded = _fold(cell or "").replace(" ", "_")
        name = by_alias.get(folded)
        if name is not None and name not in index:
            index[name] = position
        elif (cell or "").strip():
            ignored.append(cell.strip())
    missing = [c.name for c in COLUMNS if c.required and c.name not in index]
    return index, ignored, missing


def parse_documents(value: str) -> tuple[list[str], list[str]]:
    """(known codes in catalog order, unknown spellings) of a 'KTP, KK; akta lahir' cell."""
    codes: set[str] = set()
    unknown: list[str] = []
    for part in re.split(r"[,;/|\n]+", value):
        if not part.strip():
            continue
        token = _token(part)
        code = _DOCUMENT_ALIASES.get(token)
        if code is None:
            code = next((d.code for d in DOCUMENTS if _token(d.code) == token), None)
        if code is None:
            unknown.append(part.strip())
        else:
            codes.add(code)
    return [d.code for d in DOCUMENTS if d.code in codes], unknown


def parse_category(value: str) -> Category | None:
    """None for an empty cell; raises InvalidInput for an unknown category."""
    if not value.strip():
        return None
    token = _token(value)
    for category in Category:
        if _token(category.value) == token:
            return category
    found = _CATEGORY_ALIASES.get(token)
    if found is None:
        raise InvalidInput(f"Kategori rentan '{clean_text(value)}' tidak dikenal.")
    return found


def judge_line(
    line: int, cells: Mapping[str, str], regions: Regions, today: date | None = None
) -> JudgedLine:
    """Check one data line on its own (duplicates are found across lines, later).

    `cells` maps column names to their text ('' when absent). Every problem is
    reported; the reason is the first one's code.
    """
    problems: list[tuple[str, str]] = []
    name = clean_text(cells.get("nama", ""))
    address = clean_text(cells.get("alamat", ""))
    note = clean_text(cells.get("keterangan", ""))
    desa = normalise_desa_code(cells.get("kode_desa", ""))
    if not name:
        problems.append((MISSING_NAME, "Nama wajib diisi."))
    elif len(name) > MAX_NAME:
        problems.append((TOO_LONG, f"Nama lebih dari {MAX_NAME} karakter."))
    if not desa:
        problems.append((UNKNOWN_DESA, "Kode desa wajib diisi."))
    elif not regions.is_desa(desa):
        problems.append((UNKNOWN_DESA, f"Kode desa '{desa}' tidak dikenal."))
    if not address:
        problems.append((MISSING_ADDRESS, "Alamat wajib diisi."))
    elif len(address) > MAX_ADDRESS:
        problems.append((TOO_LONG, f"Alamat lebih dari {MAX_ADDRESS} karakter."))
    if len(note) > MAX_NOTE:
        problems.append((TOO_LONG, f"Keterangan lebih dari {MAX_NOTE} karakter."))
    nik: str | None = None
    if cells.get("nik", "").strip():
        try:
            nik = parse_nik(cells["nik"], regions, today=today).number
        except InvalidInput as exc:
            problems.append((BAD_NIK, exc.detail))
    documents, unknown = parse_documents(cells.get("dokumen", ""))
    if unknown:
        problems.append((UNKNOWN_DOCUMENT, f"Dokumen tidak dikenal: {', '.join(unknown)}."))
    elif not documents:
        problems.append((MISSING_DOCUMENTS, "Dokumen yang belum dimiliki wajib diisi."))
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
                    item.line, None, DUPLICATE, f"Duplikat: penduduk yang sama di baris {earlier}."
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

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> ImportRun:
        return cls(**data)


# Counters ----------------------------------------------------------------------------
Deltas = dict[str, dict[str, int]]  # desa → counter name → change


def iso_week(at: str) -> str:
    """'2026-W03': the ISO week, in Lombok's time, of a stored UTC timestamp."""
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    year, week, _ = moment.astimezone(WITA).isocalendar()
    return f"{year}-W{week:02d}"


def row_counters(row: SasaranRow) -> dict[str, int]:
    """What one row contributes to its desa's counters."""
    counts: dict[str, int] = defaultdict(int)
    flags = {"target": True, "followed_up": row.followup is not None, "served": row.served}
    for name, on in flags.items():
        if on:
            counts[name] += 1
            if row.category:
                counts[f"rentan:{row.category}:{name}"] += 1
    if row.followup is not None:
        counts[f"followup:{row.followup['outcome']}"] += 1
        if row.first_followup_at:
            counts[f"week:{iso_week(row.first_followup_at)}:followed_up"] += 1
    if row.served and row.served_at:
        counts[f"week:{iso_week(row.served_at)}:served"] += 1
    return counts


def _add(
    deltas: dict[str, dict[str, int]], desa: str, counts: Mapping[str, int], sign: int
) -> None:
    bucket = deltas.setdefault(desa, {})
    for name, value in counts.items():
        bucket[name] = bucket.get(name, 0) + sign * value


def _pruned(deltas: dict[str, dict[str, int]]) -> Deltas:
    pruned = {desa: {k: v for k, v in c.items() if v} for desa, c in deltas.items()}
    return {desa: c for desa, c in pruned.items() if c}


def row_deltas(before: SasaranRow | None, after: SasaranRow | None) -> Deltas:
    """Counter changes of a row write, per desa; each written row bumps its desa's revision."""
    deltas: dict[str, dict[str, int]] = {}
    if before is not None:
        _add(deltas, before.desa, row_counters(before), -1)
    if after is not None:
        _add(deltas, after.desa, row_counters(after), +1)
    for row in (before, after):
        if row is not None:
            deltas.setdefault(row.desa, {})["revision"] = 1
    return _pruned(deltas)


@dataclass(frozen=True)
class RequestChange:
    """What coverage needs of one saved request change: ids, desa and statuses only."""

    request_id: str
    version: int
    desa: str
    at: str
    after_status: str
    before_status: str | None = None  # None: the request was just created
    before_since: str | None = None
    sasaran_id: str | None = None
    jemput_bola: bool = False
    before_jemput_bola: bool = False

    @property
    def key(self) -> str:
        return f"{self.request_id}:{self.version}"

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


def days_between(start: str, end: str) -> int:
    """Whole days completed between two stored timestamps (never negative)."""
    seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    return max(0, min(MAX_DWELL_DAYS, math.floor(seconds / 86400)))


def request_deltas(change: RequestChange) -> dict[str, int]:
    """Requests per status, completed stays per status (whole days), and jemput bola."""
    deltas: dict[str, int] = defaultdict(int)
    if change.before_status != change.after_status:
        if change.before_status is not None:
            deltas[f"requests:{change.before_status}"] -= 1
            if change.before_since:
                days = days_between(change.before_since, change.at)
                deltas[f"dwell:{change.before_status}:{days}"] += 1
        deltas[f"requests:{change.after_status}"] += 1
    deltas["jemput_bola"] += int(change.jemput_bola) - int(change.before_jemput_bola)
    return {k: v for k, v in deltas.items() if v}


def merge_counters(items: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for item in items:
        for name, value in item.items():
            total[name] += value
    return dict(total)


def percentile(histogram: Mapping[int, int], p: float) -> int | None:
    """Nearest-rank percentile: the smallest value with at least p% of values at or below it."""
    n = sum(histogram.values())
    if n <= 0:
        return None
    rank = max(1, math.ceil(p / 100 * n))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover - rank <= n always stops the loop


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def figures(counters: Mapping[str, int]) -> dict[str, Any]:
    """The coverage figures of one scope, from its counters."""
    target = counters.get("target", 0)
    served = counters.get("served", 0)
    dwell: dict[str, dict[int, int]] = defaultdict(dict)
    weeks: dict[str, dict[str, int]] = defaultdict(lambda: {"served": 0, "followed_up": 0})
    for name, value in counters.items():
        kind, _, rest = name.partition(":")
        if kind == "dwell" and value:
            status, _, days = rest.partition(":")
            dwell[status][int(days)] = value
        elif kind == "week" and value:
            week, _, what = rest.partition(":")
            weeks[week][what] = value
    rentan = []
    for category in Category:
        c_target = counters.get(f"rentan:{category}:target", 0)
        c_served = counters.get(f"rentan:{category}:served", 0)
        rentan.append(
            {
                "category": category.value,
                "label": CATEGORY_LABELS[category],
                "target": c_target,
                "followed_up": counters.get(f"rentan:{category}:followed_up", 0),
                "served": c_served,
                "pct_served": _pct(c_served, c_target),
            }
        )
    return {
        "target": target,
        "followed_up": counters.get("followed_up", 0),
        "served": served,
        "pct_served": _pct(served, target),
        "followups": {o.value: counters.get(f"followup:{o}", 0) for o in Outcome},
        "rentan": rentan,
        "requests": {s.value: counters.get(f"requests:{s}", 0) for s in Status},
        "jemput_bola": counters.get("jemput_bola", 0),
        "days_in_status": {
            s.value: {
                "label": LABELS[s],
                "count": sum(dwell[s.value].values()),
                "median": percentile(dwell[s.value], 50),
                "p90": percentile(dwell[s.value], 90),
            }
            for s in Status
            if s.value in dwell
        },
        "trend": [{"week": week, **weeks[week]} for week in sorted(weeks)],
    }
