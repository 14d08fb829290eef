import { describe, expect, it } from 'vitest';
import { assess, BLUR_BELOW, DARK_BELOW, flagsOf, laplacianVariance, measureSize, MEASURE_EDGE, meanLuminance, SMALL_BELOW } from '../src/lib/photo-quality';

// Synthetic pages at the measured scale (the worker's ≤ 512 px copy of a 1600 px scan).
const W = 384;
const H = 512;

/** A printed page: lines of "words" of 1-px strokes, ink 30 on paper 225 (a deterministic LCG). */
function textPage(): Float32Array {
  const lum = new Float32Array(W * H).fill(225);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let top = 20; top + 8 < H - 20; top += 13) {
    let x = 24;
    while (x < W - 40) {
      const letters = 2 + Math.floor(rand() * 8);
      for (let l = 0; l < letters && x < W - 24; l++, x += 4) {
        for (let y = top; y < top + 7; y++) lum[y * W + x] = 30; // a stem
        if (rand() < 0.6) for (let dx = 0; dx < 3; dx++) lum[(top + (rand() < 0.5 ? 0 : 6)) * W + x + dx] = 30; // a bar
      }
      x += 6; // the space between words
    }
  }
  return lum;
}

/** A box blur of `radius` px, `passes` times (three passes ≈ a Gaussian). */
function blur(src: Float32Array, radius: number, passes = 3): Float32Array {
  let cur = src;
  for (let p = 0; p < passes; p++) {
    for (const [dx, dy] of [[1, 0], [0, 1]]) {
      const out = new Float32Array(cur.length);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          let sum = 0;
          let n = 0;
          for (let k = -radius; k <= radius; k++) {
            const xx = x + k * dx;
            const yy = y + k * dy;
            if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
            sum += cur[yy * W + xx];
            n++;
          }
          out[y * W + x] = sum / n;
        }
      }
      cur = out;
    }
  }
  return cur;
}

const darker = (src: Float32Array, factor: number) => src.map((v) => v * factor);

/** Grey to RGBA, as getImageData gives it. */
function rgba(lum: Float32Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(lum.length * 4);
  lum.forEach((v, i) => out.set([v, v, v, 255], i * 4));
  return out;
}

const check = (lum: Float32Array, source = { width: 1200, height: 1600 }) => assess(rgba(lum), W, H, source.width, source.height);

describe('photo quality', () => {
  const sharp = textPage();

  it('passes a sharp, well-lit page of a camera photo', () => {
    const { flags, metrics } = check(sharp);
    expect(flags).toEqual([]);
    expect(metrics.laplacian).toBeGreaterThan(10 * BLUR_BELOW);
    expect(metrics.mean).toBeGreaterThan(150);
  });

  it('flags the same page blurred (letters merge), and only as blurred', () => {
    const { flags, metrics } = check(blur(sharp, 2));
    expect(flags).toEqual(['blurred']);
    expect(metrics.laplacian).toBeLessThan(BLUR_BELOW);
  });

  it('does not flag a slight softness that stays readable', () => {
    expect(check(blur(sharp, 1, 1)).flags).toEqual([]);
  });

  it('flags a dark photo of the page', () => {
    const { flags, metrics } = check(darker(sharp, 0.2));
    expect(flags).toContain('dark');
    expect(metrics.mean).toBeLessThan(DARK_BELOW);
    expect(check(darker(sharp, 0.6)).flags).not.toContain('dark');
  });

  it('flags a source too small to read by its short edge, whatever the copy measured', () => {
    expect(check(sharp, { width: 600, height: 800 }).flags).toEqual(['small']);
    expect(check(sharp, { width: 800, height: 600 }).metrics).toMatchObject({ long: 800, short: 600 });
    expect(check(sharp, { width: SMALL_BELOW, height: 1000 }).flags).toEqual([]);
  });

  it('orders flags and reads an empty or tiny copy as unreadable, not as a crash', () => {
    expect(flagsOf({ mean: 10, laplacian: 0, long: 100, short: 50 })).toEqual(['dark', 'blurred', 'small']);
    expect(laplacianVariance(new Float32Array(4), 2, 2)).toBe(0);
    expect(meanLuminance(new Float32Array())).toBe(0);
  });

  it('measures a bounded copy: the long edge at most MEASURE_EDGE, never enlarged', () => {
    expect(measureSize(1600, 1200)).toEqual({ width: MEASURE_EDGE, height: 384 });
    expect(measureSize(1200, 1600)).toEqual({ width: 384, height: MEASURE_EDGE });
    expect(measureSize(300, 200)).toEqual({ width: 300, height: 200 });
  });
});
