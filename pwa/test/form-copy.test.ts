// "Isi dari …" (src/lib/form-copy.ts): which sections may take a person from the applicant or
// from another section, found by field keys and types, and exactly what a tap copies.
import { describe, expect, it } from 'vitest';
import { copyOffers, holdsPerson, namesFamily, sourceName, type ApplicantPerson } from '../src/lib/form-copy';
import type { FormDefinition, SectionDef } from '../src/lib/form-rules';
import { fromWire, setValue } from '../src/lib/form-state';
import { BUILT_FORMS } from '../src/lib/forms';

const { choices } = BUILT_FORMS;
const def = (service: string): FormDefinition => BUILT_FORMS.services[service];
const section = (service: string, key: string): SectionDef => def(service).sections.find((s) => s.key === key)!;
const APPLICANT: ApplicantPerson = { nik: '5203015708900001', name: 'Siti Aminah', kk: '5203011203180002', birth_date: '1990-08-17', sex: 'P' };

describe('copyOffers', () => {
  it('KK_BARU: member 1 takes the applicant NIK, name, and the birth date and sex the NIK encodes', () => {
    const members = section('KK_BARU', 'members');
    const [offer] = copyOffers(def('KK_BARU'), choices, {}, APPLICANT, members, 0);
    expect(offer).toEqual({
      from: 'applicant',
      label: '',
      values: { nik: '5203015708900001', name: 'Siti Aminah', sex: 'P', birth_date: '1990-08-17' },
    });
    // Once member 1 holds her, member 2 is not offered the same person again.
    let raw = {};
    for (const [key, value] of Object.entries(offer.values)) raw = setValue(raw, members, 0, key, value);
    raw = setValue(raw, members, 1, 'name', '');
    expect(copyOffers(def('KK_BARU'), choices, raw, APPLICANT, members, 1)).toEqual([]);
  });

  it('KK_BARU family and PINDAH_KELUAR origin take the head name and No. KK; the destination does not', () => {
    expect(copyOffers(def('KK_BARU'), choices, {}, APPLICANT, section('KK_BARU', 'family'), null)).toEqual([
      { from: 'applicant', label: '', values: { head_name: 'Siti Aminah', previous_kk: '5203011203180002' } },
    ]);
    expect(copyOffers(def('PINDAH_KELUAR'), choices, {}, APPLICANT, section('PINDAH_KELUAR', 'origin'), null)).toEqual([
      { from: 'applicant', label: '', values: { kk: '5203011203180002', head_name: 'Siti Aminah' } },
    ]);
    expect(copyOffers(def('PINDAH_KELUAR'), choices, {}, APPLICANT, section('PINDAH_KELUAR', 'destination'), null)).toEqual([]);
  });

  it('AKTA_LAHIR pelapor: from the applicant and from each parent already typed, only the fields it has', () => {
    const definition = def('AKTA_LAHIR');
    const raw = fromWire(definition, {
      mother: { nik: '5203015708900001', name: 'Siti Aminah', birth_date: '1990-08-17', occupation: 'PETANI' },
      father: { nik: '5203011708850001', name: 'Ahmad Fauzi', birth_date: '1985-08-17' },
    });
    const offers = copyOffers(definition, choices, raw, { nik: '', name: '', kk: '' }, section('AKTA_LAHIR', 'reporter'), null);
    expect(offers.map((o) => [o.from, o.label])).toEqual([
      ['mother', 'Data ibu'],
      ['father', 'Data ayah (bila diketahui)'],
    ]);
    // The pelapor's form has a sex field but the father's section none: nothing invented.
    expect(offers[1].values).toEqual({ nik: '5203011708850001', name: 'Ahmad Fauzi', birth_date: '1985-08-17' });
    // A parent not yet typed is not offered; the mother is offered the applicant only.
    expect(copyOffers(definition, choices, {}, APPLICANT, section('AKTA_LAHIR', 'mother'), null).map((o) => o.from)).toEqual(['applicant']);
  });

  it('never offers a copy into or from the subject (the child, the deceased)', () => {
    for (const [code, definition] of Object.entries(BUILT_FORMS.services)) {
      for (const s of definition.sections.filter((s) => s.subject)) {
        expect([code, copyOffers(definition, choices, {}, APPLICANT, s, s.repeat ? 0 : null)]).toEqual([code, []]);
        expect(holdsPerson(s)).toBe(false);
      }
    }
    const raw = fromWire(def('AKTA_MATI'), { deceased: { nik: '5203011708850001', name: 'Almarhum' } });
    const offers = copyOffers(def('AKTA_MATI'), choices, raw, { nik: '', name: '', kk: '' }, section('AKTA_MATI', 'reporter'), null);
    expect(offers).toEqual([]);
  });

  it('finds its targets by keys and types in every definition', () => {
    const people = Object.entries(BUILT_FORMS.services).flatMap(([code, d]) => d.sections.filter(holdsPerson).map((s) => `${code}.${s.key}`));
    expect(people).toEqual(expect.arrayContaining(['AKTA_LAHIR.reporter', 'AKTA_LAHIR.mother', 'AKTA_LAHIR.witnesses', 'KK_BARU.members', 'PINDAH_KELUAR.movers', 'KTP_BARU.resident']));
    const families = Object.entries(BUILT_FORMS.services).flatMap(([code, d]) => d.sections.filter(namesFamily).map((s) => `${code}.${s.key}`));
    expect(families).toEqual(expect.arrayContaining(['KK_BARU.family', 'PINDAH_KELUAR.origin', 'KK_UBAH.family', 'KK_HILANG.family']));
    expect(families).not.toContain('PINDAH_KELUAR.destination');
  });

  it('names a section as a sentence does', () => {
    expect(sourceName('Data ayah (bila diketahui)')).toBe('data ayah');
    expect(sourceName('Data ibu')).toBe('data ibu');
  });
});
