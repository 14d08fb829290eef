// The device's storage as the screens see it: named reads and writes over db.ts (which alone
// owns the IndexedDB schema). Screens import this module, never db.ts
// (pwa/test/storage.test.ts fails if one does); the outbox and the worklist keep their own
// stores in lib/outbox.ts and lib/sasaran.ts.
import type { Lang } from '../i18n';
import { db, getKv, setKv, type LocalRequest, type SasaranRow, type ServerRequest } from './db';

export {
  deleteLocalRequest,
  saveRequestWithScans,
  SaveNotVerified,
  scansOf,
  type Applicant,
  type LocalFollowup,
  type LocalRequest,
  type LocalScan,
  type SasaranRow,
  type ServerRequest,
  type Subject,
} from './db';

/** A request not yet confirmed by the server (the outbox's copy). */
export async function localRequest(id: string): Promise<LocalRequest | undefined> {
  return (await db()).get('requests', id);
}

/** The server's view of a request as last fetched (list or detail). */
export async function cachedServerRequest(id: string): Promise<ServerRequest | undefined> {
  return (await db()).get('server', id);
}

/** Everything of the server's list kept for offline use, newest first. */
export async function cachedServerList(): Promise<ServerRequest[]> {
  return (await (await db()).getAll('server')).sort((a, b) => b.created_at.localeCompare(a.created_at));
}

/** Keep a request's full detail (timeline, scans) as the server just showed it. */
export async function cacheServerRequest(item: ServerRequest): Promise<void> {
  await (await db()).put('server', item);
}

/** Merge a page of the server's list into the cache; detail fetched earlier (timeline, scans) stays. */
export async function mergeServerList(items: ServerRequest[]): Promise<void> {
  const tx = (await db()).transaction('server', 'readwrite');
  for (const item of items) {
    const old = await tx.store.get(item.id);
    await tx.store.put({ ...old, ...item });
  }
  await tx.done;
}

/** Forget the server's list (logout, another user): the outbox stays. */
export async function forgetServerList(): Promise<void> {
  await (await db()).clear('server');
}

/** A row of the cached desa worklist. */
export async function cachedSasaranRow(id: string): Promise<SasaranRow | undefined> {
  return (await db()).get('sasaran', id);
}

/** The CSRF token of a logout made offline, to end the server's session once online (null: none). */
export async function pendingLogout(): Promise<string | null | undefined> {
  return getKv<string | null>('logoutPending');
}

export async function setPendingLogout(csrf: string | null): Promise<void> {
  await setKv('logoutPending', csrf);
}

export async function savedLanguage(): Promise<Lang | undefined> {
  return getKv<Lang>('lang');
}

export async function saveLanguage(lang: Lang): Promise<void> {
  await setKv('lang', lang);
}
