import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { createHash, randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { setFetcher, setSession, getSession } from '../src/lib/api';
import { db, EditConflict, finishRequest, resetDbForTests, saveRequestWithScans, scansOf, type LocalRequest, type LocalScan } from '../src/lib/db';
import { backoff, BACKOFF_MAX_MS, enqueue, exportOutbox, onProgress, sentRecently, setInlineRetryForTests, syncAll, type Progress } from '../src/lib/outbox';
import { FakeServer } from './fake-server';

let server: FakeServer;

beforeEach(async () => {
  setInlineRetryForTests([]); // each failure ends the pass: the tests count passes
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
  server = new FakeServer();
  setFetcher(server.fetch);
  await setSession({ user: { username: 'op.a', role: 'operator', desa: '52.03.01.2001' }, csrf: 'csrf-1', expired: false });
});

function request(changes: Partial<LocalRequest> = {}): LocalRequest {
  return {
    id: randomUUID(),
    owner: 'op.a',
    desa: '52.03.01.2001',
    service: 'KK_UBAH',
    applicant: { nik: '5203015708900001', name: 'Siti Aminah', kk: null, phone: null, address: null },
    subject: null,
    notes: '',
    state: 'queued',
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
    serverVersion: 0,
    code: null,
    serverStatus: null,
    attempts: 0,
    nextAttemptAt: 0,
    message: null,
    ...changes,
  };
}

function scan(requestId: string, requirement: string, text: string, page = 1): LocalScan {
  const data = new TextEncoder().encode(`\xff\xd8\xff ${text}`);
  return {
    id: randomUUID(),
    requestId,
    requirement,
    page,
    blob: new Blob([data], { type: 'image/jpeg' }),
    name: `${text}.jpg`,
    contentType: 'image/jpeg',
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    done: false,
    failures: 0,
  };
}

async function queued(n = 1, pages = ['F101', 'KK_LAMA']): Promise<{ item: LocalRequest; scans: LocalScan[] }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const item = request({ createdAt: new Date(Date.now() + i).toISOString() });
    const scans = pages.map((req, p) => scan(item.id, req, `${item.id}-${req}-${p}`, p + 1));
    await saveRequestWithScans(item, scans);
    out.push({ item, scans });
  }
  return out;
}

const local = async () => (await db()).getAll('requests');

describe('saving', () => {
  it('writes a draft and its scans together and reads them back', async () => {
    const [{ item, scans }] = await queued(1);
    expect((await local()).map((r) => r.id)).toEqual([item.id]);
    const stored = await scansOf(item.id);
    expect(stored.map((s) => s.sha256).sort()).toEqual(scans.map((s) => s.sha256).sort());
    expect(stored.every((s) => s.blob.size === s.size)).toBe(true);
  });
  it('replaces the scan set on a second save (a removed page is gone)', async () => {
    const [{ item, scans }] = await queued(1);
    await saveRequestWithScans({ ...item, updatedAt: new Date(Date.now() + 5).toISOString() }, scans.slice(0, 1));
    expect((await scansOf(item.id)).map((s) => s.id)).toEqual([scans[0].id]);
  });
});

