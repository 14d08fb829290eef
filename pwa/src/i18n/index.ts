// UI strings live in data files (id.json, en.json); Bahasa Indonesia is the default.
import en from './en.json';
import id from './id.json';
import dukcapilEn from './dukcapil.en.json';
import dukcapilId from './dukcapil.id.json';
import sasaranEn from './sasaran.en.json';
import sasaranId from './sasaran.id.json';
import importEn from './import.en.json';
import importId from './import.id.json';
import auditEn from './audit.en.json';
import auditId from './audit.id.json';

export type Lang = 'id' | 'en';
export const CATALOGS: Record<Lang, Record<string, string>> = {
  id: { ...id, ...sasaranId, ...dukcapilId, ...importId, ...auditId },
  en: { ...en, ...sasaranEn, ...dukcapilEn, ...importEn, ...auditEn },
};

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
