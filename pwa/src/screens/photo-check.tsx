// A page photo seen before it joins the request: the full-size preview with zoom (any page,
// from its thumbnail) and, when the worker flagged it (lib/photo-quality.ts), the check that
// asks the operator to retake it or keep it deliberately; "Potong" crops it to the paper
// (screens/photo-crop.tsx). In the operator's chunk.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { cropScan, originOf, uncropped } from '../lib/compress';
import { Refused, type Prepared } from '../lib/images';
import { insetQuad, type Quad } from '../lib/perspective';
import { SMALL_BELOW, type QualityFlag } from '../lib/photo-quality';
import type { LocalScan } from '../lib/storage';
import { CropEditor, cropProblem } from './photo-crop';

/** Zoom steps of the preview, as a share of the image's own pixels; it opens at 100 %. */
export const ZOOMS = [0.25, 0.5, 1, 2, 3];

/** The next zoom step in `direction` (+1 in, -1 out), staying within ZOOMS. */
export function zoomStep(current: number, direction: 1 | -1): number {
  const at = ZOOMS.indexOf(current);
  const i = at < 0 ? ZOOMS.indexOf(1) : at;
  return ZOOMS[Math.min(ZOOMS.length - 1, Math.max(0, i + direction))];
}

/** What to tell the operator about each flag: the warning and how to do better. */
export function warnings(flags: QualityFlag[]): { flag: QualityFlag; title: string; hint: string }[] {
  return flags.map((flag) => ({ flag, title: t(`photo.flag.${flag}`), hint: t(`photo.hint.${flag}`, { px: SMALL_BELOW }) }));
}

/** A photo waiting for the operator's decision, and where a retake comes from. */
export interface Held {
  scan: Omit<LocalScan, 'page'>;
  flags: QualityFlag[];
  /** Its document's name and the page it would become. */
  label: string;
}

/** Open the same camera (or, for a replacement, the same "Ganti foto ini") input again. */
export function retake(held: Held): void {
  const { requirement, replaces } = held.scan;
  const selector = replaces ? `input[data-replace="${replaces}"]` : `input[data-req="${requirement}"][data-mode="camera"]`;
  document.querySelector<HTMLInputElement>(selector)?.click();
}

function useObjectUrl(blob: Blob): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [blob]);
  return url;
}

/** Where the handles start: the corners of the crop now applied, else the worker's guess of the paper, else an inset. */
export function startCorners(blob: Blob): Quad {
  const origin = originOf(blob);
  return origin?.corners ?? origin?.uncropped.paper ?? insetQuad();
}

/** The crop of a preview: "Potong" opens the editor on the uncropped scan, "Batalkan potong" goes back to it. */
function CropControls(props: { blob: Blob; name: string; onCrop: (prepared: Prepared) => void; editing: boolean; setEditing: (on: boolean) => void }) {
  const base = uncropped(props.blob);
  const url = useObjectUrl(base?.blob ?? props.blob);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [initial, setInitial] = useState<Quad>(() => startCorners(props.blob));
  const apply = async (q: Quad, width: number, height: number) => {
    const wrong = cropProblem(q, width, height);
    setProblem(wrong);
    if (wrong) return;
    setBusy(true);
    try {
      props.onCrop(await cropScan(props.blob, props.name, q));
      props.setEditing(false);
    } catch (error) {
      setProblem(error instanceof Refused ? t(`scan.refused.${error.reason}`, { name: props.name }) : String(error));
    } finally {
      setBusy(false);
    }
  };
  if (props.editing) {
    return url ? <CropEditor url={url} alt={props.name} initial={initial} busy={busy} problem={problem} onApply={(q, w, h) => void apply(q, w, h)} onCancel={() => props.setEditing(false)} /> : null;
  }
  return (
    <div class="row">
      <button
        type="button"
        class="btn"
        onClick={() => {
          setInitial(startCorners(props.blob));
          setProblem(null);
          props.setEditing(true);
        }}
      >
        {t('crop.start')}
      </button>
      {base && (
        <button type="button" class="btn" onClick={() => props.onCrop(base)}>
          {t('crop.undo')}
        </button>
      )}
    </div>
  );
}

/**
 * A modal with the photo at 100 % in a scrollable box, zoom buttons, and `children` below;
 * with `onCrop`, the crop to the paper too (its result replaces the page through `onCrop`).
 * `actions` stay in a bar at the dialog's foot, in sight on a 360 × 740 phone however long
 * the rest is (the photo check's "Ambil ulang" / "Tetap pakai").
 */
