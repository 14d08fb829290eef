// The device's storage: named reads and writes over db.ts (which alone owns the IndexedDB
// schema). This is the only module that imports db.ts; screens and the other lib modules
// (the outbox, the worklist, the session and the catalog) go through it
// (pwa/test/storage.test.ts fails if one imports db.ts or opens a store itself).
import type { Lang } from '../i18n';
import {
  db,
  getKv,
  setKv,
  type LocalFollowup,
  type LocalRequest,
  type LocalScan,
  type SasaranRow,
  type ServerRequest,
} from './db';

export {
  deleteLocalRequest,
  finishRequest,
  saveRequestWithScans,
  SaveNotVerified,
  EditConflict,
  scansOf,
  type Applicant,
  type FollowupState,
  type LocalFollowup,
  type LocalRequest,
  type LocalScan,
  type SasaranRow,
  type ServerRequest,
  type Subject,
} from './db';

// --- server list cache ---------------------------------------------------------------------

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

/** Forget the server's list and the PINs held for its receipts (logout, another user): the outbox stays. */
export async function forgetServerList(): Promise<void> {
  const tx = (await db()).transaction(['server', 'kv'], 'readwrite');
  await Promise.all([tx.objectStore('server').clear(), tx.objectStore('kv').delete('pins'), tx.done]);
}

// --- the request outbox (lib/outbox.ts) ----------------------------------------------------

/** Change a local request in one transaction; resolves to the changed item (undefined: gone). */
export async function patchLocalRequest(id: string, changes: Partial<LocalRequest>): Promise<LocalRequest | undefined> {
  const tx = (await db()).transaction('requests', 'readwrite');
  const current = await tx.store.get(id);
  if (current) await tx.store.put({ ...current, ...changes });
  await tx.done;
  return current ? { ...current, ...changes } : undefined;
}

/** Change a stored scan in one transaction (nothing happens when it is gone). */
export async function patchScan(id: string, changes: Partial<LocalScan>): Promise<void> {
  const tx = (await db()).transaction('scans', 'readwrite');
  const current = await tx.store.get(id);
  if (current) await tx.store.put({ ...current, ...changes });
  await tx.done;
}

/** Count one more failed server-side check of a scan, in one transaction; resolves to the count. */
export async function countScanFailure(id: string): Promise<number> {
  const tx = (await db()).transaction('scans', 'readwrite');
  const current = await tx.store.get(id);
  const failures = (current?.failures ?? 0) + 1;
  if (current) await tx.store.put({ ...current, failures });
  await tx.done;
  return failures;
}

/** Local requests waiting to be sent (any owner, unordered). */
export async function queuedRequests(): Promise<LocalRequest[]> {
  return (await db()).getAllFromIndex('requests', 'state', 'queued');
}

