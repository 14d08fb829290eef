import { describe, expect, it } from 'vitest';
import { ageDays, countText, filtersFromHash, listParams, searchKind } from '../src/lib/desk';
import { query } from '../src/lib/officer';

describe('desk', () => {
  it('counts whole days in the status, never below zero', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(ageDays('2026-11-23T12:00:01Z', now)).toBe(7);
    expect(ageDays('2026-11-23T12:00:00Z', now)).toBe(8);
    expect(ageDays('2026-12-01T13:00:00Z', now)).toBe(0);
    expect(ageDays('not a date', now)).toBe(0);
  });

  it('tells a code, a NIK and a name apart like the server', () => {
    expect(searchKind('lt-ab2c-d3ef')).toBe('code');
    expect(searchKind('5203 0157 0890 0001')).toBe('nik');
    expect(searchKind('520301570890000')).toBe('name'); // 15 digits: not a NIK
    expect(searchKind('Siti')).toBe('name');
    expect(searchKind(' a ')).toBeNull();
  });

  it('shows a capped count as "at least"', () => {
    expect(countText(1500, false)).toBe('1.500');
    expect(countText(500, true)).toBe('500+');
  });

  it('sends the search with the place filters and reads them back from a link', () => {
    const filters = filtersFromHash('#/dukcapil/permohonan?status=&desa=52.03.01.2001&q=Siti');
    expect(filters).toEqual({ status: '', kecamatan: '', desa: '52.03.01.2001', service: '', age: '', q: 'Siti' });
    expect(query(listParams(filters, null, 50))).toBe('?q=Siti&desa=52.03.01.2001&limit=50');
    expect(filtersFromHash('#/dukcapil/permohonan').status).toBe('DITERIMA');
    expect(filtersFromHash('#/dukcapil/permohonan?q=5203014101900001').status).toBe('');
    expect(filtersFromHash('#/dukcapil/permohonan?status=DIAJUKAN').status).toBe('DIAJUKAN');
  });
});
