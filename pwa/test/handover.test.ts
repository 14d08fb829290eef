// The handover's date rules (src/lib/handover.ts).
import { describe, expect, it } from 'vitest';
import { dayProblem, handoverDays, localDay } from '../src/lib/handover';

describe('handover date', () => {
  it('reads days in the kabupaten zone, not UTC', () => {
    // 17:30 UTC is already the next day in WITA (UTC+8).
    expect(localDay('2026-11-27T17:30:00Z', 'Asia/Makassar')).toBe('2026-11-28');
    expect(localDay('2026-11-27T15:30:00Z', 'Asia/Makassar')).toBe('2026-11-27');
  });

  it('allows from the day of SELESAI to today, and says why another day is refused', () => {
    const item = {
      timeline: [
        { status: 'SELESAI', at: '2026-11-20T02:00:00Z' },
        { status: 'DIPROSES', at: '2026-11-01T02:00:00Z' },
        { status: 'SELESAI', at: '2026-11-24T02:00:00Z' },
      ],
    };
    const range = handoverDays(item, new Date('2026-11-27T03:00:00Z'));
    expect(range.max).toBe(localDay(new Date('2026-11-27T03:00:00Z')));
    expect(range.min).toBe(localDay('2026-11-24T02:00:00Z'));
    expect(dayProblem(range.min!, range)).toBeNull();
    expect(dayProblem(range.max, range)).toBeNull();
    expect(dayProblem('2026-11-23', range)).toBe('ho.dateBeforeIssued');
    expect(dayProblem('2026-11-28', range)).toBe('ho.dateFuture');
    expect(dayProblem('', range)).toBe('ho.dateInvalid');
  });
});
