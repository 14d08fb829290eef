import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { setFetcher, setSession } from '../src/lib/api';
import { resetDbForTests } from '../src/lib/db';
import { finished, returnRows, returnTargets, startReturn, XLSX_TYPE, type ReturnPhase } from '../src/lib/returns';
import { Sha256, sha256File } from '../src/lib/sha256';

function bytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const nodeSha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('Sha256', () => {
  it('matches the platform digest at and around every block boundary', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 100_003]) {
      const data = bytes(n, n + 7);
      expect(new Sha256().update(data).hex(), `${n} bytes`).toBe(nodeSha(data));
    }
  });
  it('gives the same digest however the data is split', () => {
    const data = bytes(10_000);
    const hash = new Sha256();
    for (let start = 0; start < data.length; start += 37) hash.update(data.subarray(start, start + 37));
    expect(hash.hex()).toBe(nodeSha(data));
  });
  it('hashes a large file slice by slice, reporting progress', async () => {
    const data = bytes(20 * 1024 * 1024 + 3);
    const seen: number[] = [];
    const digest = await sha256File(new Blob([data]), (done) => seen.push(done), 1024);
    expect(digest).toBe(nodeSha(data));
    expect(seen.at(-1)).toBe(data.length);
    expect(seen.length).toBeGreaterThan(1);
    expect(await sha256File(new Blob([data.subarray(0, 500)]))).toBe(nodeSha(data.subarray(0, 500)));
  });
});

type Call = { method: string; url: string; headers: Record<string, string>; body: unknown };
let calls: Call[];

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
  calls = [];
  await setSession({ user: { username: 'dukcapil', role: 'dukcapil', desa: null }, csrf: 'csrf-d', expired: false });
});

const upload = (url: string, type: string) => ({ method: 'PUT', url, headers: { 'Content-Type': type }, fields: {} });
const status = (over: Record<string, unknown> = {}) => ({
  id: 'r1',
  status: 'QUEUED',
  counts: { applied: 0, unchanged: 0, refused: 0 },
  rows_total: 0,
  rows_done: 0,
  error: null,
  ...over,
});

describe('startReturn', () => {
  it('registers both files by SHA-256 and size, uploads each where told, then starts', async () => {
    setFetcher(async (input, init = {}) => {
      const call = {
        method: init.method ?? 'GET',
        url: input,
        headers: (init.headers ?? {}) as Record<string, string>,
        body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
      };
      calls.push(call);
      if (input === '/api/v1/returns') {
        const answer = { ...status({ status: 'WAITING_UPLOAD' }), uploads: { table: upload('/blobs/upload/t', 'text/csv'), pdfs: upload('https://s3.example/z', 'application/zip') } };
        return new Response(JSON.stringify(answer), { status: 201 });
      }
      if (input.endsWith('/start')) return new Response(JSON.stringify(status()), { status: 202 });
      return new Response(null, { status: 200 });
    });
    const csv = new File(['kode,status\nLT-2222-2222,SELESAI\n'], 'hasil.csv', { type: 'text/csv' });
    const zip = new File([bytes(5000)], 'terbit.zip', { type: 'application/zip' });
    const phases: ReturnPhase[] = [];

    const started = await startReturn(csv, zip, (p) => phases.push(p));

    expect(started.status).toBe('QUEUED');
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/returns',
      'PUT /blobs/upload/t',
      'PUT https://s3.example/z',
      'POST /api/v1/returns/r1/start',
    ]);
    const body = calls[0].body as { id: string; table: Record<string, unknown>; pdfs: Record<string, unknown> };
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.table).toEqual({
      filename: 'hasil.csv',
      sha256: nodeSha(new Uint8Array(await csv.arrayBuffer())),
      size: csv.size,
      content_type: 'text/csv',
    });
    expect(body.pdfs.sha256).toBe(nodeSha(new Uint8Array(await zip.arrayBuffer())));
    expect(calls[2].headers['Content-Type']).toBe('application/zip');
    expect(calls[3].headers['X-CSRF-Token']).toBe('csrf-d');
    const last = phases.at(-1);
    expect(last).toEqual({ phase: 'upload', done: csv.size + zip.size, total: csv.size + zip.size });
  });

  it('stops with the server reason when a file is refused', async () => {
    setFetcher(async () => new Response(JSON.stringify({ detail: 'Berkas CSV terlalu besar; batasnya 5 MB.' }), { status: 413 }));
    const csv = new File(['x'], 'hasil.csv', { type: 'text/csv' });
    await expect(startReturn(csv, null, () => undefined)).rejects.toMatchObject({ status: 413, detail: 'Berkas CSV terlalu besar; batasnya 5 MB.' });
  });
});

describe('the table as Excel saves it', () => {
  it('registers an .xlsx without a browser type as a workbook, not as CSV', async () => {
    const bodies: { table: { filename: string; content_type: string } }[] = [];
    setFetcher(async (input, init = {}) => {
      if (input === '/api/v1/returns') bodies.push(JSON.parse(String(init.body)));
      return new Response(JSON.stringify({ detail: 'cukup' }), { status: 422 });
    });
    await expect(startReturn(new File(['PK'], 'hasil.xlsx'), null, () => undefined)).rejects.toMatchObject({ status: 422 });
    await expect(startReturn(new File(['PK'], 'Hasil.XLSX', { type: XLSX_TYPE }), null, () => undefined)).rejects.toMatchObject({ status: 422 });
    expect(bodies.map((b) => b.table.content_type)).toEqual(['application/octet-stream', XLSX_TYPE]);
  });

  it('lists the statuses Dukcapil may set, from the lifecycle, with those needing a reason', () => {
    expect(returnTargets()).toEqual([
      { status: 'DITERIMA', needsReason: false },
      { status: 'DIPROSES', needsReason: false },
      { status: 'PERLU_PERBAIKAN', needsReason: true },
      { status: 'DITOLAK', needsReason: true },
      { status: 'SELESAI', needsReason: false },
      { status: 'DIBATALKAN', needsReason: false },
    ]);
  });
});

describe('the report', () => {
  it('is read page by page and a return is finished once DONE or FAILED', async () => {
    setFetcher(async (input) => {
      calls.push({ method: 'GET', url: input, headers: {}, body: null });
      return new Response(JSON.stringify({ items: [{ row: 2, code: 'A', outcome: 'applied', detail: '' }], next_after: 2 }), { status: 200 });
    });
    const page = await returnRows('r1', 0, 1);
    expect(page.next_after).toBe(2);
    expect(calls[0].url).toBe('/api/v1/returns/r1/rows?after=0&limit=1');
    expect(finished(status({ status: 'RUNNING' }) as never)).toBe(false);
    expect(finished(status({ status: 'FAILED' }) as never)).toBe(true);
  });
});
