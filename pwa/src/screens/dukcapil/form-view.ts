// A request's `fields` as the officer reads them: every field of the service's form under its
// forms.json label, choices by their label, in the definition's order — the same reading as
// manifest.json and berkas.pdf (backend/bakso/services/form_view.py). A stored value the
// definition no longer names is shown under its key at the end, never dropped. Pure: no I/O.
import type { FieldDef, FormsFile } from '../../lib/form-rules';

export interface ShownField {
  key: string;
  label: string;
  /** For people: a choice's label, "Ya"/"Tidak", a date spelled out; '' when empty. */
  text: string;
  /** NIK and No. KK: shown in a monospace face so digits line up. */
  mono: boolean;
}

export interface ShownSection {
  key: string;
  label: string;
  repeat: boolean;
  /** A single section: exactly one item. */
  items: ShownField[][];
}

type Values = Record<string, unknown>;

const isObject = (value: unknown): value is Values => typeof value === 'object' && value !== null && !Array.isArray(value);

const tag = (lang: string) => (lang === 'en' ? 'en-GB' : 'id-ID');

/** "2026-10-02" as people read it, "2 Oktober 2026" (the form below and berkas.pdf say it so). */
export function spelledDate(value: string, lang = 'id'): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const day = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(day.getTime())) return value;
  return day.toLocaleDateString(tag(lang), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The photo check's flags a page was kept despite, known ones only, in the check's order. */
export function keptFlags(quality: readonly string[] | undefined): ('dark' | 'blurred' | 'small')[] {
  return (['dark', 'blurred', 'small'] as const).filter((flag) => quality?.includes(flag));
}

function fieldText(field: FieldDef | undefined, value: unknown, forms: FormsFile, lang: string): string {
  if (value === null || value === undefined || (typeof value === 'string' && !value.trim())) return '';
  if (field?.type === 'choice') {
    const choice = (forms.choices[field.choices ?? ''] ?? []).find((c) => c.value === value);
    return choice ? choice.label : String(value);
  }
  if (typeof value === 'boolean') return value ? (lang === 'en' ? 'Yes' : 'Ya') : lang === 'en' ? 'No' : 'Tidak';
  if (field?.type === 'date' && typeof value === 'string') return spelledDate(value, lang);
  if (typeof value === 'number') return new Intl.NumberFormat(tag(lang), { maximumFractionDigits: 6 }).format(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function itemFields(fields: FieldDef[], item: Values, forms: FormsFile, lang: string): ShownField[] {
  const known = new Set(fields.map((f) => f.key));
  const shown = fields.map((f) => ({
    key: f.key,
    label: f.label,
    text: fieldText(f, item[f.key], forms, lang),
    mono: f.type === 'nik' || f.type === 'kk',
  }));
  for (const [key, value] of Object.entries(item)) {
    if (!known.has(key)) shown.push({ key, label: key, text: fieldText(undefined, value, forms, lang), mono: false });
  }
  return shown;
}

/** Every section of the service's form with the request's values; [] when it has neither. */
export function showFields(forms: FormsFile, service: string, fields: unknown, lang = 'id'): ShownSection[] {
  const values = isObject(fields) ? fields : {};
  const definition = forms.services[service];
  const out: ShownSection[] = [];
  const defined = new Set<string>();
  for (const section of definition?.sections ?? []) {
    defined.add(section.key);
    const raw = values[section.key];
    const items = section.repeat ? (Array.isArray(raw) ? raw.filter(isObject) : []) : [isObject(raw) ? raw : {}];
    out.push({
      key: section.key,
      label: section.label,
      repeat: Boolean(section.repeat),
      items: items.map((item) => itemFields(section.fields, item, forms, lang)),
    });
  }
  for (const [key, raw] of Object.entries(values)) {
    if (defined.has(key)) continue;
    if (Array.isArray(raw)) out.push({ key, label: key, repeat: true, items: raw.filter(isObject).map((i) => itemFields([], i, forms, lang)) });
    else if (isObject(raw)) out.push({ key, label: key, repeat: false, items: [itemFields([], raw, forms, lang)] });
  }
  return out;
}

/** A repeating group's columns: the definition's fields, then any stored extra key. */
export function groupColumns(section: ShownSection): { key: string; label: string }[] {
  const columns: { key: string; label: string }[] = [];
  for (const item of section.items) {
    for (const f of item) if (!columns.some((c) => c.key === f.key)) columns.push({ key: f.key, label: f.label });
  }
  return columns;
}
