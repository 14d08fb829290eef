// How numbers, sizes and times are written for people: Indonesian style ("10,5 MB", "0,0%")
// and the kabupaten's own clock. One place, so no screen writes "10.0 GB", a UTC time, or an
// ISO week code. The zone is the user's kabupaten's (its kabupaten.json); the server sends it
// with the session (`/auth/me` `timezone`), this is the default until then.
export interface Clock {
  /** IANA zone, e.g. Asia/Makassar. */
  timeZone: string;
  /** What people call it, printed after a time. */
  label: string;
}

const ZONE_LABELS: Record<string, string> = { 'Asia/Jakarta': 'WIB', 'Asia/Pontianak': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' };

let clock: Clock = { timeZone: 'Asia/Makassar', label: 'WITA' };

export function setTimeZone(timeZone: string | undefined | null): void {
  if (!timeZone) return;
  try {
    new Intl.DateTimeFormat('id-ID', { timeZone }); // throws on an unknown zone
  } catch {
    return;
  }
  clock = { timeZone, label: ZONE_LABELS[timeZone] ?? timeZone };
}

export const currentClock = (): Clock => clock;

const tag = (lang: string) => (lang === 'en' ? 'en-GB' : 'id-ID');

export function formatNumber(value: number, lang = 'id', fractionDigits = 0): string {
  return new Intl.NumberFormat(tag(lang), { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(value);
}

export function formatPercent(value: number | null, lang = 'id'): string {
  return value === null ? '—' : `${formatNumber(value, lang, 1)}%`;
}

export function formatBytes(bytes: number, lang = 'id'): string {
  if (bytes < 1024) return `${formatNumber(bytes, lang)} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(Math.round(bytes / 1024), lang)} KB`;
  if (bytes < 1024 ** 3) return `${formatNumber(bytes / 1024 / 1024, lang, 1)} MB`;
  return `${formatNumber(bytes / 1024 ** 3, lang, 1)} GB`;
}

/** "1 Des 2026, 14.05 WITA": the kabupaten's clock, whatever the device's zone. */
export function formatDateTime(iso: string, lang = 'id'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toLocaleString(tag(lang), { dateStyle: 'medium', timeStyle: 'short', timeZone: clock.timeZone });
  return `${text} ${clock.label}`;
}

/** An ISO week ("2026-W49") as people say it: the date its Monday falls on ("30 Nov 2026"). */
export function formatWeek(isoWeek: string, lang = 'id'): string {
  const match = /^(\d{4})-W(\d{2})$/.exec(isoWeek);
  if (!match) return isoWeek;
  const [year, week] = [Number(match[1]), Number(match[2])];
  // Monday of ISO week 1 is the Monday on or before 4 January.
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86_400_000 + (week - 1) * 7 * 86_400_000);
  const day = monday.toLocaleDateString(tag(lang), { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return lang === 'en' ? `week of ${day}` : `pekan ${day}`;
}

/** A calendar day ("2026-12-01", already the kabupaten's) as people write it: "1 Des 2026". */
export function formatDay(isoDate: string, lang = 'id'): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return isoDate;
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return day.toLocaleDateString(tag(lang), { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}
