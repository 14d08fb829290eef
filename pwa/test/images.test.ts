import { describe, expect, it } from 'vitest';
import { decide, fitWithin, isHeic, looksBlank, MAX_BYTES, sniff } from '../src/lib/images';

const bytes = (...b: number[]) => new Uint8Array([...b, ...new Array(16).fill(0)]);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

describe('fitWithin', () => {
  it('scales the long edge down to the limit', () => {
    expect(fitWithin(4000, 3000, 1800)).toEqual({ width: 1800, height: 1350 });
    expect(fitWithin(3000, 4000, 1800)).toEqual({ width: 1350, height: 1800 });
  });
  it('never enlarges', () => {
    expect(fitWithin(800, 600, 1800)).toEqual({ width: 800, height: 600 });
  });
});

describe('sniff and HEIC', () => {
  it('reads magic bytes', () => {
    expect(sniff(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(sniff(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe('image/png');
    expect(sniff(bytes(...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBP')))).toBe('image/webp');
    expect(sniff(bytes(...ascii('%PDF-1.7')))).toBe('application/pdf');
    expect(sniff(bytes(...ascii('GIF89a')))).toBeNull();
  });
  it('knows a HEIC by its brand, type or name', () => {
    expect(isHeic(bytes(0, 0, 0, 0x18, ...ascii('ftypheic')), '', 'IMG_1.jpg')).toBe(true);
    expect(isHeic(bytes(0, 0, 0, 0x18, ...ascii('ftypmif1')), '', 'x')).toBe(true);
    expect(isHeic(bytes(0xff, 0xd8, 0xff), 'image/heic', 'x')).toBe(true);
    expect(isHeic(bytes(0xff, 0xd8, 0xff), '', 'IMG_2.HEIC')).toBe(true);
    expect(isHeic(bytes(0, 0, 0, 0x18, ...ascii('ftypisom')), 'video/mp4', 'a.mp4')).toBe(false);
    expect(isHeic(bytes(0xff, 0xd8, 0xff), 'image/jpeg', 'a.jpg')).toBe(false);
  });
});

describe('looksBlank', () => {
  const pixels = (rgba: number[], n = 16) => new Uint8ClampedArray(Array.from({ length: n }, () => rgba).flat());
  it('flags black and transparent canvases', () => {
    expect(looksBlank(pixels([0, 0, 0, 255]))).toBe(true);
    expect(looksBlank(pixels([3, 3, 3, 255]))).toBe(true);
    expect(looksBlank(pixels([200, 200, 200, 0]))).toBe(true);
    expect(looksBlank(new Uint8ClampedArray())).toBe(true);
  });
  it('passes a real picture', () => {
    const mixed = new Uint8ClampedArray([...pixels([0, 0, 0, 255], 8), ...pixels([240, 240, 230, 255], 8)]);
    expect(looksBlank(mixed)).toBe(false);
  });
});

describe('decide', () => {
  const photo = { originalType: 'image/jpeg', originalSize: 4_000_000, heic: false, resized: true };
  it('uses the compressed photo when it is good', () => {
    expect(decide({ ...photo, compressed: { size: 300_000, blank: false } })).toEqual({ use: 'compressed' });
  });
  it('falls back to the original on empty or black output', () => {
    expect(decide({ ...photo, compressed: { size: 0, blank: false } })).toEqual({ use: 'original', reason: 'fallback' });
    expect(decide({ ...photo, compressed: { size: 5000, blank: true }, sourceBlank: false })).toEqual({ use: 'original', reason: 'fallback' });
    expect(decide({ ...photo, compressed: null })).toEqual({ use: 'original', reason: 'fallback' });
  });
  it('keeps a dark picture dark when the source itself is dark', () => {
    expect(decide({ ...photo, compressed: { size: 5000, blank: true }, sourceBlank: true })).toEqual({ use: 'compressed' });
  });
  it('keeps a small original that re-encoding would only enlarge', () => {
    expect(decide({ ...photo, originalSize: 90_000, resized: false, compressed: { size: 120_000, blank: false } })).toEqual({ use: 'original', reason: 'smaller' });
  });
  it('passes PDFs through, within the size limit', () => {
    expect(decide({ originalType: 'application/pdf', originalSize: 500_000, heic: false })).toEqual({ use: 'original', reason: 'pdf' });
    expect(decide({ originalType: 'application/pdf', originalSize: MAX_BYTES + 1, heic: false })).toEqual({ use: 'refuse', reason: 'size' });
  });
  it('converts a HEIC the browser can decode, refuses one it cannot', () => {
    expect(decide({ originalType: null, originalSize: 2_000_000, heic: true, resized: true, compressed: { size: 200_000, blank: false } })).toEqual({ use: 'compressed' });
    expect(decide({ originalType: null, originalSize: 2_000_000, heic: true, compressed: null })).toEqual({ use: 'refuse', reason: 'heic' });
  });
  it('refuses what the server would refuse', () => {
    expect(decide({ originalType: null, originalSize: 1000, heic: false, compressed: null })).toEqual({ use: 'refuse', reason: 'type' });
    expect(decide({ ...photo, originalSize: MAX_BYTES + 1, compressed: null })).toEqual({ use: 'refuse', reason: 'size' });
    expect(decide({ ...photo, originalSize: 0 })).toEqual({ use: 'refuse', reason: 'empty' });
  });
});
