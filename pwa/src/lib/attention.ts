// What waits for the desa (issue #18): its requests Dukcapil returned (PERLU_PERBAIKAN: what
// to fix, and why) and those finished (SELESAI: to print or hand over). Read from the API on
// each sync, one status at a time so an old request beyond the newest 100 is not missed, into
// the same offline cache as the list (storage's `server` store): the home card and the
// tab's badge work offline from the last sync. Selection is pure: pwa/test/attention.test.ts.
import { api, NetworkError } from './api';
import { isPurged } from './retention';
import { lastMove } from './timeline';
import { cacheServerRequest, cachedServerList, mergeServerList, type ServerRequest } from './storage';

export const ATTENTION_STATUSES = ['PERLU_PERBAIKAN', 'SELESAI'] as const;
const WAITING = new Set<string>(ATTENTION_STATUSES);
/** Pages of 100 read per status and sync, and detail reads (reasons, moved requests). */
const MAX_PAGES = 5;
const MAX_DETAILS = 30;

export interface AttentionItem {
  item: ServerRequest;
  /** PERLU_PERBAIKAN: Dukcapil's note of this return ('' when it gave none), undefined while
   * the cached timeline predates it. */
  reason?: string;
}

/** Dukcapil's note of the request's current status, if the cached timeline holds this round. */
export function currentNote(item: ServerRequest): string | undefined {
  const entry = lastMove(item.timeline, item.status); // a download at SELESAI notes nothing
  if (!entry || (item.status_since && entry.at < item.status_since)) return undefined;
  return entry.note ?? '';
}

/** The desa's waiting requests: returned ones first, then finished ones, each oldest first. */
export function attentionItems(server: ServerRequest[], desa: string | null | undefined): AttentionItem[] {
  const since = (r: ServerRequest) => r.status_since ?? r.updated_at;
  return server
    .filter((r) => WAITING.has(r.status) && (!desa || r.desa === desa) && !isPurged(r))
    .sort((a, b) => (a.status === b.status ? since(a).localeCompare(since(b)) : a.status === 'PERLU_PERBAIKAN' ? -1 : 1))
    .map((item) => (item.status === 'PERLU_PERBAIKAN' ? { item, reason: currentNote(item) } : { item }));
}

async function listAll(status: string): Promise<ServerRequest[] | null> {
  const items: ServerRequest[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = `status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const answer: { items: ServerRequest[]; cursor: string | null } = await api('GET', `/api/v1/requests?${query}`);
    items.push(...answer.items);
    cursor = answer.cursor;
    if (!cursor) return items;
  }
  await mergeServerList(items);
  return null; // more than MAX_PAGES pages: merged, but not known to be all of them
}

/** Fetch the desa's waiting requests into the cache, with the reasons of the returned ones. */
export async function refreshAttention(): Promise<void> {
  try {
    const details: string[] = [];
    for (const status of ATTENTION_STATUSES) {
      const listed = await listAll(status);
      if (!listed) continue;
      await mergeServerList(listed);
      // A cached copy at this status the server no longer lists has moved on (fixed, handed
      // over, elsewhere on another device): its detail says where to.
      const ids = new Set(listed.map((r) => r.id));
      details.push(...(await cachedServerList()).filter((r) => r.status === status && !ids.has(r.id)).map((r) => r.id));
    }
    const cached = await cachedServerList();
    details.push(...attentionItems(cached, null).filter((a) => a.item.status === 'PERLU_PERBAIKAN' && a.reason === undefined).map((a) => a.item.id));
    for (const id of details.slice(0, MAX_DETAILS)) {
      try {
        await cacheServerRequest(await api<ServerRequest>('GET', `/api/v1/requests/${id}`));
      } catch (error) {
        if (error instanceof NetworkError) throw error; // offline now: the rest next sync
      }
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) console.warn('attention list not refreshed', error);
  }
}
