// The same vectors as the server's tests (backend/bakso/data/nik_vectors.json).
import { readFileSync } from 'node:fs';
import regions from 'virtual:regions';
import { describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { compact, parseNumber, type Kind } from '../src/lib/identity';
import { idWarnings } from '../src/screens/field';

interface Vector {
  value: string;
  valid: boolean;
  compact?: string;
  sex?: string;
  birth_date?: string;
  issued?: string;
  kecamatan?: string;
  warning?: string;
  warnings?: string[];
  note?: string;
}

const VECTORS = JSON.parse(readFileSync(new URL('../../backend/bakso/data/nik_vectors.json', import.meta.url), 'utf8')) as Record<Kind, Vector[]>;
const TODAY = new Date(2026, 10, 27); // the server tests' date: 2026-11-27
const WARNINGS: Record<string, string> = {
  'outside Lombok Timur': 'outside_kabupaten',
  "kabupaten not in today's list": 'unknown_kabupaten',
  "kecamatan not in today's list": 'unknown_kecamatan',
};
const DESA_KERUAK = '52.03.01.2001';
const DESA_AIKMEL = '52.03.09.2002';
const DESA_LENEK = '52.03.21.2001';

describe.each(['nik', 'kk'] as Kind[])('%s vectors', (kind) => {
  const cases = VECTORS[kind];
  it('has valid and invalid cases', () => {
    expect(cases.some((c) => c.valid)).toBe(true);
    expect(cases.some((c) => !c.valid)).toBe(true);
  });
  it.each(cases.filter((c) => c.valid).map((c) => [c.value || '<empty>', c] as const))('accepts %s', (_, c) => {
    const parsed = parseNumber(kind, c.value, regions, { today: TODAY });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.info.number).toBe(c.compact ?? c.value.replace(/\D/g, ''));
    if (c.sex) expect(parsed.info.sex).toBe(c.sex);
    if (kind === 'kk') expect(parsed.info.sex).toBeNull();
    if (c.birth_date) expect(parsed.info.date).toBe(c.birth_date);
    if (c.issued) expect(parsed.info.date).toBe(c.issued);
    if (c.kecamatan) expect(parsed.info.kecamatan).toBe(c.kecamatan);
    const expected = (c.warnings ?? (c.warning ? [c.warning] : [])).map((w) => WARNINGS[w]);
    expect(expected.every(Boolean)).toBe(true); // an unknown kind of warning fails loudly
    expect(parsed.info.warnings.map((w) => w.code)).toEqual(expected);
  });
  it.each(cases.filter((c) => !c.valid).map((c) => [c.value || '<empty>', c] as const))('refuses %s', (_, c) => {
    expect(parseNumber(kind, c.value, regions, { today: TODAY }).ok).toBe(false);
  });
});

describe('rules the vectors do not spell out (as the server tests)', () => {
  const date = (value: string) => {
    const parsed = parseNumber('nik', value, regions, { today: TODAY });
    return parsed.ok ? parsed.info.date : null;
  };
  it('takes the latest century not in the future', () => {
    expect(date('5203012811260001')).toBe('1926-11-28');
    expect(date('5203016811260001')).toBe('1926-11-28');
    expect(date('5203012711260001')).toBe('2026-11-27');
    expect(date('5203010101270001')).toBe('1927-01-01');
    expect(date('5203010101000001')).toBe('2000-01-01');
    expect(date('5203013112990001')).toBe('1999-12-31');
    expect(date('5203012902280001')).toBe('1928-02-29');
    expect(date('5203012902260001')).toBeNull();
  });
  it('refuses impossible days and months', () => {
    for (const value of ['5203010001900001', '5203014001900001', '5203018001900001', '5203011700900001', '5203011713900001']) {
      expect(parseNumber('nik', value, regions, { today: TODAY })).toMatchObject({ ok: false, error: 'date' });
    }
  });
  it('warns, never refuses, for another kecamatan', () => {
    const other = parseNumber('nik', '5203011708900001', regions, { desa: DESA_AIKMEL, today: TODAY });
    expect(other.ok && other.info.warnings.map((w) => w.code)).toEqual(['other_kecamatan']);
    const own = parseNumber('nik', '5203011708900001', regions, { desa: DESA_KERUAK, today: TODAY });
    expect(own.ok && own.info.warnings).toEqual([]);
    const lenek = parseNumber('nik', '5203091708900001', regions, { desa: DESA_LENEK, today: TODAY });
    expect(lenek.ok && lenek.info.warnings.map((w) => w.code)).toEqual(['other_kecamatan']);
  });
  it('names the error for the message', () => {
    expect(parseNumber('nik', '', regions)).toMatchObject({ ok: false, error: 'required' });
    expect(parseNumber('nik', '52O3011708900001', regions)).toMatchObject({ ok: false, error: 'digits' });
    expect(parseNumber('nik', '520301170890000', regions)).toMatchObject({ ok: false, error: 'length', detail: { count: 15 } });
    expect(parseNumber('nik', '9901011708900001', regions)).toMatchObject({ ok: false, error: 'provinsi', detail: { provinsi: '99' } });
    expect(compact(' 52.03-01 ')).toBe('520301');
  });
  it('only accepts ASCII digits', () => {
    expect(parseNumber('nik', '５２０３０１５７０８９００００１', regions).ok).toBe(false);
    expect(parseNumber('nik', '520301570890000²', regions).ok).toBe(false);
  });
});

describe('the words of a number from another kabupaten (#16)', () => {
  const SUMBAWA = { kabupaten: { code: '52.04', name: 'Kabupaten Sumbawa' }, kecamatan: { '52.04.02': 'Lunyuk' } };
  // A Lombok Timur NIK typed by a Sumbawa operator, in the words the request form shows.
  const words = () => idWarnings(parseNumber('nik', '5203015708900001', SUMBAWA, { today: TODAY }), 'NIK');
  it("name the operator's own kabupaten and the number's code, as the server's do", () => {
    setLang('id');
    expect(words()).toEqual(['NIK terdaftar pertama kali di luar Kabupaten Sumbawa (kode 52.03).']);
    setLang('en');
    expect(words()).toEqual(['The NIK was first registered outside Kabupaten Sumbawa (code 52.03).']);
    setLang('id');
  });
});
