// The offline outbox (DESIGN §3): upsert request → for each scan: register, PUT, complete →
// submit → confirm. Every step is idempotent on the server, so the loop may die anywhere
// (tab closed, browser killed, network gone) and simply run again. Nothing local is deleted
// before the server confirms DIAJUKAN with every scan. 4xx parks the item with the server's
// message; 5xx and network errors retry with backoff; 401 waits for a fresh login.
import { api, ApiError, getSession, notify, putBytes, type Upload } from './api';
import {
  countScanFailure as countFailure,
  finishRequest,
  holdPin,
  localRequests,
  patchLocalRequest as patch,
  patchScan,
  queuedRequests,
  scansOf,
  type LocalRequest,
  type LocalScan,
  type ServerRequest,
} from './storage';
import { call as engineCall, drain, Park, settle, transient, type Outcome as EngineOutcome } from './engine';
import { EDITABLE } from './lifecycle';
import { cachedCatalog } from './catalog';
import { newPin, takesPin } from './pin';
import { syncFollowups } from './sasaran';

export { AuthNeeded, backoff, BACKOFF_BASE_MS, BACKOFF_MAX_MS, Park } from './engine';

/** How often one scan may fail its server-side check before the item is parked. */
export const MAX_SCAN_FAILURES = 3;

export type Outcome = EngineOutcome | 'skipped';

/** Photos sent of this request's photos, and whether the request itself is being saved or submitted. */
export interface Progress {
  photosDone: number;
  photos: number;
  phase: 'data' | 'photos' | 'submit';
}

/** A request the server confirmed in this tab: the operator is shown its code and receipt. */
export interface SentRecently {
  id: string;
  code: string;
  at: number;
}

/** Newest first, this tab only: after a reload the list screen shows the same requests. */
export const sentRecently: SentRecently[] = [];
const SENT_KEPT = 20;

type ProgressListener = (id: string, progress: Progress | null) => void;
const progressListeners = new Set<ProgressListener>();
export const progress = new Map<string, Progress>();

export function onProgress(listener: ProgressListener): () => void {
  progressListeners.add(listener);
  return () => progressListeners.delete(listener);
}

function report(id: string, value: Progress | null): void {
  if (value) progress.set(id, value);
  else progress.delete(id);
  for (const listener of progressListeners) listener(id, value);
}

/** The body of PUT /api/v1/requests/<id>: deterministic, so a replay is recognised as one. */
export function draftBody(item: LocalRequest): Record<string, unknown> {
  const blank = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);
  return {
    service: item.service,
    desa: item.desa,
    applicant: {
      nik: item.applicant.nik,
      name: item.applicant.name.trim(),
      kk: blank(item.applicant.kk),
      phone: blank(item.applicant.phone),
      address: blank(item.applicant.address),
      // Left out when not given, like the fields below: older items replay byte for byte.
      ...(item.applicant.notify ? { notify: true } : {}),
    },
    subject: item.subject
      ? {
          name: item.subject.name.trim(),
          nik: blank(item.subject.nik),
          birth_date: blank(item.subject.birth_date),
          birth_place: blank(item.subject.birth_place),
          sex: item.subject.sex ?? null,
        }
      : null,
    notes: item.notes.trim(),
    version: item.serverVersion,
    // Left out when unset (the server's defaults): older items replay byte for byte.
    ...(item.sasaranId ? { sasaran_id: item.sasaranId } : {}),
    ...(item.jemputBola ? { jemput_bola: true } : {}),
    // As stored (lib/form-state.ts toWire: already trimmed and in the definition's order).
    ...(item.fields && Object.keys(item.fields).length ? { fields: item.fields } : {}),
  };
}

/** The field errors of a 422 refusal, kept on the parked item (`fieldErrors`). */
function fieldErrorsOf(error: unknown): LocalRequest['fieldErrors'] {
  const errors = error instanceof Park ? error.errors : undefined;
  if (!Array.isArray(errors)) return undefined;
  const kept = errors.filter(
    (e): e is { field: string; code?: string; message: string } =>
      typeof e === 'object' && e !== null && typeof (e as { field?: unknown }).field === 'string' && (e as { field: string }).field.startsWith('fields'),
  );
  return kept.length ? kept.map((e) => ({ field: e.field, code: e.code, message: String(e.message) })) : undefined;
}

const markScan = (scan: LocalScan, changes: Partial<LocalScan>): Promise<void> => patchScan(scan.id, changes);

const countScanFailure = (scan: LocalScan): Promise<number> => countFailure(scan.id);

/** Delays before retrying a failed step in place; the item's backoff takes over after that. */
export let INLINE_RETRY_MS = [300, 1500];