describe('two tabs on one request', () => {
  it('refuses a save from a form that loaded an older version, and keeps what is stored', async () => {
    const [{ item, scans }] = await queued(1);
    const draft = { ...item, state: 'draft' as const };
    await saveRequestWithScans(draft, scans);
    // Tab B saves an edit; tab A, still on the version it loaded, then saves its own.
    const editedInB = { ...draft, notes: 'dari tab B', updatedAt: new Date(Date.now() + 10).toISOString() };
    await saveRequestWithScans(editedInB, scans, draft.updatedAt);
    const fromA = { ...draft, notes: 'dari tab A', updatedAt: new Date(Date.now() + 20).toISOString() };
    await expect(saveRequestWithScans(fromA, scans, draft.updatedAt)).rejects.toBeInstanceOf(EditConflict);
    expect((await local())[0].notes).toBe('dari tab B');
  });
  it('refuses to change a request another tab has queued for sending', async () => {
    const [{ item, scans }] = await queued(1); // state: queued
    const edit = { ...item, notes: 'terlambat', updatedAt: new Date(Date.now() + 10).toISOString() };
    await expect(saveRequestWithScans(edit, scans, item.updatedAt)).rejects.toBeInstanceOf(EditConflict);
    expect((await local())[0].notes).toBe('');
  });
  it('refuses a save after the request was sent and its local copy removed', async () => {
    const [{ item, scans }] = await queued(1);
    await syncAll();
    await expect(saveRequestWithScans({ ...item, state: 'draft' }, scans, item.updatedAt)).rejects.toBeInstanceOf(EditConflict);
    expect(await local()).toEqual([]);
  });
  it('keeps an edit made while the send was under way instead of deleting it with the sent copy', async () => {
    const [{ item }] = await queued(1);
    const edited = { ...item, notes: 'diubah saat dikirim', updatedAt: new Date(Date.now() + 10).toISOString() };
    await (await db()).put('requests', edited);
    const finished = await finishRequest(item.id, { id: item.id, status: 'DIAJUKAN' } as never, item.updatedAt);
    expect(finished).toBe(false);
    const [kept] = await local();
    expect(kept.notes).toBe('diubah saat dikirim');
    expect(kept.state).toBe('attention');
    expect(await scansOf(item.id)).toHaveLength(2);
  });
});

