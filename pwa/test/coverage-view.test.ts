import { describe, expect, it } from 'vitest';
import { coverageQuery, drillFrom, summaryRows } from '../src/lib/coverage-view';

const LT = { code: '52.03', name: 'Kabupaten Lombok Timur' };
const SB = { code: '52.04', name: 'Kabupaten Sumbawa' };
const figures = (target: number, served: number) => ({
  target,
  followed_up: served,
  served,
  pct_served: target ? (served * 100) / target : null,
});

describe('the province role on the coverage screen (#16)', () => {
  it('asks for the kabupaten side by side first, then the chosen kabupaten per kecamatan', () => {
    const place = { role: 'provinsi', desa: null, kabupaten: null, kecamatan: null };
    expect(coverageQuery(place)).toBe('level=kabupaten');
    expect(coverageQuery({ ...place, kabupaten: SB })).toBe('kabupaten=52.04&level=kecamatan');
    // A kecamatan left chosen never sends the province down to desa figures.
    expect(coverageQuery({ ...place, kabupaten: SB, kecamatan: { code: '52.04.02', name: 'Lunyuk' } })).toBe(
      'kabupaten=52.04&level=kecamatan',
    );
  });

  it('opens a kabupaten from the summary and nothing from its kecamatan', () => {
    expect(drillFrom('provinsi', 'kabupaten')).toBe('kabupaten');
    expect(drillFrom('provinsi', 'kecamatan')).toBeNull();
    expect(drillFrom('dukcapil', 'kecamatan')).toBe('kecamatan');
    expect(drillFrom('dukcapil', 'desa')).toBeNull();
  });

  it('keeps the officer and operator queries as they were', () => {
    expect(coverageQuery({ role: 'dukcapil', desa: null, kabupaten: null, kecamatan: null })).toBe('level=kecamatan');
    expect(coverageQuery({ role: 'admin', desa: null, kabupaten: null, kecamatan: { code: '52.03.01', name: 'Keruak' } })).toBe(
      'level=desa&kecamatan=52.03.01',
    );
    expect(coverageQuery({ role: 'operator', desa: '52.03.01.2001', kabupaten: null, kecamatan: null })).toBe(
      'level=desa&desa=52.03.01.2001',
    );
  });

  it('lists one row per kabupaten with its figures, then the total', () => {
    const items = [
      { ...LT, level: 'kabupaten', ...figures(2, 1), rentan: [] },
      { ...SB, level: 'kabupaten', ...figures(1, 0), rentan: [] },
    ];
    const rows = summaryRows(items, figures(3, 1), 'Jumlah');
    expect(rows.map((r) => [r.code, r.name, r.target, r.served])).toEqual([
      ['52.03', 'Kabupaten Lombok Timur', 2, 1],
      ['52.04', 'Kabupaten Sumbawa', 1, 0],
      ['', 'Jumlah', 3, 1],
    ]);
    expect(rows[0].pct_served).toBe(50);
    expect(Object.keys(rows[0]).sort()).toEqual(['code', 'followed_up', 'name', 'pct_served', 'served', 'target']);
  });
});
