// The outbox engine: what an error means for a queued item, and when it is tried again. Shared
// by the requests (outbox.ts) and the worklist follow-ups (sasaran.ts): 401 waits for a fresh
// login, 403 is first taken for a stale CSRF token (the session is checked, the call tried
// once more), other 4xx park the item with the server's message, 5xx/408/429 and network
// errors retry with backoff (Retry-After when the server gives one).
import { ApiError, checkSession, markExpired, NetworkError } from './api';

export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_MAX_MS = 5 * 60_000;

/** Delay before the next attempt after `attempts` consecutive failures, with ±20% jitter. */
export function backoff(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** A refusal the operator must look at: the item goes to "perlu perhatian". `errors`: the
 * server's `errors[]` of a 422 (each `{field, code, message}`), when it sent them. */
export class Park extends Error {
  constructor(
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }
}
/** The session is gone: stop, keep everything, continue after login. */
export class AuthNeeded extends Error {}

export type Outcome = 'sent' | 'parked' | 'retry' | 'auth';

/** Worth trying again unchanged: no answer, a server error, a timeout or a rate limit. */
export function transient(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  return error instanceof ApiError && (error.status >= 500 || error.status === 408 || error.status === 429);
}

/** What a failure means for the item: 'auth', 'park', 'retry', or 'bug' (not the network's doing). */
export function classify(error: unknown): 'auth' | 'park' | 'retry' | 'bug' {
  if (error instanceof AuthNeeded) return 'auth';
  if (error instanceof Park) return 'park';
  if (transient(error)) return 'retry';
  if (error instanceof ApiError) return error.status === 401 ? 'auth' : 'park';
  return 'bug';
}

/** Turn a refusal into Park / AuthNeeded; transient errors and bugs pass unchanged. */
function refusal(error: unknown): unknown {
  if (!(error instanceof ApiError) || transient(error)) return error;
  return error.status === 401 ? new AuthNeeded(error.detail) : new Park(error.detail, error.body.errors);
}

/**
 * Run one API call of a queued item (`fn` may retry transient errors in place). A 403 is
 * usually a CSRF token from an older session: ask the server, then try once more. Throws
 * Park, AuthNeeded, a transient error, or a bug.
 */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw refusal(error);
    const session = await checkSession();
    if (!session || session.expired) throw new AuthNeeded(error.detail);
    try {
      return await fn();
    } catch (again) {
      throw refusal(again);
    }
  }
}

/** The bookkeeping of an item that waits for its next attempt. */
export function retryLater(
  attempts: number,
  error: unknown,
  now = Date.now(),
): { attempts: number; nextAttemptAt: number; message: string | null } {
  const retryAfter = error instanceof ApiError && error.retryAfter ? error.retryAfter * 1000 : 0;
  return {
    attempts,
    nextAttemptAt: now + Math.max(retryAfter, backoff(attempts)),
    message: error instanceof ApiError ? error.detail : null,
  };
}

/** The bookkeeping of a parked item. */
export function parked(message: string): { state: 'attention'; message: string; attempts: 0; nextAttemptAt: 0 } {
  return { state: 'attention', message, attempts: 0, nextAttemptAt: 0 };
}

/** How the store of one kind of item records a failure. */
export interface Ledger {
  /** The session is gone (it is already marked expired). */
  auth?: () => Promise<void>;
  park: (changes: ReturnType<typeof parked>) => Promise<void>;
  retry: (changes: ReturnType<typeof retryLater>) => Promise<void>;
}

/**
 * Record a failed send: park it, wait for a login, or schedule the retry after `attempts`
 * failures. A bug is scheduled like a retry (no hot loop) and then thrown, to be seen.
 */
export async function settle(error: unknown, attempts: number, ledger: Ledger): Promise<Exclude<Outcome, 'sent'>> {
  const kind = classify(error);
  if (kind === 'auth') {
    await markExpired();
    await ledger.auth?.();
    return 'auth';
  }
  if (kind === 'park') {
    await ledger.park(parked(error instanceof ApiError ? error.detail : (error as Error).message));
    return 'parked';
  }
  await ledger.retry(retryLater(attempts, error));
  if (kind === 'bug') throw error;
  return 'retry';
}

export interface DrainSummary {
  sent: number;
  parked: number;
  retry: number;
  pending: number;
  waitingForLogin: boolean;
}

/**
 * Send the due items in order (all when `force`); stop at the first 'auth', counting what is
 * left as pending.
 */
export async function drain<T extends { nextAttemptAt: number }>(
  items: T[],
  force: boolean,
  sendOne: (item: T) => Promise<Outcome>,
  now: () => number = Date.now,
): Promise<DrainSummary> {
  const summary: DrainSummary = { sent: 0, parked: 0, retry: 0, pending: 0, waitingForLogin: false };
  for (const item of items) {
    if (!force && item.nextAttemptAt > now()) {
      summary.pending++;
      continue;
    }
    const outcome = await sendOne(item);
    if (outcome === 'sent') summary.sent++;
    else if (outcome === 'parked') summary.parked++;
    else if (outcome === 'retry') {
      summary.retry++;
      summary.pending++;
    } else {
      summary.waitingForLogin = true;
      summary.pending = items.length - summary.sent - summary.parked;
      break;
    }
  }
  return summary;
}
