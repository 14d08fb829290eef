// The resident's download PIN on the device (issue #18): made uniformly from
// crypto.getRandomValues, sent with the first submit and with every replay of it, held after
// the server confirms until the receipt prints it (src/lib/pin.ts, src/lib/outbox.ts).
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { createHash, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFetcher, setSession } from '../src/lib/api';
import { resetDbForTests, saveRequestWithScans, type LocalRequest, type LocalScan } from '../src/lib/db';
import { draftBody, setInlineRetryForTests, syncAll } from '../src/lib/outbox';
import { newPin, receiptUrl, takesPin } from '../src/lib/pin';
import { BUILT_CATALOG } from '../src/lib/catalog';
import { forgetPin, forgetServerList, heldPin, holdPin, localRequest } from '../src/lib/storage';
import { FakeServer } from './fake-server';

describe('newPin', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is six digits, zero-padded', () => {
    for (let i = 0; i < 200; i++) expect(newPin()).toMatch(/^[0-9]{6}$/);
    expect(newPin((a) => a.fill(7))).toBe('000007');
    expect(newPin((a) => a.fill(4_293_999_999))).toBe('999999');
  });

  it('draws again above the last whole million of 2^32 (no modulo bias)', () => {
    const draws = [4_294_000_000, 0xffff_ffff, 123_456_789];
    let calls = 0;
    const pin = newPin((a) => a.fill(draws[calls++]));
    expect(calls).toBe(3);
    expect(pin).toBe('456789');
  });

  it('comes from crypto.getRandomValues, never Math.random', () => {
    const math = vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random used for a PIN');
    });
    const crypto = vi.spyOn(globalThis.crypto, 'getRandomValues');
    newPin();
    expect(crypto).toHaveBeenCalled();
    expect(math).not.toHaveBeenCalled();
  });

  it('is uniform-ish: every digit of every place about equally often', () => {
    const n = 20_000;
    const counts = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    for (let i = 0; i < n; i++) [...newPin()].forEach((d, place) => counts[place][Number(d)]++);
    // Chi-square with 9 degrees of freedom per place: 27.9 is p = 0.001.
    for (const place of counts) {
      const chi = place.reduce((sum, c) => sum + (c - n / 10) ** 2 / (n / 10), 0);
      expect(chi).toBeLessThan(27.9);
    }
  });

  it('is not made for a card, which is collected rather than downloaded', () => {
    expect(takesPin(BUILT_CATALOG, 'KK_UBAH')).toBe(true);
    expect(takesPin(BUILT_CATALOG, 'KTP_BARU')).toBe(false);
    expect(takesPin([], 'UNKNOWN')).toBe(true); // absent: printable
  });

  it('reaches the receipt only as a fragment', () => {
    expect(receiptUrl('r1', 'thermal', '012345')).toBe('/api/v1/requests/r1/receipt?layout=thermal#pin=012345');
    expect(receiptUrl('r1', 'a4', null)).toBe('/api/v1/requests/r1/receipt?layout=a4');
  });
});

describe('the PIN through the outbox', () => {
  let server: FakeServer;
  let submits: { id: string; body: unknown }[];

  beforeEach(async () => {
    setInlineRetryForTests([]);
    globalThis.indexedDB = new IDBFactory();
    resetDbForTests();
    server = new FakeServer();
    submits = [];
    setFetcher(async (input, init = {}) => {
      const m = /\/requests\/([^/]+)\/submit$/.exec(input);
      if (m) submits.push({ id: m[1], body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
      return server.fetch(input, init);
    });
    await setSession({ user: { username: 'op.a', role: 'operator', desa: '52.03.01.2001' }, csrf: 'csrf-1', expired: false });
  });

  function queued(changes: Partial<LocalRequest> = {}): Promise<LocalRequest> {
    const now = new Date().toISOString();
    const item: LocalRequest = {
      id: randomUUID(),
      owner: 'op.a',
      desa: '52.03.01.2001',
      service: 'KK_UBAH',
      applicant: { nik: '5203015708900001', name: 'Siti Aminah', kk: null, phone: '0812 3456 7890', address: null, notify: true },
      subject: null,
      notes: '',
      state: 'queued',
      createdAt: now,
      updatedAt: now,
      serverVersion: 0,
      code: null,
      serverStatus: null,
      attempts: 0,
      nextAttemptAt: 0,
      message: null,
      ...changes,
    };
    const data = new TextEncoder().encode(`\xff\xd8\xff ${item.id}`);
    const scan: LocalScan = {
      id: randomUUID(),
      requestId: item.id,
      requirement: 'F101',
      page: 1,
      blob: new Blob([data], { type: 'image/jpeg' }),
      name: 'f101.jpg',
      contentType: 'image/jpeg',
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      done: false,
      failures: 0,
    };
    return saveRequestWithScans(item, [scan]).then(() => item);
  }

  it('sends a new PIN as the submit body and holds it once the server has the request', async () => {
    const item = await queued();
    expect((await syncAll()).sent).toBe(1);
    expect(submits).toHaveLength(1);
    const sent = (submits[0].body as { pin: string }).pin;
    expect(sent).toMatch(/^[0-9]{6}$/);
    expect(await localRequest(item.id)).toBeUndefined(); // the local copy went
    expect(await heldPin(item.id)).toBe(sent); // the PIN stays for the receipt
    await forgetPin(item.id); // the receipt was opened with it
    expect(await heldPin(item.id)).toBeUndefined();
  });

  it('sends the same PIN again when the submit is replayed', async () => {
    const item = await queued();
    server.fail(/^POST .*\/submit$/, 503, 1);
    expect((await syncAll()).retry).toBe(1);
    const first = (await localRequest(item.id))?.pin;
    expect(first).toMatch(/^[0-9]{6}$/); // stored before it was sent
    expect((await syncAll({ force: true })).sent).toBe(1);
    expect(submits.map((s) => s.body)).toEqual([{ pin: first }, { pin: first }]);
    expect(await heldPin(item.id)).toBe(first);
  });

  it('sends no PIN for a correction (the first submission set it) nor for a card', async () => {
    const card = await queued({ service: 'KTP_BARU' });
    expect((await syncAll()).sent).toBe(1);
    // Returned by Dukcapil, corrected on the device: its resubmission.
    const fixedId = randomUUID();
    server.requests.set(fixedId, { ...server.requests.get(card.id)!, id: fixedId, status: 'PERLU_PERBAIKAN', version: 3, content: '', scans: [] });
    const fixed = await queued({ id: fixedId, fix: true, serverVersion: 3 });
    expect((await syncAll({ force: true })).sent).toBe(1);
    expect(server.requests.get(fixedId)!.status).toBe('DIAJUKAN');
    expect(submits.map((s) => s.body)).toEqual([undefined, undefined]);
    expect(await heldPin(card.id)).toBeUndefined();
    expect(await heldPin(fixed.id)).toBeUndefined();
  });

  it('goes with the server list at logout', async () => {
    await holdPin('r1', '123456');
    await forgetServerList();
    expect(await heldPin('r1')).toBeUndefined();
  });

  it('puts the consent in the draft body only when given (older items replay byte for byte)', async () => {
    const item = await queued();
    expect((draftBody(item).applicant as Record<string, unknown>).notify).toBe(true);
    const without = { ...item, applicant: { ...item.applicant, notify: false } };
    expect('notify' in (draftBody(without).applicant as Record<string, unknown>)).toBe(false);
  });
});
