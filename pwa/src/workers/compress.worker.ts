/// <reference lib="webworker" />
// Scan compression off the main thread: decode, scale the long edge to MAX_EDGE, encode JPEG,
// guard against empty/black output, fall back to the original. See lib/images.ts for the rules.
import { decide, fitWithin, isHeic, looksBlank, MAX_EDGE, QUALITY, Refused, sha256, sniff } from '../lib/images';
import { assess, measureSize, type Metrics, type QualityFlag } from '../lib/photo-quality';

declare const self: DedicatedWorkerGlobalScope;

function sample(source: CanvasImageSource): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(16, 16);
  const ctx = canvas.getContext('2d');
  if (!ctx) return new Uint8ClampedArray();
  ctx.drawImage(source, 0, 0, 16, 16);
  return ctx.getImageData(0, 0, 16, 16).data;
}

/** Dark, blurred, too small? Measured on a ≤ 512 px grey copy of the scaled page (cheap, bounded). */
function check(scaled: OffscreenCanvas, sourceWidth: number, sourceHeight: number): { flags: QualityFlag[]; metrics: Metrics } | null {
  const size = measureSize(scaled.width, scaled.height);
  const copy = new OffscreenCanvas(size.width, size.height);
  const ctx = copy.getContext('2d');
  if (!ctx) return null;
  ctx.drawImage(scaled, 0, 0, size.width, size.height);
  return assess(ctx.getImageData(0, 0, size.width, size.height).data, size.width, size.height, sourceWidth, sourceHeight);
}

async function compress(file: Blob, name: string) {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const originalType = sniff(head);
  const heic = isHeic(head, file.type, name);
  let compressed: Blob | null = null;
  let blank = false;
  let sourceBlank = false;
  let resized = false;
  let quality: { flags: QualityFlag[]; metrics: Metrics } | null = null;
  if (originalType !== 'application/pdf' && file.size > 0) {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      const size = fitWithin(bitmap.width, bitmap.height, MAX_EDGE);
      resized = size.width !== bitmap.width || size.height !== bitmap.height;
      const canvas = new OffscreenCanvas(size.width, size.height);
      const ctx = canvas.getContext('2d');
      if (ctx) {
        ctx.fillStyle = '#fff'; // transparent PNG areas become white, not black, in JPEG
        ctx.fillRect(0, 0, size.width, size.height);
        ctx.drawImage(bitmap, 0, 0, size.width, size.height);
        sourceBlank = looksBlank(sample(bitmap));
        blank = looksBlank(sample(canvas));
        quality = check(canvas, bitmap.width, bitmap.height);
        compressed = await canvas.convertToBlob({ type: 'image/jpeg', quality: QUALITY });
      }
      bitmap.close();
    } catch {
      compressed = null; // undecodable here (HEIC in Chromium, a broken file): judged below
    }
  }
  const decision = decide({
    originalType,
    originalSize: file.size,
    heic,
    compressed: compressed ? { size: compressed.size, blank } : null,
    sourceBlank,
    resized,
  });
  if (decision.use === 'refuse') throw new Refused(decision.reason);
  const blob = decision.use === 'compressed' && compressed ? compressed : file;
  const contentType = decision.use === 'compressed' ? 'image/jpeg' : (originalType as string);
  const out = new Blob([blob], { type: contentType });
  // A photo the canvas could not read (the original is sent as it came) is not judged.
  const judged = decision.use === 'compressed' || (decision.use === 'original' && decision.reason === 'smaller') ? quality : null;
  return { blob: out, contentType, size: out.size, sha256: await sha256(out), ...(judged ?? {}) };
}

self.onmessage = async (event: MessageEvent<{ id: number; file: Blob; name: string }>) => {
  const { id, file, name } = event.data;
  try {
    self.postMessage({ id, ok: true, result: await compress(file, name) });
  } catch (error) {
    self.postMessage({ id, ok: false, reason: error instanceof Refused ? error.reason : 'type' });
  }
};
