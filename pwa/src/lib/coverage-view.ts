// What the coverage screen (screens/coverage.tsx) asks the server for and where a tap leads,
// for each role (#16): an operator sees its desa; a Dukcapil officer its kabupaten per kecamatan,
// then one kecamatan's desa; the province role its kabupaten side by side, then one kabupaten's
// kecamatan (figures only: the server refuses the province any desa).

export interface Scope {
  code: string;
  name: string;
}

export interface CoveragePlace {
  role: string;
  desa: string | null; // the operator's own
  kabupaten: Scope | null; // the province's choice
  kecamatan: Scope | null; // the officer's choice
}

export type Level = 'kabupaten' | 'kecamatan' | 'desa';

/** The query string of /api/v1/stats/coverage (and its CSV/XLSX) for this place. */
export function coverageQuery(place: CoveragePlace): string {
  if (place.role === 'provinsi') {
    return place.kabupaten ? `kabupaten=${encodeURIComponent(place.kabupaten.code)}&level=kecamatan` : 'level=kabupaten';
  }
  if (place.role === 'operator' && place.desa) return `level=desa&desa=${encodeURIComponent(place.desa)}`;
  return place.kecamatan ? `level=desa&kecamatan=${encodeURIComponent(place.kecamatan.code)}` : 'level=kecamatan';
}

/** What tapping a scope of this level opens: a kabupaten (the province), a kecamatan (an
 * officer), or nothing (a desa; a province's kecamatan). */
export function drillFrom(role: string, level: Level): 'kabupaten' | 'kecamatan' | null {
  if (role === 'provinsi') return level === 'kabupaten' ? 'kabupaten' : null;
  return level === 'kecamatan' ? 'kecamatan' : null;
}

export interface SummaryFigures {
  target: number;
  followed_up: number;
  served: number;
  pct_served: number | null;
}

export interface SummaryRow extends SummaryFigures {
  code: string;
  name: string;
}

/** The province's table: one row per kabupaten as the server sent them, then the total. */
export function summaryRows<T extends SummaryRow>(items: T[], total: SummaryFigures, totalName: string): SummaryRow[] {
  const pick = (r: SummaryRow): SummaryRow => ({
    code: r.code,
    name: r.name,
    target: r.target,
    followed_up: r.followed_up,
    served: r.served,
    pct_served: r.pct_served,
  });
  return [...items.map(pick), pick({ ...total, code: '', name: totalName })];
}
