// Is a photo good enough to read at Dukcapil? Pure measures over a small grey copy of the
// scaled photo (workers/compress.worker.ts draws it at most MEASURE_EDGE px long, so the cost
// is bounded whatever the camera: ≤ 0.2 M pixels, one pass each). Tested without a browser in
// pwa/test/photo-quality.test.ts; the thresholds are explained where they are defined.

export type QualityFlag = 'dark' | 'blurred' | 'small';
export const FLAGS: QualityFlag[] = ['dark', 'blurred', 'small'];

/** Long edge of the copy measured: small enough for a cheap phone, large enough for text strokes. */
export const MEASURE_EDGE = 512;

/**
 * Mean luminance (0–255) below which a photo is "too dark". Measured in Chromium through this
 * worker on bench/photos.py's 12 MP pages (paper on a brown table, uneven light): 164–177 as
 * taken; the same at 0.5× exposure 81–88, at 0.35× 56–61, at 0.2× 32–34. Under 60 is about a
 * third of a normal exposure: the paper is dark grey, ink-to-paper contrast is some 50 levels
 * and a real phone's noise reduction smears thin strokes; a retake under the lamp costs seconds.
 */
export const DARK_BELOW = 60;

/**
 * Variance of the 3×3 Laplacian (on the ≤ 512 px copy) below which a photo is "blurred".
 * Measured the same way: sharp pages 7,400–10,300 (a plain text page 30,000); after a Gaussian
 * blur of σ 2 px on the 12 MP photo 3,100–4,300 (tesseract still reads 99 % of the words),
 * σ 3 px: OCR 86 %, σ 4 px: 640–860 (OCR 9 %, a person still squints it out), σ 8 px: 74–111
 * and σ 12 px: 22–31 (nobody reads it). 300 flags the photos nobody can read and stays ≥ 20×
 * below every sharp page; a page with almost nothing on it (one line on blank paper: ~190) is
 * flagged too, and the operator keeps it with "Tetap pakai". The worker's downscale (no
 * smoothing across 3×) keeps some sensor noise, so a blurred photo never measures 0.
 */
export const BLUR_BELOW = 300;

/**
 * The source's short edge (px) below which a page is "too small to read": an A4 page across
 * 800 px is ~95 dpi, where 9-point print is ~12 px high, about the least OCR and a reader at
 * Dukcapil can still read. Every phone camera takes ≥ 1080 px; smaller images are screenshots,
 * thumbnails or re-forwarded chat pictures.
 */
export const SMALL_BELOW = 800;

export interface Metrics {
  /** Mean luminance 0–255. */
  mean: number;
  /** Variance of the 3×3 Laplacian of the grey copy. */
  laplacian: number;
  /** The source photo's edges in px, before any scaling. */
  long: number;
  short: number;
}

/** Size of the copy to measure: the long edge at most MEASURE_EDGE, never enlarged. */
export function measureSize(width: number, height: number): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= MEASURE_EDGE) return { width, height };
  const scale = MEASURE_EDGE / long;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Rec. 709 luminance of RGBA pixels (alpha ignored: the worker paints on white first). */
export function grey(rgba: Uint8ClampedArray | Uint8Array): Float32Array {
  const out = new Float32Array(rgba.length >> 2);
  for (let i = 0, j = 0; j < out.length; i += 4, j++) out[j] = 0.2126 * rgba[i] + 0.7152 * rgba[i + 1] + 0.0722 * rgba[i + 2];
  return out;
}

export function meanLuminance(lum: Float32Array): number {
  if (lum.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < lum.length; i++) sum += lum[i];
  return sum / lum.length;
}

/** Variance of the 4-neighbour Laplacian [0 1 0; 1 -4 1; 0 1 0] over the inner pixels. */
export function laplacianVariance(lum: Float32Array, width: number, height: number): number {
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let squares = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const v = lum[i - width] + lum[i + width] + lum[i - 1] + lum[i + 1] - 4 * lum[i];
      sum += v;
      squares += v * v;
    }
  }
  const n = (width - 2) * (height - 2);
  const mean = sum / n;
  return squares / n - mean * mean;
}

/** The flags a photo's measures earn. */
export function flagsOf(m: Metrics): QualityFlag[] {
  const flags: QualityFlag[] = [];
  if (m.mean < DARK_BELOW) flags.push('dark');
  if (m.laplacian < BLUR_BELOW) flags.push('blurred');
  if (m.short < SMALL_BELOW) flags.push('small');
  return flags;
}

/** Measure the RGBA copy (`width`×`height`) of a source photo of `sourceWidth`×`sourceHeight`. */
export function assess(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  sourceWidth: number,
  sourceHeight: number,
): { metrics: Metrics; flags: QualityFlag[] } {
  const lum = grey(rgba);
  const metrics: Metrics = {
    mean: meanLuminance(lum),
    laplacian: laplacianVariance(lum, width, height),
    long: Math.max(sourceWidth, sourceHeight),
    short: Math.min(sourceWidth, sourceHeight),
  };
  return { metrics, flags: flagsOf(metrics) };
}
