// DESIGN §6: the first load ships at most 100 KB of JS+CSS, gzipped. Fails the build when over.
// Counted: every JS and CSS file in dist/assets except the compression worker, which is
// fetched on the first photo (so lazy chunks added later are counted too, conservatively).
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 100 * 1024;
const assets = new URL('../dist/assets/', import.meta.url);
let total = 0;
const counted = [];
for (const name of readdirSync(assets)) {
  if (!/\.(js|css)$/.test(name) || name.includes('.worker-')) continue;
  const size = gzipSync(readFileSync(new URL(name, assets)), { level: 9 }).length;
  counted.push(`${name} ${(size / 1024).toFixed(1)} KB`);
  total += size;
}
console.log(`first load (gzipped): ${counted.join(', ')} = ${(total / 1024).toFixed(1)} KB of ${BUDGET / 1024} KB`);
if (total > BUDGET) {
  console.error(`over budget by ${((total - BUDGET) / 1024).toFixed(1)} KB`);
  process.exit(1);
}
