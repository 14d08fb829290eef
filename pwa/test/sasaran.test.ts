import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import { setFetcher, setSession } from '../src/lib/api';
import { db, DB_NAME, DB_VERSION, resetDbForTests } from '../src/lib/db';
import { draftBody, setInlineRetryForTests, syncAll } from '../src/lib/outbox';
import { applyWorklistChanges } from '../src/lib/storage';
import { cachedRows, followupsWaiting, forgetWorklists, localFollowups, recordFollowup, refreshWorklist, retryFollowup, syncFollowups } from '../src/lib/sasaran';

const DESA = '52.03.01.2001';

function row(id: string, name: string, category: string | null = null) {
  return {
    revision: 0,
    sort_key: `${category ? 0 : 1}|${name.toUpperCase()}|${id}`,
    id,
    desa: DESA,
    desa_name: 'Tanjung Luar',
    name,
    nik: null,
    address: 'Dusun Baru',
    documents: [{ code: 'KTP_EL', label: 'KTP-el', service: 'KTP_BARU' }],
    category,
    category_label: category,
    note: '',
    followup: null as null | { id: string; outcome: string; label: string; note: string; at: string; by: string },
    followup_count: 0,
    request: null,
    served: false,
    served_at: null,
    version: 1,
    updated_at: '2026-01-01T00:00:00Z',
  };
}

type Row = ReturnType<typeof row>;

/**
 * The sasaran endpoints as the server behaves: each row write takes the desa's next revision,
 * ?since= answers rows changed and tombstones after it (or the whole list when it is below the
 * kept tombstones or above the revision), pages of `limit`; follow-ups idempotent by id.
 */
class FakeSasaran {
  rows: Row[] = [];
  tombstones: { id: string; revision: number }[] = [];
  revision = 0;
  floor = 0;
  stored = new Map<string, string>(); // follow-up id → body
  calls: string[] = [];
  queries: string[] = []; // GET /api/v1/sasaran query strings
  fail: number | 'network' | null = null;

  constructor() {
    this.put(row('r-1', 'Inaq Sinar', 'LANSIA'));
    this.put(row('r-2', 'Amaq Udin'));
  }

  put(next: Row): void {
    this.revision++;
    const old = this.rows.find((r) => r.id === next.id);
    const written = { ...next, revision: this.revision, version: old ? old.version + 1 : next.version };
    this.rows = old ? this.rows.map((r) => (r.id === next.id ? written : r)) : [...this.rows, written];
  }

  remove(id: string): void {
    this.revision++;
    this.rows = this.rows.filter((r) => r.id !== id);
    this.tombstones.push({ id, revision: this.revision });
  }

  json(body: unknown, status = 200): Response {
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  }

  list(url: URL): Response {
    this.queries.push(url.searchParams.toString());
    const limit = Number(url.searchParams.get('limit') ?? '200');
    const offset = Number(url.searchParams.get('cursor') ?? '0');
    const sinceText = url.searchParams.get('since');
    const since = sinceText === null ? null : Number(sinceText);
    const full = since === null || since < this.floor || since > this.revision;
    const ordered = [...this.rows].sort((a, b) => (a.sort_key < b.sort_key ? -1 : 1));
    const items: (Row | { id: string; revision: number; removed: true })[] = full
      ? ordered
      : [
          ...this.rows.filter((r) => r.revision > (since ?? 0)),
          ...this.tombstones.filter((t) => t.revision > (since ?? 0)).map((t) => ({ ...t, removed: true as const })),
        ].sort((a, b) => a.revision - b.revision);
    const page = items.slice(offset, offset + limit);
    return this.json({
      desa: DESA,
      revision: this.revision,
      full,
      items: page.filter((i) => !('removed' in i)),
      removed: page.filter((i) => 'removed' in i),
      cursor: offset + limit < items.length ? String(offset + limit) : null,
    });
  }

  fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input, 'http://x');
    const method = init.method ?? 'GET';
    this.calls.push(`${method} ${url.pathname}`);
    if (this.fail === 'network') throw new TypeError('Failed to fetch');
    if (typeof this.fail === 'number') {
      return new Response(JSON.stringify({ detail: `gagal ${this.fail}` }), { status: this.fail });
    }
    if (url.pathname === '/api/v1/sasaran' && method === 'GET') return this.list(url);
    const m = /^\/api\/v1\/sasaran\/([^/]+)\/followup$/.exec(url.pathname);
    if (m && method === 'POST') {
      const body = JSON.parse(String(init.body)) as { id: string; outcome: string; note: string; at: string };
      const target = this.rows.find((r) => r.id === m[1]);
      if (!target) return new Response(JSON.stringify({ detail: 'Sasaran tidak ditemukan.' }), { status: 404 });
      const content = JSON.stringify(body);
      const before = this.stored.get(body.id);
      if (before !== undefined && before !== content) {
        return new Response(JSON.stringify({ detail: 'ID tindak lanjut sudah dipakai.' }), { status: 409 });
      }
      const created = before === undefined;
      if (created) {
        this.stored.set(body.id, content);
        const followup = { id: body.id, outcome: body.outcome, label: body.outcome, note: body.note, at: body.at, by: 'op.a' };
        this.put({ ...target, followup, followup_count: target.followup_count + 1 });
      }
      const now = this.rows.find((r) => r.id === m[1]);
      return this.json({ created, followup: now?.followup, sasaran: now }, created ? 201 : 200);
    }
    return new Response(JSON.stringify({ items: [] }), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
}

let server: FakeSasaran;

beforeEach(async () => {
  setInlineRetryForTests([]);
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
  server = new FakeSasaran();
  setFetcher(server.fetch);
  await setSession({ user: { username: 'op.a', role: 'operator', desa: DESA }, csrf: 'csrf-1', expired: false });
});

describe('worklist cache', () => {
  it('downloads the whole list once, then asks only for what changed after its revision', async () => {
    expect(await refreshWorklist(DESA)).toBe('changed');
    expect((await cachedRows(DESA)).map((r) => r.name)).toEqual(['Inaq Sinar', 'Amaq Udin']);
    expect(await refreshWorklist(DESA)).toBe('unchanged');
    expect(server.queries).toEqual([`desa=${encodeURIComponent(DESA)}&limit=200`, `desa=${encodeURIComponent(DESA)}&limit=200&since=2`]);
  });

  it('applies a changed row and a new one in the server order, and a tombstone', async () => {
    await refreshWorklist(DESA);
    server.put({ ...server.rows[1], address: 'Dusun Lain' }); // r-2, revision 3
    server.put(row('r-3', 'Baiq Aisyah', 'DISABILITAS')); // revision 4
    server.remove('r-1'); // revision 5
    expect(await refreshWorklist(DESA)).toBe('changed');
    const cached = await cachedRows(DESA);
    expect(cached.map((r) => r.id)).toEqual(['r-3', 'r-2']);
    expect(cached[1].address).toBe('Dusun Lain');
    expect(server.queries.at(-1)).toContain('since=2');
    expect(await refreshWorklist(DESA)).toBe('unchanged');
    expect(server.queries.at(-1)).toContain('since=5');
  });

  it("records the operator's own follow-up in the copy without downloading the list again", async () => {
    await refreshWorklist(DESA);
    await recordFollowup({ id: 'r-2', desa: DESA }, 'DITEMUKAN', 'di sawah', 'op.a');
    expect(await syncFollowups(true)).toMatchObject({ sent: 1 });
    expect((await cachedRows(DESA)).find((r) => r.id === 'r-2')?.followup?.note).toBe('di sawah');
    await refreshWorklist(DESA);
    expect(server.queries.slice(1).every((q) => q.includes('since='))).toBe(true);
    expect((await cachedRows(DESA)).map((r) => r.id)).toEqual(['r-1', 'r-2']);
  });

  it('follows the cursor through a delta of more than a page', async () => {
    await refreshWorklist(DESA);
    for (let i = 0; i < 450; i++) server.put(row(`n-${i}`, `Warga ${String(i).padStart(3, '0')}`));
    expect(await refreshWorklist(DESA)).toBe('changed');
    expect(await cachedRows(DESA)).toHaveLength(452);
    expect(server.queries.slice(1)).toHaveLength(3);
    expect(server.queries.slice(1).every((q) => q.includes('since=2'))).toBe(true);
  });

  it('starts over when the server says the revision is too old', async () => {
    await refreshWorklist(DESA);
    server.remove('r-1');
    server.put(row('r-9', 'Amaq Baru'));
    server.floor = server.revision; // the tombstone of r-1 expired
    expect(await refreshWorklist(DESA)).toBe('changed');
    expect((await cachedRows(DESA)).map((r) => r.id)).toEqual(['r-9', 'r-2']);
    expect(await refreshWorklist(DESA)).toBe('unchanged');
    expect(server.queries.at(-1)).toContain(`since=${server.revision}`);
  });

  it('keeps a newer cached row over an older one in a page read before it', async () => {
    await applyWorklistChanges(DESA, { rows: [{ ...row('r-1', 'Inaq Sinar'), version: 3 }], removed: [], revision: 1 });
    await applyWorklistChanges(DESA, { rows: [{ ...row('r-1', 'Lama'), version: 2 }], removed: [], revision: 1 });
    expect((await cachedRows(DESA))[0].name).toBe('Inaq Sinar');
  });

  it('downloads whole when the rows were cleared (another officer logged in)', async () => {
    await refreshWorklist(DESA);
    await forgetWorklists();
    expect(await refreshWorklist(DESA)).toBe('changed');
    expect(await cachedRows(DESA)).toHaveLength(2);
    expect(server.queries.map((q) => q.includes('since='))).toEqual([false, false]);
  });

  it('keeps the cache when offline', async () => {
    await refreshWorklist(DESA);
    server.fail = 'network';
    expect(await refreshWorklist(DESA)).toBe('offline');
    expect(await cachedRows(DESA)).toHaveLength(2);
  });
});

