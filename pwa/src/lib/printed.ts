// The printed F-forms (docs/forms.md "Printed forms") against the data typed since: what each
// requirement's printed page said is kept as a stamp (the fields of the sections that fill it,
// serialised in the definition's order), so a card can say "printed and signed, but the data
// changed since: print again". And the local copy of a request the server holds (a draft
// printed on another device, a correction): what the server has counts as signed. Pure:
// pwa/test/printed.test.ts.
import type { FormDefinition } from './form-rules';
import { filledRequirements } from './forms';
import type { WireFields } from './form-state';
import type { LocalRequest, ServerRequest } from './storage';
import { lastMove } from './timeline';

/** What the printed form of `code` shows of `fields`: a section whose `fills` is the code
 * whole, and of a section without one, the fields whose `fills` is (as the server prints). */
export function printStamp(definition: FormDefinition | undefined, fields: WireFields, code: string): string {
  const parts: [string, unknown][] = [];
  for (const section of definition?.sections ?? []) {
    const value = fields[section.key];
    if (section.fills === code) parts.push([section.key, value ?? null]);
    else if (!section.fills) {
      const keys = section.fields.filter((f) => f.fills === code).map((f) => f.key);
      if (!keys.length) continue;
      const pick = (item: unknown) => Object.fromEntries(keys.map((k) => [k, (item as Record<string, unknown> | undefined)?.[k] ?? null]));
      parts.push([section.key, Array.isArray(value) ? value.map(pick) : pick(value)]);
    }
  }
  return JSON.stringify(parts);
}

/** Whether the printed form of `code` would show anything typed (the server refuses, 409, to
 * print a form none of whose sections holds a value). */
export function hasPrintedData(definition: FormDefinition | undefined, fields: WireFields, code: string): boolean {
  const filled = (value: unknown): boolean =>
    Array.isArray(value) ? value.some(filled) : typeof value === 'object' && value !== null ? Object.values(value).some(filled) : value !== null && value !== undefined && value !== '';
  return (JSON.parse(printStamp(definition, fields, code)) as [string, unknown][]).some(([, value]) => filled(value));
}

/** A page of a requirement: `signed` is the stamp its printed form had when it was added. */
export interface StampedPage {
  requirement: string;
  signed?: string;
}

/** The stamp to put on a page added now: the printed one, while the data still matches it. */
export function signedStamp(definition: FormDefinition | undefined, fields: WireFields, printed: Record<string, string> | undefined, code: string): string | undefined {
  const stamp = printed?.[code];
  return stamp !== undefined && printStamp(definition, fields, code) === stamp ? stamp : undefined;
}

/** The requirements whose form was printed (or is held signed on the server) with other data
 * than now, and that have a page taken of that form: it must be printed, signed and
 * photographed again. Any page counts, not only those taken while the data matched: a page
 * photographed after the edit can only be of a paper printed before it. */
export function stalePrints(
  definition: FormDefinition | undefined,
  fields: WireFields,
  printed: Record<string, string> | undefined,
  pages: StampedPage[],
  serverPages: { requirement: string }[],
): string[] {
  return filledRequirements(definition).filter((code) => {
    const stamp = printed?.[code];
    if (stamp === undefined || printStamp(definition, fields, code) === stamp) return false;
    return serverPages.some((p) => p.requirement === code) || pages.some((p) => p.requirement === code);
  });
}

/** A local copy of a request the server holds, to edit it (a correction, or a draft another
 * device printed): its data, form and version; its checked pages stay on the server (`fix`),
 * and the server's form counts as what was signed for each requirement with pages there. */
export function localCopyOf(item: ServerRequest, owner: string, definition: FormDefinition | undefined, now: string): LocalRequest {
  const a = item.applicant as Record<string, string | null>;
  const subject = item.subject as Record<string, string | null> | null;
  const fields = item.fields ?? {};
  const withPages = new Set((item.scans ?? []).filter((s) => s.state === 'ok').map((s) => s.requirement));
  const printed = Object.fromEntries(filledRequirements(definition).filter((c) => withPages.has(c)).map((c) => [c, printStamp(definition, fields, c)]));
  return {
    id: item.id,
    owner,
    desa: item.desa,
    service: item.service,
    applicant: { nik: a.nik ?? '', name: a.name ?? '', kk: a.kk ?? null, phone: a.phone ?? null, address: a.address ?? null, ...(item.applicant.notify === true ? { notify: true } : {}) },
    subject: subject
      ? {
          name: subject.name ?? '',
          nik: subject.nik ?? null,
          birth_date: subject.birth_date ?? null,
          birth_place: subject.birth_place ?? null,
          sex: (subject.sex as 'L' | 'P' | null) ?? null,
        }
      : null,
    notes: item.notes,
    sasaranId: (item as { sasaran_id?: string | null }).sasaran_id ?? null,
    jemputBola: (item as { jemput_bola?: boolean }).jemput_bola ?? false,
    fields,
    printed,
    state: 'draft',
    createdAt: now,
    updatedAt: now,
    serverVersion: item.version,
    code: item.code,
    serverStatus: item.status,
    attempts: 0,
    nextAttemptAt: 0,
    message: null,
    fix: true,
    fixNote: item.status === 'PERLU_PERBAIKAN' ? (lastMove(item.timeline, 'PERLU_PERBAIKAN')?.note ?? null) : null,
  };
}