/** Everything still on this device, newest first. */
export async function localRequests(): Promise<LocalRequest[]> {
  const items = await (await db()).getAll('requests');
  return items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

// --- the resident's download PIN (lib/pin.ts) ------------------------------------------

const PINS = 'pins';

/** The PIN of a request the server holds, kept until its receipt has been opened once. */
export async function heldPin(id: string): Promise<string | undefined> {
  return (await getKv<Record<string, string>>(PINS))?.[id];
}

/** Keep (or, with null, forget) a request's PIN, in one transaction over the kv store. */
async function setPin(id: string, pin: string | null): Promise<void> {
  const tx = (await db()).transaction('kv', 'readwrite');
  const pins = { ...((await tx.store.get(PINS)) as Record<string, string> | undefined) };
  if (pin) pins[id] = pin;
  else delete pins[id];
  await Promise.all([tx.store.put(pins, PINS), tx.done]);
}

export const holdPin = (id: string, pin: string): Promise<void> => setPin(id, pin);
export const forgetPin = (id: string): Promise<void> => setPin(id, null);

// --- the desa worklist and its follow-ups (lib/sasaran.ts) ---------------------------------

/** A worklist row as the server sends it (the cache adds its position). */
export type ServerSasaranRow = Omit<SasaranRow, 'order'>;

/** The revision of a desa's cached worklist (sent as ?since=) and when the server last confirmed it. */
export interface WorklistStamp {
  /** Absent for a copy stored before the worklist synced by change: it is downloaded whole once. */
  revision?: number;
  etag?: string;
  at: string;
}

const etagKey = (desa: string) => `sasaran-etag:${desa}`;

/** A row of the cached desa worklist. */
export async function cachedSasaranRow(id: string): Promise<SasaranRow | undefined> {
  return (await db()).get('sasaran', id);
}

/** The server's order: by sort key (plain code-unit comparison, as the server sorts), else by position. */
export function worklistOrder(a: SasaranRow, b: SasaranRow): number {
  if (a.sort_key !== undefined && b.sort_key !== undefined && a.sort_key !== b.sort_key) {
    return a.sort_key < b.sort_key ? -1 : 1;
  }
  return a.order - b.order;
}

/** The cached rows of a desa in the server's order (rentan first). */
export async function cachedRows(desa: string): Promise<SasaranRow[]> {
  const rows = await (await db()).getAllFromIndex('sasaran', 'desa', desa);
  return rows.sort(worklistOrder);
}

/** How many rows of a desa are cached. */
export async function cachedRowCount(desa: string): Promise<number> {
  return (await db()).countFromIndex('sasaran', 'desa', desa);
}

export async function worklistStamp(desa: string): Promise<WorklistStamp | undefined> {
  return getKv<WorklistStamp>(etagKey(desa));
}

/** The server said the cached list is current (304): keep its ETag, move the time. */
export async function touchWorklistStamp(desa: string, stored: WorklistStamp | undefined): Promise<void> {
  await setKv(etagKey(desa), { ...stored, at: new Date().toISOString() });
}

/** Replace a desa's cached rows (in this order) and its revision in one transaction. */
export async function replaceWorklist(desa: string, rows: ServerSasaranRow[], revision: number): Promise<void> {
  const tx = (await db()).transaction(['sasaran', 'kv'], 'readwrite');
  const keep = new Set(rows.map((r) => r.id));
  const old = await tx.objectStore('sasaran').index('desa').getAllKeys(desa);
  const stamp: WorklistStamp = { revision, at: new Date().toISOString() };
  await Promise.all([
    ...old.filter((key) => !keep.has(key)).map((key) => tx.objectStore('sasaran').delete(key)),
    ...rows.map((row, order) => tx.objectStore('sasaran').put({ ...row, order })),
    tx.objectStore('kv').put(stamp, etagKey(desa)),
    tx.done,
  ]);
}

/** What changed in a desa's worklist after the cached revision (GET /api/v1/sasaran?since=). */
export interface WorklistChanges {
  rows: ServerSasaranRow[];
  removed: string[];
  revision: number;
}

/**
 * Apply changed rows and tombstones to a desa's cached copy, with its new revision, in one
 * transaction. A row older (lower version) than the cached one is skipped: the answer to this
 * device's own follow-up may be newer than a page read just before it. A tombstone removes the
 * row only from this desa (a row moved away may already be cached under its new one).
 */
export async function applyWorklistChanges(desa: string, changes: WorklistChanges): Promise<void> {
  const tx = (await db()).transaction(['sasaran', 'kv'], 'readwrite');
  const rows = tx.objectStore('sasaran');
  const ends = await rows.index('desa').count(desa);
  const stamp: WorklistStamp = { revision: changes.revision, at: new Date().toISOString() };
  const removed = new Set(changes.removed);
  const writes: Promise<unknown>[] = [];
  for (const id of removed) {
    const cached = await rows.get(id);
    if (cached && cached.desa === desa) writes.push(rows.delete(id));
  }
  let order = ends;
  for (const row of changes.rows) {
    const cached = await rows.get(row.id);
    if (cached && cached.version > row.version) continue;
    writes.push(rows.put({ ...row, order: cached?.order ?? order++ }));
  }
  writes.push(tx.objectStore('kv').put(stamp, etagKey(desa)));
  await Promise.all([...writes, tx.done]);
}

/** Drop every cached worklist row (another officer logs in on this device). */
export async function forgetWorklists(): Promise<void> {
  await (await db()).clear('sasaran');
}

/** Follow-ups still on this device (queued or parked), oldest first. */
export async function localFollowups(): Promise<LocalFollowup[]> {
  const items = await (await db()).getAll('followups');
  return items.sort((a, b) => a.at.localeCompare(b.at));
}

/** Queued follow-ups (any owner), oldest first. */
export async function queuedFollowups(): Promise<LocalFollowup[]> {
  return (await (await db()).getAllFromIndex('followups', 'state', 'queued')).sort((a, b) => a.at.localeCompare(b.at));
}

export async function saveFollowup(item: LocalFollowup): Promise<void> {
  await (await db()).put('followups', item);
}

export async function deleteFollowup(id: string): Promise<void> {
  await (await db()).delete('followups', id);
}

/** Change a stored follow-up (nothing happens when it is gone). */
export async function patchFollowup(id: string, changes: Partial<LocalFollowup>): Promise<void> {
  const database = await db();
  const item = await database.get('followups', id);
  if (item) await database.put('followups', { ...item, ...changes });
}

/** The server stored a follow-up: drop it and keep the row as the server now shows it, in one transaction. */
export async function followupSent(id: string, sasaranId: string, row: ServerSasaranRow): Promise<void> {
  const tx = (await db()).transaction(['followups', 'sasaran'], 'readwrite');
  const cached = await tx.objectStore('sasaran').get(sasaranId);
  await Promise.all([
    tx.objectStore('followups').delete(id),
    cached ? tx.objectStore('sasaran').put({ ...row, order: cached.order }) : Promise.resolve(),
    tx.done,
  ]);
}

// --- small settings (kv) -------------------------------------------------------------------

/** The signed-in session as last stored (lib/api.ts owns its shape). */
export async function storedSession<T>(): Promise<T | undefined> {
  return getKv<T>('session');
}

export async function storeSession(session: unknown): Promise<void> {
  await setKv('session', session);
}

/** The service catalog as last fetched (lib/catalog.ts owns its shape). */
export async function storedCatalog<T>(): Promise<T | undefined> {
  return getKv<T>('catalog');
}

export async function storeCatalog(services: unknown): Promise<void> {
  await setKv('catalog', services);
}

/** The notifier's channel the catalog answer named ("SMS", "WhatsApp"; null: none). */
export async function storedChannel(): Promise<string | null | undefined> {
  return getKv<string | null>('notify_channel');
}

export async function storeChannel(channel: string | null): Promise<void> {
  await setKv('notify_channel', channel);
}

/** The form definitions as last fetched (GET /api/v1/forms; lib/forms.ts owns their shape). */
export async function storedForms<T>(): Promise<T | undefined> {
  return getKv<T>('forms');
}

export async function storeForms(forms: unknown): Promise<void> {
  await setKv('forms', forms);
}

/** The regions of the user's kabupaten as last fetched (lib/regions.ts owns their shape). */
export async function storedRegions<T>(): Promise<T | undefined> {
  return getKv<T>('regions');
}

export async function storeRegions(regions: unknown): Promise<void> {
  await setKv('regions', regions);
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
