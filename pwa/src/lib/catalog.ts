// The service catalog: fetched from the server, cached for offline use. It is data Dukcapil
// edits, so the PWA ships no copy of its own.
import { api } from './api';
import { storedCatalog, storeCatalog } from './storage';

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
  requirements: Requirement[];
}

export async function cachedCatalog(): Promise<Service[]> {
  return (await storedCatalog<Service[]>()) ?? [];
}

export async function refreshCatalog(): Promise<Service[]> {
  const { services } = await api<{ services: Service[] }>('GET', '/api/v1/catalog');
  await storeCatalog(services);
  return services;
}

/** Mandatory requirements not yet met; one document of a one_of group meets the group. */
export function missing(service: Service, have: Iterable<string>): Requirement[] {
  const got = new Set(have);
  const groupsMet = new Set(service.requirements.filter((r) => r.one_of && got.has(r.code)).map((r) => r.one_of));
  return service.requirements.filter((r) => r.required && !got.has(r.code) && !(r.one_of && groupsMet.has(r.one_of)));
}
