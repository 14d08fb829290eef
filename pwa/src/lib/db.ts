// The one module that owns the IndexedDB schema and its version. Stores above it:
//   requests  the outbox: drafts and requests waiting to be sent (personal data + state)
//   scans     the photographed pages, as Blobs, one record per page
//   server    the operator's recent requests as the server last showed them (offline list)
//   kv        session, catalog and small settings
//   sasaran   the desa's worklist rows as the server last showed them (v2; offline worklist)
//   followups follow-ups recorded on the device, waiting to be sent (v2; an outbox of their own)
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RequestFields } from './wire';

export const DB_NAME = 'bakso';
export const DB_VERSION = 2;

export type ItemState = 'draft' | 'queued' | 'attention';

export interface Applicant {
  nik: string;
  name: string;
  kk: string | null;
  phone: string | null;
  address: string | null;
  /** Consent, for this request only, to status messages by SMS/WhatsApp to `phone` (#18). */
  notify?: boolean;
}

export interface Subject {
  name: string;
  nik: string | null;
  birth_date: string | null;
  birth_place: string | null;
  sex: 'L' | 'P' | null;
}

export interface LocalRequest {
  id: string; // the request's UUID, made on the device: the server's idempotency key
  owner: string; // username that created it; only that officer's session sends it
  desa: string;
  service: string;
  applicant: Applicant;
  subject: Subject | null;
  notes: string;
  state: ItemState;
  createdAt: string;
  updatedAt: string;
  /** The server's version of the request this item was based on (0: new). */
  serverVersion: number;
  code: string | null;
  serverStatus: string | null;
  /** Consecutive failed attempts without progress, and when to try again (ms epoch). */
  attempts: number;
  nextAttemptAt: number;
  /** For 'attention': the server's message. For 'queued': the last transient error. */
  message: string | null;
  /** Edited from the server's copy (a correction of a request Dukcapil returned, or a draft
   * the server holds, opened on another device): its checked scans on the server stay. */
  fix?: boolean;
  /** Dukcapil's reason for the return, shown while the operator corrects it. */
  fixNote?: string | null;
  /** The worklist row this request serves (v2). */
  sasaranId?: string | null;
  /** Taken at the resident's home (v2). */
  jemputBola?: boolean;
  /** The service's form (docs/forms.md `fields`), as sent; absent on items saved before #17. */
  fields?: Record<string, unknown>;
  /** The server's refusal of those fields when the item was parked (422 `errors[]`), shown on
   * each field when the operator opens it; cleared by the next save. */
  fieldErrors?: { field: string; code?: string; message: string }[];
  /** Per requirement a form fills: what its printed form showed (lib/printed.ts printStamp). */
  printed?: Record<string, string>;
  /** The resident's download PIN (lib/pin.ts), made before the first submit and sent with
   * every replay of it; once the server holds the request it moves to storage.holdPin. */
  pin?: string;
}

export interface LocalScan {
  id: string;
  requestId: string;
  requirement: string;
  page: number;
  blob: Blob;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Set once the server has checked this exact file (complete → ok). */
  done: boolean;
  /** The bytes were PUT once: after a crash, ask the server to check before sending again. */
  uploaded?: boolean;
  failures: number;
  /** A correction: the id of the page on the server this photo replaces ("Ganti foto ini"). */
  replaces?: string;
  /** The photo check's flags the operator kept the photo despite ("Tetap pakai"); sent with the scan's registration. */
  quality?: ('dark' | 'blurred' | 'small')[];
  /** The printed form's stamp while the data still matched it when this page was added (lib/printed.ts). */
  signed?: string;
}

/** A request as GET /api/v1/requests returns it (only the fields the PWA reads). */
export interface ServerRequest extends RequestFields {
  token: string | null;
  requirements?: { code: string; label: string; required: boolean; one_of: string | null; satisfied: boolean }[];
}

export interface SasaranDocument {
  code: string;
  label: string;
  service: string;
}

