// Scan compression rules, kept pure so they are tested without a browser
// (test/images.test.ts); the worker (workers/compress.worker.ts) applies them.
import type { Quad } from './perspective';
import type { Metrics, QualityFlag } from './photo-quality';

export const MAX_EDGE = 1600; // px, long edge: an A4 page at ~140 dpi, still legible (make bench checks with OCR)
export const QUALITY = 0.7; // with MAX_EDGE, keeps a 12 MP document photo under the 350 KB budget
export const MAX_BYTES = 10 * 1024 * 1024; // the server's MAX_SCAN_BYTES
export const ACCEPTED = new Set(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);

/** Scale (w, h) so the long edge is at most `maxEdge`; never enlarge. */
export function fitWithin(width: number, height: number, maxEdge = MAX_EDGE): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= maxEdge) return { width, height };
  const scale = maxEdge / long;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The real type by magic bytes; null when it is none the server accepts. */
export function sniff(head: Uint8Array): string | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...head.slice(8, 12)) === 'WEBP') return 'image/webp';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return null;
}

/** HEIC/HEIF (iPhone photos): an ISO-BMFF 'ftyp' box with a HEIF brand, or the declared type/name. */
export function isHeic(head: Uint8Array, type: string, name: string): boolean {
  if (/^image\/hei[cf]/i.test(type) || /\.(heic|heif)$/i.test(name)) return true;
  if (String.fromCharCode(...head.slice(4, 8)) !== 'ftyp') return false;
  const brand = String.fromCharCode(...head.slice(8, 12));
  return ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand);
}

/**
 * Luminance statistics of a small RGBA sample: a canvas that failed to draw (memory limits on
 * cheap phones) comes out fully black or fully transparent.
 */
export function looksBlank(rgba: Uint8ClampedArray): boolean {
  let max = 0;
  let opaque = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const lum = 0.2126 * rgba[i] + 0.7152 * rgba[i + 1] + 0.0722 * rgba[i + 2];
    if (lum > max) max = lum;
    if (rgba[i + 3] > 0) opaque++;
  }
  return opaque === 0 || max < 8;
}

export type Decision =
  | { use: 'compressed' }
  | { use: 'original'; reason: 'pdf' | 'smaller' | 'fallback' }
  | { use: 'refuse'; reason: 'heic' | 'type' | 'size' | 'empty' };

/**
 * Which bytes leave the device. `compressed` is what the canvas produced (absent when decoding
 * or encoding failed); `sourceBlank` says whether the picture itself is dark.
 */
export function decide(input: {
  originalType: string | null; // sniffed
  originalSize: number;
  heic: boolean;
  compressed?: { size: number; blank: boolean } | null;
  sourceBlank?: boolean;
  resized?: boolean;
}): Decision {
  const { originalType, originalSize, heic, compressed } = input;
  if (originalSize === 0) return { use: 'refuse', reason: 'empty' };
  if (originalType === 'application/pdf') {
    return originalSize <= MAX_BYTES ? { use: 'original', reason: 'pdf' } : { use: 'refuse', reason: 'size' };
  }
  const good = compressed && compressed.size > 0 && (!compressed.blank || input.sourceBlank === true);
  if (good) {
    // Re-encoding an already small photo can make it bigger: keep the original then.
    if (!input.resized && originalType && ACCEPTED.has(originalType) && originalSize <= compressed.size) {
      return { use: 'original', reason: 'smaller' };
    }
    return { use: 'compressed' };
  }
  if (heic) return { use: 'refuse', reason: 'heic' };
  if (!originalType || !ACCEPTED.has(originalType)) return { use: 'refuse', reason: 'type' };
  if (originalSize > MAX_BYTES) return { use: 'refuse', reason: 'size' };
  return { use: 'original', reason: 'fallback' };
}

export function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256(blob: Blob): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
}

export interface Prepared {
  blob: Blob;
  contentType: string;
  sha256: string;
  size: number;
  /** What the worker found wrong with a photo (lib/photo-quality.ts); absent for a PDF or an undecodable file. */
  flags?: QualityFlag[];
  metrics?: Metrics;
  /** The worker's guess of the paper's corners (0–1), where the crop's handles start. */
  paper?: Quad;
}

export class Refused extends Error {
  /** `crop`: the corners given to straighten the page are crossed or degenerate (lib/perspective.ts). */
  constructor(readonly reason: 'heic' | 'type' | 'size' | 'empty' | 'crop') {
    super(reason);
  }
}
