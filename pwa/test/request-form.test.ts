// The new-request form's state and rules, without a DOM (src/lib/request-form.ts).
import regions from 'virtual:regions';
import { describe, expect, it } from 'vitest';
import type { Service } from '../src/lib/catalog';
import type { LocalRequest, LocalScan, SasaranRow } from '../src/lib/db';
import { buildRequest, check, initialForm, reduce, type Action, type FormState } from '../src/lib/request-form';

const DESA = '52.03.01.2001';
const NIK = '5203015708900001';
const CATALOG: Service[] = [
  {
    code: 'KTP_BARU',
    label: 'KTP-el baru',
    label_en: 'New e-ID',
    referral: null,
    requirements: [
      { code: 'KK', label: 'Kartu Keluarga', required: true, one_of: null },
      { code: 'AKTA_LAHIR', label: 'Akta kelahiran', required: false, one_of: null },
    ],
  },
  { code: 'AKTA_LAHIR', label: 'Akta kelahiran', label_en: 'Birth certificate', referral: null, requirements: [] },
];

const run = (state: FormState, ...actions: Action[]) => actions.reduce(reduce, state);
const scan = (id: string, requirement: string, sha256: string): Omit<LocalScan, 'page'> => ({
  id,
  requestId: 'r1',
  requirement,
  blob: new Blob(['x']),
  name: `${id}.jpg`,
  contentType: 'image/jpeg',
  size: 1,
  sha256,
  done: false,
  failures: 0,
});
const fresh = () => initialForm(undefined, null);