export interface SasaranLink {
  /** The document code it issues; '?' for a link kept from before links were per document. */
  document: string;
  id: string;
  status: string | null;
  /** False once DITOLAK or DIBATALKAN: another request for the document may be started. */
  live: boolean;
}

export interface SasaranFollowup {
  id: string;
  outcome: string;
  label: string;
  note: string;
  at: string;
  by: string;
}

/** A worklist row as GET /api/v1/sasaran returns it (only the fields the PWA reads). */
export interface SasaranRow {
  id: string;
  desa: string;
  desa_name: string;
  name: string;
  nik: string | null;
  address: string;
  documents: SasaranDocument[];
  category: string | null;
  category_label: string | null;
  note: string;
  followup: SasaranFollowup | null;
  followup_count: number;
  /** One per document, the request last linked for it (the server since #14). */
  requests?: SasaranLink[];
  /** A row cached before links were per document: its one linked request. */
  request?: { id: string; status: string | null } | null;
  served: boolean;
  served_at: string | null;
  version: number;
  updated_at: string;
  /** The server's worklist order (rentan first, then by name); rows applied by change sort by it. */
  sort_key?: string;
  /** Position in the server's order when the whole list was last downloaded. */
  order: number;
}

export type FollowupState = 'queued' | 'attention';

/** A follow-up recorded on this device; deleted once the server has stored it. */
export interface LocalFollowup {
  id: string; // made on the device: the server's idempotency key
  sasaranId: string;
  desa: string;
  owner: string;
  outcome: string;
  note: string;
  at: string;
  state: FollowupState;
  attempts: number;
  nextAttemptAt: number;
  message: string | null;
}

interface Schema extends DBSchema {
  requests: { key: string; value: LocalRequest; indexes: { state: string } };
  scans: { key: string; value: LocalScan; indexes: { requestId: string } };
  server: { key: string; value: ServerRequest };
  kv: { key: string; value: unknown };
  sasaran: { key: string; value: SasaranRow; indexes: { desa: string } };
  followups: { key: string; value: LocalFollowup; indexes: { state: string; sasaranId: string } };
}

export type BaksoDB = IDBPDatabase<Schema>;

let opening: Promise<BaksoDB> | null = null;

export function db(): Promise<BaksoDB> {
  opening ??= openDB<Schema>(DB_NAME, DB_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore('requests', { keyPath: 'id' }).createIndex('state', 'state');
        database.createObjectStore('scans', { keyPath: 'id' }).createIndex('requestId', 'requestId');
        database.createObjectStore('server', { keyPath: 'id' });
        database.createObjectStore('kv');
      }
      if (oldVersion < 2) {
        // Only adds stores: the outbox, scans and session of version 1 stay as they are.
        database.createObjectStore('sasaran', { keyPath: 'id' }).createIndex('desa', 'desa');
        const followups = database.createObjectStore('followups', { keyPath: 'id' });
        followups.createIndex('state', 'state');
        followups.createIndex('sasaranId', 'sasaranId');
      }
    },
    blocked() {
      // An old tab holds the previous version open; it reloads when asked by the new one.
    },
    blocking() {
      // A newer version wants to upgrade: let it (this tab's next write reopens or fails loudly).
      void opening?.then((database) => database.close());
      opening = null;
    },
    terminated() {
      opening = null;
    },
  });
  return opening;
}

/** Test hook: forget the open connection (fake-indexeddb is recreated between tests). */
export function resetDbForTests(): void {
  opening = null;
}

export async function getKv<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get('kv', key)) as T | undefined;
}

export async function setKv(key: string, value: unknown): Promise<void> {
  await (await db()).put('kv', value, key);
}

export async function scansOf(requestId: string): Promise<LocalScan[]> {
  const scans = await (await db()).getAllFromIndex('scans', 'requestId', requestId);
  return scans.sort((a, b) => a.requirement.localeCompare(b.requirement) || a.page - b.page);
}

export class SaveNotVerified extends Error {}