describe('follow-up queue', () => {
  it('is stored locally first and sent exactly once, replays included', async () => {
    await refreshWorklist(DESA);
    server.fail = 'network';
    const item = await recordFollowup({ id: 'r-1', desa: DESA }, 'DITEMUKAN', ' di sawah ', 'op.a');
    expect(item.note).toBe('di sawah');
    expect(followupsWaiting()).toBe(true); // the foreground loop keeps trying
    const first = await syncFollowups(true);
    expect(first).toMatchObject({ sent: 0, retry: 1, pending: 1 });
    const [waiting] = await localFollowups();
    expect(waiting).toMatchObject({ state: 'queued', attempts: 1 });
    expect(waiting.nextAttemptAt).toBeGreaterThan(Date.now());

    server.fail = null;
    expect(await syncFollowups()).toMatchObject({ sent: 0, pending: 1 }); // not due yet
    expect(await syncFollowups(true)).toMatchObject({ sent: 1, pending: 0 });
    expect(await localFollowups()).toEqual([]);
    expect(followupsWaiting()).toBe(false);
    expect(server.stored.size).toBe(1);
    // The cached row shows the server's answer, in its old place.
    const cached = await cachedRows(DESA);
    expect(cached[0].followup?.outcome).toBe('DITEMUKAN');
    expect(cached[0].order).toBe(0);

    // A replay after a crash between "stored on the server" and "deleted here" is stored once.
    await (await db()).put('followups', { ...item, state: 'queued', attempts: 0, nextAttemptAt: 0 });
    expect(await syncFollowups(true)).toMatchObject({ sent: 1 });
    expect(server.stored.size).toBe(1);
    expect(server.rows[0].followup_count).toBe(1);
  });

  it('parks a 4xx with the server message and retries 5xx', async () => {
    await recordFollowup({ id: 'r-1', desa: DESA }, 'PINDAH', '', 'op.a');
    server.fail = 503;
    expect(await syncFollowups(true)).toMatchObject({ retry: 1 });
    expect((await localFollowups())[0]).toMatchObject({ state: 'queued', message: 'gagal 503' });
    server.fail = 409;
    expect(await syncFollowups(true)).toMatchObject({ parked: 1 });
    const [parked] = await localFollowups();
    expect(parked).toMatchObject({ state: 'attention', message: 'gagal 409' });
    expect(await syncFollowups(true)).toMatchObject({ sent: 0, parked: 0 }); // parked: left alone
    server.fail = null;
    await retryFollowup(parked.id);
    expect(await syncFollowups(true)).toMatchObject({ sent: 1 });
  });

  it('waits for a login on 401 and keeps the follow-up', async () => {
    await recordFollowup({ id: 'r-1', desa: DESA }, 'MENINGGAL', '', 'op.a');
    server.fail = 401;
    expect(await syncFollowups(true)).toMatchObject({ waitingForLogin: true, pending: 1 });
    expect(await localFollowups()).toHaveLength(1);
  });

  it('travels in the outbox pass', async () => {
    await recordFollowup({ id: 'r-2', desa: DESA }, 'SUDAH_PUNYA', '', 'op.a');
    const summary = await syncAll({ force: true });
    expect(summary.sent).toBe(1);
    expect(server.calls).toContain('POST /api/v1/sasaran/r-2/followup');
  });
});

