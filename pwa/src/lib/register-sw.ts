// Registers the service worker: vite-plugin-pwa's `registerSW` in "prompt" mode, with
// workbox-window imported statically. The plugin's version fetches workbox-window with
// import() once the app runs, a round trip (400 ms and more on slow 3G) before sw.js is even
// asked for, and the precache with it: offline-capable that much later (DESIGN §6).
import { Workbox } from 'workbox-window';

export interface RegisterOptions {
  /** A new version is installed and waits: offer "Muat ulang". */
  onNeedRefresh(): void;
  /** A new version took this page over (e.g. another tab's "Muat ulang"). */
  onNeedReload(): void;
  onRegistered(registration: ServiceWorkerRegistration | undefined): void;
}

/** Register at once; returns what activates the waiting version (SKIP_WAITING). */
export function registerSW(options: RegisterOptions): () => void {
  const wb = new Workbox('/sw.js', { scope: '/', type: 'classic' });
  let listening = false;
  const prompt = () => {
    if (!listening) {
      listening = true;
      wb.addEventListener('controlling', (event) => {
        if (event.isUpdate) options.onNeedReload();
      });
    }
    options.onNeedRefresh();
  };
  // An installed worker that another tab registered (isExternal) waits like an update of ours.
  wb.addEventListener('installed', (event) => {
    if (event.isUpdate === undefined && event.isExternal) prompt();
  });
  wb.addEventListener('waiting', prompt);
  wb.register({ immediate: true }).then(options.onRegistered, (error: unknown) => {
    console.warn('service worker not registered', error);
  });
  return () => wb.messageSkipWaiting();
}
