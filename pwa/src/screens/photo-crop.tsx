// "Potong": the operator drags four corner handles onto the paper's corners (pointer events:
// touch, mouse, pen; or the arrow keys), and "Terapkan" has the compression worker straighten
// the page (lib/perspective.ts) and compress it as any photo. In the operator's chunk; the
// pixel work is the worker's.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { quadProblem, type Point, type Quad } from '../lib/perspective';

/** Arrow keys move a handle by 0.5 % of the image (with Shift 5 %). */
export const KEY_STEP = 0.005;
export const KEY_STEP_BIG = 0.05;

const clamp = (v: number) => Math.min(1, Math.max(0, v));

/** Why these corners (0–1 of a `width`×`height` image) cannot be applied, in the UI's words; null when they can. */
export function cropProblem(q: Quad, width: number, height: number): string | null {
  const problem = quadProblem(q.map(([x, y]) => [x * width, y * height]) as Quad, width, height);
  return problem ? t(`crop.problem.${problem}`) : null;
}

/** The corner moved by an arrow key, or null for another key. */
export function nudge(p: Point, key: string, big: boolean): Point | null {
  const step = big ? KEY_STEP_BIG : KEY_STEP;
  const moves: Record<string, Point> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  const move = moves[key];
  return move ? [clamp(p[0] + move[0]), clamp(p[1] + move[1])] : null;
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** The photo, fitted to the dialog, with the four handles and the paper's outline over it. */
export function CropEditor(props: { url: string; alt: string; initial: Quad; busy: boolean; problem: string | null; onApply: (q: Quad, width: number, height: number) => void; onCancel: () => void }) {
  const [quad, setQuad] = useState<Quad>(props.initial);
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null);
  const stage = useRef<HTMLDivElement>(null);
  const dragging = useRef<number | null>(null);
  useEffect(() => setQuad(props.initial), [props.initial]);

  const move = (i: number, p: Point) => setQuad((q) => q.map((c, j) => (j === i ? p : c)) as Quad);
  const at = (e: PointerEvent): Point | null => {
    const box = stage.current?.getBoundingClientRect();
    if (!box || box.width === 0 || box.height === 0) return null;
    return [clamp((e.clientX - box.left) / box.width), clamp((e.clientY - box.top) / box.height)];
  };
  return (
    <div class="crop">
      <p class="muted" id="crop-help">
        {t('crop.help')}
      </p>
      <div class="crop-frame">
        <div class="crop-stage" ref={stage}>
          <img src={props.url} alt={props.alt} draggable={false} onLoad={(e) => setNatural({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })} />
          <svg class="crop-outline" viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true">
            <polygon points={quad.map((p) => p.join(',')).join(' ')} vector-effect="non-scaling-stroke" />
          </svg>
          {quad.map((p, i) => (
            <button
              type="button"
              class="crop-handle"
              data-corner={i}
              aria-label={t(`crop.corner.${i}`)}
              aria-describedby="crop-help"
              style={{ left: pct(p[0]), top: pct(p[1]) }}
              onPointerDown={(e) => {
                e.preventDefault();
                e.currentTarget.setPointerCapture?.(e.pointerId);
                dragging.current = i;
              }}
              onPointerMove={(e) => {
                if (dragging.current !== i) return;
                const to = at(e);
                if (to) move(i, to);
              }}
              onPointerUp={(e) => {
                dragging.current = null;
                e.currentTarget.releasePointerCapture?.(e.pointerId);
              }}
              onPointerCancel={() => (dragging.current = null)}
              onKeyDown={(e) => {
                const to = nudge(p, e.key, e.shiftKey);
                if (!to) return;
                e.preventDefault();
                move(i, to);
              }}
            />
          ))}
        </div>
      </div>
      {props.problem && (
        <p class="error" role="alert">
          {props.problem}
        </p>
      )}
      {props.busy && <p aria-live="polite">{t('crop.working')}</p>}
      <div class="row">
        <button type="button" class="btn btn-primary" disabled={props.busy || !natural} onClick={() => natural && props.onApply(quad, natural.width, natural.height)}>
          {t('crop.apply')}
        </button>
        <button type="button" class="btn" disabled={props.busy} onClick={props.onCancel}>
          {t('crop.cancel')}
        </button>
      </div>
    </div>
  );
}
