/// <reference lib="webworker" />
// The service worker: precaches the app shell (so a reload offline shows the app), answers
// navigations with it, and sends the outbox on Background Sync. It waits until the page says
// SKIP_WAITING (the operator pressed "Muat ulang"), so an update never reloads over unsaved work.
// It never touches the API, uploads or other origins: those always go to the network.
// Dukcapil's screens and the coverage dashboard are not precached (vite.config.ts says why).
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
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
precacheAndRoute(self.__WB_MANIFEST);
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), {
    denylist: [/^\/api\//, /^\/blobs\//, /^\/cek(\/|$)/, /^\/healthz$/],
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
