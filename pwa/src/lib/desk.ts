// Dukcapil's desk (screens/dukcapil/queue.tsx): what the request table shows and asks for,
// as pure functions. The server does the searching (GET /requests?q=, services/request_search.py);
// these mirror its rules only to word the hint and the counts.
import { formatNumber } from './locale';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days a request has been in its status (never negative: clocks differ a little). */
export function ageDays(since: string, now: Date = new Date()): number {
  const start = Date.parse(since);
  if (Number.isNaN(start)) return 0;
  return Math.max(0, Math.floor((now.getTime() - start) / DAY_MS));
}

export type SearchKind = 'code' | 'nik' | 'name';

/** What the server will take the text for: a code, a NIK (16 digits), a name; null if too short. */
export function searchKind(text: string): SearchKind | null {
  const compact = text.replace(/\s+/g, '');
  if (/^[0-9]{16}$/.test(compact)) return 'nik';
  if (/^[A-Z0-9]{1,8}-[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(compact.toUpperCase())) return 'code';
  const name = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim();
  return name.length >= 2 ? 'name' : null;
}

export interface StatusCount {
  status: string;
  label: string;
  count: number;
  older_than_7: number;
  older_than_14: number;
  capped: boolean;
}

/** A count as the desk shows it: Indonesian digits, "+" when the server stopped at its cap. */
export function countText(n: number, capped: boolean, lang = 'id'): string {
  return `${formatNumber(n, lang)}${capped ? '+' : ''}`;
}

export interface DeskFilters {
  status: string;
  kecamatan: string;
  desa: string;
  service: string;
  age: string;
  q: string;
}

/** The list call's parameters: a search keeps the place and service filters, as the server does. */
export function listParams(filters: DeskFilters, cursor: string | null, limit = 50): Record<string, string | number | null> {
  return {
    q: filters.q.trim() || null,
    status: filters.status,
    kecamatan: filters.kecamatan,
    desa: filters.desa,
    service: filters.service,
    older_than_days: filters.age,
    cursor,
    limit,
  };
}

/**
 * The filters a desk link carries (#/dukcapil/permohonan?status=…&q=…). A bare link opens the
 * requests accepted and waiting (DITERIMA); a link with filters but no status means every status.
 */
export function filtersFromHash(hash: string): DeskFilters {
  const params = new URLSearchParams(hash.split('?')[1] ?? '');
  const bare = [...params.keys()].length === 0;
  return {
    status: params.get('status') ?? (bare ? 'DITERIMA' : ''),
    kecamatan: params.get('kecamatan') ?? '',
    desa: params.get('desa') ?? '',
    service: params.get('service') ?? '',
    age: params.get('older_than_days') ?? '',
    q: params.get('q') ?? '',
  };
}
