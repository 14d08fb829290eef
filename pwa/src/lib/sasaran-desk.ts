// Dukcapil's view of one desa's worklist (screens/dukcapil/worklist.tsx): read online page by
// page with the API's cursor, and a row withdrawn (DELETE, docs/sasaran-import.md). Nothing is
// kept on the device: an office PC has no use for an offline copy of every desa's residents.
import { api } from './api';
import { linksOf } from './sasaran-links';
import type { ServerSasaranRow } from './storage';

export type DeskRow = ServerSasaranRow;

export const DESK_ROUTE = '#/dukcapil/sasaran-desa';
const PAGE = 50;

export interface Place {
  kecamatan: string;
  desa: string;
}

/** The kecamatan and desa in the route's query; a desa alone brings its kecamatan (its code's prefix). */
export function placeFromHash(hash: string): Place {
  const params = new URLSearchParams(hash.split('?')[1] ?? '');
  const desa = params.get('desa') ?? '';
  const kecamatan = params.get('kecamatan') || desa.split('.').slice(0, 3).join('.');
  return { kecamatan, desa };
}

/** The route that reopens this place (the way back, a link to hand a colleague). */
export function placeHash(place: Place): string {
  const params = new URLSearchParams();
  if (place.kecamatan) params.set('kecamatan', place.kecamatan);
  if (place.desa) params.set('desa', place.desa);
  const query = params.toString();
  return query ? `${DESK_ROUTE}?${query}` : DESK_ROUTE;
}

export function pagePath(desa: string, cursor: string | null): string {
  const params = new URLSearchParams({ desa, limit: String(PAGE) });
  if (cursor) params.set('cursor', cursor);
  return `/api/v1/sasaran?${params.toString()}`;
}

export async function deskPage(desa: string, cursor: string | null): Promise<{ items: DeskRow[]; next: string | null }> {
  const page = await api<{ items: DeskRow[]; cursor: string | null }>('GET', pagePath(desa, cursor));
  return { items: page.items, next: page.cursor };
}

/** Take a row off its desa's worklist; a row already withdrawn answers 204 as well. */
export async function withdrawRow(id: string): Promise<void> {
  await api<void>('DELETE', `/api/v1/sasaran/${encodeURIComponent(id)}`);
}

/**
 * The rows to show: the pages read, less those withdrawn here, each once (a row that moved in
 * the list between two pages could come twice).
 */
export function shownRows(pages: DeskRow[], withdrawn: ReadonlySet<string>): DeskRow[] {
  const seen = new Set<string>();
  return pages.filter((row) => {
    if (withdrawn.has(row.id) || seen.has(row.id)) return false;
    seen.add(row.id);
    return true;
  });
}

/** Where a row stands, in the words of the catalog key `wl.state.<kind>`. */
export type RowState = { kind: 'served' } | { kind: 'followed'; label: string } | { kind: 'open' };

export function rowState(row: Pick<DeskRow, 'served' | 'followup'>): RowState {
  if (row.served) return { kind: 'served' };
  if (row.followup) return { kind: 'followed', label: row.followup.label };
  return { kind: 'open' };
}

/** Each lacking document with the status of the request last linked for it (null: none yet). */
export function documentStatuses(row: Pick<DeskRow, 'documents' | 'requests' | 'request'>): { label: string; status: string | null }[] {
  const links = linksOf(row);
  return row.documents.map((doc) => ({ label: doc.label, status: links.find((l) => l.document === doc.code)?.status ?? null }));
}
