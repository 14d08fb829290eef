import { describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { warnings, zoomStep, ZOOMS } from '../src/screens/photo-check';

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
});
