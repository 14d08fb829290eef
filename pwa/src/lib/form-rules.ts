// Judge a request's `fields` against its service's form definition (backend/bakso/data/forms.json):
// the same judgement as the server's backend/bakso/domain/form_rules.py, proven by the shared
// vectors in backend/bakso/data/form_vectors.json (test/form-rules.test.ts). Pure: no I/O.
// Each error names the field by its path (`mother.birth_date`, `members[2].nik`; items of a
// repeating group counted from 0), a code both sides share, and an Indonesian message.
// The server checks the file at start-up (domain/forms.py); here an unknown rule throws.
import { parseNumber, type RegionData } from './identity';

export type FieldType = 'text' | 'date' | 'time' | 'number' | 'choice' | 'nik' | 'kk' | 'boolean';

export interface Choice {
  value: string;
  label: string;
}

export interface FieldDef {
  key: string;
  label: string;
  type: FieldType;
  required: boolean;
  fills?: string;
  choices?: string; // the name of a list in the file's `choices`
  min?: number;
  max?: number;
  integer?: boolean;
  max_length?: number;
  pattern?: string;
}

export interface SectionDef {
  key: string;
  label: string;
  fills?: string;
  repeat?: { min: number; max: number };
  /** Its `name`, `nik`, `birth_date`, `birth_place`, `sex` are the request's subject (at most one such section). */
  subject?: boolean;
  fields: FieldDef[];
}

export type Rule =
  | { rule: 'not_future'; field: string }
  | { rule: 'older_by_years'; older: string; younger: string; years: number }
  | { rule: 'after'; later: string; earlier: string }
  | { rule: 'exactly_one'; group: string; field: string; value: string }
  | { rule: 'required_if'; field: string; when: string; value: string };

export interface FormDefinition {
  form?: string;
  sections: SectionDef[];
  rules?: Rule[];
}

export interface FormsFile {
  about?: string;
  choices: Record<string, Choice[]>;
  services: Record<string, FormDefinition>;
}

export interface FieldError {
  path: string;
  code: string;
  message: string;
}

type Fields = Record<string, unknown>;

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const TIME = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/;
const TYPE_WORDS: Record<string, string> = {
  text: 'harus berupa teks',
  date: 'harus berupa tanggal (TTTT-BB-HH)',
  time: 'harus berupa jam (JJ:MM)',
  number: 'harus berupa angka',
  choice: 'bukan salah satu pilihan yang tersedia',
  boolean: 'harus ya atau tidak',
};

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