export function PhotoPreview(props: {
  blob: Blob;
  title: string;
  onClose?: () => void;
  onCrop?: (prepared: Prepared) => void;
  children?: ComponentChildren;
  actions?: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const url = useObjectUrl(props.blob);
  const [zoom, setZoom] = useState(1);
  const [natural, setNatural] = useState<number | null>(null);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal?.();
    return () => el?.close?.();
  }, []);
  const pdf = props.blob.type === 'application/pdf';
  const crop = !pdf && props.onCrop ? <CropControls blob={props.blob} name={props.title} onCrop={props.onCrop} editing={editing} setEditing={setEditing} /> : null;
  return (
    <dialog
      ref={dialog}
      class={props.actions ? 'photo-dialog photo-dialog-check' : 'photo-dialog'}
      aria-labelledby="photo-dialog-title"
      // Escape leaves the crop, or closes a plain preview; a flagged photo needs one of its two answers.
      onCancel={(e) => {
        e.preventDefault();
        if (editing) setEditing(false);
        else props.onClose?.();
      }}
    >
      <h2 id="photo-dialog-title">{props.title}</h2>
      {editing && crop}
      {!pdf && !editing && (
        <>
          <div class="photo-zoom">
            {url && (
              <img
                src={url}
                alt={props.title}
                style={natural ? { width: `${Math.round(natural * zoom)}px` } : undefined}
                onLoad={(e) => setNatural(e.currentTarget.naturalWidth)}
              />
            )}
          </div>
          <div class="row photo-zoom-bar">
            <button type="button" class="btn" aria-label={t('photo.zoomOut')} disabled={zoom === ZOOMS[0]} onClick={() => setZoom(zoomStep(zoom, -1))}>
              −
            </button>
            <span class="photo-zoom-level" aria-live="polite">
              {t('photo.zoomLevel', { n: Math.round(zoom * 100) })}
            </span>
            <button type="button" class="btn" aria-label={t('photo.zoomIn')} disabled={zoom === ZOOMS[ZOOMS.length - 1]} onClick={() => setZoom(zoomStep(zoom, 1))}>
              +
            </button>
          </div>
          {crop}
        </>
      )}
      {!editing && props.children}
      {props.actions && !editing && <div class="row photo-actions">{props.actions}</div>}
      {props.onClose && !editing && (
        <div class="row">
          <button type="button" class="btn" onClick={props.onClose}>
            {t('photo.close')}
          </button>
        </div>
      )}
    </dialog>
  );
}

/** A flagged photo: what is wrong, the photo itself, and "Ambil ulang" / "Tetap pakai" (or "Potong"). */
export function PhotoCheck(props: { held: Held; onKeep: () => void; onRetake: () => void; onCrop: (prepared: Prepared) => void }) {
  return (
    <PhotoPreview
      blob={props.held.scan.blob}
      title={t('photo.check.title')}
      onCrop={props.onCrop}
      actions={
        <>
          <button type="button" class="btn btn-primary" onClick={props.onRetake}>
            {t('photo.retake')}
          </button>
          <button type="button" class="btn" onClick={props.onKeep}>
            {t('photo.keep')}
          </button>
        </>
      }
    >
      {props.held.label && <p class="muted">{t('photo.check.doc', { doc: props.held.label })}</p>}
      <ul class="photo-flags" role="alert">
        {warnings(props.held.flags).map((w) => (
          <li class="warning" data-flag={w.flag}>
            <strong>{w.title}</strong> {w.hint}
          </li>
        ))}
      </ul>
    </PhotoPreview>
  );
}

/**
 * A page with the bytes of `prepared` (a crop, or its undoing) instead of its own: its badges
 * are the new bytes' flags, and its upload starts afresh (under `id`, a new one for a page
 * the form already holds, so a stored or half-sent copy of the old bytes is never mistaken for it).
 */
export function withBytes<S extends Omit<LocalScan, 'page'>>(scan: S, prepared: Prepared, id = scan.id): S {
  const { quality: _flags, uploaded: _sent, ...rest } = scan;
  const flags = prepared.flags ?? [];
  const bytes = { blob: prepared.blob, contentType: prepared.contentType, size: prepared.size, sha256: prepared.sha256 };
  return { ...rest, ...bytes, id, done: false, failures: 0, ...(flags.length ? { quality: flags } : {}) } as S;
}

/**
 * The queue of flagged photos of a form: `hold` one instead of adding it, `view` shows the
 * first with its two answers. "Tetap pakai" adds it through `add` with its flags kept on the
 * page (`quality`); "Ambil ulang" drops it and opens the same camera again. "Potong" judges
 * the cropped page again: still flagged, it waits with its new flags; clean, it is added.
 */
export function usePhotoCheck(add: (scan: Omit<LocalScan, 'page'>) => void): { hold: (held: Held) => void; view: ComponentChildren } {
  const [held, setHeld] = useState<Held[]>([]);
  const first = held[0];
  const view = first ? (
    <PhotoCheck
      key={first.scan.id}
      held={first}
      onKeep={() => {
        setHeld((queue) => queue.slice(1));
        add({ ...first.scan, quality: first.flags });
      }}
      onRetake={() => {
        setHeld((queue) => queue.slice(1));
        // Once the dialog is gone, still within the tap's user activation.
        setTimeout(() => retake(first), 0);
      }}
      onCrop={(prepared) => {
        const scan = withBytes(first.scan, prepared);
        const flags = prepared.flags ?? [];
        if (flags.length) {
          setHeld((queue) => [{ ...first, scan, flags }, ...queue.slice(1)]);
        } else {
          setHeld((queue) => queue.slice(1));
          add(scan);
        }
      }}
    />
  ) : null;
  return { hold: (one) => setHeld((queue) => [...queue, one]), view };
}

/** The flags of a page kept despite them, as small badges beside its thumbnail. */
export function QualityBadges(props: { flags?: QualityFlag[] }) {
  if (!props.flags?.length) return null;
  return (
    <span class="quality-badges" title={t('photo.badges', { flags: props.flags.map((f) => t(`photo.badge.${f}`)).join(', ') })}>
      {props.flags.map((f) => (
        <span class="badge badge-quality" data-flag={f}>
          {t(`photo.badge.${f}`)}
        </span>
      ))}
    </span>
  );
}

/** A page's thumbnail that opens its full-size preview; with `onCrop`, croppable to the paper. */
export function ViewButton(props: { blob: Blob; label: string; n: number; onCrop?: (prepared: Prepared) => void }) {
  const [open, setOpen] = useState(false);
  if (props.blob.type === 'application/pdf') return null;
  return (
    <>
      <button type="button" class="btn btn-small" onClick={() => setOpen(true)}>
        {t('photo.view', { n: props.n })}
      </button>
      {open && <PhotoPreview blob={props.blob} title={props.label} onClose={() => setOpen(false)} onCrop={props.onCrop} />}
    </>
  );
}
