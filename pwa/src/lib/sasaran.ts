// The desa worklist (sasaran) offline: the rows as the server last showed them, refreshed with
// If-None-Match, and follow-ups recorded on the device first, then sent like the outbox sends
// requests: a device-made id (the server stores a replay once), 4xx parks the follow-up with the
// server's message, 5xx and network errors retry with backoff, 401 waits for a fresh login.
import { api, ApiError, errorFrom, getSession, markExpired, NetworkError, notify, send } from './api';
import {
  cachedRowCount,
  deleteFollowup,
  followupSent,
  patchFollowup,
  queuedFollowups,
  replaceWorklist,
  saveFollowup,
  touchWorklistStamp,
  worklistStamp,
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

interface Page {
  desa: string;
  revision: number;
  items: ServerRow[];
  cursor: string | null;
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
 * Bring the cached rows of `desa` up to date. Sends the stored ETag: an unchanged list costs a
 * 304 and no rows. Returns 'changed', 'unchanged', or 'offline' (the cache stays as it was).
 */
export async function refreshWorklist(desa: string): Promise<'changed' | 'unchanged' | 'offline'> {
  const stored = await worklistStamp(desa);
  // Rows cleared (another officer logged in here): the ETag alone must not say "unchanged".
  const haveRows = (await cachedRowCount(desa)) > 0;
  const rows: ServerRow[] = [];
  let etag: string | null = null;
  let cursor: string | null = null;
  try {
    do {
      const query = new URLSearchParams({ desa, limit: '200' });
      if (cursor) query.set('cursor', cursor);
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (!cursor && stored?.etag && haveRows) headers['If-None-Match'] = stored.etag;
      const response = await send(`/api/v1/sasaran?${query.toString()}`, { headers, cache: 'no-store' });
      if (response.status === 304) {
        await touchWorklistStamp(desa, stored);
        return 'unchanged';
      }
      if (!response.ok) throw await errorFrom(response);
      if (!cursor) etag = response.headers.get('ETag');
      const page = (await response.json()) as Page;
      rows.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
  } catch (error) {
    if (error instanceof NetworkError) return 'offline';
    if (error instanceof ApiError && error.status === 401) await markExpired();
    throw error;
  }
  await replaceWorklist(desa, rows, etag);
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