function leap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(year: number, month: number): number {
  return month === 2 ? (leap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The ISO date, if `value` is a real one (as Python's date.fromisoformat reads it). */
export function parseDate(value: unknown): string | null {
  if (typeof value !== 'string' || !DATE.test(value)) return null;
  const [year, month, day] = value.split('-').map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  return value;
}

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function addYears(date: string, years: number): string {
  const [year, month, day] = date.split('-').map(Number);
  const target = year + years;
  return iso(target, month, Math.min(day, daysIn(target, month))); // 29 February → 28th
}

function shown(n: number): string {
  return String(n);
}

const NUMBER_WORDS: Record<string, (detail: Record<string, string | number>) => string> = {
  digits: () => 'hanya boleh berisi angka.',
  length: (d) => `harus 16 digit (tertulis ${d.count} digit).`,
  date: (d) => `tidak valid: tanggal ${d.day}-${d.month} pada nomor itu tidak ada.`,
  provinsi: (d) => `tidak valid: kode provinsi ${d.provinsi} tidak dikenal.`,
};

/** One field's value: null, or [code, message]. */
export function checkField(
  field: FieldDef,
  value: unknown,
  choices: Record<string, Choice[]>,
  regions: RegionData,
  today: Date,
): [string, string] | null {
  const label = field.label;
  if (isEmpty(value)) return field.required ? ['required', `${label} wajib diisi.`] : null;
  const kind = field.type;
  if (kind === 'nik' || kind === 'kk') {
    if (typeof value !== 'string') return [kind, `${label} harus berupa teks angka.`];
    const parsed = parseNumber(kind, value, regions, { today });
    // The field's label names the number once ("NIK ibu tidak valid: …", not "NIK ibu: NIK …").
    return parsed.ok ? null : [kind, `${label} ${NUMBER_WORDS[parsed.error](parsed.detail)}`];
  }
  const valid: Record<string, boolean> = {
    text: typeof value === 'string',
    date: parseDate(value) !== null,
    time: typeof value === 'string' && TIME.test(value),
    number: typeof value === 'number' && Number.isFinite(value),
    choice: typeof value === 'string' && (choices[field.choices ?? ''] ?? []).some((c) => c.value === value),
    boolean: typeof value === 'boolean',
  };
  if (!(kind in valid)) throw new Error(`unknown field type ${kind}`);
  if (!valid[kind]) return [kind, `${label} ${TYPE_WORDS[kind]}.`];
  if (kind === 'number') {
    const n = value as number;
    if (field.integer && !Number.isInteger(n)) return ['integer', `${label} harus bilangan bulat.`];
    if (field.min !== undefined && n < field.min) return ['min', `${label} paling kecil ${shown(field.min)}.`];
    if (field.max !== undefined && n > field.max) return ['max', `${label} paling besar ${shown(field.max)}.`];
  }
  if (kind === 'text') {
    const text = (value as string).trim();
    // Counted in characters, as Python's len() does (not UTF-16 units).
    if (field.max_length !== undefined && [...text].length > field.max_length) {
      return ['max_length', `${label} paling banyak ${field.max_length} huruf.`];
    }
    if (field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`).test(text)) {
      return ['pattern', `${label} tidak sesuai format.`];
    }
  }
  return null;
}

function item(
  section: SectionDef,
  value: unknown,
  prefix: string,
  choices: Record<string, Choice[]>,
  regions: RegionData,
  today: Date,
): FieldError[] {
  if (!isObject(value)) return [{ path: prefix, code: 'section', message: `${section.label} harus berupa objek.` }];
  const errors: FieldError[] = Object.keys(value)
    .filter((key) => !section.fields.some((f) => f.key === key))
    .map((key) => ({ path: `${prefix}.${key}`, code: 'unknown', message: `Isian '${key}' tidak ada pada formulir ini.` }));
  for (const field of section.fields) {
    const problem = checkField(field, value[field.key], choices, regions, today);
    if (problem) errors.push({ path: `${prefix}.${field.key}`, code: problem[0], message: problem[1] });
  }
  return errors;
}

type Scope = Record<string, { path: string; value: unknown; field: FieldDef }>;

function fieldOf(section: SectionDef, key: string): FieldDef {
  const field = section.fields.find((f) => f.key === key);
  if (!field) throw new Error(`form rule names an unknown field ${section.key}.${key}`);
  return field;
}

function sectionOf(definition: FormDefinition, key: string): SectionDef {
  const section = definition.sections.find((s) => s.key === key);
  if (!section) throw new Error(`form rule names an unknown section ${key}`);
  return section;
}

/** A rule's field references, per scope: the single sections once, or each item of the
 * repeating group they are in (the server's loader allows no mix of two groups). */
function scopes(definition: FormDefinition, refs: Record<string, string>, fields: Fields): Scope[] {
  const resolved = Object.entries(refs).map(([name, ref]) => [name, ...ref.split('.')] as [string, string, string]);
  const group = resolved.map(([, s]) => sectionOf(definition, s)).find((s) => s.repeat);
  if (group) {
    const items = Array.isArray(fields[group.key]) ? (fields[group.key] as unknown[]) : [];
    return items.flatMap((it, i) =>
      isObject(it)
        ? [Object.fromEntries(resolved.map(([name, , key]) => [name, { path: `${group.key}[${i}].${key}`, value: it[key], field: fieldOf(group, key) }]))]
        : [],
    );
  }
  const scope: Scope = {};
  for (const [name, sectionKey, key] of resolved) {
    const values = fields[sectionKey];
    scope[name] = { path: `${sectionKey}.${key}`, value: isObject(values) ? values[key] : undefined, field: fieldOf(sectionOf(definition, sectionKey), key) };
  }
  return [scope];
}

const sectionKey = (path: string) => path.split('.', 1)[0].split('[', 1)[0];

/** The other field of a two-field rule: its label, and its section's when it lies in another
 * ("Tanggal lahir (Data anak)"), as the server's form_rules._other words it. */
function otherNamed(definition: FormDefinition, path: string, other: { path: string; field: FieldDef }): string {
  const key = sectionKey(other.path);
  if (key === sectionKey(path)) return other.field.label;
  const section = definition.sections.find((s) => s.key === key);
  return section ? `${other.field.label} (${section.label})` : other.field.label;
}

function judge(definition: FormDefinition, rule: Rule, choices: Record<string, Choice[]>, fields: Fields, todayIso: string): FieldError[] {
  const errors: FieldError[] = [];
  switch (rule.rule) {
    case 'not_future':
      for (const { field: f } of scopes(definition, { field: rule.field }, fields)) {
        const day = parseDate(f.value);
        if (day !== null && day > todayIso) errors.push({ path: f.path, code: 'not_future', message: `${f.field.label} tidak boleh di masa depan.` });
      }
      return errors;
    case 'older_by_years':
      for (const { older, younger } of scopes(definition, { older: rule.older, younger: rule.younger }, fields)) {
        const first = parseDate(older.value);
        const second = parseDate(younger.value);
        if (first !== null && second !== null && addYears(first, rule.years) > second) {
          const message = `${older.field.label} harus paling sedikit ${rule.years} tahun sebelum ${otherNamed(definition, older.path, younger)}.`;
          errors.push({ path: older.path, code: 'older_by_years', message });
        }
      }
      return errors;
    case 'after':
      for (const { later, earlier } of scopes(definition, { later: rule.later, earlier: rule.earlier }, fields)) {
        const second = parseDate(later.value);
        const first = parseDate(earlier.value);
        if (first !== null && second !== null && second < first) {
          errors.push({ path: later.path, code: 'after', message: `${later.field.label} tidak boleh sebelum ${otherNamed(definition, later.path, earlier)}.` });
        }
      }
      return errors;
    case 'exactly_one': {
      const group = sectionOf(definition, rule.group);
      const field = fieldOf(group, rule.field);
      const items = Array.isArray(fields[group.key]) ? (fields[group.key] as unknown[]) : [];
      const count = items.filter((it) => isObject(it) && it[field.key] === rule.value).length;
      if (count === 1) return errors;
      const choice = (choices[field.choices ?? ''] ?? []).find((c) => c.value === rule.value)?.label ?? rule.value;
      const message = `${group.label}: harus tepat satu dengan ${field.label} "${choice}" (ada ${count}).`;
      return [{ path: group.key, code: 'exactly_one', message }];
    }
    case 'required_if':
      for (const { field: f, when } of scopes(definition, { field: rule.field, when: rule.when }, fields)) {
        if (when.value === rule.value && isEmpty(f.value)) {
          const choice = (choices[when.field.choices ?? ''] ?? []).find((c) => c.value === rule.value)?.label ?? rule.value;
          errors.push({ path: f.path, code: 'required_if', message: `${f.field.label} wajib diisi bila ${otherNamed(definition, f.path, when)} "${choice}".` });
        }
      }
      return errors;
    default:
      throw new Error(`unknown form rule ${(rule as { rule: string }).rule}`);
  }
}

/** Every error in `fields` for `service`, in the definition's order: fields first, then the rules. */
export function validateFields(file: FormsFile, service: string, fields: unknown, regions: RegionData, today: Date): FieldError[] {
  const definition = file.services[service];
  if (!definition) throw new Error(`no form definition for ${service}`);
  if (!isObject(fields)) return [{ path: '', code: 'section', message: 'Isian formulir harus berupa objek.' }];
  const todayIso = iso(today.getFullYear(), today.getMonth() + 1, today.getDate());
  const errors: FieldError[] = Object.keys(fields)
    .filter((key) => !definition.sections.some((s) => s.key === key))
    .map((key) => ({ path: key, code: 'unknown', message: `Bagian '${key}' tidak ada pada formulir ini.` }));
  for (const section of definition.sections) {
    const value = fields[section.key];
    if (!section.repeat) {
      errors.push(...item(section, value ?? {}, section.key, file.choices, regions, today));
      continue;
    }
    const items = value ?? [];
    if (!Array.isArray(items)) {
      errors.push({ path: section.key, code: 'section', message: `${section.label} harus berupa daftar.` });
      continue;
    }
    const { min, max } = section.repeat;
    if (items.length < min) errors.push({ path: section.key, code: 'count_min', message: `${section.label}: paling sedikit ${min} (terisi ${items.length}).` });
    if (items.length > max) errors.push({ path: section.key, code: 'count_max', message: `${section.label}: paling banyak ${max} (terisi ${items.length}).` });
    items.forEach((it, i) => errors.push(...item(section, it, `${section.key}[${i}]`, file.choices, regions, today)));
  }
  for (const rule of definition.rules ?? []) errors.push(...judge(definition, rule, file.choices, fields, todayIso));
  return errors;
}
