// The same vectors as the server's tests (backend/bakso/data/form_vectors.json, run by
// tests/unit/test_form_rules.py), judged against the same definitions (forms.json).
import { readFileSync } from 'node:fs';
import regions from 'virtual:regions';
import { describe, expect, it } from 'vitest';
import { validateFields, type FormsFile } from '../src/lib/form-rules';

interface Case {
  service: string;
  note: string;
  change: Record<string, unknown>;
  errors: [string, string][];
}

const read = (name: string) => JSON.parse(readFileSync(new URL(`../../backend/bakso/data/${name}`, import.meta.url), 'utf8'));
const FORMS = read('forms.json') as FormsFile;
const VECTORS = read('form_vectors.json') as { today: string; valid: Record<string, unknown>; cases: Case[] };
const [year, month, day] = VECTORS.today.split('-').map(Number);
const TODAY = new Date(year, month - 1, day);

/** The vectors' `change`: a path set (null deletes; one past a list's end appends). */
function changed(fields: unknown, change: Record<string, unknown>): unknown {
  let result = structuredClone(fields);
  for (const [path, value] of Object.entries(change)) {
    if (path === '') {
      result = value;
      continue;
    }
    const steps = path.split('.').flatMap((part) => (part.match(/[^[\]]+/g) ?? []).map((s, i) => (i === 0 ? s : Number(s))));
    const last = steps.pop()!;
    let target = result as Record<string | number, unknown>;
    for (const step of steps) target = target[step] as Record<string | number, unknown>;
    if (value === null) {
      if (Array.isArray(target)) target.splice(last as number, 1);
      else delete target[last];
    } else target[last] = value;
  }
  return result;
}

describe('form vectors', () => {
  it('cover every service and valid and invalid cases', () => {
    expect(new Set(VECTORS.cases.map((c) => c.service))).toEqual(new Set(Object.keys(FORMS.services)));
    expect(VECTORS.cases.some((c) => c.errors.length === 0)).toBe(true);
    const codes = new Set(VECTORS.cases.flatMap((c) => c.errors.map(([, code]) => code)));
    for (const rule of ['not_future', 'older_by_years', 'after', 'exactly_one', 'required_if', 'nik', 'kk']) expect(codes).toContain(rule);
    for (const definition of Object.values(FORMS.services)) for (const r of definition.rules ?? []) expect(codes).toContain(r.rule);
    // Every service's `valid` is test data elsewhere (the e2e filler, the API helpers).
    expect(new Set(Object.keys(VECTORS.valid))).toEqual(new Set(Object.keys(FORMS.services)));
  });

  it.each(VECTORS.cases.map((c) => [`${c.service}: ${c.note}`, c] as const))('%s', (_, c) => {
    const errors = validateFields(FORMS, c.service, changed(VECTORS.valid[c.service], c.change), regions, TODAY);
    expect(errors.map((e) => [e.path, e.code])).toEqual(c.errors);
    for (const e of errors) expect(e.message).toMatch(/.{10,}\.$/);
  });

  it('names an invalid member NIK and says why, in the server words', () => {
    const fields = changed(VECTORS.valid.KK_BARU, { 'members[2].nik': '5203013202150003' });
    expect(validateFields(FORMS, 'KK_BARU', fields, regions, TODAY)).toEqual([
      { path: 'members[2].nik', code: 'nik', message: 'NIK tidak valid: tanggal 32-02 pada nomor itu tidak ada.' },
    ]);
  });

  it("names the other field's section when it lies in another, in the server words", () => {
    const fields = changed(VECTORS.valid.AKTA_LAHIR, { 'mother.birth_date': '2020-01-01' });
    expect(validateFields(FORMS, 'AKTA_LAHIR', fields, regions, TODAY)).toEqual([
      { path: 'mother.birth_date', code: 'older_by_years', message: 'Tanggal lahir ibu harus paling sedikit 10 tahun sebelum Tanggal lahir (Data anak).' },
    ]);
  });

  it('says by which choice a field became required, in the server words', () => {
    const fields = changed(VECTORS.valid.KK_HILANG, { 'loss.police_number': null });
    expect(validateFields(FORMS, 'KK_HILANG', fields, regions, TODAY)).toEqual([
      { path: 'loss.police_number', code: 'required_if', message: 'Nomor surat keterangan kehilangan wajib diisi bila Keadaan KK "Hilang".' },
    ]);
  });
});
