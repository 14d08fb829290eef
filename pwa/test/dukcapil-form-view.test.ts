// The officer's reading of a request's form (screens/dukcapil/form-view.ts): every field of
// the definition under its forms.json label, choices by label, in order, nothing dropped.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FormsFile } from '../src/lib/form-rules';
import { groupColumns, keptFlags, showFields, spelledDate } from '../src/screens/dukcapil/form-view';

const read = (name: string) => JSON.parse(readFileSync(new URL(`../../backend/bakso/data/${name}`, import.meta.url), 'utf8'));
const FORMS = read('forms.json') as FormsFile;
const VALID = (read('form_vectors.json') as { valid: Record<string, Record<string, unknown>> }).valid;

describe('showFields', () => {
  it('shows a KK_BARU with every member as an item, choices by their label', () => {
    const sections = showFields(FORMS, 'KK_BARU', VALID.KK_BARU);
    expect(sections.map((s) => [s.key, s.label, s.repeat])).toEqual([
      ['family', 'Data keluarga', false],
      ['members', 'Anggota keluarga', true],
    ]);
    const family = Object.fromEntries(sections[0].items[0].map((f) => [f.label, f.text]));
    expect(family['RT']).toBe('001');
    expect(family['No. KK semula (bila ada)']).toBe('5203011203180002');
    const members = sections[1].items;
    expect(members).toHaveLength(3);
    const head = Object.fromEntries(members[0].map((f) => [f.key, f]));
    expect(head.relationship.label).toBe('Status hubungan dalam keluarga');
    expect(head.relationship.text).toBe('Kepala keluarga');
    expect(head.nik).toMatchObject({ text: '5203011708850001', mono: true });
    expect(head.has_birth_certificate.text).toBe('Ya');
    expect(head.birth_date.text).toBe('17 Agustus 1985');
    // Every field of the definition, the empty ones too, in the definition's order.
    const definition = FORMS.services.KK_BARU.sections[1].fields.map((f) => f.key);
    expect(members[1].map((f) => f.key)).toEqual(definition);
    expect(Object.fromEntries(members[1].map((f) => [f.key, f.text])).blood_type).toBe('');
    expect(groupColumns(sections[1]).map((c) => c.key)).toEqual(definition);
  });

  it('shows an AKTA_LAHIR child with numbers and times as typed, witnesses as two items', () => {
    const sections = showFields(FORMS, 'AKTA_LAHIR', VALID.AKTA_LAHIR);
    const child = Object.fromEntries(sections[0].items[0].map((f) => [f.label, f.text]));
    expect(child['Nama anak']).toBe('Muhammad Rizki');
    expect(child['Jenis kelamin']).toBe('Laki-laki');
    expect(child['Pukul']).toBe('07:05');
    expect(child['Berat bayi (kg)']).toBe('3,25');
    const witnesses = sections.find((s) => s.key === 'witnesses')!;
    expect(witnesses.items.map((item) => item.find((f) => f.key === 'name')!.text)).toEqual(['Lalu Ahmad', 'Baiq Nurul']);
  });

  it('keeps a stored value the definition no longer names, and is empty for no form', () => {
    const sections = showFields(FORMS, 'KK_BARU', { ...VALID.KK_BARU, old: { note: 'x' }, family: { head_name: 'A', extra: 'y' } });
    expect(sections.at(-1)).toMatchObject({ key: 'old', label: 'old', items: [[{ key: 'note', text: 'x' }]] });
    expect(sections[0].items[0].at(-1)).toMatchObject({ key: 'extra', label: 'extra', text: 'y' });
    expect(showFields(FORMS, 'NO_SUCH_SERVICE', {})).toEqual([]);
  });
});

describe('the detail header and scans', () => {
  it("spells the subject's birth date as the form below does, not ISO", () => {
    expect(spelledDate('2026-10-02')).toBe('2 Oktober 2026');
    expect(spelledDate('2026-10-02', 'en')).toBe('2 October 2026');
    expect(spelledDate('kemarin')).toBe('kemarin'); // not a date: as stored
  });

  it('keeps the known photo-check flags of a kept page, in the check order', () => {
    expect(keptFlags(['small', 'dark'])).toEqual(['dark', 'small']);
    expect(keptFlags(['tilted'])).toEqual([]);
    expect(keptFlags(undefined)).toEqual([]);
  });
});
