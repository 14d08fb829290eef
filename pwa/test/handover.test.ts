// The handover's date rules (src/lib/handover.ts).
import { describe, expect, it } from 'vitest';
import { canPrint, dayProblem, handoverDays, handoverSummary, isCard, localDay, namesIntermediary, viaChoices } from '../src/lib/handover';

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

describe('print at the desa, cards at the UPT', () => {
  const catalog = [
    { code: 'AKTA_LAHIR', document: 'printable' },
    { code: 'KIA', document: 'card' },
    { code: 'KK_BARU' }, // cached before the kind was served
  ];

  it('offers printing only for a printable document whose issued PDF is attached', () => {
    expect(isCard('KIA', catalog)).toBe(true);
    expect(isCard('AKTA_LAHIR', catalog)).toBe(false);
    expect(isCard('KK_BARU', catalog)).toBe(false);
    expect(isCard('UNKNOWN', catalog)).toBe(false);
    expect(canPrint({ issued: { state: 'ok' } }, false)).toBe(true);
    expect(canPrint({ issued: { state: 'pending' } }, false)).toBe(false);
    expect(canPrint({ issued: null }, false)).toBe(false);
    expect(canPrint({ issued: { state: 'ok' } }, true)).toBe(false);
  });

  it('offers the UPT route, first, for a card only; only Kawil and RT name someone', () => {
    expect(viaChoices(true)).toEqual(['UPT', 'LOKET', 'KAWIL', 'RT']);
    expect(viaChoices(false)).toEqual(['LOKET', 'KAWIL', 'RT']);
    expect(['LOKET', 'KAWIL', 'RT', 'UPT'].filter((v) => namesIntermediary(v as never))).toEqual(['KAWIL', 'RT']);
  });

  it('says how the document left: printed, collected at the UPT, and who received it', () => {
    expect(handoverSummary({ printed: true, received_by: 'Siti', via: 'LOKET' })).toEqual([
      { key: 'ho.sum.printed' },
      { key: 'ho.sum.by', vars: { name: 'Siti' } },
    ]);
    expect(handoverSummary({ via: 'UPT', received_by: 'Siti' })[0]).toEqual({ key: 'ho.sum.upt' });
    expect(handoverSummary({ via: 'KAWIL', received_by: 'Siti' })).toEqual([{ key: 'ho.sum.by', vars: { name: 'Siti' } }]);
    // Erased by retention: who received it is gone, how it was collected stays.
    expect(handoverSummary({ via: 'LOKET', printed: true })).toEqual([{ key: 'ho.sum.printed' }]);
    expect(handoverSummary(null)).toEqual([]);
  });
});
