import { describe, expect, it } from 'vitest';
import { rowLinks } from '../src/lib/sasaran-links';

const KK = { code: 'KK', label: 'Kartu Keluarga', service: 'KK_BARU' };
const AKTA = { code: 'AKTA_LAHIR', label: 'Akta kelahiran', service: 'AKTA_LAHIR' };

describe('the requests of a worklist row, per document', () => {
  it('offers a request for each document the row lacks, not only the first', () => {
    const row = { id: 's1', documents: [KK, AKTA], requests: [{ document: 'KK', id: 'r1', status: 'DIAJUKAN', live: true }] };
    const links = rowLinks(row, []);
    expect(links.documents.map((l) => [l.document.code, l.server?.id ?? null, l.canStart])).toEqual([
      ['KK', 'r1', false],
      ['AKTA_LAHIR', null, true],
    ]);
  });

  it('offers a new request after DITOLAK or DIBATALKAN, and none while one waits on the device', () => {
    const row = {
      id: 's1',
      documents: [KK, AKTA],
      requests: [
        { document: 'KK', id: 'r1', status: 'DITOLAK', live: false },
        { document: 'AKTA_LAHIR', id: 'r2', status: 'DIBATALKAN', live: false },
      ],
    };
    expect(rowLinks(row, []).documents.map((l) => l.canStart)).toEqual([true, true]);
    const local = [{ id: 'r3', service: 'KK_BARU', sasaranId: 's1' }];
    const links = rowLinks(row, local).documents;
    expect(links.map((l) => [l.local, l.canStart])).toEqual([
      ['r3', false],
      [null, true],
    ]);
  });

  it('reads a row cached before links were per document', () => {
    const one = { id: 's1', documents: [KK], request: { id: 'r1', status: 'SELESAI' } };
    expect(rowLinks(one, []).documents[0]).toMatchObject({ server: { id: 'r1', document: 'KK', live: true }, canStart: false });
    const two = { id: 's1', documents: [KK, AKTA], request: { id: 'r1', status: 'DITOLAK' } };
    const links = rowLinks(two, []);
    expect(links.other).toEqual([{ document: '?', id: 'r1', status: 'DITOLAK', live: false }]);
    expect(links.documents.map((l) => l.canStart)).toEqual([true, true]);
  });
});
