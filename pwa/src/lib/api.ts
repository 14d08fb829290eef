// The HTTP contract (DESIGN §4): JSON, problem+json errors, the CSRF header on writes.
import { storedSession, storeSession } from './storage';
import { setTimeZone } from './locale';
import type { Role } from './roles';

export interface User {
  username: string;
  role: Role;
  desa: string | null;
  /** The kabupaten it works for (an operator: its desa's); none for the province role. */
  kabupaten?: string | null;
  /** The province role's province ("52"). */
  provinsi?: string | null;
}

/** A served kabupaten as the server describes it (domain/tenants.Kabupaten.public). */
export interface Kabupaten {
  code: string;
  name: string;
  short_name: string;
  code_prefix: string;
  timezone: string;
  report_channels: string[];
  dukcapil: { name: string; address: string; phone: string };
}

export interface Session {
  user: User;
  csrf: string;
  /** The kabupaten's zone (lib/locale): sent with the session, kept for offline starts. */
  timezone?: string;
  /** The account's kabupaten; for the province role, the list of its province's (#16). */
  kabupaten?: Kabupaten | Kabupaten[] | null;
  /** The server said 401: the operator keeps working offline; sending waits for a login. */
  expired: boolean;
}

/** The server answered with an error status; `detail` is its human (Indonesian) message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly body: Record<string, unknown> = {},
    readonly retryAfter: number | null = null,
  ) {
    super(`${status}: ${detail}`);
  }
}

/** No answer at all: offline, aborted, timed out. Always worth retrying. */
export class NetworkError extends Error {}

export async function getSession(): Promise<Session | undefined> {
  const session = await storedSession<Session>();
  setTimeZone(session?.timezone);
  return session;
}

export async function setSession(session: Session | undefined): Promise<void> {
  setTimeZone(session?.timezone);
  await storeSession(session);
  notify('session');
}

/** Tell other tabs and the service worker that something stored changed. */
export function notify(topic: 'session' | 'outbox' | 'server'): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel('bakso');
  channel.postMessage({ topic });
  channel.close();
}

export type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

let fetcher: Fetcher = (input, init) => fetch(input, init);

/** Tests swap the network for a fake server. */
export function setFetcher(f: Fetcher): void {
  fetcher = f;
}

export async function send(input: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), init.timeoutMs ?? 30_000);
  try {
    return await fetcher(input, { ...init, signal: controller.signal, credentials: 'same-origin' });
  } catch (error) {
    throw new NetworkError(String(error));
  } finally {
    clearTimeout(timer);
  }
}

/** The server's error answer as an ApiError (problem+json detail, Retry-After). */
export async function errorFrom(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's page, an S3 XML error): keep the status alone
  }
  const detail = typeof body.detail === 'string' ? body.detail : `HTTP ${response.status}`;
  const retry = Number(response.headers.get('Retry-After'));
  return new ApiError(response.status, detail, body, Number.isFinite(retry) && retry > 0 ? retry : null);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') {
    const session = await getSession();
    if (session?.csrf) headers['X-CSRF-Token'] = session.csrf;
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await send(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw error instanceof NetworkError ? error : new NetworkError(String(error));
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    // The server ended the session (logout elsewhere, idle timeout, the admin): every
    // screen, not only the outbox, then offers to log in again. A wrong password is not that.
    if (response.status === 401 && path !== '/api/v1/auth/login') await markExpired();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new NetworkError(`unreadable answer: ${String(error)}`); // cut off mid-body
  }
}

/** Where and how to send a file's bytes (the answer to registering a scan or issued PDF). */
export interface Upload {
  method: 'PUT' | 'POST';
  url: string;
  headers: Record<string, string>;
  fields: Record<string, string>;
}

/** Send the bytes to the upload URL (the local server, or S3's presigned PUT/POST). */
export async function putBytes(upload: Upload, blob: Blob): Promise<void> {
  let response: Response;
  if (upload.method === 'POST') {
    const form = new FormData();
    for (const [key, value] of Object.entries(upload.fields ?? {})) form.append(key, value);
    form.append('file', blob);
    response = await send(upload.url, { method: 'POST', body: form, timeoutMs: 180_000 });
  } else {
    response = await send(upload.url, { method: 'PUT', headers: upload.headers, body: blob, timeoutMs: 180_000 });
  }
  if (!response.ok) throw await errorFrom(response);
}

/** What /auth/login and /auth/me answer. */
interface SessionAnswer {
  user: User;
  csrf_token: string;
  timezone?: string;
  kabupaten?: Kabupaten | Kabupaten[] | null;
}

/** The kabupaten of a session: one, or the province role's list. */
export function kabupatenOf(session: Session | undefined): Kabupaten[] {
  const k = session?.kabupaten;
  return !k ? [] : Array.isArray(k) ? k : [k];
}

export async function login(username: string, password: string): Promise<Session> {
  const answer = await api<SessionAnswer>('POST', '/api/v1/auth/login', { username, password });
  const session = { user: answer.user, csrf: answer.csrf_token, timezone: answer.timezone, kabupaten: answer.kabupaten ?? null, expired: false };
  await setSession(session);
  return session;
}

/** Ask the server who we are; refreshes the CSRF token or marks the session expired. */
export async function checkSession(): Promise<Session | undefined> {
  const session = await getSession();
  if (!session) return undefined;
  try {
    const me = await api<SessionAnswer>('GET', '/api/v1/auth/me');
    const kabupaten = me.kabupaten ?? null;
    if (me.user.username !== session.user.username) {
      await markExpired();
    } else if (
      session.expired ||
      session.csrf !== me.csrf_token ||
      session.timezone !== me.timezone ||
      JSON.stringify(session.kabupaten ?? null) !== JSON.stringify(kabupaten)
    ) {
      await setSession({ user: me.user, csrf: me.csrf_token, timezone: me.timezone, kabupaten, expired: false });
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) await markExpired();
    else if (!(error instanceof NetworkError)) throw error;
  }
  return getSession();
}

export async function markExpired(): Promise<void> {
  const session = await getSession();
  if (session && !session.expired) await setSession({ ...session, expired: true });
}
