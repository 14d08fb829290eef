// DESIGN §6 on every build, from the files as served (brotli, the .br copies compress.mjs
// wrote): the login screen's JS+CSS ≤ 50 KB, and the whole first visit (the page, sw.js and
// the service worker's precache) ≤ 100 KB. Fails the build when over. Bodies only: `make
// bench` measures the same on the wire, HTTP headers included (a few hundred bytes each).
// The login screen's files are the entry chunk of index.html, the chunks it imports
// statically and their CSS (dist/.vite/manifest.json): lazy chunks and the compression
// worker are fetched later (the precache, or the first use).
import { existsSync, readFileSync, statSync } from 'node:fs';

const LOGIN_BUDGET = 50 * 1024;
const VISIT_BUDGET = 100 * 1024;
const dist = new URL('../dist/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', dist), 'utf8'));

/** Bytes as served: the brotli copy when there is one (PNGs are sent as they are). */
function served(name) {
  const br = new URL(`${name}.br`, dist);
  return existsSync(br) ? statSync(br).size : statSync(new URL(name, dist)).size;
}

const login = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (login.has(chunk.file)) return;
  login.add(chunk.file);
  for (const css of chunk.css ?? []) login.add(css);
  for (const next of chunk.imports ?? []) visit(next);
};
visit('index.html');

const sw = readFileSync(new URL('sw.js', dist), 'utf8');
const precached = [...new Set([...sw.matchAll(/\{"revision":(?:"[0-9a-f]+"|null),"url":"([^"]+)"\}/g)].map((m) => m[1]))];
if (!precached.length) throw new Error('no precache manifest found in dist/sw.js');

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const loginTotal = [...login].reduce((sum, name) => sum + served(name), 0);
const visitTotal = served('sw.js') + precached.reduce((sum, name) => sum + served(name), 0);
console.log(`login screen (brotli): ${[...login].map((name) => `${name} ${kb(served(name))}`).join(', ')} = ${kb(loginTotal)} of ${kb(LOGIN_BUDGET)}`);
console.log(`first visit (brotli): sw.js and ${precached.length} precached files = ${kb(visitTotal)} of ${kb(VISIT_BUDGET)}`);
let over = false;
if (loginTotal > LOGIN_BUDGET) {
  console.error(`login screen over budget by ${kb(loginTotal - LOGIN_BUDGET)}`);
  over = true;
}
if (visitTotal > VISIT_BUDGET) {
  console.error(`first visit over budget by ${kb(visitTotal - VISIT_BUDGET)}`);
  over = true;
}
if (over) process.exit(1);
