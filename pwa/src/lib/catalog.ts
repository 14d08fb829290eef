// The service catalog: fetched from the server, cached for offline use. It is data Dukcapil
// edits, so the server's copy wins; the build's copy (the same data file) is only the
// fallback until the first answer is stored.
import { api } from './api';
import { storedCatalog, storeCatalog, storedChannel, storeChannel, storedForms, storeForms } from './storage';
import type { FormsFile } from './form-rules';
import builtCatalog from '../../../backend/bakso/data/catalog.json';

export interface Requirement {
  code: string;
  label: string;
  required: boolean;
  one_of: string | null;
}

export interface Service {
  code: string;
  label: string;
  label_en: string;
  referral: string | null;
  /** What Dukcapil issues: a PDF printed on plain A4 at the desa, or a card collected from
   * Dukcapil/UPT. Absent in a copy cached before it was served: printable. */
  document?: 'printable' | 'card';
  requirements: Requirement[];
}

interface CatalogFile {
  services: Array<Omit<Service, 'label_en' | 'referral' | 'document'> & { label_en?: string; referral?: string | null; document?: string }>;
}

/** The catalog this build shipped with (the server's own data file, read as its
 * domain/catalog.py reads it): what the form offers before the first answer from the server
 * has been stored, e.g. when the signal goes right after the first login. */
export const BUILT_CATALOG: Service[] = (builtCatalog as CatalogFile).services.map((s) => ({
  code: s.code,
  label: s.label,
  label_en: s.label_en ?? s.label,
  referral: s.referral ?? null,
  document: s.document === 'card' ? 'card' : 'printable',
  requirements: s.requirements.map((r) => ({ code: r.code, label: r.label, required: Boolean(r.required), one_of: r.one_of ?? null })),
}));

export async function cachedCatalog(): Promise<Service[]> {
  return (await storedCatalog<Service[]>()) ?? BUILT_CATALOG;
}

export async function refreshCatalog(): Promise<Service[]> {
  const answer = await api<{ services: Service[]; notify_channel?: string | null }>('GET', '/api/v1/catalog');
  await storeCatalog(answer.services);
  // A server before the channel was served says nothing: the fallback stays.
  if (answer.notify_channel !== undefined) await storeChannel(answer.notify_channel);
  return answer.services;
}

/** The channel the consent names until the server has said which one is configured: the
 * default notifier's (config.py NOTIFIER "local", "sns" on AWS: both SMS). */
export const BUILT_CHANNEL = 'SMS';

/** The channel residents' messages go by ("SMS", "WhatsApp"); null: none are sent. */
export async function cachedChannel(): Promise<string | null> {
  const stored = await storedChannel();
  return stored === undefined ? BUILT_CHANNEL : stored;
}

/** Mandatory requirements not yet met; one document of a one_of group meets the group. */
export function missing(service: Service, have: Iterable<string>): Requirement[] {
  const got = new Set(have);
  const groupsMet = new Set(service.requirements.filter((r) => r.one_of && got.has(r.code)).map((r) => r.one_of));
  return service.requirements.filter((r) => r.required && !got.has(r.code) && !(r.one_of && groupsMet.has(r.one_of)));
}

/** The form definitions the server last sent (null: none stored yet; the form then uses the
 * build's copy, lib/forms.ts). Kept out of the build's copy here: this module is part of the
 * login screen's bytes, the definitions only of the operator's screens. */
export async function cachedForms(): Promise<FormsFile | null> {
  return (await storedForms<FormsFile>()) ?? null;
}

export async function refreshForms(): Promise<FormsFile> {
  const { choices, services } = await api<FormsFile>('GET', '/api/v1/forms');
  const forms = { choices, services };
  await storeForms(forms);
  return forms;
}
