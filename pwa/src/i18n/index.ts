// UI strings live in data files (id.json, en.json); Bahasa Indonesia is the default.
// Dukcapil's screens bring their own (i18n/dukcapil.ts, in their lazy chunk): the login screen
// of every operator's first visit carries only these (DESIGN §6).
import en from './en.json';
import id from './id.json';
import sasaranEn from './sasaran.en.json';
import sasaranId from './sasaran.id.json';

export type Lang = 'id' | 'en';
export const CATALOGS: Record<Lang, Record<string, string>> = {
  id: { ...id, ...sasaranId },
  en: { ...en, ...sasaranEn },
};

/** Add a lazy chunk's strings (both languages) to the catalogs. */
export function addCatalogs(more: Record<Lang, Record<string, string>>): void {
  for (const lang of Object.keys(CATALOGS) as Lang[]) Object.assign(CATALOGS[lang], more[lang]);
}

let current: Lang = 'id';

export function setLang(lang: Lang): void {
  current = lang in CATALOGS ? lang : 'id';
  if (typeof document !== 'undefined') document.documentElement.lang = current;
}

export function getLang(): Lang {
  return current;
}

/** The string for `key` in the current language, with {name} placeholders filled. */
export function t(key: string, params: Record<string, string | number> = {}): string {
  const template = CATALOGS[current][key] ?? CATALOGS.id[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
