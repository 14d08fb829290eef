import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError, getSession, NetworkError, putBytes, setFetcher, setSession } from '../src/lib/api';
import { resetDbForTests } from '../src/lib/db';
import { AuthNeeded, backoff, BACKOFF_MAX_MS, call, classify, drain, Park, retryLater, settle, transient } from '../src/lib/engine';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const me = { user: { username: 'op', role: 'operator', desa: '5203012001' }, csrf_token: 'fresh' };

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
  await setSession({ user: me.user as never, csrf: 'old', expired: false });
});

describe('classify', () => {
  it('tells transient errors from refusals and bugs', () => {
    expect(transient(new NetworkError('x'))).toBe(true);
    for (const status of [500, 503, 408, 429]) expect(classify(new ApiError(status, 'x'))).toBe('retry');
    expect(classify(new ApiError(401, 'x'))).toBe('auth');
    expect(classify(new ApiError(422, 'x'))).toBe('park');
    expect(classify(new Park('x'))).toBe('park');
    expect(classify(new AuthNeeded('x'))).toBe('auth');
    expect(classify(new TypeError('x'))).toBe('bug');
  });
});

describe('call', () => {
  it('rechecks the session on 403 and tries once more with the fresh token', async () => {
    let tries = 0;
    setFetcher(async (url) => (url === '/api/v1/auth/me' ? json(200, me) : json(500, {})));
    const answer = await call(async () => {
      if (++tries === 1) throw new ApiError(403, 'CSRF');
      return 'ok';
    });
    expect(answer).toBe('ok');
    expect(tries).toBe(2);
    expect((await getSession())?.csrf).toBe('fresh');
  });

  it('waits for a login when the recheck finds the session gone', async () => {
    setFetcher(async () => json(401, { detail: 'Silakan masuk.' }));
    await expect(call(async () => Promise.reject(new ApiError(403, 'CSRF')))).rejects.toBeInstanceOf(AuthNeeded);
    expect((await getSession())?.expired).toBe(true);
  });

  it('parks a second 403 and other 4xx; passes transient errors and bugs through', async () => {
    setFetcher(async () => json(200, me));
    await expect(call(async () => Promise.reject(new ApiError(403, 'Bukan desa Anda.')))).rejects.toThrow(Park);
    await expect(call(async () => Promise.reject(new ApiError(422, 'NIK salah.')))).rejects.toThrow('NIK salah.');
    await expect(call(async () => Promise.reject(new ApiError(401, 'x')))).rejects.toBeInstanceOf(AuthNeeded);
    await expect(call(async () => Promise.reject(new ApiError(503, 'x')))).rejects.toBeInstanceOf(ApiError);
    await expect(call(async () => Promise.reject(new TypeError('bug')))).rejects.toBeInstanceOf(TypeError);
  });
});

describe('bookkeeping', () => {
  it('backs off exponentially up to the cap, or as long as Retry-After says', () => {
    expect(backoff(1, () => 0.5)).toBe(2_000);
    expect(backoff(3, () => 0.5)).toBe(8_000);
    expect(backoff(50, () => 0.5)).toBe(BACKOFF_MAX_MS);
    const later = retryLater(1, new ApiError(429, 'Terlalu sering.', {}, 600), 1_000);
    expect(later).toEqual({ attempts: 1, nextAttemptAt: 601_000, message: 'Terlalu sering.' });
    expect(retryLater(2, new NetworkError('x'), 0).message).toBeNull();
  });

  it('settles each kind of failure in the item’s ledger', async () => {
    const seen: unknown[] = [];
    const ledger = { park: async (c: unknown) => void seen.push(['park', c]), retry: async (c: unknown) => void seen.push(['retry', c]) };
    expect(await settle(new Park('Ditolak.'), 3, ledger)).toBe('parked');
    expect(seen.pop()).toEqual(['park', { state: 'attention', message: 'Ditolak.', attempts: 0, nextAttemptAt: 0 }]);
    expect(await settle(new NetworkError('x'), 3, ledger)).toBe('retry');
    expect((seen.pop() as [string, { attempts: number }])[1].attempts).toBe(3);
    await expect(settle(new TypeError('bug'), 1, ledger)).rejects.toBeInstanceOf(TypeError);
    expect((seen.pop() as [string])[0]).toBe('retry'); // scheduled, so no hot loop
    expect(await settle(new AuthNeeded('x'), 1, ledger)).toBe('auth');
    expect((await getSession())?.expired).toBe(true);
  });

  it('drains due items in order and stops at the first login wait', async () => {
    const items = [
      { id: 'a', nextAttemptAt: 0 },
      { id: 'b', nextAttemptAt: 10_000 },
      { id: 'c', nextAttemptAt: 0 },
      { id: 'd', nextAttemptAt: 0 },
      { id: 'e', nextAttemptAt: 0 },
    ];
    const answers: Record<string, 'sent' | 'parked' | 'retry' | 'auth'> = { a: 'sent', c: 'retry', d: 'auth', e: 'sent' };
    const sent: string[] = [];
    const summary = await drain(items, false, async (item) => (sent.push(item.id), answers[item.id]), () => 5_000);
    expect(sent).toEqual(['a', 'c', 'd']);
    expect(summary).toEqual({ sent: 1, parked: 0, retry: 1, pending: 4, waitingForLogin: true });
    expect((await drain(items.slice(0, 2), true, async () => 'parked')).parked).toBe(2);
  });
});

describe('putBytes', () => {
  it('keeps the server’s problem detail', async () => {
    setFetcher(async () => json(413, { detail: 'Berkas terlalu besar.' }));
    const upload = { method: 'PUT' as const, url: '/blob', headers: {}, fields: {} };
    await expect(putBytes(upload, new Blob(['x']))).rejects.toMatchObject({ status: 413, detail: 'Berkas terlalu besar.' });
    setFetcher(async () => new Response('<Error/>', { status: 403 }));
    await expect(putBytes(upload, new Blob(['x']))).rejects.toMatchObject({ status: 403, detail: 'HTTP 403' });
  });
});
