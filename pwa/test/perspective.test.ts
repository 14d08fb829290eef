import { describe, expect, it } from 'vitest';
import { setLang } from '../src/i18n';
import { apply, findPaper, homography, quadProblem, uprightSize, warp, type Point, type Quad } from '../src/lib/perspective';
import { cropProblem, nudge } from '../src/screens/photo-crop';

const rect = (w: number, h: number): Quad => [
  [0, 0],
  [w, 0],
  [w, h],
  [0, h],
];
// A page photographed at a tilt: the top edge further away (shorter) than the bottom.
const tilted: Quad = [
  [310, 220],
  [1190, 260],
  [1330, 1720],
  [140, 1650],
];

function close(a: Point, b: Point, eps = 1e-6) {
  expect(Math.abs(a[0] - b[0])).toBeLessThan(eps);
  expect(Math.abs(a[1] - b[1])).toBeLessThan(eps);
}

/** Where the diagonals of a quad cross: a projective map sends a rectangle's centre there. */
function diagonals(q: Quad): Point {
  const [p, r] = [q[0], q[2]];
  const [s, u] = [q[1], q[3]];
  const d1 = [r[0] - p[0], r[1] - p[1]];
  const d2 = [u[0] - s[0], u[1] - s[1]];
  const t = ((s[0] - p[0]) * d2[1] - (s[1] - p[1]) * d2[0]) / (d1[0] * d2[1] - d1[1] * d2[0]);
  return [p[0] + t * d1[0], p[1] + t * d1[1]];
}

describe('homography', () => {
  it("maps the upright rectangle's corners onto the paper's corners", () => {
    const h = homography(rect(1000, 1414), tilted)!;
    expect(h).not.toBeNull();
    rect(1000, 1414).forEach((corner, i) => close(apply(h, corner), tilted[i]));
  });
  it('maps a known point right: the centre to where the diagonals cross, a scale-and-shift exactly', () => {
    const h = homography(rect(1000, 1414), tilted)!;
    close(apply(h, [500, 707]), diagonals(tilted));
    const shift = homography(rect(1, 1), [
      [2, 3],
      [4, 3],
      [4, 5],
      [2, 5],
    ])!;
    close(apply(shift, [0.25, 0.5]), [2.5, 4]);
  });
  it('has no answer for corners that collapse onto a line', () => {
    expect(
      homography(rect(10, 10), [
        [0, 0],
        [5, 5],
        [10, 10],
        [2, 2],
      ]),
    ).toBeNull();
  });
});

describe('corners refused', () => {
  it('accepts a tilted page and refuses crossed, mirrored and degenerate corners', () => {
    expect(quadProblem(tilted, 1500, 2000)).toBeNull();
    const [tl, tr, br, bl] = tilted;
    expect(quadProblem([tl, br, tr, bl], 1500, 2000)).toBe('crossed'); // two handles swapped: a bow tie
    expect(quadProblem([tr, tl, bl, br], 1500, 2000)).toBe('crossed'); // mirrored
    expect(quadProblem([tl, [700, 1300], br, bl], 1500, 2000)).toBe('crossed'); // a corner pushed inside
    expect(quadProblem([tl, [(tl[0] + br[0]) / 2, (tl[1] + br[1]) / 2], br, bl], 1500, 2000)).toBe('degenerate'); // three in a line
    expect(quadProblem([tl, tl, br, bl], 1500, 2000)).toBe('degenerate'); // two on one spot
    expect(quadProblem(rect(40, 40), 1500, 2000)).toBe('degenerate'); // too small to read
  });
  it('tells the operator why, in Indonesian', () => {
    setLang('id');
    const n: Quad = [
      [0.1, 0.1],
      [0.9, 0.1],
      [0.9, 0.9],
      [0.1, 0.9],
    ];
    expect(cropProblem(n, 1200, 1600)).toBeNull();
    expect(cropProblem([n[0], n[2], n[1], n[3]], 1200, 1600)).toBe(
      'Titik-titik sudut bersilangan: letakkan tiap titik di sudut kertas yang sesuai (kiri atas, kanan atas, kanan bawah, kiri bawah).',
    );
    expect(cropProblem([n[0], [0.5, 0.5], n[2], n[3]], 1200, 1600)).toBe('Titik-titik sudut terlalu rapat atau segaris: geser keempatnya ke sudut-sudut kertas.');
  });
});

