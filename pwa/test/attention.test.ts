// "Perlu tindakan" on the operator's home (issue #18, src/lib/attention.ts): which of the
// desa's requests wait for it, with the reason of a return; fetched per status on sync into
// the offline cache.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { setFetcher, setSession } from '../src/lib/api';
import { attentionItems, currentNote, refreshAttention } from '../src/lib/attention';
import { resetDbForTests, type ServerRequest } from '../src/lib/db';
import { cacheServerRequest, cachedServerList } from '../src/lib/storage';

const DESA = '52.03.01.2001';

function req(id: string, status: string, changes: Partial<ServerRequest> = {}): ServerRequest {
  return {
    id,
    code: `LT-${id}`,
    status,
    status_label: status,
    version: 1,
    service: 'KK_UBAH',
    desa: DESA,
    applicant: { name: `Warga ${id}` },
    subject: null,
    notes: '',
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
    status_since: '2026-11-10T00:00:00Z',
    warnings: [],
    token: 't',
    ...changes,
  };
}
const returned = (at: string, note: string) => ({ status: 'PERLU_PERBAIKAN', label: 'Perlu perbaikan', at, by: 'dukcapil', note });

describe('attention list', () => {
  it('holds the desa returned requests first, then the finished ones, each oldest first', () => {
    const list = [
      req('a', 'SELESAI', { status_since: '2026-11-12T00:00:00Z' }),
      req('b', 'PERLU_PERBAIKAN', { status_since: '2026-11-11T00:00:00Z' }),
      req('c', 'DIAJUKAN'),
      req('d', 'SELESAI', { status_since: '2026-11-02T00:00:00Z' }),
      req('e', 'PERLU_PERBAIKAN', { status_since: '2026-11-03T00:00:00Z' }),
      req('f', 'DISERAHKAN'),
      req('g', 'SELESAI', { desa: '52.03.01.2002' }),
      req('h', 'SELESAI', { purged_at: '2026-11-20T00:00:00Z' }),
    ];
    expect(attentionItems(list, DESA).map((a) => a.item.id)).toEqual(['e', 'b', 'd', 'a']);
    expect(attentionItems([], DESA)).toEqual([]);
  });

  it('gives the reason of the current return only', () => {
    const since = '2026-11-10T00:00:00Z';
    const round2 = req('b', 'PERLU_PERBAIKAN', { status_since: since, timeline: [returned('2026-11-01T00:00:00Z', 'KK buram'), returned(since, 'Akta belum dilegalisir')] });
    expect(currentNote(round2)).toBe('Akta belum dilegalisir');
    const stale = req('b', 'PERLU_PERBAIKAN', { status_since: since, timeline: [returned('2026-11-01T00:00:00Z', 'KK buram')] });
    expect(currentNote(stale)).toBeUndefined(); // the cached detail predates this round
    expect(attentionItems([round2], DESA)[0].reason).toBe('Akta belum dilegalisir');
    expect(attentionItems([req('x', 'PERLU_PERBAIKAN')], DESA)[0].reason).toBeUndefined();
  });
});

describe('refreshAttention', () => {
  let calls: string[];
  let server: Map<string, ServerRequest>;

  beforeEach(async () => {
    globalThis.indexedDB = new IDBFactory();
    resetDbForTests();
    calls = [];
    server = new Map();
    await setSession({ user: { username: 'op.a', role: 'operator', desa: DESA }, csrf: 'c', expired: false });
    setFetcher(async (input) => {
      calls.push(input);
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
      const list = /\/api\/v1\/requests\?status=([A-Z_]+)&limit=100/.exec(input);
      if (list) {
        const items = [...server.values()].filter((r) => r.status === list[1]).map(({ timeline: _, ...rest }) => rest);
        return json({ items, cursor: null });
      }
      const one = /\/api\/v1\/requests\/([^/?]+)$/.exec(input);
      if (one && server.has(one[1])) return json(server.get(one[1]));
      return new Response('{}', { status: 404 });
    });
  });

  it('reads both statuses by filter, the reason of a return, and the new status of one that moved', async () => {
    const since = '2026-11-10T00:00:00Z';
    server.set('old', req('old', 'PERLU_PERBAIKAN', { status_since: since, timeline: [returned(since, 'Foto KK buram')] }));
    server.set('done', req('done', 'SELESAI'));
    server.set('moved', req('moved', 'DISERAHKAN'));
    await cacheServerRequest(req('moved', 'SELESAI')); // handed over on another device since
    await refreshAttention();
    expect(calls.filter((c) => c.includes('?status='))).toEqual(['/api/v1/requests?status=PERLU_PERBAIKAN&limit=100', '/api/v1/requests?status=SELESAI&limit=100']);
    const cached = await cachedServerList();
    expect(cached.find((r) => r.id === 'moved')?.status).toBe('DISERAHKAN');
    const waiting = attentionItems(cached, DESA);
    expect(waiting.map((a) => [a.item.id, a.reason])).toEqual([
      ['old', 'Foto KK buram'],
      ['done', undefined],
    ]);
    // A second sync: the reason is cached, so no detail is read again.
    calls = [];
    await refreshAttention();
    expect(calls.filter((c) => !c.includes('?status='))).toEqual([]);
  });

  it('keeps the cached list when offline', async () => {
    await cacheServerRequest(req('done', 'SELESAI'));
    setFetcher(async () => {
      throw new TypeError('Failed to fetch');
    });
    await refreshAttention();
    expect(attentionItems(await cachedServerList(), DESA).map((a) => a.item.id)).toEqual(['done']);
  });
});
