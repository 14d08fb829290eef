import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDateTime, formatDay, formatPercent, formatWeek, setTimeZone } from '../src/lib/locale';

describe('Indonesian formats', () => {
  it('writes decimals with a comma and thousands with a dot', () => {
    expect(formatBytes(10 * 1024 ** 3)).toBe('10,0 GB');
    expect(formatBytes(1536 * 1024)).toBe('1,5 MB');
    expect(formatPercent(0)).toBe('0,0%');
    expect(formatPercent(12.345)).toBe('12,3%');
    expect(formatPercent(null)).toBe('—');
    expect(formatBytes(1536 * 1024, 'en')).toBe('1.5 MB');
  });
  it("tells the time on the kabupaten's clock, named, whatever the device's zone", () => {
    setTimeZone('Asia/Makassar');
    const text = formatDateTime('2026-12-01T06:05:00Z');
    expect(text).toContain('14.05');
    expect(text.endsWith('WITA')).toBe(true);
    setTimeZone('Asia/Jakarta');
    expect(formatDateTime('2026-12-01T06:05:00Z')).toMatch(/13\.05 WIB$/);
    setTimeZone('Not/AZone'); // ignored
    expect(formatDateTime('2026-12-01T06:05:00Z')).toMatch(/WIB$/);
    setTimeZone('Asia/Makassar');
  });
  it('names a week by its Monday instead of an ISO week code', () => {
    expect(formatWeek('2026-W49')).toBe('pekan 30 Nov 2026');
    expect(formatWeek('2026-W01')).toBe('pekan 29 Des 2025');
  });

  it('writes a calendar day as it is, whatever the device zone', () => {
    expect(formatDay('2026-12-01')).toBe('1 Des 2026');
    expect(formatDay('2026-12-01', 'en')).toBe('1 Dec 2026');
    expect(formatDay('bukan')).toBe('bukan');
  });
});

describe("the kabupaten's clock comes with the session", () => {
  it('takes the zone the server sent and keeps it for offline starts', async () => {
    const { setSession, getSession } = await import('../src/lib/api');
    await setSession({ user: { username: 'op.a', role: 'operator', desa: '52.03.01.2001' }, csrf: 'c', timezone: 'Asia/Jakarta', expired: false });
    setTimeZone('Asia/Makassar'); // a fresh start of the app: the default again
    await getSession();
    expect(formatDateTime('2026-12-01T06:05:00Z')).toMatch(/13\.05 WIB$/);
    setTimeZone('Asia/Makassar');
  });
});