describe('sync', () => {
  it('tells the operator what was sent: photo counts while sending, then the code for the receipt', async () => {
    const [{ item }] = await queued(1, ['F101', 'KK_LAMA', 'KTP']);
    const seen: Progress[] = [];
    const stop = onProgress((id, p) => {
      if (id === item.id && p) seen.push({ ...p });
    });
    await syncAll();
    stop();
    expect(seen.filter((p) => p.phase === 'photos').map((p) => `${p.photosDone}/${p.photos}`)).toEqual(['0/3', '1/3', '2/3', '3/3']);
    expect(seen.at(-1)?.phase).toBe('submit');
    const code = server.requests.get(item.id)!.code;
    expect(code).toBeTruthy();
    expect(sentRecently[0]).toMatchObject({ id: item.id, code });
  });
  it('sends request, scans and submit, then deletes the local copy', async () => {
    const [{ item, scans }] = await queued(1);
    const summary = await syncAll();
    expect(summary.sent).toBe(1);
    const held = server.requests.get(item.id)!;
    expect(held.status).toBe('DIAJUKAN');
    expect(held.scans.map((s) => s.sha256).sort()).toEqual(scans.map((s) => s.sha256).sort());
    expect(await local()).toEqual([]);
    expect(await (await db()).getAll('scans')).toEqual([]);
    expect((await (await db()).get('server', item.id))?.status).toBe('DIAJUKAN');
  });

  it('resumes after dying mid-way without sending a finished scan twice', async () => {
    const [{ item }] = await queued(1, ['F101', 'KK_LAMA', 'BUKTI']);
    let completes = 0;
    const original = server.fetch;
    setFetcher(async (input, init) => {
      if (/\/complete$/.test(input) && ++completes === 2) throw new TypeError('tab closed');
      return original(input, init);
    });
    expect((await syncAll()).retry).toBe(1);
    const [left] = await local();
    expect(left.state).toBe('queued');
    expect(left.attempts).toBe(1); // progress was made: backoff starts small again
    expect(left.nextAttemptAt).toBeGreaterThan(Date.now());
    expect((await scansOf(item.id)).filter((s) => s.done)).toHaveLength(1);

    setFetcher(server.fetch);
    const uploadsBefore = server.uploads;
    expect((await syncAll({ force: true })).sent).toBe(1);
    expect(server.uploads - uploadsBefore).toBe(1); // the scan that died after its upload is not re-sent
    expect(server.requests.get(item.id)!.scans).toHaveLength(3);
    expect(server.requests.size).toBe(1);
  });

  it('waits for the backoff unless forced', async () => {
    await queued(1);
    server.fail(/^PUT \/api/, 503, 1);
    expect((await syncAll()).retry).toBe(1);
    expect((await syncAll()).sent).toBe(0); // not due yet
    expect((await syncAll({ force: true })).sent).toBe(1);
  });

  it('parks a 4xx with the server message and keeps everything local', async () => {
    const [{ item }] = await queued(1);
    server.fail(/^PUT \/api/, 409, 1, 'Permohonan sudah berstatus Dibatalkan dan tidak dapat diubah.');
    const summary = await syncAll();
    expect(summary.parked).toBe(1);
    const [left] = await local();
    expect(left.state).toBe('attention');
    expect(left.message).toContain('Dibatalkan');
    expect(await scansOf(item.id)).toHaveLength(2);
    expect((await syncAll({ force: true })).sent).toBe(0); // parked items wait for the operator
    await enqueue(item.id);
    expect((await syncAll()).sent).toBe(1);
  });

  it('retries 5xx and network errors with growing backoff, never parks them', async () => {
    await queued(1);
    server.fail(/^PUT \/api/, 500, 3);
    for (let i = 1; i <= 3; i++) {
      expect((await syncAll({ force: true })).retry).toBe(1);
      const [left] = await local();
      expect(left.state).toBe('queued');
      expect(left.attempts).toBe(i);
    }
    expect((await syncAll({ force: true })).sent).toBe(1);
  });

  it('on 401 keeps the item queued, marks the session expired, and continues after login', async () => {
    const [{ item }] = await queued(2);
    server.loggedIn = false;
    const summary = await syncAll();
    expect(summary.waitingForLogin).toBe(true);
    expect((await getSession())?.expired).toBe(true);
    expect((await local()).every((r) => r.state === 'queued' && r.attempts === 0)).toBe(true);
    expect((await syncAll({ force: true })).sent).toBe(0); // waits for a login

    server.loggedIn = true;
    await setSession({ user: { username: 'op.a', role: 'operator', desa: '52.03.01.2001' }, csrf: 'csrf-1', expired: false });
    expect((await syncAll()).sent).toBe(2);
    expect(server.requests.get(item.id)!.status).toBe('DIAJUKAN');
    expect(server.requests.size).toBe(2);
  });

  it('refreshes a stale CSRF token once on 403 and goes on', async () => {
    await queued(1);
    server.csrf = 'csrf-2';
    expect((await syncAll()).sent).toBe(1);
    expect((await getSession())?.csrf).toBe('csrf-2');
  });

  it('asks again for an expired upload URL', async () => {
    await queued(1, ['F101']);
    server.expireUploads = 1;
    expect((await syncAll()).sent).toBe(1);
    expect(server.calls.filter((c) => c.endsWith('/scans') && c.startsWith('POST'))).toHaveLength(2);
  });

  it('uploads again when the server finds the bytes incomplete, and parks after repeated failures', async () => {
    const [{ item }] = await queued(1, ['F101']);
    server.fail(/^POST .*\/complete$/, 422, 1, 'Unggahan tidak lengkap');
    expect((await syncAll()).sent).toBe(1);

    const [{ item: second }] = await queued(1, ['F101']);
    server.fail(/^POST .*\/complete$/, 422, 10, 'Unggahan tidak lengkap');
    expect((await syncAll()).parked).toBe(1);
    const [left] = await local();
    expect(left.id).toBe(second.id);
    expect(left.message).toContain('tidak lengkap');
    expect(item.id).not.toBe(second.id);
  });

  it('sends the bytes again when an upload believed done never arrived', async () => {
    const [{ item, scans }] = await queued(1, ['F101']);
    await saveRequestWithScans(item, [{ ...scans[0], uploaded: true }]);
    expect((await syncAll()).sent).toBe(1);
    expect(server.uploads).toBe(1);
  });

  it('keeps the local copy when the server does not show every scan after submit', async () => {
    const [{ item }] = await queued(1, ['F101', 'KK_LAMA']);
    const original = server.fetch;
    setFetcher(async (input, init) => {
      const response = await original(input, init);
      if (/\/submit$|\/requests\/[^/]+$/.test(input) && response.ok) {
        const body = await response.json();
        body.scans = body.scans.slice(0, 1); // a server that lost a scan
        return new Response(JSON.stringify(body), { status: 200 });
      }
      return response;
    });
    expect((await syncAll()).parked).toBe(1);
    expect(await scansOf(item.id)).toHaveLength(2);
  });

  it('replays after submit answered but the answer was lost: one request, no resubmission', async () => {
    const [{ item }] = await queued(1);
    const original = server.fetch;
    let lost = false;
    setFetcher(async (input, init) => {
      const response = await original(input, init);
      if (/\/submit$/.test(input) && !lost) {
        lost = true;
        throw new TypeError('connection reset after the server acted');
      }
      return response;
    });
    expect((await syncAll()).retry).toBe(1);
    expect(server.requests.get(item.id)!.status).toBe('DIAJUKAN');
    expect((await syncAll({ force: true })).sent).toBe(1);
    expect(server.requests.size).toBe(1);
    expect(server.requests.get(item.id)!.version).toBe(2);
  });

  it('removes pages on the server that the operator removed on the device', async () => {
    const [{ item, scans }] = await queued(1, ['F101', 'KK_LAMA']);
    server.fail(/^POST .*\/submit$/, 422, 1, 'Dokumen wajib belum lengkap');
    expect((await syncAll()).parked).toBe(1);
    await saveRequestWithScans({ ...item, state: 'queued', updatedAt: new Date(Date.now() + 9).toISOString() }, [scans[0]]);
    expect((await syncAll({ force: true })).sent).toBe(1);
    expect(server.requests.get(item.id)!.scans.map((s) => s.requirement)).toEqual(['F101']);
  });

  it("leaves another officer's items alone", async () => {
    const item = request({ owner: 'op.lain' });
    await saveRequestWithScans(item, [scan(item.id, 'F101', 'x')]);
    expect((await syncAll()).sent).toBe(0);
    expect(server.requests.size).toBe(0);
  });

  it('exports every local request with its scans as JSON', async () => {
    const [{ item, scans }] = await queued(1);
    const exported = JSON.parse(await (await exportOutbox()).text());
    expect(exported.format).toBe('bakso-outbox');
    expect(exported.requests[0].id).toBe(item.id);
    const decoded = Buffer.from(exported.requests[0].scans[0].data_base64, 'base64');
    expect(createHash('sha256').update(decoded).digest('hex')).toBe(
      exported.requests[0].scans[0].sha256,
    );
    expect(exported.requests[0].scans).toHaveLength(scans.length);
  });
});