describe('requests started from the worklist', () => {
  it('send sasaran_id and jemput_bola, and leave them out when unset', () => {
    const base = {
      id: 'q-1',
      owner: 'op.a',
      desa: DESA,
      service: 'KTP_BARU',
      applicant: { nik: '5203015708900001', name: 'Inaq Sinar', kk: null, phone: null, address: null },
      subject: null,
      notes: '',
      state: 'queued' as const,
      createdAt: '',
      updatedAt: '',
      serverVersion: 0,
      code: null,
      serverStatus: null,
      attempts: 0,
      nextAttemptAt: 0,
      message: null,
    };
    expect(draftBody({ ...base, sasaranId: 'r-1', jemputBola: true })).toMatchObject({ sasaran_id: 'r-1', jemput_bola: true });
    const plain = draftBody({ ...base, sasaranId: null, jemputBola: false });
    expect('sasaran_id' in plain || 'jemput_bola' in plain).toBe(false);
  });
});

describe('database upgrade', () => {
  it('adds the worklist stores and keeps everything of version 1', async () => {
    expect(DB_VERSION).toBe(2);
    globalThis.indexedDB = new IDBFactory(); // beforeEach opened version 2: start from nothing
    resetDbForTests();
    const old = await openDB(DB_NAME, 1, {
      upgrade(database) {
        database.createObjectStore('requests', { keyPath: 'id' }).createIndex('state', 'state');
        database.createObjectStore('scans', { keyPath: 'id' }).createIndex('requestId', 'requestId');
        database.createObjectStore('server', { keyPath: 'id' });
        database.createObjectStore('kv');
      },
    });
    await old.put('requests', { id: 'q-1', state: 'queued', owner: 'op.a' });
    await old.put('scans', { id: 's-1', requestId: 'q-1' });
    await old.put('server', { id: 'x-1', created_at: '2026-01-01' });
    await old.put('kv', { user: 'kept' }, 'session-old');
    old.close();
    resetDbForTests();

    const upgraded = await db();
    expect([...upgraded.objectStoreNames].sort()).toEqual(['followups', 'kv', 'requests', 'sasaran', 'scans', 'server']);
    expect(await upgraded.get('requests', 'q-1')).toMatchObject({ state: 'queued' });
    expect(await upgraded.getAllFromIndex('scans', 'requestId', 'q-1')).toHaveLength(1);
    expect(await upgraded.get('server', 'x-1')).toBeTruthy();
    expect(await upgraded.get('kv', 'session-old')).toEqual({ user: 'kept' });
    expect(await upgraded.getAllFromIndex('followups', 'state', 'queued')).toEqual([]);
  });
});
