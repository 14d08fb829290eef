import { describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { warnings, withBytes, zoomStep, ZOOMS } from '../src/screens/photo-check';

describe('photo check helpers', () => {
  it('tells each flag in plain Indonesian, and in English', () => {
    setLang('id');
    expect(warnings(['dark', 'blurred', 'small']).map((w) => w.title)).toEqual([
      'Foto terlalu gelap',
      'Foto kabur — tulisan mungkin tidak terbaca',
      'Foto terlalu kecil',
    ]);
    expect(warnings(['small'])[0].hint).toContain('800 piksel');
    setLang('en');
    expect(warnings(['dark'])[0].title).toBe('Photo too dark');
    setLang('id');
    expect(warnings([])).toEqual([]);
  });
  it('zooms in and out by steps from 100 %, and stops at the ends', () => {
    expect(zoomStep(1, 1)).toBe(2);
    expect(zoomStep(1, -1)).toBe(0.5);
    expect(zoomStep(ZOOMS[ZOOMS.length - 1], 1)).toBe(ZOOMS[ZOOMS.length - 1]);
    expect(zoomStep(ZOOMS[0], -1)).toBe(ZOOMS[0]);
  });
  it('gives a cropped page its new bytes and flags, and a fresh upload under a new id', () => {
    const old = new Blob(['uncropped'], { type: 'image/jpeg' });
    const page = { id: 'p1', requestId: 'r1', requirement: 'F101', blob: old, name: 'foto.jpg', contentType: 'image/jpeg', size: 9, sha256: 'aa', done: true, uploaded: true, failures: 2, quality: ['dark' as const] };
    const cut = new Blob(['cropped'], { type: 'image/jpeg' });
    const cropped = withBytes(page, { blob: cut, contentType: 'image/jpeg', size: 7, sha256: 'bb', flags: ['small'] }, 'p2');
    expect(cropped).toEqual({ id: 'p2', requestId: 'r1', requirement: 'F101', blob: cut, name: 'foto.jpg', contentType: 'image/jpeg', size: 7, sha256: 'bb', done: false, failures: 0, quality: ['small'] });
    // Clean bytes: no badges; the id kept when none is given (a photo still held by the check).
    const clean = withBytes(page, { blob: cut, contentType: 'image/jpeg', size: 7, sha256: 'bb', flags: [] });
    expect(clean.id).toBe('p1');
    expect('quality' in clean || 'uploaded' in clean).toBe(false);
  });
});
