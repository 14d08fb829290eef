import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkSession, getSession, kabupatenOf, login, setFetcher, setSession } from '../src/lib/api';
import { resetDbForTests } from '../src/lib/db';
import { homeRoute, readsRequests, routeFor, showsTab } from '../src/lib/roles';

// The bottom bar of app.tsx, as it filters it.
const NAV = [
  { match: '' },
  { match: 'baru', operatorOnly: true },
  { match: 'daftar' },
  { match: 'sasaran', operatorOnly: true },
  { match: 'antrean', operatorOnly: true },
  { match: 'cakupan', officerOnly: true },
  { match: 'pengaturan' },
];

describe('the overseer role (#19)', () => {
  const withReports = [...NAV.slice(0, -1), { match: 'laporan', confinedOnly: true }, { match: 'pengaturan' }];
  it('lands on the reports screen and cannot open another', () => {
    expect(homeRoute('pengawas')).toBe('#/laporan');
    expect(routeFor('pengawas', [])).toEqual(['laporan']);
    expect(routeFor('pengawas', ['daftar'])).toEqual(['laporan']);
    expect(routeFor('pengawas', ['permohonan', 'abc'])).toEqual(['laporan']);
    expect(routeFor('pengawas', ['dukcapil', 'audit'])).toEqual(['laporan']);
    expect(routeFor('pengawas', ['laporan', 'LPR-AAAA2222'])).toEqual(['laporan', 'LPR-AAAA2222']);
    expect(readsRequests('pengawas')).toBe(false);
  });
  it("sends every other role typing the overseer's address to its own home", () => {
    for (const role of ['operator', 'dukcapil', 'admin'] as const) {
      expect(routeFor(role, ['laporan'])).toEqual([]);
      expect(routeFor(role, ['laporan', 'LPR-AAAA2222'])).toEqual([]);
    }
    expect(routeFor('provinsi', ['laporan'])).toEqual(['cakupan']);
    // Likewise an operator on Dukcapil's screens, an officer on the loket's.
    expect(routeFor('operator', ['dukcapil', 'audit'])).toEqual([]);
    expect(routeFor('dukcapil', ['baru'])).toEqual([]);
    expect(routeFor('admin', ['antrean'])).toEqual([]);
    expect(routeFor('operator', ['baru', 'abc'])).toEqual(['baru', 'abc']);
    expect(routeFor('admin', ['dukcapil', 'akun'])).toEqual(['dukcapil', 'akun']);
  });
  it('sees the reports tab and settings; no other role sees the reports tab', () => {
    expect(withReports.filter((tab) => showsTab('pengawas', tab)).map((tab) => tab.match)).toEqual(['laporan', 'pengaturan']);
    for (const role of ['operator', 'dukcapil', 'admin', 'provinsi'] as const) {
      expect(withReports.filter((tab) => showsTab(role, tab)).map((tab) => tab.match)).not.toContain('laporan');
    }
  });
});

describe('the province role (#16)', () => {
  it('lands on the coverage screen and cannot open another', () => {
    expect(homeRoute('provinsi')).toBe('#/cakupan');
    expect(routeFor('provinsi', [])).toEqual(['cakupan']);
    expect(routeFor('provinsi', ['dukcapil', 'akun'])).toEqual(['cakupan']);
    expect(routeFor('provinsi', ['daftar'])).toEqual(['cakupan']);
    expect(routeFor('provinsi', ['permohonan', 'abc'])).toEqual(['cakupan']);
    expect(routeFor('provinsi', ['pengaturan'])).toEqual(['pengaturan']); // logout is there
    expect(readsRequests('provinsi')).toBe(false);
  });
  it('sees only the coverage tab, and settings', () => {
    expect(NAV.filter((tab) => showsTab('provinsi', tab)).map((tab) => tab.match)).toEqual(['cakupan', 'pengaturan']);
  });
  it('leaves the other roles as they were', () => {
    expect(homeRoute('operator')).toBe('#/');
    expect(routeFor('dukcapil', ['dukcapil', 'batch'])).toEqual(['dukcapil', 'batch']);
    expect(routeFor('operator', [])).toEqual([]);
    expect(NAV.filter((tab) => showsTab('operator', tab)).map((tab) => tab.match)).toEqual(['', 'baru', 'daftar', 'sasaran', 'antrean', 'pengaturan']);
    expect(NAV.filter((tab) => showsTab('admin', tab)).map((tab) => tab.match)).toEqual(['', 'daftar', 'cakupan', 'pengaturan']);
    expect(readsRequests('dukcapil')).toBe(true);
  });
});

const LOMBOK = {
  code: '52.03',
  name: 'Kabupaten Lombok Timur',
  short_name: 'Lombok Timur',
  code_prefix: 'LT',
  timezone: 'Asia/Makassar',
  report_channels: ['LAPOR!'],
  dukcapil: { name: 'Dinas Dukcapil Lombok Timur', address: '', phone: '' },
};
const SUMBAWA = { ...LOMBOK, code: '52.04', name: 'Kabupaten Sumbawa', short_name: 'Sumbawa', code_prefix: 'SB' };

function answer(body: unknown) {
  setFetcher(async () => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }));
}

describe('the session keeps its kabupaten', () => {
  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
    resetDbForTests();
  });
  it('an officer its one kabupaten, by name', async () => {
    answer({ user: { username: 'dukcapil', role: 'dukcapil', desa: null, kabupaten: '52.03', provinsi: null }, csrf_token: 'c', kabupaten: LOMBOK, timezone: 'Asia/Makassar' });
    await login('dukcapil', 'sandi');
    expect(kabupatenOf(await getSession()).map((k) => k.name)).toEqual(['Kabupaten Lombok Timur']);
  });
  it('the province role the list of its province', async () => {
    answer({ user: { username: 'provinsi.ntb', role: 'provinsi', desa: null, kabupaten: null, provinsi: '52' }, csrf_token: 'c', kabupaten: [LOMBOK, SUMBAWA], timezone: 'Asia/Makassar' });
    await login('provinsi.ntb', 'sandi');
    expect(kabupatenOf(await getSession()).map((k) => k.code)).toEqual(['52.03', '52.04']);
  });
  it('a session saved before #16 gains it at the next check', async () => {
    await setSession({ user: { username: 'admin', role: 'admin', desa: null }, csrf: 'c', timezone: 'Asia/Makassar', expired: false });
    answer({ user: { username: 'admin', role: 'admin', desa: null, kabupaten: '52.03', provinsi: null }, csrf_token: 'c', kabupaten: LOMBOK, timezone: 'Asia/Makassar' });
    await checkSession();
    expect(kabupatenOf(await getSession())[0]?.short_name).toBe('Lombok Timur');
  });
});
