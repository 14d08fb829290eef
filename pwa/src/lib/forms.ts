// The form definitions per service (backend/bakso/data/forms.json, docs/forms.md): the copy
// the server last sent (GET /api/v1/forms, kept in IndexedDB by lib/catalog.ts) wins, the
// build's copy of the same data file is the fallback until one is stored. Imported only by
// the operator's screens: the definitions stay out of the login screen's bytes (DESIGN §6).
import builtForms from '../../../backend/bakso/data/forms.json';
import type { FormDefinition, FormsFile, SectionDef } from './form-rules';

const { choices, services } = builtForms as unknown as FormsFile;

/** The definitions this build shipped with (the server's own file, without its `about`). */
export const BUILT_FORMS: FormsFile = { choices, services };

/** The definitions to use: the server's stored copy, else the build's. */
export function formsOf(stored: FormsFile | null | undefined): FormsFile {
  return stored && stored.services && stored.choices ? stored : BUILT_FORMS;
}

/** A service's definition; undefined when the service asks no fields. */
export function definitionOf(forms: FormsFile | null | undefined, service: string): FormDefinition | undefined {
  return forms?.services[service];
}

/** The section that describes who the document is for (`"subject": true`, docs/forms.md):
 * its name/nik/birth_date/birth_place/sex become the request's `subject`. */
export function subjectSection(definition: FormDefinition | undefined): SectionDef | undefined {
  return definition?.sections.find((s) => s.subject === true && !s.repeat);
}

/** The requirement codes the definition's data stands for (a section's or a field's `fills`),
 * in the definition's order: each gets "Cetak formulir" on its card. */
export function filledRequirements(definition: FormDefinition | undefined): string[] {
  const codes: string[] = [];
  for (const section of definition?.sections ?? []) {
    for (const code of [section.fills, ...section.fields.map((f) => f.fills)]) {
      if (code && !codes.includes(code)) codes.push(code);
    }
  }
  return codes;
}

/** The DOM id of a field's input (docs/forms.md "In the PWA"): f-<section>-<field>, or
 * f-<section>-<index>-<field> in a repeating group; without `key`, the group itself. */
export function fieldId(section: string, index: number | null, key?: string): string {
  return ['f', section, ...(index === null ? [] : [String(index)]), ...(key ? [key] : [])].join('-');
}

/** The DOM id an error path names: `members[1].nik` → f-members-1-nik, `witnesses` → f-witnesses. */
export function idOfPath(path: string): string {
  const match = /^([a-z0-9_]+)(?:\[(\d+)\])?(?:\.([a-z0-9_]+))?$/.exec(path);
  if (!match) return 'f-form';
  return fieldId(match[1], match[2] === undefined ? null : Number(match[2]), match[3]);
}
