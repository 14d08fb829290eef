"""Page sizes mean the same on every adapter set (they disagreed on the audit log)."""

from __future__ import annotations

import pytest

from bakso.domain.errors import InvalidInput
from bakso.domain.refusals import PAGE_SIZE_TOO_SMALL
from bakso.ports import Records
from contract.conftest import AdapterSet
from contract.test_records_batches_audit import audit_log, make_batch

__all__ = ["audit_log"]  # the fixture, imported for the tests below


@pytest.mark.parametrize("limit", [0, -1])
def test_audit_reads_of_no_entries_return_none(audit_log: Records, limit: int) -> None:
    # SQLite reads LIMIT -1 as "no limit": the adapter must not pass it on.
    assert audit_log.audit_entries(after_seq=0, limit=limit) == []
    found = audit_log.audit_search(
        target=None, actor=None, since=None, until=None, before_seq=None, limit=limit
    )
    assert found == []
    assert len(audit_log.audit_entries(after_seq=0, limit=6)) == 6


@pytest.mark.parametrize("limit", [0, -1])
def test_pages_smaller_than_one_are_refused_in_the_domain_words(
    adapter_set: AdapterSet, records: Records, limit: int
) -> None:
    records.create_batch(make_batch("2026-01-01T00:00:00.000Z"))
    with pytest.raises(InvalidInput) as requests_refused:
        records.list_requests(kabupaten="52.03", desa=None, status=None, cursor=None, limit=limit)
    with pytest.raises(InvalidInput) as batches_refused:
        records.list_batches(kabupaten="52.03", cursor=None, limit=limit)
    assert requests_refused.value.detail == batches_refused.value.detail == PAGE_SIZE_TOO_SMALL
