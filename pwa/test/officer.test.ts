import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setFetcher, setSession } from '../src/lib/api';
import { resetDbForTests } from '../src/lib/db';
import { commonMoves, moveMany, movesFrom, poll, query, uploadIssued } from '../src/lib/officer';

type Call = { method: string; url: string; headers: Record<string, string>; body: unknown };
let calls: Call[];

function fakeFetch(answer: (call: Call) => { status: number; body?: unknown }) {
  setFetcher(async (input, init = {}) => {
    const call: Call = {
      method: init.method ?? 'GET',
      url: input,
      headers: (init.headers ?? {}) as Record<string, string>,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
    };
    calls.push(call);
    const { status, body } = answer(call);
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  });
}

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
  calls = [];
  await setSession({ user: { username: 'dukcapil', role: 'dukcapil', desa: null }, csrf: 'csrf-d', expired: false });
});

describe('moves', () => {
  it('mirror the lifecycle for Dukcapil', () => {
    expect(movesFrom('DITERIMA')).toContain('DIPROSES');
    expect(movesFrom('DIPROSES')).toEqual(expect.arrayContaining(['SELESAI', 'PERLU_PERBAIKAN', 'DITOLAK']));
    expect(movesFrom('DISERAHKAN')).toEqual([]);
  });
  it('for a selection, are only those every request allows', () => {
    expect(commonMoves(['DITERIMA', 'DIPROSES']).sort()).toEqual(['DIBATALKAN', 'PERLU_PERBAIKAN']);
    expect(commonMoves(['DITERIMA', 'DITERIMA'])).toContain('DIPROSES');
    expect(commonMoves([])).toEqual([]);
    expect(commonMoves(['DITERIMA', 'DISERAHKAN'])).toEqual([]);
  });
});

describe('query', () => {
  it('leaves out empty filters and encodes the rest', () => {
    expect(query({ status: 'DITERIMA', desa: '', kecamatan: null, older_than_days: 7, cursor: 'a b' })).toBe(
      '?status=DITERIMA&older_than_days=7&cursor=a%20b',
    );
    expect(query({ status: '' })).toBe('');
  });
});

describe('moveMany', () => {
  it('moves each with its own version and reports a conflict without stopping', async () => {
    fakeFetch((call) => {
      if (call.url.includes('/r2/')) return { status: 409, body: { detail: 'Sudah diubah petugas lain.' } };
      return { status: 200, body: { status: 'DIPROSES' } };
    });
    const results = await moveMany(
      [
        { id: 'r1', code: 'A', version: 3 },
        { id: 'r2', code: 'B', version: 5 },
        { id: 'r3', code: 'C', version: 1 },
      ],
      'DIPROSES',
      '',
    );
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1].detail).toBe('Sudah diubah petugas lain.');
    expect(calls.map((c) => (c.body as { version: number }).version)).toEqual([3, 5, 1]);
    expect(calls.every((c) => c.method === 'POST' && c.headers['X-CSRF-Token'] === 'csrf-d')).toBe(true);
  });
});

describe('uploadIssued', () => {
  const pdf = new Blob(['%PDF-1.4 test'], { type: 'application/pdf' });
  it('registers, PUTs the bytes, then completes', async () => {
    fakeFetch((call) => {
      if (call.url.endsWith('/issued')) return { status: 201, body: { upload: { method: 'PUT', url: '/blobs/up/x', headers: { 'Content-Type': 'application/pdf' }, fields: {} } } };
      if (call.url === '/blobs/up/x') return { status: 204 };
      return { status: 200, body: { id: 'r1', version: 4, status: 'DIPROSES' } };
    });
    const done = await uploadIssued('r1', pdf);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/requests/r1/issued',
      'PUT /blobs/up/x',
      'POST /api/v1/requests/r1/issued/complete',
    ]);
    const registered = calls[0].body as { sha256: string; size: number; content_type: string };
    expect(registered.size).toBe(pdf.size);
    expect(registered.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(done.version).toBe(4);
  });
  it('skips the PUT when the server already holds those bytes', async () => {
    fakeFetch((call) => (call.url.endsWith('/issued') ? { status: 201, body: { upload: null } } : { status: 200, body: { id: 'r1', version: 2 } }));
    await uploadIssued('r1', pdf);
    expect(calls.map((c) => c.method + ' ' + c.url.split('/').pop())).toEqual(['POST issued', 'POST complete']);
  });
  it('refuses a file that is not a PDF', async () => {
    await expect(uploadIssued('r1', new Blob(['x'], { type: 'image/jpeg' }))).rejects.toThrow();
    expect(calls).toEqual([]);
  });
});

describe('poll', () => {
  it('polls until done, and stops when asked', async () => {
    vi.useFakeTimers();
    let n = 0;
    const seen: number[] = [];
    const stop = poll(async () => ++n, (v) => v >= 3, (v) => seen.push(v), 100);
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual([1, 2, 3]);
    n = 0;
    const seen2: number[] = [];
    const stop2 = poll(async () => ++n, () => false, (v) => seen2.push(v), 100);
    await vi.advanceTimersByTimeAsync(150);
    stop2();
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen2).toEqual([1, 2]);
    stop();
    vi.useRealTimers();
  });
});
