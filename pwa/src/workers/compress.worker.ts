/// <reference lib="webworker" />
// Scan compression off the main thread: decode, scale the long edge to MAX_EDGE, encode JPEG,
// guard against empty/black output, fall back to the original. See lib/images.ts for the rules.
// With `crop` (the paper's four corners, 0–1 of the photo) the page is straightened first
// (lib/perspective.ts), then judged and encoded the same way.
import { decide, fitWithin, isHeic, looksBlank, MAX_EDGE, QUALITY, Refused, sha256, sniff } from '../lib/images';
import { bounds, findPaper, quadProblem, uprightSize, warp, type Quad } from '../lib/perspective';
import { assess, grey, measureSize, type Metrics, type QualityFlag } from '../lib/photo-quality';

declare const self: DedicatedWorkerGlobalScope;

function sample(source: CanvasImageSource): Uint8ClampedArray {
  const canvas = new OffscreenCanvas(16, 16);
  const ctx = canvas.getContext('2d');
  if (!ctx) return new Uint8ClampedArray();
  ctx.drawImage(source, 0, 0, 16, 16);
  return ctx.getImageData(0, 0, 16, 16).data;
}

type Judged = { flags: QualityFlag[]; metrics: Metrics; paper?: Quad };

/**
 * Dark, blurred, too small? Measured on a ≤ 512 px grey copy of the scaled page (cheap,
 * bounded). On an uncropped photo the same copy gives the guess of the paper's corners
 * where the crop's handles start.
 */
function check(scaled: OffscreenCanvas, sourceWidth: number, sourceHeight: number, guess: boolean): Judged | null {
  const size = measureSize(scaled.width, scaled.height);
  const copy = new OffscreenCanvas(size.width, size.height);
  const ctx = copy.getContext('2d');
  if (!ctx) return null;
  ctx.drawImage(scaled, 0, 0, size.width, size.height);
  const rgba = ctx.getImageData(0, 0, size.width, size.height).data;
  const judged: Judged = assess(rgba, size.width, size.height, sourceWidth, sourceHeight);
  const paper = guess ? findPaper(grey(rgba), size.width, size.height) : null;
  return paper ? { ...judged, paper } : judged;
}

/**
 * The page inside `corners` (0–1 of the photo), upright, its long edge ≤ MAX_EDGE. Only the
 * corners' bounding box is drawn, already scaled to the output's resolution, so the pixels
 * read into JavaScript are never the 12 MP photo's: ~1.1–2 × the scan's (a few MB each copy).
 * `source` is the paper's size in the photo's own pixels (what "too small" judges).
 */
function straighten(bitmap: ImageBitmap, corners: Quad): { canvas: OffscreenCanvas; source: { width: number; height: number } } | null {
  const W = bitmap.width;
  const H = bitmap.height;
  const q = corners.map(([x, y]) => [x * W, y * H]) as Quad;
  if (quadProblem(q, W, H)) throw new Refused('crop');
  const out = uprightSize(q, MAX_EDGE);
  const box = bounds(q, W, H);
  const bw = Math.max(1, Math.round(box.w * out.scale));
  const bh = Math.max(1, Math.round(box.h * out.scale));
  const work = new OffscreenCanvas(bw, bh);
  const wctx = work.getContext('2d');
  if (!wctx) return null;
  wctx.fillStyle = '#fff';
  wctx.fillRect(0, 0, bw, bh);
  wctx.drawImage(bitmap, box.x, box.y, box.w, box.h, 0, 0, bw, bh);
  const sx = bw / box.w;
  const sy = bh / box.h;
  const local = q.map(([x, y]) => [(x - box.x) * sx, (y - box.y) * sy]) as Quad;
  const pixels = warp(wctx.getImageData(0, 0, bw, bh).data, bw, bh, local, out.width, out.height);
  const canvas = new OffscreenCanvas(out.width, out.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.putImageData(new ImageData(pixels, out.width, out.height), 0, 0);
  const source = { width: Math.round(out.width / out.scale), height: Math.round(out.height / out.scale) };
  return { canvas, source };
}

/** The whole photo, its long edge ≤ MAX_EDGE, on white. */
function scaled(bitmap: ImageBitmap): OffscreenCanvas | null {
  const size = fitWithin(bitmap.width, bitmap.height, MAX_EDGE);
  const canvas = new OffscreenCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.fillStyle = '#fff'; // transparent PNG areas become white, not black, in JPEG
  ctx.fillRect(0, 0, size.width, size.height);
  ctx.drawImage(bitmap, 0, 0, size.width, size.height);
  return canvas;
}

async function compress(file: Blob, name: string, crop?: Quad) {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const originalType = sniff(head);
  const heic = isHeic(head, file.type, name);
  let compressed: Blob | null = null;
  let blank = false;
  let sourceBlank = false;
  let resized = false;
  let quality: Judged | null = null;
  if (originalType !== 'application/pdf' && file.size > 0) {
    let bitmap: ImageBitmap | null = null;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      const cropped = crop ? straighten(bitmap, crop) : null;
      const canvas = cropped ? cropped.canvas : crop ? null : scaled(bitmap);
      const source = cropped ? cropped.source : { width: bitmap.width, height: bitmap.height };
      resized = crop !== undefined || canvas?.width !== bitmap.width || canvas?.height !== bitmap.height;
      if (canvas) {
        sourceBlank = looksBlank(sample(bitmap));
        blank = looksBlank(sample(canvas));
        quality = check(canvas, source.width, source.height, !crop);
        compressed = await canvas.convertToBlob({ type: 'image/jpeg', quality: QUALITY });
      }
    } catch (error) {
      if (error instanceof Refused) throw error;
      compressed = null; // undecodable here (HEIC in Chromium, a broken file): judged below
    } finally {
      bitmap?.close();
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
  // A crop that could not be drawn must not quietly send the whole photo as "cropped".
  if (crop && decision.use !== 'compressed') throw new Refused('crop');
  const blob = decision.use === 'compressed' && compressed ? compressed : file;
  const contentType = decision.use === 'compressed' ? 'image/jpeg' : (originalType as string);
  const out = new Blob([blob], { type: contentType });
  // A photo the canvas could not read (the original is sent as it came) is not judged.
  const judged = decision.use === 'compressed' || (decision.use === 'original' && decision.reason === 'smaller') ? quality : null;
  return { blob: out, contentType, size: out.size, sha256: await sha256(out), ...(judged ?? {}) };
}

self.onmessage = async (event: MessageEvent<{ id: number; file: Blob; name: string; crop?: Quad }>) => {
  const { id, file, name, crop } = event.data;
  try {
    self.postMessage({ id, ok: true, result: await compress(file, name, crop) });
  } catch (error) {
    self.postMessage({ id, ok: false, reason: error instanceof Refused ? error.reason : 'type' });
  }
};