describe('request form', () => {
  it('starts at the service step, or loading the draft at the data step', () => {
    expect(fresh()).toMatchObject({ step: 'service', loading: false, sasaranId: null });
    expect(initialForm('r1', 'ignored')).toMatchObject({ step: 'data', loading: true, sasaranId: null });
    expect(initialForm(undefined, 's1').sasaranId).toBe('s1');
  });

  it('moves on only when the step allows it', () => {
    let state = fresh();
    expect(check(state, CATALOG, regions, DESA).canNext).toBe(false);
    state = run(state, { type: 'service', code: 'KTP_BARU' });
    expect(check(state, CATALOG, regions, DESA).canNext).toBe(true);
    state = run(state, { type: 'step', step: 'data' }, { type: 'applicant', key: 'nik', value: NIK });
    expect(check(state, CATALOG, regions, DESA).dataOk).toBe(false); // no name yet
    state = run(state, { type: 'applicant', key: 'name', value: ' Siti ' });
    expect(check(state, CATALOG, regions, DESA).canNext).toBe(true);
    state = run(state, { type: 'applicant', key: 'phone', value: 'abc' });
    expect(check(state, CATALOG, regions, DESA)).toMatchObject({ phoneOk: false, canNext: false });
  });

  it('says in words why it cannot move on', () => {
    const keys = (state: FormState) => check(state, CATALOG, regions, DESA).blocked.map((m) => ('key' in m ? m.key : m.text));
    let state = fresh();
    expect(keys(state)).toEqual(['why.service']);
    state = run(state, { type: 'service', code: 'KTP_BARU' }, { type: 'step', step: 'data' });
    expect(keys(state)).toEqual(['why.nik', 'why.name']);
    state = run(state, { type: 'applicant', key: 'nik', value: '1234' }, { type: 'applicant', key: 'phone', value: 'abc' });
    expect(keys(state)).toEqual(['why.nikInvalid', 'why.name', 'why.phone']);
    state = run(state, { type: 'applicant', key: 'nik', value: NIK }, { type: 'applicant', key: 'name', value: 'Siti' }, { type: 'applicant', key: 'phone', value: '' });
    expect(keys(state)).toEqual([]);
  });

  it('shows a duplicate page error on the card of its document', () => {
    const page = { id: 'p1', requestId: 'r', requirement: 'KK', blob: new Blob(['x']), name: 'a.jpg', contentType: 'image/jpeg', size: 1, sha256: 'aa', done: false, failures: 0 };
    const state = run(fresh(), { type: 'addPage', scan: page }, { type: 'addPage', scan: { ...page, id: 'p2' } });
    expect(state.pages).toHaveLength(1);
    expect(state).toMatchObject({ scanError: { key: 'scan.duplicate' }, scanErrorFor: 'KK' });
  });

  it('shows a number error once the field was left or has 16 digits', () => {
    let state = run(fresh(), { type: 'applicant', key: 'nik', value: '5203' });
    expect(check(state, CATALOG, regions, DESA).live('nik', '5203')).toBe(false);
    state = run(state, { type: 'blur', name: 'nik' });
    expect(check(state, CATALOG, regions, DESA).live('nik', '5203')).toBe(true);
    expect(check(fresh(), CATALOG, regions, DESA).live('kk', '5203011203180002')).toBe(true);
  });

  it('numbers pages per document, refuses the same photo twice, and tracks what is missing', () => {
    let state = run(fresh(), { type: 'service', code: 'KTP_BARU' }, { type: 'addPage', scan: scan('a', 'KK', 'h1') });
    state = run(state, { type: 'addPage', scan: scan('b', 'KK', 'h2' ) }, { type: 'addPage', scan: scan('c', 'AKTA_LAHIR', 'h3') });
    expect(state.pages.map((p) => [p.id, p.page])).toEqual([['a', 1], ['b', 2], ['c', 1]]);
    state = run(state, { type: 'addPage', scan: scan('d', 'KK', 'h1') });
    expect(state.pages).toHaveLength(3);
    expect(state.scanError).toEqual({ key: 'scan.duplicate' });
    expect(check(state, CATALOG, regions, DESA).lacking).toEqual([]);
    state = run(state, { type: 'removePage', id: 'a' }, { type: 'removePage', id: 'b' });
    expect(check(state, CATALOG, regions, DESA).lacking.map((r) => r.code)).toEqual(['KK']);
    state = run(state, { type: 'preparing', delta: 1 }, { type: 'step', step: 'docs' });
    expect(check(state, CATALOG, regions, DESA).canNext).toBe(false);
  });

  it('takes name, NIK, address and service from a worklist row, and forgets a row that is gone', () => {
    const row = { id: 's1', name: 'Budi', nik: NIK, address: 'Dusun Lendang RT 2', category: 'RENTAN', documents: [{ service: 'AKTA_LAHIR' }] } as unknown as SasaranRow;
    const state = run(initialForm(undefined, 's1'), { type: 'sasaran', row, service: null });
    expect(state).toMatchObject({ sasaranName: 'Budi', serviceCode: 'AKTA_LAHIR', jemputBola: true });
    // Akta kelahiran is for the resident on the worklist: the subject, not the applicant.
    expect(state.subject).toMatchObject({ name: 'Budi', birth_date: '1990-08-17', sex: 'P' });
    expect(state.applicant).toMatchObject({ name: '', nik: '', address: 'Dusun Lendang RT 2' });
    expect(check(state, CATALOG, regions, DESA).blocked).not.toContainEqual({ key: 'why.subjectName' });
    const ktp = run(state, { type: 'sasaran', row, service: 'KTP_BARU' });
    expect(ktp.serviceCode).toBe('KTP_BARU');
    expect(ktp.applicant).toMatchObject({ name: 'Budi', nik: NIK, address: 'Dusun Lendang RT 2' });
    const kia = run(state, { type: 'sasaran', row, service: 'KIA' });
    expect(kia.subject).toMatchObject({ name: 'Budi', nik: NIK });
    expect(run(initialForm(undefined, 's1'), { type: 'sasaran', row: undefined, service: null }).sasaranId).toBeNull();
  });

  it('loads a draft and saves it back with trimmed, compact numbers', () => {
    const draft = {
      id: 'r1',
      owner: 'op',
      desa: DESA,
      service: 'AKTA_LAHIR',
      applicant: { nik: NIK, name: 'Siti', kk: null, phone: null, address: null },
      subject: { name: 'Bayi', nik: null, birth_date: '2026-01-02', birth_place: null, sex: 'P' },
      notes: '',
      state: 'draft',
      createdAt: '2026-01-01T00:00:00Z',
      serverVersion: 3,
      code: 'ABC',
    } as unknown as LocalRequest;
    let state = run(initialForm('r1', null), { type: 'loaded', item: draft, pages: [], onServer: [{ id: 's1', requirement: 'KK', sha256: 'h' }] });
    expect(state).toMatchObject({ loading: false, existing: draft, serviceCode: 'AKTA_LAHIR', onServer: [{ id: 's1', requirement: 'KK', sha256: 'h' }] });
    state = run(state, { type: 'applicant', key: 'phone', value: ' 0812 3456 789 ' }, { type: 'subject', key: 'sex', value: '' }, { type: 'notes', value: ' cepat ' });
    const checked = check(state, CATALOG, regions, DESA);
    const item = buildRequest(state, checked, { id: 'r1', username: 'other', desa: 'x', send: true, now: '2026-02-01T00:00:00Z' });
    expect(item).toMatchObject({
      owner: 'op',
      desa: DESA,
      state: 'queued',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-02-01T00:00:00Z',
      serverVersion: 3,
      notes: 'cepat',
      applicant: { nik: NIK, phone: '0812 3456 789', kk: null },
      subject: { name: 'Bayi', birth_date: '2026-01-02', birth_place: null, sex: null, nik: null },
      attempts: 0,
    });
    expect(run(initialForm('r1', null), { type: 'loaded', item: undefined, pages: [], onServer: [] })).toMatchObject({ loading: false, existing: null });
    expect(buildRequest(fresh(), check(fresh(), CATALOG, regions, DESA), { id: 'x', username: 'op', desa: DESA, send: false, now: '' })).toBeNull();
  });

  it('records saving and a failed save', () => {
    const saving = run(fresh(), { type: 'saveFailed', error: { key: 'save.failed' } }, { type: 'saving' });
    expect(saving).toMatchObject({ saving: true, saveError: null });
    expect(run(saving, { type: 'saveFailed', error: { key: 'save.quota' } })).toMatchObject({ saving: false, saveError: { key: 'save.quota' } });
  });
});

