/// <reference lib="webworker" />
// Scan compression off the main thread: decode, scale the long edge to MAX_EDGE, encode JPEG,
// guard against empty/black output, fall back to the original. See lib/images.ts for the rules.
import { decide, fitWithin, isHeic, looksBlank, MAX_EDGE, QUALITY, Refused, sha256, sniff } from '../lib/images';

declare const self: DedicatedWorkerGlobalScope;

function sample(source: CanvasImageSource): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(16, 16);
  const ctx = canvas.getContext('2d');
  if (!ctx) return new Uint8ClampedArray();
  ctx.drawImage(source, 0, 0, 16, 16);
  return ctx.getImageData(0, 0, 16, 16).data;
}

async function compress(file: Blob, name: string) {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const originalType = sniff(head);
  const heic = isHeic(head, file.type, name);
  let compressed: Blob | null = null;
  let blank = false;
  let sourceBlank = false;
  let resized = false;
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
  return { blob: out, contentType, size: out.size, sha256: await sha256(out) };
}

self.onmessage = async (event: MessageEvent<{ id: number; file: Blob; name: string }>) => {
  const { id, file, name } = event.data;
  try {
    self.postMessage({ id, ok: true, result: await compress(file, name) });
  } catch (error) {
    self.postMessage({ id, ok: false, reason: error instanceof Refused ? error.reason : 'type' });
  }
};
