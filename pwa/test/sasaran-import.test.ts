import { describe, expect, it } from 'vitest';
import { setLang, t } from '../src/i18n';
import { bytes, contentTypeOf, count, countsOf, displayLine, kindOf, percent, type ImportRun } from '../src/lib/sasaran-import';

const run = (counts: ImportRun['counts']): ImportRun => ({
  id: 'x',
  status: 'DONE',
  filename: 'sasaran.csv',
  kind: 'csv',
  size: 10,
  created_at: '2026-12-01T06:00:00+00:00',
  created_by: 'dukcapil',
  lines_total: 2,
  lines_done: 2,
  counts,
  ignored_columns: [],
  error: null,
  finished_at: null,
});

describe('sasaran import report on screen', () => {
  it('says what happened to a line in Indonesian words, never the API code', () => {
    setLang('id');
    const refused = displayLine({ line: 3, outcome: 'refused', reason: 'UNKNOWN_DESA', message: 'Kode desa tidak dikenal', sasaran_id: null });
    expect(t(refused.word)).toBe('Ditolak');
    expect(refused.tone).toBe('warn');
    expect(refused.text).toBe('Kode desa tidak dikenal');
    const accepted = displayLine({ line: 2, outcome: 'accepted', reason: null, message: 'Baris baru', sasaran_id: 'a' });
    expect(t(accepted.word)).toBe('Diterima');
    expect(accepted.tone).toBe('ok');
    for (const outcome of ['accepted', 'updated', 'unchanged', 'refused'] as const) {
      const word = t(displayLine({ line: 1, outcome, reason: null, message: '', sasaran_id: null }).word);
      expect(word).not.toMatch(/^imp\.|accepted|refused|updated|unchanged/);
    }
  });

  it('lists every outcome with its count, zeros included', () => {
    expect(countsOf(run({ accepted: 1, refused: 1 }))).toEqual([
      { outcome: 'accepted', n: 1 },
      { outcome: 'updated', n: 0 },
      { outcome: 'unchanged', n: 0 },
      { outcome: 'refused', n: 1 },
    ]);
  });

  it('writes numbers and sizes the Indonesian way', () => {
    expect(count(100000)).toBe('100.000');
    expect(bytes(1536)).toBe('1,5 KB');
    expect(bytes(3 * 1024 * 1024 + 300 * 1024)).toBe('3,3 MB');
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 0)).toBe(0);
  });

  it('knows the two file kinds and declares a type the server accepts', () => {
    expect(kindOf('Daftar.XLSX')).toBe('xlsx');
    expect(kindOf('daftar.csv')).toBe('csv');
    expect(kindOf('daftar.xls')).toBeNull();
    expect(contentTypeOf('a.csv', '')).toBe('text/csv');
    expect(contentTypeOf('a.xlsx', '')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(contentTypeOf('a.csv', 'application/vnd.ms-excel')).toBe('application/vnd.ms-excel');
  });
});