export function setInlineRetryForTests(delays: number[]): void {
  INLINE_RETRY_MS = delays;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The browser knows it has no network at all (navigator.onLine is only reliable when false). */
const offline = () => typeof navigator !== 'undefined' && navigator.onLine === false;

/**
 * Every step is idempotent, so a step that met a network error or a 5xx is simply tried again
 * a couple of times before the whole item waits for its backoff: on a flaky line this saves
 * redoing the earlier steps.
 */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!transient(error) || attempt >= INLINE_RETRY_MS.length || offline()) throw error;
      await sleep(INLINE_RETRY_MS[attempt]);
    }
  }
}

/** Run one API call, retrying transient errors in place; refusals become Park / AuthNeeded. */
const call = <T>(step: () => Promise<T>): Promise<T> => engineCall(() => retrying(step));

const same = (a: { requirement: string; sha256: string }, b: { requirement: string; sha256: string }) =>
  a.requirement === b.requirement && a.sha256 === b.sha256;

async function sendScan(item: LocalRequest, scan: LocalScan): Promise<void> {
  const base = `/api/v1/requests/${item.id}/scans`;
  let lastProblem = '';
  // Bytes PUT before the loop last died may already be on the server: check them first
  // rather than sending them again (DESIGN §6: sync sends ≈ the bytes of the scans once).
  let trustUpload = scan.uploaded === true;
  for (let round = 0; round < MAX_SCAN_FAILURES + 1; round++) {
    const registered = await call(() =>
      api<{ scan_id: string; state: string; upload: Upload | null }>('POST', base, {
        requirement: scan.requirement,
        sha256: scan.sha256,
        size: scan.size,
        content_type: scan.contentType,
        // Left out when unset: older items replay byte for byte.
        ...(scan.replaces ? { replaces: scan.replaces } : {}),
        // The photo check's flags the operator kept the page despite: Dukcapil sees them.
        ...(scan.quality?.length ? { quality: scan.quality } : {}),
      }),
    );
    const skipUpload = trustUpload;
    if (registered.upload && !skipUpload) {
      try {
        const upload = registered.upload;
        await retrying(() => putBytes(upload, scan.blob));
        await markScan(scan, { uploaded: true });
      } catch (error) {
        if (error instanceof ApiError && error.status === 403) {
          lastProblem = error.detail; // expired upload URL: ask for a new one
          continue;
        }
        if (error instanceof ApiError && !transient(error)) throw new Park(error.detail);
        throw error;
      }
    }
    try {
      await call(() => api('POST', `${base}/${registered.scan_id}/complete`));
    } catch (error) {
      if (!(error instanceof Park)) throw error;
      lastProblem = error.message;
      if (skipUpload) {
        trustUpload = false; // the earlier upload did not arrive after all: send the bytes
        await markScan(scan, { uploaded: false });
        continue;
      }
      // The server removed a bad upload (cut short, wrong bytes): send it again, a few times.
      if ((await countScanFailure(scan)) >= MAX_SCAN_FAILURES) throw error;
      continue;
    }
    await markScan(scan, { done: true });
    return;
  }
  throw new Park(lastProblem);
}

/** Everything the server must show before the local copy may go (and no page replaced). */
export function confirmed(server: ServerRequest, scans: LocalScan[]): boolean {
  const ok = (server.scans ?? []).filter((s) => s.state === 'ok');
  const replaced = new Set(scans.map((scan) => scan.replaces).filter(Boolean));
  return (
    server.status === 'DIAJUKAN' &&
    scans.every((scan) => ok.some((s) => same(s, scan))) &&
    !(server.scans ?? []).some((s) => replaced.has(s.id))
  );
}

/**
 * The item with its download PIN: made once, stored before the first submit that sends it, so
 * every replay sends the same one. Only for a first submission (the server keeps the PIN of
 * the first submission that brings one: a correction's would never be the resident's) and
 * not for a card, which is collected, not downloaded.
 */
async function withPin(item: LocalRequest, server: ServerRequest): Promise<LocalRequest> {
  if (item.pin || server.status !== 'DRAF' || !takesPin(await cachedCatalog(), item.service)) return item;
  return (await patch(item.id, { pin: newPin() })) ?? item;
}

