// The PWA's lifecycle is the server's table (backend/bakso/data/lifecycle.json, read by
// domain/lifecycle.py): these fail when what the PWA offers drifts from that file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allowed, EDITABLE, movesOf, NEEDS_REASON, STATUSES, TRANSITIONS } from '../src/lib/lifecycle';
import { DUKCAPIL_MOVES, movesFrom } from '../src/lib/officer';

const file = JSON.parse(readFileSync(new URL('../../backend/bakso/data/lifecycle.json', import.meta.url), 'utf8')) as {
  statuses: string[];
  editable: string[];
  needs_reason: string[];
  transitions: { from: string; to: string; by: string[] }[];
};

describe('lifecycle', () => {
  it('is the server data file, unchanged', () => {
    expect(STATUSES).toEqual(file.statuses);
    expect([...EDITABLE].sort()).toEqual([...file.editable].sort());
    expect([...NEEDS_REASON].sort()).toEqual([...file.needs_reason].sort());
    expect(TRANSITIONS).toEqual(file.transitions);
  });

  it('offers Dukcapil exactly the moves the server lets it make by hand', () => {
    for (const from of file.statuses) {
      const server = file.transitions
        .filter((m) => m.from === from && m.by.includes('dukcapil'))
        .map((m) => m.to)
        .filter((to) => !(from === 'DIAJUKAN' && to === 'DITERIMA')); // the batch download's
      expect([...movesFrom(from)].sort()).toEqual(server.sort());
      for (const to of movesFrom(from)) expect(allowed(from, to, 'dukcapil')).toBe(true);
    }
    expect(Object.keys(DUKCAPIL_MOVES).every((s) => file.statuses.includes(s))).toBe(true);
  });

  it('orders buttons forward first, reasons next, cancelling last', () => {
    expect(movesOf('dukcapil', 'DIPROSES')).toEqual(['SELESAI', 'PERLU_PERBAIKAN', 'DITOLAK', 'DIBATALKAN']);
    expect(movesFrom('DITERIMA')).toEqual(['DIPROSES', 'PERLU_PERBAIKAN', 'DIBATALKAN']);
    expect(movesOf('operator', 'DRAF')).toEqual(['DIAJUKAN', 'DIBATALKAN']);
    expect(allowed('SELESAI', 'DISERAHKAN', 'operator')).toBe(true);
    expect(allowed('SELESAI', 'DISERAHKAN', 'dukcapil')).toBe(false);
  });
});
