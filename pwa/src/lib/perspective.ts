// The crop of a page photo to its paper (issue #17, part 5): four corners the operator put on
// the paper's corners, the 3×3 homography that maps an upright rectangle onto them, and the
// bicubic resampling that straightens the page. Pure, so it is tested without a browser
// (test/perspective.test.ts); the compression worker (workers/compress.worker.ts) applies it.

export type Point = [number, number];
/** The paper's corners in order: top left, top right, bottom right, bottom left. */
export type Quad = [Point, Point, Point, Point];
/** Row-major 3×3 matrix with h[8] = 1. */
export type Homography = number[];
export type QuadProblem = 'crossed' | 'degenerate';

/** Where the handles start when nothing better is known: 6 % in from each edge (normalised 0–1). */
export const INSET = 0.06;
export function insetQuad(inset = INSET): Quad {
  return [
    [inset, inset],
    [1 - inset, inset],
    [1 - inset, 1 - inset],
    [inset, 1 - inset],
  ];
}

const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
const dist = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** Twice the signed area (shoelace); positive for the clockwise-on-screen order of a Quad (y down). */
export function area2(q: Quad): number {
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += q[i][0] * q[(i + 1) % 4][1] - q[(i + 1) % 4][0] * q[i][1];
  return sum;
}

/**
 * Why these corners cannot be straightened, or null. `width`×`height` is the image they are on
 * (1×1 for normalised corners). Degenerate: an edge shorter than 5 % of the image's short side,
 * three corners (nearly) in a line, or less than 2 % of the image's area — nothing readable
 * comes out. Crossed: the corners are not in the order of a convex paper (two handles swapped,
 * a bow tie, a mirrored page).
 */
export function quadProblem(q: Quad, width = 1, height = 1): QuadProblem | null {
  if (q.some((p) => !Number.isFinite(p[0]) || !Number.isFinite(p[1]))) return 'degenerate';
  const short = Math.min(width, height);
  for (let i = 0; i < 4; i++) if (dist(q[i], q[(i + 1) % 4]) < 0.05 * short) return 'degenerate';
  const turns = [0, 1, 2, 3].map((i) => cross(q[i], q[(i + 1) % 4], q[(i + 2) % 4]));
  // sin of a corner's angle under 0.02 (~1°): three handles in a line.
  const flat = turns.some((t, i) => Math.abs(t) < 0.02 * dist(q[i], q[(i + 1) % 4]) * dist(q[(i + 1) % 4], q[(i + 2) % 4]));
  if (flat) return 'degenerate';
  if (!turns.every((t) => t > 0)) return 'crossed';
  if (area2(q) / 2 < 0.02 * width * height) return 'degenerate';
  return null;
}

/** Solve A x = b (8×8) by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-12) return null;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      if (f !== 0) for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** The homography H with H·from[i] ∝ to[i] for the four point pairs; null when degenerate. */
export function homography(from: Quad, to: Quad): Homography | null {
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i];
    const [u, v] = to[i];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    b.push(u);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(v);
  }
  const h = solve(a, b);
  return h && h.every(Number.isFinite) ? [...h, 1] : null;
}

export function apply(h: Homography, p: Point): Point {
  const w = h[6] * p[0] + h[7] * p[1] + h[8];
  return [(h[0] * p[0] + h[1] * p[1] + h[2]) / w, (h[3] * p[0] + h[4] * p[1] + h[5]) / w];
}

/**
 * The upright page's size from the paper's measured edges (the longer of each opposite pair,
 * so the foreshortened side is not shrunk), scaled so its long edge is at most `maxEdge`.
 * `scale` is the factor applied to source pixels (≤ 1, never enlarged).
 */
export function uprightSize(q: Quad, maxEdge: number): { width: number; height: number; scale: number } {
  const width = Math.max(dist(q[0], q[1]), dist(q[3], q[2]));
  const height = Math.max(dist(q[0], q[3]), dist(q[1], q[2]));
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), scale };
}

/** The corners' bounding box in whole pixels, inside a `width`×`height` image. */
export function bounds(q: Quad, width: number, height: number): { x: number; y: number; w: number; h: number } {
  const xs = q.map((p) => p[0]);
  const ys = q.map((p) => p[1]);
  const x = Math.max(0, Math.floor(Math.min(...xs)));
  const y = Math.max(0, Math.floor(Math.min(...ys)));
  const right = Math.min(width, Math.ceil(Math.max(...xs)));
  const bottom = Math.min(height, Math.ceil(Math.max(...ys)));
  return { x, y, w: Math.max(1, right - x), h: Math.max(1, bottom - y) };
}

/**
 * Straighten: for each pixel of the `outW`×`outH` upright page, the point of `src`
 * (`srcW`×`srcH` RGBA) that the corners `q` (in src pixels) put there, read by bicubic
 * interpolation (edges clamped), pixel centre to pixel centre. Bicubic, not bilinear: at the
 * ~1:1 scale the worker resamples at, bilinear's half-pixel smoothing costs tesseract 3–35 %
 * of the words of 8–10 pt print (bench/scans.py's pages); bicubic keeps the uncropped scan's.
 */
