// App state shared by the screens: a tiny store (no framework) that components subscribe to.
import { useLayoutEffect, useState } from 'preact/hooks';
import { api, checkSession, getSession, NetworkError, send, type Session } from './api';
import { BUILT_CHANNEL, cachedCatalog, cachedChannel, cachedForms, refreshCatalog, refreshForms, type Service } from './catalog';
import type { FormsFile } from './form-rules';
import { cachedRegions, refreshRegions } from './regions';
import { cachedServerList, mergeServerList, pendingLogout, setPendingLogout, type LocalRequest, type ServerRequest } from './storage';
import { localItems, syncAll, type SyncSummary } from './outbox';
import { readsRequests } from './roles';
import { refreshAttention } from './attention';

export interface State {
  ready: boolean;
  session: Session | undefined;
  online: boolean;
  catalog: Service[];
  /** The channel the resident's consent names (lib/catalog.ts); null: no message is sent. */
  notifyChannel: string | null;
  /** The form definitions the server last sent; null: the build's copy (lib/forms.ts). */
  forms: FormsFile | null;
  local: LocalRequest[];
  server: ServerRequest[];
  lastSync: SyncSummary | null;
  syncing: boolean;
  updateReady: boolean;
  toast: string | null;
  localProblem: boolean; // the device's saved data could not be read at start-up
}

let state: State = {
  ready: false,
  session: undefined,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  catalog: [],
  notifyChannel: BUILT_CHANNEL,
  forms: null,
  local: [],
  server: [],
  lastSync: null,
  syncing: false,
  updateReady: false,
  toast: null,
  localProblem: false,
};

const listeners = new Set<() => void>();
let version = 0; // bumped by every setState: tells a new subscriber what it missed

export function getState(): State {
  return state;
}

export function setState(changes: Partial<State>): void {
  state = { ...state, ...changes };
  version += 1;
  for (const listener of listeners) listener();
}