/** The stored request is not the one the form loaded: another tab changed or sent it. */
export class EditConflict extends Error {}

/**
 * Write a request and exactly these scans in one transaction, then read them back.
 * Resolves only when what is stored matches what was asked: then the UI may say "tersimpan".
 *
 * `loadedUpdatedAt` is the version the form started from (null: a new request). The write
 * happens only if the store still holds that version and it is not queued: checked inside
 * the transaction, so a second tab that sent or saved it meanwhile is never overwritten
 * (and never deletes this tab's edit when its send completes).
 */
export async function saveRequestWithScans(
  request: LocalRequest,
  scans: LocalScan[],
  loadedUpdatedAt?: string | null,
): Promise<void> {
  const database = await db();
  const tx = database.transaction(['requests', 'scans'], 'readwrite');
  if (loadedUpdatedAt !== undefined) {
    const current = await tx.objectStore('requests').get(request.id);
    if ((current?.updatedAt ?? null) !== loadedUpdatedAt || current?.state === 'queued') {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw new EditConflict(request.id);
    }
  }
  const scanStore = tx.objectStore('scans');
  const keep = new Set(scans.map((s) => s.id));
  const existing = await scanStore.index('requestId').getAllKeys(request.id);
  await Promise.all([
    tx.objectStore('requests').put(request),
    ...existing.filter((key) => !keep.has(key)).map((key) => scanStore.delete(key)),
    ...scans.map((scan) => scanStore.put(scan)),
    tx.done,
  ]);

  const readTx = database.transaction(['requests', 'scans'], 'readonly');
  const [stored, storedScans] = await Promise.all([
    readTx.objectStore('requests').get(request.id),
    readTx.objectStore('scans').index('requestId').getAll(request.id),
  ]);
  const bySha = new Map(storedScans.map((s) => [s.id, s]));
  const intact =
    stored !== undefined &&
    stored.updatedAt === request.updatedAt &&
    storedScans.length === scans.length &&
    scans.every((s) => {
      const got = bySha.get(s.id);
      return got !== undefined && got.sha256 === s.sha256 && got.blob.size === s.size;
    });
  if (!intact) throw new SaveNotVerified('read-back differs from what was written');
}

/**
 * The server has confirmed DIAJUKAN with every scan: drop the local copy (personal data and
 * photos) and keep the server's view for the list, in one transaction.
 */
export async function finishRequest(id: string, server: ServerRequest, sentUpdatedAt?: string): Promise<boolean> {
  const database = await db();
  const tx = database.transaction(['requests', 'scans', 'server'], 'readwrite');
  const current = await tx.objectStore('requests').get(id);
  if (current && sentUpdatedAt !== undefined && current.updatedAt !== sentUpdatedAt) {
    // Edited after this send began (an older tab without the save check): keep the edit,
    // and say why it is not on its way.
    await Promise.all([
      tx.objectStore('server').put(server),
      tx.objectStore('requests').put({ ...current, state: 'attention', message: EDITED_WHILE_SENDING }),
      tx.done,
    ]);
    return false;
  }
  const keys = await tx.objectStore('scans').index('requestId').getAllKeys(id);
  await Promise.all([
    ...keys.map((key) => tx.objectStore('scans').delete(key)),
    tx.objectStore('requests').delete(id),
    tx.objectStore('server').put(server),
    tx.done,
  ]);
  return true;
}

const EDITED_WHILE_SENDING =
  'Diubah saat sedang dikirim: Dukcapil menerima versi sebelumnya. Perubahan ini masih tersimpan di perangkat.';

export async function deleteLocalRequest(id: string): Promise<void> {
  const database = await db();
  const tx = database.transaction(['requests', 'scans'], 'readwrite');
  const keys = await tx.objectStore('scans').index('requestId').getAllKeys(id);
  await Promise.all([...keys.map((key) => tx.objectStore('scans').delete(key)), tx.objectStore('requests').delete(id), tx.done]);
}