export function warp(src: Uint8ClampedArray, srcW: number, srcH: number, q: Quad, outW: number, outH: number): Uint8ClampedArray<ArrayBuffer> {
  const rect: Quad = [
    [0, 0],
    [outW, 0],
    [outW, outH],
    [0, outH],
  ];
  const h = homography(rect, q);
  if (!h) throw new Error('degenerate corners');
  const out = new Uint8ClampedArray(outW * outH * 4);
  const maxX = srcW - 1;
  const maxY = srcH - 1;
  const stride = srcW * 4;
  const col = (c: number) => (c < 0 ? 0 : c > maxX ? maxX : c) * 4;
  const line = (r: number) => (r < 0 ? 0 : r > maxY ? maxY : r) * stride;
  for (let v = 0; v < outH; v++) {
    const cy = v + 0.5;
    let o = v * outW * 4;
    for (let u = 0; u < outW; u++, o += 4) {
      const cx = u + 0.5;
      const w = h[6] * cx + h[7] * cy + h[8];
      let x = (h[0] * cx + h[1] * cy + h[2]) / w - 0.5;
      let y = (h[3] * cx + h[4] * cy + h[5]) / w - 0.5;
      x = x < 0 ? 0 : x > maxX ? maxX : x;
      y = y < 0 ? 0 : y > maxY ? maxY : y;
      const x0 = x | 0;
      const y0 = y | 0;
      // Keys' cubic convolution weights (a = −0.5, Catmull-Rom) of the four taps each way.
      const fx = x - x0;
      const fx2 = fx * fx;
      const fx3 = fx2 * fx;
      const a0 = -0.5 * fx3 + fx2 - 0.5 * fx;
      const a1 = 1.5 * fx3 - 2.5 * fx2 + 1;
      const a2 = -1.5 * fx3 + 2 * fx2 + 0.5 * fx;
      const a3 = 0.5 * fx3 - 0.5 * fx2;
      const fy = y - y0;
      const fy2 = fy * fy;
      const fy3 = fy2 * fy;
      const b0 = -0.5 * fy3 + fy2 - 0.5 * fy;
      const b1 = 1.5 * fy3 - 2.5 * fy2 + 1;
      const b2 = -1.5 * fy3 + 2 * fy2 + 0.5 * fy;
      const b3 = 0.5 * fy3 - 0.5 * fy2;
      const c0 = col(x0 - 1);
      const c1 = x0 * 4;
      const c2 = col(x0 + 1);
      const c3 = col(x0 + 2);
      const r0 = line(y0 - 1);
      const r1 = y0 * stride;
      const r2 = line(y0 + 1);
      const r3 = line(y0 + 2);
      for (let k = 0; k < 3; k++) {
        const p0 = r0 + k;
        const p1 = r1 + k;
        const p2 = r2 + k;
        const p3 = r3 + k;
        out[o + k] =
          b0 * (a0 * src[p0 + c0] + a1 * src[p0 + c1] + a2 * src[p0 + c2] + a3 * src[p0 + c3]) +
          b1 * (a0 * src[p1 + c0] + a1 * src[p1 + c1] + a2 * src[p1 + c2] + a3 * src[p1 + c3]) +
          b2 * (a0 * src[p2 + c0] + a1 * src[p2 + c1] + a2 * src[p2 + c2] + a3 * src[p2 + c3]) +
          b3 * (a0 * src[p3 + c0] + a1 * src[p3 + c1] + a2 * src[p3 + c2] + a3 * src[p3 + c3]);
      }
      out[o + 3] = 255;
    }
  }
  return out;
}

/** Otsu's threshold of 0–255 values: the level that best splits them into two classes. */
export function otsu(lum: Float32Array): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < lum.length; i++) hist[Math.max(0, Math.min(255, Math.round(lum[i])))]++;
  let total = 0;
  for (let i = 0; i < 256; i++) total += i * hist[i];
  let best = 0;
  let at = 128;
  let below = 0;
  let belowSum = 0;
  for (let t = 0; t < 256; t++) {
    below += hist[t];
    belowSum += t * hist[t];
    const above = lum.length - below;
    if (below === 0 || above === 0) continue;
    const between = below * above * (belowSum / below - (total - belowSum) / above) ** 2;
    if (between > best) {
      best = between;
      at = t;
    }
  }
  return at;
}

/**
 * A guess of the paper's corners (0–1) on a grey copy (`w`×`h`): the paper is the bright class
 * of Otsu's split; its corners are the bright pixels furthest along each diagonal (a bright
 * pixel counts only with its four neighbours bright, so table noise does not). Null when the
 * guess is no paper-like shape (not convex, under 15 % or over 97 % of the frame): the handles
 * then start at the inset guess.
 */
export function findPaper(lum: Float32Array, w: number, h: number): Quad | null {
  if (w < 8 || h < 8) return null;
  const t = otsu(lum);
  const best = [Infinity, -Infinity, -Infinity, -Infinity];
  const at: Point[] = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (lum[i] <= t || lum[i - 1] <= t || lum[i + 1] <= t || lum[i - w] <= t || lum[i + w] <= t) continue;
      const sum = x / w + y / h;
      const diff = x / w - y / h;
      if (sum < best[0]) (best[0] = sum), (at[0] = [x, y]);
      if (diff > best[1]) (best[1] = diff), (at[1] = [x, y]);
      if (sum > best[2]) (best[2] = sum), (at[2] = [x, y]);
      if (-diff > best[3]) (best[3] = -diff), (at[3] = [x, y]);
    }
  }
  if (best[0] === Infinity) return null;
  const q = at.map(([x, y]) => [(x + 0.5) / w, (y + 0.5) / h]) as Quad;
  const share = area2(q) / 2;
  return quadProblem(q) === null && share >= 0.15 && share <= 0.97 ? q : null;
}
