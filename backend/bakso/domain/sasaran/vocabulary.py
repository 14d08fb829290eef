"""The import format's words, read once from data/sasaran_vocabulary.json.

Columns and their header spellings, document codes and the catalog service
each one starts, rentan categories, follow-up outcomes, their labels, the
spellings registry spreadsheets use, address abbreviations and the messages of
a refused line. Changing the file changes the documented format
(docs/sasaran-import.md).

`Category` and `Outcome` stay enums because code branches on their members;
loading refuses a data file whose codes differ from them, so the two cannot
drift apart unnoticed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any


class Category(StrEnum):
    """Penduduk rentan: served at home (jemput bola), so listed first."""

    LANSIA = "LANSIA"
    DISABILITAS = "DISABILITAS"
    TERPENCIL = "TERPENCIL"
    MARJINAL = "MARJINAL"
    ANAK_TERLANTAR = "ANAK_TERLANTAR"


class Outcome(StrEnum):
    """What the desa found when it went looking for the resident."""

    DITEMUKAN = "DITEMUKAN"
    SUDAH_PUNYA = "SUDAH_PUNYA"
    PINDAH = "PINDAH"
    MENINGGAL = "MENINGGAL"
    TIDAK_DITEMUKAN = "TIDAK_DITEMUKAN"


@dataclass(frozen=True)
class Document:
    code: str
    label: str
    service: str  # the catalog service that issues it: "Buat permohonan" starts this one


# A column help's stand-in for a desa code, filled by Column.describe().
EXAMPLE_DESA = "{example_desa}"


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    aliases: tuple[str, ...]
    description: str  # may hold "{example_desa}": see describe()

    def describe(self, example_desa: str) -> str:
        """The help text with an example desa code of the reader's own kabupaten: one
        deployment serves several, so the data file cannot name a single code."""
        return self.description.replace(EXAMPLE_DESA, example_desa)


_DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "sasaran_vocabulary.json"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for key, enum in (("categories", Category), ("outcomes", Outcome)):
        codes = [item["code"] for item in data[key]]
        if codes != [member.value for member in enum]:
            raise ValueError(f"{path.name}: {key} {codes} are not those of {enum.__name__}")
    documents = {item["code"] for item in data["documents"]}
    strays = sorted(set(data["document_aliases"].values()) - documents)
    if strays:
        raise ValueError(f"{path.name}: document aliases name unknown codes {strays}")
    return data


_DATA = _load(_DATA_FILE)

CATEGORY_LABELS: dict[Category, str] = {
    Category(item["code"]): item["label"] for item in _DATA["categories"]
}
OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome(item["code"]): item["label"] for item in _DATA["outcomes"]
}

DOCUMENTS: tuple[Document, ...] = tuple(Document(**item) for item in _DATA["documents"])
DOCUMENTS_BY_CODE = {d.code: d for d in DOCUMENTS}

# Spellings seen in registry spreadsheets, after normalise.code_token().
DOCUMENT_ALIASES: dict[str, str] = dict(_DATA["document_aliases"])
CATEGORY_ALIASES: dict[str, Category] = {
    alias: Category(code) for alias, code in _DATA["category_aliases"].items()
}
# Rewrites applied, in order, to a code token ("akte" → "akta").
TOKEN_SPELLINGS: tuple[tuple[str, str], ...] = tuple(_DATA["token_spellings"].items())
# Address abbreviations read as the word they stand for ("dsn" → "dusun").
ADDRESS_WORDS: dict[str, str] = dict(_DATA["address_words"])
# A refused line's messages, str.format templates (see imports.judge_line).
LINE_MESSAGES: dict[str, str] = dict(_DATA["line_messages"])

_PLACEHOLDERS = {
    "documents": ", ".join(d.code for d in DOCUMENTS),
    "categories": ", ".join(c.value for c in Category),
    "example_desa": EXAMPLE_DESA,  # kept for Column.describe, per kabupaten
}
COLUMNS: tuple[Column, ...] = tuple(
    Column(
        item["name"],
        item["required"],
        tuple(item["aliases"]),
        item["description"].format(**_PLACEHOLDERS),
    )
    for item in _DATA["columns"]
)
