// The catalogs every screen has (i18n/index.ts) against the keys the code outside Dukcapil's
// chunk uses: Dukcapil's strings (i18n/dukcapil.ts) load only with that chunk, so a key of
// theirs on an operator's screen would show as the bare key. A file of its own: the other
// i18n test loads Dukcapil's catalogs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOGS } from '../src/i18n';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(name)) yield path;
  }
}

describe('the catalogs of every screen', () => {
  it('hold every key used outside Dukcapil chunk', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const path of sources(SRC)) {
      const text = readFileSync(path, 'utf8');
      if (path.includes('/screens/dukcapil/') || text.includes("i18n/dukcapil'") || path.endsWith('i18n/dukcapil.ts')) continue;
      if (text.includes("i18n/reports'")) continue; // the overseer's chunk brings its own (i18n/reports.ts)
      for (const [, key] of text.matchAll(/\bt\('([\w.]+)'/g)) {
        checked += 1;
        if (!(key in CATALOGS.id) || !(key in CATALOGS.en)) missing.push(`${path.slice(SRC.length)}: ${key}`);
      }
      for (const [, prefix] of text.matchAll(/\bt\(`([\w.]+\.)\$\{/g)) {
        checked += 1;
        if (!Object.keys(CATALOGS.id).some((key) => key.startsWith(prefix))) missing.push(`${path.slice(SRC.length)}: ${prefix}…`);
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(missing).toEqual([]);
  });
  it('leave out the Dukcapil screens strings', () => {
    expect(Object.keys(CATALOGS.id).filter((key) => key.startsWith('dk.batch') || key.startsWith('audit.') || key.startsWith('imp.'))).toEqual([]);
  });
});
