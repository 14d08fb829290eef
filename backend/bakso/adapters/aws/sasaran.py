"""Sasaran in the records table: every read a GetItem, BatchGetItem or Query, never a Scan.

Items, by (PK, SK):

    SASARAN#<kab>#<id> ROW                one worklist row (JSON in `data`); <kab>: its desa's
                                          kabupaten when created (#16, tenant_keys)
    SASARAN#<kab>#<id> FU#<at>#<id>       one follow-up of the row; key order is recording order
    SASARANID#<id>    POINTER             the kabupaten of a row id (IMPORTID#<id> likewise)
    WORKLIST#<desa>   <sort key>          a copy of each row of the desa, in worklist order
    CHANGES#<desa>    <revision>          a copy of each live row at its revision, and tombstones
                                          (sasaran_changes: the worklist synced by change)
    FOLLOWUP#<id>     FOLLOWUP            the follow-up by its device-made id: a pointer to it
                                          (row_pk, row_sk, kabupaten; a copy before #16)
    NIK#<nik>         NIK                 the row holding this NIK (and its kabupaten): a NIK is
                                          on one row of the deployment at most
    NAMEKEY#<key>     NAMEKEY             the rows with this name key, "<kab>#<id>" each (a
                                          string set; bare ids before #16)
    IMPORT#<kab>#<id> IMPORT              one import run
    IMPORT#<kab>#<id> LINE#<line>         the report of one line
    IMPORT#<kab>#<id> CHUNK#<n>           the outcome counts of one applied chunk
    IMPORTS#<kab>     <created_at>#<id>   the kabupaten's import runs (key order is age; the
                                          runs from before #16 under IMPORTS)
    COUNTERS#<desa>   COUNTERS            one desa's counters, a number attribute "c:<name>" each;
                                          a kecamatan's or kabupaten's are the sum of its
                                          desa's, read together (sasaran_counter_items)
    APPLIED#<key>     APPLIED             a change already counted; DynamoDB's TTL removes it

No read of the use cases goes through an index, because every one must be consistent: a chunk
of an import looks up a thousand NIKs and name keys at once (pointer items,
BatchGetItem, 100 keys a call) and must see the rows the chunk before it has
just written; and a desa's worklist is served with its revision counter as
ETag, so a list read from a lagging index would be cached as current. The
worklist is therefore kept by hand, a copy of each row under WORKLIST#<desa>,
read by a consistent Query, and so are its changes by revision (CHANGES#<desa>).
The records indexes key on attribute names (desa, status, desa_status, kind,
newest, token, batch_id, seq, audit_target, audit_actor) that no item here
carries, so sasaran never shows up in a request list. Only retention reads an
index: `retention-due` (adapters/aws/due.py, in the records' INDEXES), which
ROW items enter while closed and not purged, IMPORT items while unfinished,
and tombstones until they expire, each under "<kind>#<kabupaten>"; it acts through
conditional writes, so a lagging index changes nothing it should not. A purged row leaves its desa's
worklist.

A row write is one transaction: the row, conditional on its version; its
worklist copy (moved when its desa or sort key changes); its pointer items when
NIK or name key change; and an ADD to the counters of its desa, in the desa's
own partition: no counter write of one desa shares a key with another's.
Import lines go in groups, each group one transaction with every line's
result, row and pointers and the group's counter deltas summed into one ADD
per desa: a write is billed by the size of the whole item.

The store is composed of one mixin per port: sasaran_worklist (rows and
follow-ups), sasaran_imports and sasaran_counters; sasaran_items holds the
keys, the transaction and the row write they share.
"""

from __future__ import annotations

from ...ports import SasaranStore
from .sasaran_counter_items import COUNTER_PREFIX
from .sasaran_counters import SasaranCounters
from .sasaran_due import SasaranDue
from .sasaran_imports import SasaranImports
from .sasaran_items import (
    APPLIED_TTL,
    GROUP_LINES,
    MAX_CONFLICT_RETRIES,
    TRANSACTION_MAX_ITEMS,
)
from .sasaran_worklist import SasaranWorklist

__all__ = [
    "APPLIED_TTL",
    "COUNTER_PREFIX",
    "GROUP_LINES",
    "INDEXES",
    "MAX_CONFLICT_RETRIES",
    "TRANSACTION_MAX_ITEMS",
    "DynamoSasaranStore",
]

# The indexes this store queries (none: see above). Together with records.INDEXES,
# exactly what infra/bakso.yaml defines (a test compares them).
INDEXES: dict[str, tuple[str, str | None]] = {}


class DynamoSasaranStore(
    SasaranWorklist, SasaranImports, SasaranCounters, SasaranDue, SasaranStore
):
    """Every sasaran port on the records table; built with
    `DynamoSasaranStore(client, table, desa)`, `desa` the codes of every desa served (what a
    kecamatan's and a kabupaten's counters add up)."""