describe('a correction replacing a page', () => {
  it('sends the new photo as a replacement: the server holds it and not the old page, and keeps the others', async () => {
    const [{ item }] = await queued(1, ['F101', 'KK_LAMA']);
    await syncAll();
    const held = server.requests.get(item.id)!;
    const [oldF101, kk] = ['F101', 'KK_LAMA'].map((req) => held.scans.find((s) => s.requirement === req)!);
    held.status = 'PERLU_PERBAIKAN';
    held.status_label = 'Perlu perbaikan';
    const fix = request({ id: item.id, fix: true, serverVersion: held.version, updatedAt: new Date().toISOString() });
    const replacement = { ...scan(item.id, 'F101', 'foto ulang'), replaces: oldF101.id };
    await saveRequestWithScans(fix, [replacement]);

    expect((await syncAll()).sent).toBe(1);

    const after = server.requests.get(item.id)!;
    expect(after.status).toBe('DIAJUKAN');
    expect(after.scans.map((s) => s.sha256).sort()).toEqual([kk.sha256, replacement.sha256].sort());
    expect(after.scans.find((s) => s.sha256 === replacement.sha256)?.replaces).toBe(oldF101.id);
    expect(await local()).toEqual([]);
  });
});

describe('a photo kept despite the photo check', () => {
  it('sends its flags with the registration, and leaves the key out for a page without', async () => {
    const item = request();
    const dark = { ...scan(item.id, 'F101', 'gelap'), quality: ['dark', 'blurred'] as LocalScan['quality'] };
    const plain = scan(item.id, 'KK_LAMA', 'terang');
    await saveRequestWithScans(item, [dark, plain]);
    const registered: Record<string, unknown>[] = [];
    setFetcher((url, init) => {
      if (init?.method === 'POST' && String(url).endsWith('/scans')) registered.push(JSON.parse(String(init.body)));
      return server.fetch(url, init);
    });

    expect((await syncAll()).sent).toBe(1);

    const held = server.requests.get(item.id)!;
    expect(held.scans.find((s) => s.requirement === 'F101')?.quality).toEqual(['dark', 'blurred']);
    expect(held.scans.find((s) => s.requirement === 'KK_LAMA')?.quality).toEqual([]);
    expect(registered.find((b) => b.requirement === 'F101')?.quality).toEqual(['dark', 'blurred']);
    // Unset: not sent at all, so a page registered before this replays byte for byte.
    expect(registered.find((b) => b.requirement === 'KK_LAMA')).not.toHaveProperty('quality');
  });
});

