// The periods the IKM screen offers (docs/ikm.md): the last 12 calendar months and the
// last 4 quarters, newest first, as the API's ?period=yyyy-mm / ?quarter=yyyy-Qn.
export interface IkmPeriod {
  query: string; // "period=2026-11" or "quarter=2026-Q4"
  label: string;
}

const MONTHS_ID = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `today`'s year and month (1-12) are the kabupaten's; `lang` picks the month names. */
export function ikmPeriods(year: number, month: number, lang: 'id' | 'en'): IkmPeriod[] {
  const names = lang === 'en' ? MONTHS_EN : MONTHS_ID;
  const out: IkmPeriod[] = [];
  for (let back = 0; back < 12; back++) {
    const index = year * 12 + (month - 1) - back;
    const y = Math.floor(index / 12);
    const m = (index % 12) + 1;
    out.push({ query: `period=${y}-${String(m).padStart(2, '0')}`, label: `${names[m - 1]} ${y}` });
  }
  const quarter = Math.floor((month - 1) / 3);
  for (let back = 0; back < 4; back++) {
    const index = year * 4 + quarter - back;
    const y = Math.floor(index / 4);
    const q = (index % 4) + 1;
    out.push({ query: `quarter=${y}-Q${q}`, label: lang === 'en' ? `Quarter ${q} ${y}` : `Triwulan ${q} ${y}` });
  }
  return out;
}

export interface IkmLine {
  code: string;
  kecamatan?: string;
  respondents: number;
}

/** The table's rows: each kecamatan followed by its desa; with `answeredOnly`, only the
 * places with respondents (a month leaves most of ~250 desa empty). */
export function ikmRows<L extends IkmLine>(kecamatan: L[], desa: L[], answeredOnly: boolean): { line: L; level: 'kecamatan' | 'desa' }[] {
  const shown = (line: L) => !answeredOnly || line.respondents > 0;
  return kecamatan.filter(shown).flatMap((k) => [
    { line: k, level: 'kecamatan' as const },
    ...desa.filter((d) => d.kecamatan === k.code && shown(d)).map((d) => ({ line: d, level: 'desa' as const })),
  ]);
}