describe('the upright page', () => {
  it("takes its size from the paper's longer opposite edges, scaled to the scan's long edge", () => {
    const q: Quad = [
      [100, 100],
      [1100, 100],
      [1000, 1600],
      [200, 1500],
    ];
    const full = uprightSize(q, 4000);
    expect(full.width).toBe(1000);
    expect(full.height).toBe(Math.round(Math.hypot(100, 1500)));
    expect(full.scale).toBe(1);
    const scan = uprightSize(q, 750);
    expect(Math.max(scan.width, scan.height)).toBe(750);
    expect(scan.scale).toBeCloseTo(750 / Math.hypot(100, 1500), 9);
  });
  it('resamples bicubically: a cut-out of a gradient reads the source pixels it covers, between pixels their mean', () => {
    const w = 100;
    const h = 100;
    const src = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) src.set([x * 2, y * 2, 77, 255], (y * w + x) * 4);
    const q: Quad = [
      [20, 30],
      [60, 30],
      [60, 90],
      [20, 90],
    ];
    const out = warp(src, w, h, q, 40, 60);
    for (const [u, v] of [
      [0, 0],
      [13, 27],
      [39, 59],
    ]) {
      const o = (v * 40 + u) * 4;
      expect(out[o]).toBe((20 + u) * 2);
      expect(out[o + 1]).toBe((30 + v) * 2);
      expect(out[o + 2]).toBe(77);
      expect(out[o + 3]).toBe(255);
    }
    // Half-way between pixels, the mean of the two.
    const half = warp(src, w, h, [
      [20.5, 30],
      [60.5, 30],
      [60.5, 90],
      [20.5, 90],
    ], 40, 60);
    expect(half[0]).toBe(41);
  });
});

describe('the paper guessed', () => {
  it('finds the corners of a bright tilted page on a noisy darker table', () => {
    const w = 300;
    const h = 400;
    const paper: Quad = [
      [62, 48],
      [238, 60],
      [252, 352],
      [40, 340],
    ];
    const inside = (x: number, y: number) => paper.every((p, i) => {
      const n = paper[(i + 1) % 4];
      return (n[0] - p[0]) * (y - p[1]) - (n[1] - p[1]) * (x - p[0]) >= 0;
    });
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 60 - 30;
    const lum = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) lum[y * w + x] = (inside(x + 0.5, y + 0.5) ? 215 : 85) + noise();
    const found = findPaper(lum, w, h)!;
    expect(found).not.toBeNull();
    found.forEach(([x, y], i) => {
      expect(Math.abs(x * w - paper[i][0])).toBeLessThan(4);
      expect(Math.abs(y * h - paper[i][1])).toBeLessThan(4);
    });
    // A photo that is all paper (or all table) gives no guess: the handles start inset.
    expect(findPaper(new Float32Array(w * h).fill(200), w, h)).toBeNull();
  });
});

describe('handles by keyboard', () => {
  it('move by small steps with the arrows, further with Shift, and stay on the photo', () => {
    expect(nudge([0.5, 0.5], 'ArrowRight', false)).toEqual([0.505, 0.5]);
    expect(nudge([0.5, 0.5], 'ArrowUp', true)).toEqual([0.5, 0.45]);
    expect(nudge([0.01, 0.5], 'ArrowLeft', true)).toEqual([0, 0.5]);
    expect(nudge([0.5, 0.5], 'Enter', false)).toBeNull();
  });
});