describe('inline retries', () => {
  it('retry a failed step in place before the item backs off', async () => {
    setInlineRetryForTests([1, 1]);
    await queued(1);
    server.fail(/^POST .*\/complete$/, 'network', 2);
    server.fail(/^PUT \/blobs/, 502, 2);
    expect((await syncAll()).sent).toBe(1);
  });
  it('give up after the last delay and leave the rest to the backoff', async () => {
    setInlineRetryForTests([1, 1]);
    await queued(1);
    server.fail(/^POST .*\/submit$/, 503, 3);
    expect((await syncAll()).retry).toBe(1);
    expect((await syncAll({ force: true })).sent).toBe(1);
  });
});

describe('backoff', () => {
  it('grows from 2 s and stops at 5 min', () => {
    const mid = () => 0.5;
    expect(backoff(1, mid)).toBe(2000);
    expect(backoff(2, mid)).toBe(4000);
    expect(backoff(5, mid)).toBe(32000);
    expect(backoff(50, mid)).toBe(BACKOFF_MAX_MS);
    expect(backoff(3, () => 0)).toBe(6400);
    expect(backoff(3, () => 1)).toBe(9600);
  });
});

describe('draftBody', () => {
  it('sends blanks as null and trims, so a replay is byte-for-byte the same request', async () => {
    const { draftBody } = await import('../src/lib/outbox');
    const body = draftBody(
      request({
        applicant: { nik: '5203015708900001', name: ' Siti ', kk: '', phone: '  ', address: null },
        subject: { name: 'Bayi', nik: '', birth_date: '', birth_place: 'Selong', sex: 'P' },
        serverVersion: 3,
      }),
    );
    expect(body).toEqual({
      service: 'KK_UBAH',
      desa: '52.03.01.2001',
      applicant: { nik: '5203015708900001', name: 'Siti', kk: null, phone: null, address: null },
      subject: { name: 'Bayi', nik: null, birth_date: null, birth_place: 'Selong', sex: 'P' },
      notes: '',
      version: 3,
    });
  });
});

describe('fields', () => {
  it('sends the fields in the PUT and keeps a 422 refusal of them on the parked item, by field', async () => {
    const fields = { members: [{ name: 'Ahmad', nik: '5203011708850001' }, { name: 'Siti', nik: '1234' }] };
    const item = request({ service: 'KK_BARU', fields });
    await saveRequestWithScans(item, []);
    const bodies: unknown[] = [];
    setFetcher(async (input, init = {}) => {
      if (init.method === 'PUT') {
        bodies.push(JSON.parse(String(init.body)));
        const errors = [{ field: 'fields.members[1].nik', code: 'nik', message: 'NIK anggota: NIK harus 16 digit.' }];
        return new Response(JSON.stringify({ status: 422, detail: 'Isian formulir tidak valid', errors }), { status: 422, headers: { 'Content-Type': 'application/problem+json' } });
      }
      return server.fetch(input, init);
    });
    await syncAll({ force: true });
    expect(bodies).toHaveLength(1);
    expect((bodies[0] as { fields: unknown }).fields).toEqual(fields);
    const [parkedItem] = await local();
    expect(parkedItem.state).toBe('attention');
    expect(parkedItem.fieldErrors).toEqual([{ field: 'fields.members[1].nik', code: 'nik', message: 'NIK anggota: NIK harus 16 digit.' }]);
  });
});
