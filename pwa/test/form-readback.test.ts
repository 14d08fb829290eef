// The review step's read-back (src/lib/form-readback.ts): every section with what was typed,
// choices by label, dates spelled out in Indonesian, repeating groups as numbered items.
import { describe, expect, it } from 'vitest';
import vectors from '../../backend/bakso/data/form_vectors.json';
import { readBack } from '../src/lib/form-readback';
import { BUILT_FORMS } from '../src/lib/forms';

const VALID = (vectors as unknown as { valid: Record<string, Record<string, unknown>> }).valid;
const rows = (items: { rows: { label: string; text: string }[] }) => Object.fromEntries(items.rows.map((r) => [r.label, r.text]));

describe('readBack', () => {
  it('KK_BARU: the family, then each member numbered with their name', () => {
    const [family, members] = readBack(BUILT_FORMS, 'KK_BARU', VALID.KK_BARU);
    expect(family).toMatchObject({ key: 'family', label: 'Data keluarga', empty: false });
    expect(family.items).toHaveLength(1);
    expect(family.items[0].title).toBe('');
    expect(members.items.map((i) => i.title)).toEqual(['Anggota keluarga 1 — Ahmad Fauzi', 'Anggota keluarga 2 — Siti Aminah', 'Anggota keluarga 3 — Muhammad Rizki']);
    const head = rows(members.items[0]);
    expect(head['Tanggal lahir']).toBe('17 Agustus 1985');
    expect(head['Status hubungan dalam keluarga']).toBe('Kepala keluarga');
    expect(Object.values(head)).toContain('Ya'); // has a birth certificate
    // Only what was typed: member 2 has no blood type, so no empty row for it.
    expect(members.items[1].rows.every((r) => r.text !== '')).toBe(true);
    expect(members.items[1].rows.length).toBeLessThan(members.items[0].rows.length);
    expect(members.items[0].rows.find((r) => r.text === '5203011708850001')?.mono).toBe(true);
  });

  it('AKTA_LAHIR: the child\'s date as "2 Oktober 2026", a number with the decimal comma, an empty section said so', () => {
    const fields = { ...VALID.AKTA_LAHIR, father: undefined };
    const sections = readBack(BUILT_FORMS, 'AKTA_LAHIR', JSON.parse(JSON.stringify(fields)));
    const child = rows(sections[0].items[0]);
    expect(Object.values(child)).toContain('2 Oktober 2026');
    expect(Object.values(child)).toContain('3,25');
    expect(Object.values(child)).toContain('Puskesmas');
    const father = sections.find((s) => s.key === 'father')!;
    expect(father.empty).toBe(true);
    expect(sections.find((s) => s.key === 'witnesses')!.items).toHaveLength(2);
  });
});
