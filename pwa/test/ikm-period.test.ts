import { describe, expect, it } from 'vitest';
import { ikmPeriods, ikmRows } from '../src/lib/ikm-period';

describe('ikmPeriods', () => {
  it('offers the last 12 months and 4 quarters, across the turn of the year', () => {
    const periods = ikmPeriods(2026, 2, 'id');
    expect(periods[0]).toEqual({ query: 'period=2026-02', label: 'Februari 2026' });
    expect(periods[2]).toEqual({ query: 'period=2025-12', label: 'Desember 2025' });
    expect(periods[11].query).toBe('period=2025-03');
    expect(periods.slice(12).map((p) => p.query)).toEqual(['quarter=2026-Q1', 'quarter=2025-Q4', 'quarter=2025-Q3', 'quarter=2025-Q2']);
    expect(periods[12].label).toBe('Triwulan 1 2026');
  });
});

describe('ikmRows', () => {
  const kecamatan = [
    { code: '52.03.01', respondents: 2 },
    { code: '52.03.02', respondents: 0 },
  ];
  const desa = [
    { code: '52.03.01.2001', kecamatan: '52.03.01', respondents: 2 },
    { code: '52.03.01.2002', kecamatan: '52.03.01', respondents: 0 },
    { code: '52.03.02.2001', kecamatan: '52.03.02', respondents: 0 },
  ];
  it('puts each desa under its kecamatan and, by default, only places with respondents', () => {
    expect(ikmRows(kecamatan, desa, true).map((r) => [r.level, r.line.code])).toEqual([
      ['kecamatan', '52.03.01'],
      ['desa', '52.03.01.2001'],
    ]);
    expect(ikmRows(kecamatan, desa, false).map((r) => r.line.code)).toEqual(['52.03.01', '52.03.01.2001', '52.03.01.2002', '52.03.02', '52.03.02.2001']);
  });
});

