// The desa worklist (sasaran) offline: the rows as the server last showed them, kept current by
// change (?since=<revision>: only rows changed since, and tombstones of rows removed since; the
// whole list only on first use or when the server says the revision is too old), and follow-ups
// recorded on the device first, then sent like the outbox sends requests: a device-made id (the
// server stores a replay once), 4xx parks the follow-up with the server's message, 5xx and network
// errors retry with backoff, 401 waits for a fresh login.
import { api, ApiError, errorFrom, getSession, markExpired, NetworkError, notify, send } from './api';
import {
  applyWorklistChanges,
  cachedRowCount,
  deleteFollowup,
  followupSent,
  patchFollowup,
  queuedFollowups,
  replaceWorklist,
  saveFollowup,
  touchWorklistStamp,
  worklistStamp,
  type WorklistChanges,
  type LocalFollowup,
  type SasaranRow,
  type ServerSasaranRow,
} from './storage';
import { call, drain, settle, type DrainSummary, type Outcome } from './engine';
import { uuid } from './uuid';

export const OUTCOMES = ['DITEMUKAN', 'SUDAH_PUNYA', 'PINDAH', 'MENINGGAL', 'TIDAK_DITEMUKAN'] as const;
export type FollowupOutcome = (typeof OUTCOMES)[number];

export { cachedRows, forgetWorklists, localFollowups } from './storage';

type ServerRow = ServerSasaranRow;

/** A page of GET /api/v1/sasaran (api/sasaran/schemas.py SasaranPageOut). */
export interface Page {
  desa: string;
  revision: number;
  /** true: a page of the whole list (replace the copy); false: changes after ?since=. */
  full?: boolean;
  items: ServerRow[];
  removed?: { id: string; revision: number; removed: true }[];
  cursor: string | null;
}

/** What a download came to: the whole list, or the changes to apply to the copy. */
export type Download = { full: true; rows: ServerRow[]; revision: number } | ({ full: false } & WorklistChanges);

/**
 * Read every page of a download. `since` null: the whole list. Otherwise the changes after it,
 * unless the server answers `full` (it keeps tombstones only so long): then the whole list, on
 * from that page without ?since=. The revision kept is the first page's: read before any row, so
 * nothing changed after it is missed (a row read twice is only applied twice).
 */
export async function download(
  desa: string,
  since: number | null,
  get: (query: URLSearchParams) => Promise<Page>,
): Promise<Download> {
  let full = since === null;
  let revision: number | null = null;
  const rows: ServerRow[] = [];
  const removed: string[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ desa, limit: '200' });
    if (!full && since !== null) query.set('since', String(since));
    if (cursor) query.set('cursor', cursor);
    const page = await get(query);
    revision ??= page.revision;
    if (page.full !== false && !full) {
      full = true; // the server cannot answer by change: start over from this page
      rows.length = 0;
      removed.length = 0;
    }
    rows.push(...page.items);
    removed.push(...(page.removed ?? []).map((t) => t.id));
    cursor = page.cursor;
  } while (cursor);
  return full ? { full: true, rows, revision } : { full: false, rows, removed, revision };
}

/** Follow-ups known to wait (set by each sync pass and by recording): the foreground loop asks. */
let waiting = 0;

export function followupsWaiting(): boolean {
  return waiting > 0;
}

/** When the cached list was last confirmed by the server (ISO), if ever. */
export async function lastRefreshed(desa: string): Promise<string | undefined> {
  return (await worklistStamp(desa))?.at;
}

/**
 * Bring the cached rows of `desa` up to date: by change when the copy has a revision, else
 * whole. Returns 'changed', 'unchanged' (nothing changed since), or 'offline' (the cache stays).
 */
export async function refreshWorklist(desa: string): Promise<'changed' | 'unchanged' | 'offline'> {
  const stored = await worklistStamp(desa);
  // Rows cleared (another officer logged in here): the revision alone must not say "unchanged".
  const haveRows = (await cachedRowCount(desa)) > 0;
  const since = haveRows && stored?.revision !== undefined ? stored.revision : null;
  let answer: Download;
  try {
    answer = await download(desa, since, async (query) => {
      const response = await send(`/api/v1/sasaran?${query.toString()}`, {
        headers: { Accept: 'application/json' },
        cache: 'no-store',
      });
      if (!response.ok) throw await errorFrom(response);
      return (await response.json()) as Page;
    });
  } catch (error) {
    if (error instanceof NetworkError) return 'offline';
    if (error instanceof ApiError && error.status === 401) await markExpired();
    throw error;
  }
  if (answer.full) {
    await replaceWorklist(desa, answer.rows, answer.revision);
    return 'changed';
  }
  if (answer.rows.length === 0 && answer.removed.length === 0) {
    await touchWorklistStamp(desa, { ...stored, revision: answer.revision, at: '' });
    return 'unchanged';
  }
  await applyWorklistChanges(desa, answer);
  return 'changed';
}

/** Save a follow-up on the device (it is queued at once); resolves when it is stored. */
export async function recordFollowup(
  row: Pick<SasaranRow, 'id' | 'desa'>,
  outcome: FollowupOutcome,
  note: string,
  owner: string,
): Promise<LocalFollowup> {
  const item: LocalFollowup = {
    id: uuid(),
    sasaranId: row.id,
    desa: row.desa,
    owner,
    outcome,
    note: note.trim(),
    at: new Date().toISOString(),
    state: 'queued',
    attempts: 0,
    nextAttemptAt: 0,
    message: null,
  };
  await saveFollowup(item);
  waiting++;
  notify('outbox');
  return item;
}

/** The body of POST /api/v1/sasaran/<id>/followup: the same every time, so a replay is one. */
export function followupBody(item: LocalFollowup): Record<string, string> {
  return { id: item.id, outcome: item.outcome, note: item.note, at: item.at };
}

export async function discardFollowup(id: string): Promise<void> {
  await deleteFollowup(id);
  notify('outbox');
}

/** Send a parked follow-up again (after the operator read the message). */
export async function retryFollowup(id: string): Promise<void> {
  await patchFollowup(id, { state: 'queued', attempts: 0, nextAttemptAt: 0, message: null });
  notify('outbox');
}

async function post(item: LocalFollowup): Promise<{ sasaran: ServerRow }> {
  return api<{ sasaran: ServerRow }>('POST', `/api/v1/sasaran/${item.sasaranId}/followup`, followupBody(item));
}

async function sendOne(item: LocalFollowup): Promise<Outcome> {
  try {
    const answer = await call(() => post(item));
    await followupSent(item.id, item.sasaranId, answer.sasaran);
    return 'sent';
  } catch (error) {
    const store = async (changes: Partial<LocalFollowup>) => void (await saveFollowup({ ...item, ...changes }));
    return await settle(error, item.attempts + 1, { park: store, retry: store });
  } finally {
    notify('outbox');
  }
}

export type FollowupSummary = DrainSummary;

/** Send the queued follow-ups of the signed-in operator that are due (all of them when `force`). */
export async function syncFollowups(force = false): Promise<FollowupSummary> {
  const session = await getSession();
  const queued = await queuedFollowups();
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  if (!session || session.expired || offline) {
    waiting = queued.length;
    return { sent: 0, parked: 0, retry: 0, pending: queued.length, waitingForLogin: queued.length > 0 && (!session || session.expired) };
  }
  const mine = queued.filter((item) => item.owner === session.user.username);
  const summary = await drain(mine, force, sendOne);
  waiting = summary.pending;
  return summary;
}
