/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// The server's data files are the single source: region codes and the NIK test vectors.
const DATA_DIR = fileURLToPath(new URL('../backend/bakso/data/', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** `virtual:regions`: kecamatan and desa of the kabupaten, built from wilayah_lotim.csv. */
function regions(): Plugin {
  const id = 'virtual:regions';
  return {
    name: 'bakso-regions',
    resolveId: (source) => (source === id ? '\0' + id : undefined),
    load(loaded) {
      if (loaded !== '\0' + id) return undefined;
      const file = DATA_DIR + 'wilayah_lotim.csv';
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

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  build: { target: 'es2020', sourcemap: false, assetsInlineLimit: 0 },
  plugins: [
    regions(),
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
      injectManifest: { globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'] },
    }),
  ],
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
  },
});
