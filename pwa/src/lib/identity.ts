// NIK and No. KK rules, the same as backend/bakso/domain/identity.py and checked against
// the same vectors (backend/bakso/data/nik_vectors.json) in test/identity.test.ts.
import wilayah from '../data/wilayah.json';

export interface RegionData {
  kabupaten: { code: string; name: string };
  kecamatan: Record<string, string>;
}

export type Kind = 'nik' | 'kk';
export type IdError = 'required' | 'digits' | 'length' | 'date' | 'provinsi';
export type IdWarning = 'outside_kabupaten' | 'other_kecamatan' | 'unknown_kabupaten' | 'unknown_kecamatan';

export interface NumberInfo {
  number: string;
  date: string; // ISO: birth date (NIK) or issue date (KK)
  kecamatan: string;
  sex: 'L' | 'P' | null;
  // `own`: the name of the kabupaten the number is checked for, which the words name (as the
  // server's do); another kabupaten's name is not in the PWA (wilayah.json holds codes only).
  warnings: { code: IdWarning; kecamatan: string; kabupaten: string; own: string }[];
}

export type Parsed = { ok: true; info: NumberInfo } | { ok: false; error: IdError; detail: Record<string, string | number> };

// Today's codes nationwide (scripts/wilayah.py): provinces, and per kabupaten its kecamatan
// numbers as ranges ("5203:1-21"), unpacked once into sets of 4- and 6-digit codes.
const PROVINSI = new Set(wilayah.provinsi.split(' '));
const KABUPATEN = new Set<string>();
const KECAMATAN = new Set<string>();
for (const entry of wilayah.kecamatan.split(' ')) {
  const [kabupaten, runs] = entry.split(':');
  KABUPATEN.add(kabupaten);
  for (const run of runs ? runs.split(',') : []) {
    const [first, last = first] = run.split('-').map(Number);
    for (let n = first; n <= last; n++) KECAMATAN.add(kabupaten + pad(n));
  }
}

/** What python-stdnum's compact does: drop spaces, dashes and dots. */
export function compact(value: string): string {
  return (value ?? '').replace(/[ .-]/g, '').trim();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The latest century in which the date is not in the future. */
function fullYear(yy: number, month: number, day: number, today: Date): number {
  let year = 2000 + yy;
  const ty = today.getFullYear();
  const tm = today.getMonth() + 1;
  const td = today.getDate();
  if (year > ty || (year === ty && (month > tm || (month === tm && day > td)))) year -= 100;
  return year;
}

function realDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

export function parseNumber(
  kind: Kind,
  value: string,
  regions: RegionData,
  options: { desa?: string | null; today?: Date } = {},
): Parsed {
  const number = compact(value);
  if (!number) return { ok: false, error: 'required', detail: {} };
  if (!/^[0-9]+$/.test(number)) return { ok: false, error: 'digits', detail: {} };
  if (number.length !== 16) return { ok: false, error: 'length', detail: { count: number.length } };

  const rawDay = Number(number.slice(6, 8));
  const month = Number(number.slice(8, 10));
  const yy = Number(number.slice(10, 12));
  const female = kind === 'nik' && rawDay > 40;
  const day = female ? rawDay - 40 : rawDay;
  const year = fullYear(yy, month, day, options.today ?? new Date());
  if (!realDate(year, month, day)) return { ok: false, error: 'date', detail: { day: pad(day), month: pad(month) } };

  const kabupaten = `${number.slice(0, 2)}.${number.slice(2, 4)}`;
  const kecamatan = `${kabupaten}.${number.slice(4, 6)}`;
  const ours = regions.kabupaten.code;
  const warnings: NumberInfo['warnings'] = [];
  const own = regions.kabupaten.name;
  const warn = (code: IdWarning) => warnings.push({ code, kecamatan, kabupaten, own });
  if (kabupaten === ours) {
    const desa = options.desa;
    if (!(kecamatan in regions.kecamatan)) warn('unknown_kecamatan');
    else if (desa && desa.split('.').slice(0, 3).join('.') !== kecamatan) warn('other_kecamatan');
  } else {
    // A number keeps its first registration's code, which a split may have retired: only a
    // province that never existed is refused (the same rules as the server's identity.py).
    if (!PROVINSI.has(number.slice(0, 2))) return { ok: false, error: 'provinsi', detail: { provinsi: number.slice(0, 2) } };
    warn('outside_kabupaten');
    if (!KABUPATEN.has(number.slice(0, 4))) warn('unknown_kabupaten');
    else if (!KECAMATAN.has(number.slice(0, 6))) warn('unknown_kecamatan');
  }
  return {
    ok: true,
    info: {
      number,
      date: `${year}-${pad(month)}-${pad(day)}`,
      kecamatan,
      sex: kind === 'nik' ? (female ? 'P' : 'L') : null,
      warnings,
    },
  };
}
