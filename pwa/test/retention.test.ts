import { describe, expect, it } from 'vitest';
import { isPurged, purgeWarningDate } from '../src/lib/retention';

describe('retention', () => {
  it('reads a purged request as purged, whatever else it carries', () => {
    expect(isPurged({ status: 'DISERAHKAN', purged_at: '2026-06-01T00:00:00.000+00:00' })).toBe(true);
    expect(isPurged({ status: 'DISERAHKAN', purged_at: null })).toBe(false);
    expect(isPurged({ status: 'DRAF' })).toBe(false);
  });

  it('warns of a deletion only when the server says the desa must be told', () => {
    const due = '2026-07-31T08:00:00.000+00:00';
    expect(purgeWarningDate({ status: 'DRAF', purge_due: due, purge_warning: true })).toBe(due);
    expect(purgeWarningDate({ status: 'DRAF', purge_due: due, purge_warning: false })).toBeNull();
    expect(purgeWarningDate({ status: 'DRAF', purge_due: null, purge_warning: true })).toBeNull();
    // A server from before #13 sends neither field.
    expect(purgeWarningDate({ status: 'PERLU_PERBAIKAN' })).toBeNull();
    expect(purgeWarningDate({ status: 'DIBATALKAN', purge_due: due, purge_warning: true, purged_at: due })).toBeNull();
  });
});
