// The kecamatan and desa screens name. A deployment serves several kabupaten (#16): the
// server answers the user's own (GET /api/v1/regions), which is stored for offline use and
// preferred once fetched; the build's copy (virtual:regions, the default kabupaten's) is only
// the fallback until then, as the catalog's is (lib/catalog.ts).
import built from 'virtual:regions';
import { api } from './api';
import { storedRegions, storeRegions } from './storage';

export interface Regions {
  kabupaten: { code: string; name: string };
  kecamatan: Record<string, string>;
  desa: Record<string, string>;
}

export const BUILT_REGIONS: Regions = built;

/** The regions in use: read at each call (a live binding), so a screen drawn after the
 * server's answer names the user's kabupaten's desa. */
export let regions: Regions = BUILT_REGIONS;

export function setRegions(next: Regions | undefined): Regions {
  regions = next && next.kabupaten?.code ? next : BUILT_REGIONS;
  return regions;
}

interface Region {
  code: string;
  name: string;
}

interface RegionsAnswer {
  kabupaten: Region;
  kecamatan: Region[];
  desa: Region[];
}

/** The server's answer in the shape the screens read. */
export function fromAnswer(answer: RegionsAnswer): Regions {
  return {
    kabupaten: { code: answer.kabupaten.code, name: answer.kabupaten.name },
    kecamatan: Object.fromEntries(answer.kecamatan.map((r) => [r.code, r.name])),
    desa: Object.fromEntries(answer.desa.map((r) => [r.code, r.name])),
  };
}

/** Start-up, offline too: the regions last fetched, else the build's. */
export async function cachedRegions(): Promise<Regions> {
  return setRegions(await storedRegions<Regions>());
}

/** After login and at each online start: the user's kabupaten's regions from the server. */
export async function refreshRegions(): Promise<Regions> {
  const fetched = fromAnswer(await api<RegionsAnswer>('GET', '/api/v1/regions'));
  await storeRegions(fetched);
  return setRegions(fetched);
}

export function regionName(code: string): string {
  return regions.desa[code] ?? regions.kecamatan[code] ?? code;
}

export function kecamatanOf(desa: string): string {
  return desa.split('.').slice(0, 3).join('.');
}

export interface DesaGroup {
  kecamatan: string;
  name: string;
  desa: [string, string][];
}

const byName = (a: [string, string], b: [string, string]) => a[1].localeCompare(b[1]);

/** The desa a select offers, by kecamatan (each sorted by name): only the chosen kecamatan's,
 * or with none chosen every kecamatan's, so that same-named desa of different kecamatan
 * (Sumbawa has two "Jorok") are told apart by the group they stand in. */
export function desaGroups(kecamatan = ''): DesaGroup[] {
  // A desa whose kecamatan the table lacks still gets a group (named by its code).
  const codes = new Set([...Object.keys(regions.kecamatan), ...Object.keys(regions.desa).map(kecamatanOf)]);
  return [...codes]
    .filter((code) => !kecamatan || code === kecamatan)
    .map((code): [string, string] => [code, regions.kecamatan[code] ?? code])
    .sort(byName)
    .map(([code, name]) => ({
      kecamatan: code,
      name,
      desa: Object.entries(regions.desa)
        .filter(([desa]) => kecamatanOf(desa) === code)
        .sort(byName),
    }))
    .filter((group) => group.desa.length > 0);
}
