/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// The server's data files are the single source: region codes and the NIK test vectors.
const DATA_DIR = fileURLToPath(new URL('../backend/bakso/data/', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** `virtual:regions`: kecamatan and desa of the kabupaten, built from the default kabupaten's wilayah.csv. */
function regions(): Plugin {
  const id = 'virtual:regions';
  return {
    name: 'bakso-regions',
    resolveId: (source) => (source === id ? '\0' + id : undefined),
    load(loaded) {
      if (loaded !== '\0' + id) return undefined;
      const file = DATA_DIR + 'kabupaten/52.03/wilayah.csv';
      this.addWatchFile(file);
      const [header, ...rows] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
      if (header !== 'kode,nama,tingkat,kode_induk') throw new Error(`unexpected header in ${file}`);
      const data = { kabupaten: { code: '', name: '' }, kecamatan: {} as Record<string, string>, desa: {} as Record<string, string> };
      for (const row of rows) {
        const [code, name, level] = row.split(',');
        if (level === 'kabupaten') data.kabupaten = { code, name };
        else if (level === 'kecamatan') data.kecamatan[code] = name;
        else data.desa[code] = name;
      }
      return `export default ${JSON.stringify(data)};`;
    },
  };
}

/**
 * The chunks the service worker does not precache: those only the given lazy screens load.
 * Dukcapil's screens (an office PC, always online) and the coverage dashboard (its figures
 * come from the API, so offline it says "needs signal" with or without its code) are no
 * offline job of the operator's, and the precache is part of every operator's first visit
 * (DESIGN §6). Found from the bundle's import graph, so a renamed or split chunk stays out,
 * and a chunk the operator's screens also import stays in. Loaded when opened, they are
 * kept by the HTTP cache like any hashed asset (public/pwa.py: a year, immutable).
 */
function onlineOnlyChunks(screens: string[]): Plugin & { files: Set<string> } {
  const files = new Set<string>();
  const lazy = new Set(screens.map((screen) => fileURLToPath(new URL(screen, import.meta.url))));
  return {
    name: 'bakso-online-only-chunks',
    apply: 'build',
    files,
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).flatMap((file) => (file.type === 'chunk' ? [file] : []));
      // Only the app's own build (vite builds the compression worker on its own).
      if (!chunks.some((chunk) => chunk.isEntry && chunk.facadeModuleId?.endsWith('/index.html'))) return;
      const isLazy = (name: string) => lazy.has((bundle[name] as { facadeModuleId?: string | null }).facadeModuleId ?? '');
      const reach = (start: string[], skip: (name: string) => boolean) => {
        const seen = new Set<string>();
        const todo = start.filter((name) => !skip(name));
        while (todo.length) {
          const name = todo.pop()!;
          if (seen.has(name)) continue;
          seen.add(name);
          const chunk = bundle[name];
          if (chunk.type !== 'chunk') continue;
          for (const next of [...chunk.imports, ...chunk.dynamicImports]) if (!skip(next)) todo.push(next);
          for (const css of chunk.viteMetadata?.importedCss ?? []) if (!skip(css)) seen.add(css);
        }
        return seen;
      };
      const operator = reach(chunks.filter((chunk) => chunk.isEntry).map((chunk) => chunk.fileName), isLazy);
      const lazyEntries = chunks.filter((chunk) => isLazy(chunk.fileName)).map((chunk) => chunk.fileName);
      if (lazyEntries.length !== lazy.size) throw new Error(`online-only screens not all found as chunks: ${[...lazy]}`);
      for (const name of reach(lazyEntries, (name) => operator.has(name))) files.add(name);
    },
  };
}

/**
 * The login screen's code in one chunk fetched first. Rolldown would put the modules the lazy
 * chunks share with the entry into common chunks of their own (here three files), and Vite
 * links the entry's few bytes first; on HTTP/1.1 each file takes a connection, a new one a
 * round trip more (400 ms on slow 3G). So main.tsx's whole static graph is one chunk (its
 * entry chunk is a stub that imports it), and its modulepreload link goes first in the
 * shell, on the connection that fetched the shell. The modules both the operator's and
 * Dukcapil's chunks import join it (2 KB): else they make a chunk of their own, one more
 * fetch in the service worker's install (a new one shows in the build's list of chunks).
 */
const CORE = [
  {
    name: 'core',
    test: /\/src\/(main\.tsx|lib\/(officer|retention|sasaran-links)\.ts)$/,
    includeDependenciesRecursively: true,
  },
];

function coreFirst(): Plugin {
  return {
    name: 'bakso-core-first',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const preloads = html.match(/^\s*<link rel="modulepreload"[^>]*>\n/gm) ?? [];
        const script = html.match(/^\s*<script type="module"[^>]*><\/script>\n/m);
        if (!script || !preloads.length) return html;
        const rest = preloads.reduce((page, link) => page.replace(link, ''), html);
        return rest.replace(script[0], preloads.join('') + script[0]);
      },
    },
  };
}

// The overseer's screen (#19) too: no desa device needs it offline.
const onlineOnly = onlineOnlyChunks(['./src/screens/dukcapil/index.tsx', './src/screens/coverage.tsx', './src/screens/reports.tsx']);

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  // The manifest (dist/.vite/, not served) lets tests/e2e/test_build.py find the chunks by source.
  build: {
    target: 'es2020',
    sourcemap: false,
    assetsInlineLimit: 0,
    manifest: true,
    rolldownOptions: { output: { codeSplitting: { groups: CORE } } },
  },
  plugins: [
    regions(),
    coreFirst(),
    onlineOnly,
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      // 'prompt': a waiting worker takes over only when the operator presses "Muat ulang".
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        id: '/',
        name: 'BAKSO — Loket Adminduk Desa',
        short_name: 'BAKSO',
        description: 'Permohonan dokumen kependudukan dari kantor desa ke Dukcapil, juga saat tanpa sinyal.',
        lang: 'id',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: '#0b5d3b',
        background_color: '#ffffff',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      // The favicon the shell links, not the manifest's 512 px icons nor the apple-touch-icon:
      // a browser fetches those when installing to the home screen, online, and each entry is
      // one more fetch before the app is offline-capable. The .br/.gz copies are never matched.
      includeManifestIcons: false,
      injectManifest: {
        // The manifest is added by the plugin itself.
        globPatterns: ['**/*.{js,css,html,svg}', 'icons/icon-192.png'],
        manifestTransforms: [
          async (entries) => ({ manifest: entries.filter((entry) => !onlineOnly.files.has(entry.url)), warnings: [] }),
        ],
      },
    }),
  ],
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
  },
});
