// A resident's download is a note on SELESAI, not a move (src/lib/timeline.ts): the history
// names it, and the issue date and Dukcapil's note are the move's (#18 review).
import { describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { currentNote } from '../src/lib/attention';
import type { ServerRequest } from '../src/lib/db';
import { handoverDays, localDay } from '../src/lib/handover';
import { entryTitle, lastMove } from '../src/lib/timeline';

const issued = { status: 'SELESAI', label: 'Dokumen terbit', action: 'request.transition', at: '2026-11-20T02:00:00Z', by: 'dk.a', note: 'Ambil di kantor desa' };
const download = { status: 'SELESAI', label: 'Diunduh warga', action: 'issued.download.resident', at: '2026-11-24T02:00:00Z', by: 'warga', note: '' };
const submitted = { status: 'DIAJUKAN', label: 'Diajukan', at: '2026-11-01T02:00:00Z', by: 'op.a', note: '' }; // no action: a server before #18

describe('timeline entries', () => {
  it('names a download as such, not as a second "Dokumen terbit"', () => {
    setLang('id');
    expect(entryTitle(issued)).toBe('Dokumen terbit');
    expect(entryTitle(download)).toBe('Diunduh warga');
    expect(entryTitle(submitted)).toBe('Diajukan');
    setLang('en');
    expect(entryTitle(download)).toBe('Downloaded by the resident');
    setLang('id');
    // An action this build does not know: the server's label, not the status's name.
    expect(entryTitle({ ...download, action: 'something.new', label: 'Dicatat' })).toBe('Dicatat');
  });

  it('keeps the handover from the day of issue when the resident downloaded later', () => {
    const range = handoverDays({ timeline: [submitted, issued, download] }, new Date('2026-11-27T03:00:00Z'));
    expect(range.min).toBe(localDay(issued.at));
    expect(lastMove([submitted, issued, download], 'SELESAI')).toBe(issued);
  });

  it("gives Dukcapil's note of the move, not the download's empty one", () => {
    const item = { id: 'a', status: 'SELESAI', status_since: issued.at, timeline: [submitted, issued, download] } as unknown as ServerRequest;
    expect(currentNote(item)).toBe('Ambil di kantor desa');
  });
});
