// Writes NAME.br (brotli, quality 11) and NAME.gz (gzip, level 9) beside every text file in
// dist, which backend/bakso/public/pwa.py sends by the request's Accept-Encoding.
// A script after `vite build` rather than a bundler plugin: vite-plugin-pwa writes sw.js in
// a build of its own after the app's bundle is closed, so a plugin on the app's build does
// not see it; and Node's zlib has both codecs, so this needs no dependency.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

// The same list as COMPRESSIBLE in public/pwa.py. PNGs are compressed already.
const TEXT = /\.(js|css|html|webmanifest|svg|json)$/;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue; // .vite/manifest.json is read by tests, not served
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (TEXT.test(entry.name)) yield path;
  }
}

let raw = 0;
let br = 0;
let count = 0;
for (const path of files(dist)) {
  const data = readFileSync(path);
  const brotli = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  });
  writeFileSync(`${path}.br`, brotli);
  writeFileSync(`${path}.gz`, gzipSync(data, { level: constants.Z_BEST_COMPRESSION }));
  raw += data.length;
  br += brotli.length;
  count += 1;
}
console.log(`compressed ${count} files: ${(raw / 1024).toFixed(1)} KB → ${(br / 1024).toFixed(1)} KB brotli`);