export function useStore(): State {
  const [, force] = useState(0);
  const rendered = version;
  // Subscribe in the commit, not after the next frame (useEffect): on a slow phone the
  // frame comes late, start-up finishes first, and a missed update left "Memuat…" for
  // good. Anything that changed between this render and subscribing redraws at once.
  useLayoutEffect(() => {
    const listener = () => force((n) => n + 1);
    listeners.add(listener);
    if (version !== rendered) listener();
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return state;
}

let updater: () => void = () => location.reload();

export function setUpdater(fn: () => void): void {
  updater = fn;
}

let updateConsented = false;

/**
 * Activate the waiting service worker and reload: only ever on the operator's request.
 * When nothing is waiting, another tab already activated the new version and only this
 * page runs the old code: a plain reload is the update (waiting for a `controllerchange`
 * that already happened would do nothing).
 */
export function applyUpdate(): void {
  updateConsented = true;
  void (async () => {
    const registration = await navigator.serviceWorker?.getRegistration().catch(() => undefined);
    if (!registration?.waiting) {
      reloadOnce();
      return;
    }
    // workbox-window reports the takeover only when the page was controlled at load time;
    // the first session after install is not, so listen for it here.
    navigator.serviceWorker.addEventListener('controllerchange', reloadOnce, { once: true });
    updater();
  })();
}

let reloading = false;

function reloadOnce(): void {
  if (reloading) return;
  reloading = true;
  location.reload();
}

/** The new version took control: reload if the operator asked, or if nothing is unsaved. */
export function onNewVersionActive(): void {
  if (updateConsented || unsaved.size === 0) reloadOnce();
  else setState({ updateReady: true });
}

/** Forms with input not yet saved register here; the update banner and logout respect them. */
export const unsaved = new Set<string>();

/** Leaving a form with unsaved input (a tap on the menu, the back button) asks first. */
export function leaveNeedsConfirm(from: string, to: string, unsavedForms: number): boolean {
  const screen = (hash: string) => hash.replace(/^#\/?/, '').split('?')[0];
  return unsavedForms > 0 && screen(from) !== screen(to);
}

export async function reloadLocal(): Promise<void> {
  // Read together: each read waits on the browser's IndexedDB, at start-up before the login form.
  const [local, server, session] = await Promise.all([localItems(), cachedServerList(), getSession()]);
  setState({ local, server, session });
}

/** Fetch the operator's recent requests into the offline cache. */
export async function refreshServerList(): Promise<void> {
  const session = state.session;
  if (!session || session.expired || !navigator.onLine || !readsRequests(session.user.role)) return;
  try {
    const page = await api<{ items: ServerRequest[] }>('GET', '/api/v1/requests?limit=100');
    // The list has no timeline or scans: those of an earlier detail fetch stay.
    await mergeServerList(page.items);
    if (session.user.role === 'operator') await refreshAttention();
    await reloadLocal();
  } catch (error) {
    if (!(error instanceof NetworkError)) console.warn('request list not refreshed', error);
  }
}

export async function refreshReference(): Promise<void> {
  // Regions first: the catalog's state change then redraws the screens with both.
  try {
    await refreshRegions();
  } catch {
    await cachedRegions();
  }
  try {
    setState({ catalog: await refreshCatalog(), notifyChannel: await cachedChannel() });
  } catch {
    setState({ catalog: await cachedCatalog(), notifyChannel: await cachedChannel() });
  }
  try {
    setState({ forms: await refreshForms() });
  } catch {
    setState({ forms: await cachedForms() });
  }
}

export async function runSync(force = false): Promise<void> {
  if (state.syncing && !force) return;
  setState({ syncing: true });
  try {
    const summary = await syncAll({ force });
    setState({ lastSync: summary });
    if (summary.sent) await refreshServerList();
  } catch (error) {
    console.error('sync failed', error);
  } finally {
    setState({ syncing: false });
    await reloadLocal();
  }
}

/** A logout made offline: end the server's session (its cookie is HttpOnly) once online. */
async function finishLogout(): Promise<void> {
  const csrf = await pendingLogout();
  if (csrf === undefined || csrf === null) return;
  try {
    await send('/api/v1/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
  } catch {
    return; // still offline: try at the next start
  }
  await setPendingLogout(null);
}

const LOCAL_READ_LIMIT_MS = 8000;

function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from local storage in ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Start-up: local data first (works offline), then the server when reachable. */
export async function boot(): Promise<void> {
  try {
    // A read that never settles (a wedged IndexedDB) must not hold the loading screen.
    await withinTime(
      Promise.all([
        cachedRegions().then(cachedCatalog).then((catalog) => setState({ catalog })),
        cachedChannel().then((notifyChannel) => setState({ notifyChannel })),
        cachedForms().then((forms) => setState({ forms })),
        reloadLocal(),
      ]),
      LOCAL_READ_LIMIT_MS,
    );
    setState({ localProblem: false });
  } catch (error) {
    // Never leave the operator on "Memuat…": show the app (the login form at worst)
    // and say on screen that the saved data could not be read.
    console.error('boot: local data could not be read', error);
    setState({ localProblem: true });
  } finally {
    setState({ ready: true });
  }
  if (!state.session && navigator.onLine) await finishLogout();
  if (state.session && navigator.onLine) {
    await checkSession();
    await reloadLocal();
    if (state.session && !state.session.expired) {
      await refreshReference();
      await refreshServerList();
      await runSync(true);
    }
  }
}

export function toast(message: string): void {
  setState({ toast: message });
  setTimeout(() => {
    if (state.toast === message) setState({ toast: null });
  }, 4000);
}

/** Ask the service worker to send the outbox even if this tab closes (Background Sync). */
export async function requestBackgroundSync(): Promise<void> {
  try {
    if (!navigator.serviceWorker?.controller) return;
    const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
      sync?: { register(tag: string): Promise<void> };
    };
    await registration.sync?.register('bakso-outbox');
  } catch {
    // Background Sync is a bonus; the foreground loop sends anyway.
  }
}
