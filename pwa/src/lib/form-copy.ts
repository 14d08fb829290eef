// "Isi dari …": the same person typed once (docs/forms.md "In the PWA"). A section that holds
// a person (a `nik` field and a `name`) may take the NIK, name and, where both have them, the
// birth date and sex of the applicant or of another section already filled (pelapor ← ibu); a
// section that names a family's head (`head_name`) may take the applicant's name and No. KK
// (KK_BARU's previous KK, PINDAH_KELUAR's origin). Found from the definitions' field keys and
// types, never by service code. Pure: pwa/test/form-copy.test.ts.
import type { Choice, FieldDef, FormDefinition, SectionDef } from './form-rules';
import { itemsOf, type RawFields, type RawItem } from './form-state';

/** What is known of the applicant: as typed, plus what a valid NIK encodes. */
export interface ApplicantPerson {
  nik: string;
  name: string;
  kk: string;
  /** From the NIK (identity.ts), when it is valid. */
  birth_date?: string | null;
  sex?: string | null;
}

export interface CopyOffer {
  /** 'applicant', or the key of the section copied from. */
  from: string;
  /** The source in words: the section's label; '' for the applicant (the screen says "pemohon"). */
  label: string;
  /** Field key of the target → value to put there. */
  values: Record<string, string>;
}

type Person = Partial<Record<'nik' | 'name' | 'birth_date' | 'sex', string>>;

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
const nikField = (section: SectionDef) => section.fields.find((f) => f.type === 'nik');
const nameField = (section: SectionDef) => section.fields.find((f) => f.key === 'name' && f.type === 'text');

/** A section about one person (or one person per item): a NIK and a name. The subject
 * (the child, the deceased) is who the document is for, never a copy of someone else. */
export function holdsPerson(section: SectionDef): boolean {
  return !section.subject && nikField(section) !== undefined && nameField(section) !== undefined;
}

/** A section naming a family's head: it takes the applicant's name and No. KK. */
export function namesFamily(section: SectionDef): boolean {
  return !section.repeat && section.fields.some((f) => f.key === 'head_name');
}

function personOf(section: SectionDef, item: RawItem): Person {
  const nik = nikField(section);
  const out: Person = {};
  const put = (key: keyof Person, field: FieldDef | undefined) => {
    const value = field ? text(item[field.key]) : '';
    if (value) out[key] = key === 'nik' ? value.replace(/\s+/g, '') : value;
  };
  put('nik', nik);
  put('name', nameField(section));
  put('birth_date', section.fields.find((f) => f.key === 'birth_date' && f.type === 'date'));
  put('sex', section.fields.find((f) => f.key === 'sex' && f.type === 'choice'));
  return out;
}

/** The person's values as the target section's fields take them: same key and type, a
 * choice only when the target's list has it. */
function into(section: SectionDef, person: Person, choices: Record<string, Choice[]>): Record<string, string> {
  const out: Record<string, string> = {};
  const nik = nikField(section);
  if (nik && person.nik) out[nik.key] = person.nik;
  for (const key of ['name', 'birth_date', 'sex'] as const) {
    const field = section.fields.find((f) => f.key === key);
    const value = person[key];
    if (!field || !value) continue;
    if (key === 'name' && field.type !== 'text') continue;
    if (key === 'birth_date' && field.type !== 'date') continue;
    if (key === 'sex' && (field.type !== 'choice' || !(choices[field.choices ?? ''] ?? []).some((c) => c.value === value))) continue;
    out[field.key] = value;
  }
  return out;
}

/** "Data ayah (bila diketahui)" → "data ayah": the source as the button's sentence names it. */
export function sourceName(label: string): string {
  const bare = label.replace(/\s*\([^)]*\)\s*$/, '').trim();
  return bare.charAt(0).toLowerCase() + bare.slice(1);
}

/**
 * What the target (a section, or item `index` of a repeating one) may be filled from, in the
 * definition's order after the applicant. A source with nothing typed is not offered; nor, in
 * a repeating group, one whose NIK another item already holds (a person is one member).
 */
export function copyOffers(
  definition: FormDefinition,
  choices: Record<string, Choice[]>,
  raw: RawFields,
  applicant: ApplicantPerson,
  target: SectionDef,
  index: number | null,
): CopyOffer[] {
  const offers: CopyOffer[] = [];
  if (namesFamily(target) && index === null) {
    const values: Record<string, string> = {};
    const name = target.fields.find((f) => f.key === 'head_name');
    const kk = target.fields.find((f) => f.type === 'kk');
    if (name && applicant.name.trim()) values[name.key] = applicant.name.trim();
    if (kk && applicant.kk.replace(/\s+/g, '')) values[kk.key] = applicant.kk.replace(/\s+/g, '');
    if (Object.keys(values).length) offers.push({ from: 'applicant', label: '', values });
    return offers;
  }
  if (!holdsPerson(target)) return offers;
  const others = target.repeat ? itemsOf(raw, target).filter((_, i) => i !== index) : [];
  const taken = new Set(others.map((item) => personOf(target, item).nik).filter(Boolean));
  const offer = (from: string, label: string, person: Person) => {
    if (person.nik && taken.has(person.nik)) return;
    const values = into(target, person, choices);
    if (values[nikField(target)!.key] || values[nameField(target)!.key]) offers.push({ from, label, values });
  };
  const fromApplicant: Person = {};
  if (applicant.nik.replace(/\s+/g, '')) fromApplicant.nik = applicant.nik.replace(/\s+/g, '');
  if (applicant.name.trim()) fromApplicant.name = applicant.name.trim();
  if (applicant.birth_date) fromApplicant.birth_date = applicant.birth_date;
  if (applicant.sex) fromApplicant.sex = applicant.sex;
  offer('applicant', '', fromApplicant);
  for (const section of definition.sections) {
    if (section.key === target.key || section.repeat || !holdsPerson(section)) continue;
    const value = raw[section.key];
    offer(section.key, section.label, personOf(section, value && !Array.isArray(value) ? value : {}));
  }
  return offers;
}
