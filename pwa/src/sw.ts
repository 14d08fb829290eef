/// <reference lib="webworker" />
// The service worker: precaches the app shell (so a reload offline shows the app), answers
// navigations with it, and sends the outbox on Background Sync. It waits until the page says
// SKIP_WAITING (the operator pressed "Muat ulang"), so an update never reloads over unsaved work.
// It never touches the API, uploads or other origins: those always go to the network.
// Dukcapil's screens and the coverage dashboard are not precached (vite.config.ts says why).
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, PrecacheController, PrecacheRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { syncAll } from './lib/outbox';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
}

// Take the page on the first install at once, so the app is offline-ready without a reload.
// An update activates only after SKIP_WAITING, so this never swaps code under a working form.
clientsClaim();
cleanupOutdatedCaches();
// precacheAndRoute() without its install: Workbox fetches the entries one after the other
// (workbox#2528, for precaches of hundreds of files). Ours are a dozen small files, and on
// slow 3G each fetch in turn costs a round trip (400 ms and more): asked for all at once
// (Chromium still runs a few at a time), the app is offline-capable seconds sooner (DESIGN §6). The same strategy stores them, under the same
// cache keys, so the route and the cleanup on activation are Workbox's own.
const precache = new PrecacheController();
precache.addToCacheList(self.__WB_MANIFEST);
self.addEventListener('install', (event) => {
  const entries = [...precache.getURLsToCacheKeys()].map(([url, cacheKey]) =>
    precache.strategy.handleAll({
      params: { cacheKey },
      // A revisioned entry (index.html, the favicon, the manifest) skips the HTTP cache, as Workbox does; a
      // hashed asset may come from it (the page fetched it a moment ago).
      request: new Request(url, { cache: cacheKey === url ? 'default' : 'reload', credentials: 'same-origin' }),
      event,
    }),
  );
  event.waitUntil(Promise.all(entries.flat()));
});
self.addEventListener('activate', (event) => void precache.activate(event));
registerRoute(new PrecacheRoute(precache));
registerRoute(
  new NavigationRoute(precache.createHandlerBoundToURL('index.html'), {
    // Server pages (the resident's, /layanan): never the shell, even where the PWA is installed.
    denylist: [/^\/api\//, /^\/blobs\//, /^\/cek(\/|$)/, /^\/layanan(\/|$)/, /^\/healthz$/],
  }),
);

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') void self.skipWaiting();
});

self.addEventListener('sync', (event) => {
  const sync = event as SyncEvent;
  if (sync.tag !== 'bakso-outbox') return;
  sync.waitUntil(
    syncAll().then((summary) => {
      // Rejecting asks the browser to fire the sync again later (with its own backoff).
      if (summary.pending > 0 && !summary.waitingForLogin) throw new Error('outbox not empty yet');
    }),
  );
});