async function syncItem(start: LocalRequest): Promise<EngineOutcome> {
  const id = start.id;
  let item = start;
  let progressed = false;
  const scans = await scansOf(id);
  const photos = scans.length;
  let photosDone = scans.filter((s) => s.done).length;
  report(id, { photosDone, photos, phase: 'data' });
  try {
    let server = await call(() => api<ServerRequest>('PUT', `/api/v1/requests/${id}`, draftBody(item)));
    progressed = true;
    item = (await patch(id, { serverVersion: server.version, code: server.code, serverStatus: server.status })) ?? item;
    report(id, { photosDone, photos, phase: 'photos' });

    if (!confirmed(server, scans)) {
      if (!EDITABLE.has(server.status)) {
        throw new Park(`Permohonan sudah berstatus ${server.status_label} di server.`);
      }
      // Pages the operator removed while the item was parked: remove them on the server too
      // (a correction keeps the pages Dukcapil already has, but for those it replaces,
      // which the server removes itself once their replacement is checked).
      const extras = item.fix ? [] : (server.scans ?? []).filter((s) => !scans.some((local) => same(s, local)));
      for (const extra of extras) {
        await call(() => api('DELETE', `/api/v1/requests/${id}/scans/${extra.id}`));
      }
      for (const scan of scans) {
        if (scan.done && (server.scans ?? []).some((s) => s.state === 'ok' && same(s, scan))) continue;
        await sendScan(item, scan);
        progressed = true;
        if (!scan.done) photosDone++;
        report(id, { photosDone, photos, phase: 'photos' });
      }
      report(id, { photosDone: photos, photos, phase: 'submit' });
      item = await withPin(item, server);
      const body = item.pin ? { pin: item.pin } : undefined;
      server = await call(() => api<ServerRequest>('POST', `/api/v1/requests/${id}/submit`, body));
      progressed = true;
    }
    if (!confirmed(server, scans)) {
      // The answer to submit may predate a scan check; the request's own page is authoritative.
      server = await call(() => api<ServerRequest>('GET', `/api/v1/requests/${id}`));
      if (!confirmed(server, scans)) throw new Park('Server belum mencatat semua pindaian permohonan ini.');
    }
    // Kept before the local copy goes: the receipt to print prints it (lib/pin.ts).
    if (item.pin) await holdPin(id, item.pin);
    if (!(await finishRequest(id, server, start.updatedAt))) {
      report(id, null);
      return 'parked';
    }
    sentRecently.unshift({ id, code: server.code, at: Date.now() });
    sentRecently.splice(SENT_KEPT);
    report(id, null);
    return 'sent';
  } catch (error) {
    report(id, null);
    return await settle(error, progressed ? 1 : item.attempts + 1, {
      auth: async () => {
        if (progressed) await patch(id, { attempts: 0, nextAttemptAt: 0 });
      },
      park: async (changes) => void (await patch(id, { ...changes, fieldErrors: fieldErrorsOf(error) })),
      retry: async (changes) => void (await patch(id, changes)),
    });
  } finally {
    notify('outbox');
  }
}

export interface SyncSummary {
  sent: number;
  parked: number;
  retry: number;
  waitingForLogin: boolean;
  busy: boolean;
  pending: number;
}

async function runOnce(force: boolean): Promise<SyncSummary> {
  const summary: SyncSummary = { sent: 0, parked: 0, retry: 0, waitingForLogin: false, busy: false, pending: 0 };
  const session = await getSession();
  const queued = await queuedRequests();
  const mine = queued
    .filter((item) => session && item.owner === session.user.username)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  if (!session || session.expired || offline()) {
    summary.waitingForLogin = Boolean(session?.expired || !session) && queued.length > 0;
    summary.pending = queued.length;
    return summary;
  }
  Object.assign(summary, await drain(mine, force, syncItem));
  // Follow-ups of the desa worklist travel in the same pass (and under the same lock).
  if (!summary.waitingForLogin) {
    const followups = await syncFollowups(force);
    summary.sent += followups.sent;
    summary.parked += followups.parked;
    summary.retry += followups.retry;
    summary.pending += followups.pending;
    summary.waitingForLogin = followups.waitingForLogin;
  }
  return summary;
}

let running: Promise<SyncSummary> | null = null;

/**
 * Send what is due (everything when `force`). One run at a time per tab, and one across tabs
 * and the service worker's Background Sync through the Web Locks API where it exists.
 */
export function syncAll(options: { force?: boolean } = {}): Promise<SyncSummary> {
  if (running) return running;
  const force = options.force ?? false;
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  const job = locks
    ? locks.request('bakso-outbox', { ifAvailable: true }, (lock) =>
        lock
          ? runOnce(force)
          : { sent: 0, parked: 0, retry: 0, waitingForLogin: false, busy: true, pending: 0 },
      )
    : runOnce(force);
  running = Promise.resolve(job).finally(() => {
    running = null;
  });
  return running;
}

/** Move a draft (or a parked item after its fix) into the queue. */
export async function enqueue(id: string): Promise<void> {
  await patch(id, { state: 'queued', attempts: 0, nextAttemptAt: 0, message: null });
  notify('outbox');
}

/** Everything still on this device, newest first. */
export const localItems = (): Promise<LocalRequest[]> => localRequests();

function base64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The last resort: every local request with its scans, as one JSON file. */
export async function exportOutbox(): Promise<Blob> {
  const items = await localItems();
  const requests = [];
  for (const item of items) {
    const scans = [];
    for (const scan of await scansOf(item.id)) {
      const { blob, ...meta } = scan;
      scans.push({ ...meta, data_base64: base64(await blob.arrayBuffer()) });
    }
    requests.push({ ...item, scans });
  }
  const body = { format: 'bakso-outbox', version: 1, exported_at: new Date().toISOString(), requests };
  return new Blob([JSON.stringify(body, null, 1)], { type: 'application/json' });
}
