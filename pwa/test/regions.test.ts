import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { setFetcher } from '../src/lib/api';
import { resetDbForTests } from '../src/lib/db';
import { BUILT_REGIONS, cachedRegions, desaGroups, refreshRegions, regionName, regions, setRegions } from '../src/lib/regions';

const SUMBAWA = {
  kabupaten: { code: '52.04', name: 'Kabupaten Sumbawa', level: 'kabupaten', parent: '52' },
  kecamatan: [{ code: '52.04.02', name: 'Lunyuk', level: 'kecamatan', parent: '52.04' }],
  desa: [{ code: '52.04.02.2001', name: 'Lunyuk Rea', level: 'desa', parent: '52.04.02' }],
};

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  resetDbForTests();
  setRegions(undefined);
});

describe("the regions of the user's kabupaten (#16)", () => {
  it('are the built-in ones (the default kabupaten) until the server answered', async () => {
    expect(regions.kabupaten.code).toBe('52.03');
    expect(regionName('52.03.01.2001')).toBe('Tanjung Luar');
    expect(regionName('52.04.02.2001')).toBe('52.04.02.2001');
    expect((await cachedRegions()).kabupaten.code).toBe('52.03');
  });

  it("are the server's once fetched, and stay so offline at the next start", async () => {
    setFetcher(async () => new Response(JSON.stringify(SUMBAWA), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    await refreshRegions();
    expect(regionName('52.04.02.2001')).toBe('Lunyuk Rea');
    expect(regions.kabupaten).toEqual({ code: '52.04', name: 'Kabupaten Sumbawa' });
    expect(Object.keys(regions.kecamatan)).toEqual(['52.04.02']);

    setRegions(undefined); // a restart: the module starts from the build's copy
    expect(regions).toBe(BUILT_REGIONS);
    setFetcher(async () => {
      throw new TypeError('offline');
    });
    await cachedRegions();
    expect(regionName('52.04.02.2001')).toBe('Lunyuk Rea');
    await expect(refreshRegions()).rejects.toBeTruthy();
    expect(regions.kabupaten.code).toBe('52.04'); // a failed fetch keeps what was stored
  });
});

describe('the desa a filter offers', () => {
  // Sumbawa has a "Jorok" in two kecamatan: a flat list would show the name twice.
  const TWO_JOROK = {
    kabupaten: { code: '52.04', name: 'Kabupaten Sumbawa' },
    kecamatan: { '52.04.05': 'Utan', '52.04.01': 'Lunyuk' },
    desa: { '52.04.05.2003': 'Jorok', '52.04.05.2001': 'Bale Brang', '52.04.01.2007': 'Jorok' },
  };

  it('with no kecamatan chosen, stand under their kecamatan so same names are told apart', () => {
    setRegions(TWO_JOROK);
    expect(desaGroups()).toEqual([
      { kecamatan: '52.04.01', name: 'Lunyuk', desa: [['52.04.01.2007', 'Jorok']] },
      {
        kecamatan: '52.04.05',
        name: 'Utan',
        desa: [
          ['52.04.05.2001', 'Bale Brang'],
          ['52.04.05.2003', 'Jorok'],
        ],
      },
    ]);
  });

  it('with a kecamatan chosen, are only its own', () => {
    setRegions(TWO_JOROK);
    expect(desaGroups('52.04.05').flatMap((group) => group.desa)).toEqual([
      ['52.04.05.2001', 'Bale Brang'],
      ['52.04.05.2003', 'Jorok'],
    ]);
  });
});
