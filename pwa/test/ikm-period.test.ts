import { describe, expect, it } from 'vitest';
import { ikmPeriods } from '../src/lib/ikm-period';

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
