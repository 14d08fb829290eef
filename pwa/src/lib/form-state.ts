// The service's form as the operator types it (`RawFields`: strings as the inputs hold them,
// true for a ticked box) and as it is stored and sent (`fields`, docs/forms.md: trimmed, empty
// values left out, numbers as numbers, sections and fields in the definition's order, so the
// same input always gives the same body and a replay is one). Pure: pwa/test/form-state.test.ts.
import type { FieldDef, FieldError, FormDefinition, SectionDef } from './form-rules';
import { idOfPath, subjectSection } from './forms';
import type { Subject } from './storage';

export type RawValue = string | boolean;
export type RawItem = Record<string, RawValue>;
export type RawFields = Record<string, RawItem | RawItem[]>;
export type WireFields = Record<string, unknown>;

const asItem = (value: RawItem | RawItem[] | undefined): RawItem => (value && !Array.isArray(value) ? value : {});

/** A repeating section's items as shown: at least its `min` (empty ones to fill). */
export function itemsOf(raw: RawFields, section: SectionDef): RawItem[] {
  const value = raw[section.key];
  const items = Array.isArray(value) ? value : [];
  const min = section.repeat?.min ?? 0;
  return items.length >= min ? items : [...items, ...Array.from({ length: min - items.length }, () => ({}))];
}

/** One field typed in (index: the item of a repeating section). */
export function setValue(raw: RawFields, section: SectionDef, index: number | null, key: string, value: RawValue): RawFields {
  if (index === null) return { ...raw, [section.key]: { ...asItem(raw[section.key]), [key]: value } };
  const items = itemsOf(raw, section).slice();
  items[index] = { ...items[index], [key]: value };
  return { ...raw, [section.key]: items };
}

/** "Tambah …": one more empty item, never beyond the section's `max`. */
export function addItem(raw: RawFields, section: SectionDef): RawFields {
  const items = itemsOf(raw, section);
  if (section.repeat && items.length >= section.repeat.max) return raw;
  return { ...raw, [section.key]: [...items, {}] };
}

/** "Hapus …": the item goes, never below the section's `min`. */
export function removeItem(raw: RawFields, section: SectionDef, index: number): RawFields {
  const items = itemsOf(raw, section);
  if (items.length <= (section.repeat?.min ?? 0)) return raw;
  return { ...raw, [section.key]: items.filter((_, i) => i !== index) };
}

const NUMBER = /^-?[0-9]+(?:[.,][0-9]+)?$/;

/** A field's value as sent; undefined: left out (empty). A number that does not read as one
 * stays text, so the rules say "harus berupa angka" rather than it vanishing. */
function wireValue(field: FieldDef, value: RawValue | undefined): unknown {
  // A box never touched is left out; ticked, or unticked again, it says so.
  if (field.type === 'boolean') return typeof value === 'boolean' ? value : undefined;
  if (value === undefined || value === false || value === true) return undefined;
  const text = field.type === 'nik' || field.type === 'kk' ? value.replace(/\s+/g, '') : value.trim();
  if (text === '') return undefined;
  if (field.type === 'number') return NUMBER.test(text) ? Number(text.replace(',', '.')) : text;
  return text;
}

function wireItem(section: SectionDef, item: RawItem): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of section.fields) {
    const value = wireValue(field, item[field.key]);
    if (value !== undefined) out[field.key] = value;
  }
  return out;
}

/** The `fields` to store and send. */
export function toWire(definition: FormDefinition, raw: RawFields): WireFields {
  const out: WireFields = {};
  for (const section of definition.sections) {
    if (section.repeat) {
      const items = itemsOf(raw, section).map((item) => wireItem(section, item));
      if (items.length) out[section.key] = items;
    } else {
      const item = wireItem(section, asItem(raw[section.key]));
      if (Object.keys(item).length) out[section.key] = item;
    }
  }
  return out;
}

function rawItem(value: unknown): RawItem {
  const out: RawItem = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'boolean') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'string') out[key] = String(v);
  }
  return out;
}

/** Stored or served `fields` back into the inputs (a draft reopened, a correction). */
export function fromWire(definition: FormDefinition | undefined, fields: WireFields | null | undefined): RawFields {
  const raw: RawFields = {};
  if (!definition || !fields) return raw;
  for (const section of definition.sections) {
    const value = fields[section.key];
    if (section.repeat) raw[section.key] = Array.isArray(value) ? value.map(rawItem) : [];
    else raw[section.key] = rawItem(value);
  }
  return raw;
}

const SUBJECT_KEYS = ['name', 'nik', 'birth_date', 'birth_place', 'sex'] as const;

/** The request's `subject` from the subject section's fields; null: the service has none. */
export function subjectFrom(definition: FormDefinition | undefined, fields: WireFields): Subject | null {
  const section = subjectSection(definition);
  if (!section) return null;
  const value = (fields[section.key] ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof value[key] === 'string' && (value[key] as string).trim() ? (value[key] as string).trim() : null);
  const sex = text('sex');
  return {
    name: text('name') ?? '',
    nik: text('nik'),
    birth_date: text('birth_date'),
    birth_place: text('birth_place'),
    sex: sex === 'L' || sex === 'P' ? sex : null,
  };
}

/** A worklist start: what the row says of the resident goes into the subject section's inputs. */
export function prefillSubject(definition: FormDefinition | undefined, raw: RawFields, known: Partial<Record<(typeof SUBJECT_KEYS)[number], string | null>>): RawFields {
  const section = subjectSection(definition);
  if (!section) return raw;
  const item = { ...asItem(raw[section.key]) };
  for (const key of SUBJECT_KEYS) {
    const value = known[key];
    if (value && section.fields.some((f) => f.key === key)) item[key] = value;
  }
  return { ...raw, [section.key]: item };
}

/** Errors by the DOM id of the input (or group) they belong to; the first error of each wins. */
export function errorsById(errors: { path: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of errors) {
    const id = idOfPath(error.path);
    out[id] ??= error.message;
  }
  return out;
}

/** The errors to show: a field's once the operator left it (`left`: input ids), and every
 * one after "Lanjut" (`all`). A group's own ("exactly one head of family") waits for
 * "Lanjut": while the family is being typed it would only be noise. */
export function visibleErrors(errors: FieldError[], left: Record<string, boolean>, all: boolean): Record<string, string> {
  return errorsById(all ? errors : errors.filter((e) => left[idOfPath(e.path)]));
}

/** The server's refusal (422 `errors[]`, `field` = `fields.<path>`) as errors of this form. */
export function serverFieldErrors(errors: unknown): FieldError[] {
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((e) => {
    const error = e as { field?: unknown; code?: unknown; message?: unknown };
    if (typeof error.field !== 'string' || !error.field.startsWith('fields')) return [];
    const path = error.field === 'fields' ? '' : error.field.replace(/^fields\./, '');
    return [{ path, code: String(error.code ?? ''), message: String(error.message ?? '') }];
  });
}