describe('a form whose request changed in another tab', () => {
  it('says so, then saves the same input as a new draft that owes nothing to the other copy', () => {
    const loaded = reduce(fresh(), {
      type: 'loaded',
      item: { id: 'r1', service: 'KK_UBAH', applicant: { nik: '', name: 'Siti', kk: '', phone: '', address: '' }, subject: null, notes: 'x', serverVersion: 3, code: 'LT-AAAA-BBBB' } as unknown as LocalRequest,
      pages: [],
      onServer: [{ id: 's1', requirement: 'F101', sha256: 'ab' }],
    });
    const refused = reduce({ ...loaded, saving: true }, { type: 'conflict' });
    expect(refused).toMatchObject({ saving: false, conflict: true, saveError: { key: 'save.conflict' } });
    expect(refused.applicant.name).toBe('Siti'); // the input stays on screen

    const detached = reduce(refused, { type: 'detach', pages: [] });
    expect(detached).toMatchObject({ existing: null, onServer: [], conflict: false, saveError: null, notes: 'x' });
  });
});

describe('leaving a form', () => {
  it('asks only when input is unsaved and the screen changes', async () => {
    const { leaveNeedsConfirm } = await import('../src/lib/store');
    expect(leaveNeedsConfirm('#/baru', '#/daftar', 1)).toBe(true);
    expect(leaveNeedsConfirm('#/baru', '#/daftar', 0)).toBe(false);
    expect(leaveNeedsConfirm('#/baru?sasaran=1', '#/baru?sasaran=1&layanan=KK', 1)).toBe(false);
  });
});

describe('a correction replacing a page Dukcapil sent back', () => {
  const server = [
    { id: 'old2', requirement: 'KK', sha256: 'b', created_at: '2026-01-01T00:00:02Z' },
    { id: 'old1', requirement: 'KK', sha256: 'a', created_at: '2026-01-01T00:00:01Z' },
    // A page that replaced another sorts in the replaced page's place.
    { id: 'old0', requirement: 'KK', sha256: 'c', created_at: '2026-01-05T00:00:00Z', placed_at: '2026-01-01T00:00:00Z|zz' },
  ];
  const loaded = () => reduce(initialForm('r1', null), { type: 'loaded', item: { id: 'r1', service: 'KTP_BARU', applicant: { nik: NIK, name: 'Siti' }, subject: null, notes: '', fix: true } as unknown as LocalRequest, pages: [], onServer: server });

  it('numbers the pages on the server as Dukcapil does', async () => {
    const { serverPages } = await import('../src/lib/request-form');
    expect(serverPages(server, 'KK').map((p) => [p.id, p.page])).toEqual([['old0', 1], ['old1', 2], ['old2', 3]]);
    expect(serverPages(server, 'AKTA_LAHIR')).toEqual([]);
  });

  it('keeps one new photo per replaced page, refuses the old photo again, and still counts the document as present', () => {
    let state = run(loaded(), { type: 'addPage', scan: { ...scan('n1', 'KK', 'new1'), replaces: 'old1' } });
    state = run(state, { type: 'addPage', scan: { ...scan('n2', 'KK', 'new2'), replaces: 'old1' } });
    expect(state.pages.map((p) => [p.id, p.replaces])).toEqual([['n2', 'old1']]);
    const again = run(state, { type: 'addPage', scan: { ...scan('n3', 'KK', 'b'), replaces: 'old2' } });
    expect(again.scanError).toEqual({ key: 'scan.duplicate' });
    expect(again.pages).toHaveLength(1);
    const checked = check(state, CATALOG, regions, DESA);
    expect(checked.have.has('KK')).toBe(true);
    expect(checked.lacking).toEqual([]);
    const item = buildRequest(state, checked, { id: 'r1', username: 'op', desa: DESA, send: true, now: '2026-02-01T00:00:00Z' });
    expect(item?.fix).toBe(true);
  });
});
