// The review step's ("Periksa") read-back of the service's form: each section with what was
// typed, under the forms.json labels, choices by label, dates as "2 Oktober 2026", a repeating
// group as numbered items ("Anggota keluarga 2 — Siti"). The words are the officer's reading
// (screens/dukcapil/form-view.ts, the same as manifest.json and berkas.pdf), so what the
// operator checks against the paper is what Dukcapil will read. Empty fields are left out:
// the read-back is to be compared with the paper, not to list what was not asked. Pure:
// pwa/test/form-readback.test.ts.
import { showFields } from '../screens/dukcapil/form-view';
import type { FormsFile } from './form-rules';

export interface ReadBackRow {
  label: string;
  text: string;
  /** NIK and No. KK: monospace so digits can be compared one by one. */
  mono: boolean;
}

export interface ReadBackItem {
  /** Of a repeating group's item: "Anggota keluarga 1 — Siti"; '' for a single section. */
  title: string;
  rows: ReadBackRow[];
}

export interface ReadBackSection {
  key: string;
  label: string;
  /** Nothing filled in (an optional section, or a group with no items). */
  empty: boolean;
  items: ReadBackItem[];
}

/** Every section of the definition, in its order, with the filled fields of `fields` (as sent). */
export function readBack(forms: FormsFile, service: string, fields: unknown, lang = 'id'): ReadBackSection[] {
  return showFields(forms, service, fields, lang).map((section) => {
    const items = section.items
      .map((item, i) => {
        const rows = item.filter((f) => f.text !== '').map((f) => ({ label: f.label, text: f.text, mono: f.mono }));
        const name = item.find((f) => f.key === 'name')?.text ?? '';
        const title = section.repeat ? `${section.label} ${i + 1}${name ? ` — ${name}` : ''}` : '';
        return { title, rows };
      })
      .filter((item) => item.rows.length > 0 || item.title);
    return { key: section.key, label: section.label, empty: items.every((item) => item.rows.length === 0), items };
  });
}
