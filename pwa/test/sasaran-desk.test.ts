import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError, setFetcher, setSession } from '../src/lib/api';
import { resetDbForTests } from '../src/lib/db';
import { deskPage, documentStatuses, pagePath, placeFromHash, placeHash, rowState, shownRows, withdrawRow, type DeskRow } from '../src/lib/sasaran-desk';

const KK = { code: 'KK', label: 'Kartu Keluarga', service: 'KK_BARU' };
const KTP = { code: 'KTP_EL', label: 'KTP-el', service: 'KTP_BARU' };

function row(id: string, changes: Partial<DeskRow> = {}): DeskRow {
  return {
    id,
    desa: '52.03.01.2001',
    desa_name: 'Tanjung Luar',
    name: `Warga ${id}`,
    nik: null,
    address: 'Dusun Baru',
    documents: [KK],
    category: null,
    category_label: null,
    note: '',
    followup: null,
    followup_count: 0,
    requests: [],
    served: false,
    served_at: null,
    version: 1,
    updated_at: '',
    ...changes,
  };
}

type Call = { method: string; url: string; headers: Record<string, string> };
let calls: Call[];

function answer(status: number, body?: unknown) {
  setFetcher(async (input, init = {}) => {
    calls.push({ method: init.method ?? 'GET', url: input, headers: (init.headers ?? {}) as Record<string, string> });
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } });
  });
}

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
  calls = [];
  await setSession({ user: { username: 'dukcapil', role: 'dukcapil', desa: null }, csrf: 'csrf-d', expired: false });
});

describe("Dukcapil's place in the route", () => {
  it('reads the desa and its kecamatan back from the link it wrote', () => {
    const place = { kecamatan: '52.03.01', desa: '52.03.01.2001' };
    expect(placeHash(place)).toBe('#/dukcapil/sasaran-desa?kecamatan=52.03.01&desa=52.03.01.2001');
    expect(placeFromHash(placeHash(place))).toEqual(place);
  });

  it('gives a desa named alone its kecamatan, and nothing when none is named', () => {
    expect(placeFromHash('#/dukcapil/sasaran-desa?desa=52.03.02.2002')).toEqual({ kecamatan: '52.03.02', desa: '52.03.02.2002' });
    expect(placeFromHash('#/dukcapil/sasaran-desa')).toEqual({ kecamatan: '', desa: '' });
    expect(placeHash({ kecamatan: '', desa: '' })).toBe('#/dukcapil/sasaran-desa');
  });
});

describe('the rows shown', () => {
  it('leave out a withdrawn row and a row read twice across pages, keeping the order', () => {
    const pages = [row('a'), row('b'), row('c'), row('b')];
    expect(shownRows(pages, new Set(['c'])).map((r) => r.id)).toEqual(['a', 'b']);
    expect(shownRows(pages, new Set()).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('say served before followed up, and each document with its request status', () => {
    const followup = { id: 'f', outcome: 'PINDAH', label: 'Pindah', note: '', at: '', by: 'op.a' };
    expect(rowState(row('a'))).toEqual({ kind: 'open' });
    expect(rowState(row('a', { followup }))).toEqual({ kind: 'followed', label: 'Pindah' });
    expect(rowState(row('a', { followup, served: true }))).toEqual({ kind: 'served' });
    const linked = row('a', { documents: [KTP, KK], requests: [{ document: 'KK', id: 'r1', status: 'DIAJUKAN', live: true }] });
    expect(documentStatuses(linked)).toEqual([
      { label: 'KTP-el', status: null },
      { label: 'Kartu Keluarga', status: 'DIAJUKAN' },
    ]);
  });
});

describe('the API calls', () => {
  it('ask for one desa, page by page with the cursor', async () => {
    answer(200, { desa: '52.03.01.2001', revision: 3, items: [row('a')], cursor: 'k1' });
    const page = await deskPage('52.03.01.2001', null);
    expect(page).toEqual({ items: [row('a')], next: 'k1' });
    await deskPage('52.03.01.2001', 'k1');
    expect(calls.map((c) => c.url)).toEqual([pagePath('52.03.01.2001', null), pagePath('52.03.01.2001', 'k1')]);
    expect(calls[1].url).toBe('/api/v1/sasaran?desa=52.03.01.2001&limit=50&cursor=k1');
  });

  it('withdraw with DELETE and the CSRF header; a refusal carries the server detail', async () => {
    answer(204);
    await withdrawRow('s-1');
    expect(calls).toEqual([{ method: 'DELETE', url: '/api/v1/sasaran/s-1', headers: expect.objectContaining({ 'X-CSRF-Token': 'csrf-d' }) }]);
    answer(403, { detail: 'Hanya petugas Dukcapil yang dapat menarik sasaran dari daftar.' });
    const refused = await withdrawRow('s-1').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).detail).toBe('Hanya petugas Dukcapil yang dapat menarik sasaran dari daftar.');
  });
});
