// The page's side of the compression worker: one worker, requests matched by id.
import { Refused, sha256, type Prepared } from './images';
import type { Quad } from './perspective';

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (p: Prepared) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('../workers/compress.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent) => {
      const { id, ok, result, reason } = event.data;
      const waiter = pending.get(id);
      pending.delete(id);
      if (!waiter) return;
      if (ok) waiter.resolve(result as Prepared);
      else waiter.reject(new Refused(reason));
    };
    worker.onerror = (event) => {
      // The worker script itself failed (e.g. not cached and offline): fail every waiter.
      event.preventDefault();
      for (const waiter of pending.values()) waiter.reject(new Error('compression worker unavailable'));
      pending.clear();
      worker = null;
    };
  }
  return worker;
}

/** Start the worker before the first photo: once an operator is signed in, never on the login screen. */
export function warmUp(): void {
  getWorker();
}

function post(file: Blob, name: string, crop?: Quad): Promise<Prepared> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    getWorker().postMessage({ id, file, name, ...(crop ? { crop } : {}) });
  });
}

/**
 * What a page's bytes were made from, while the form is open: the photo as taken (a File of
 * the input, backed by its file, not held in memory), the scan before any crop, and the
 * corners of the crop now applied. Keyed by the scan's Blob, so it lasts as long as the form
 * holds that page: once saved, the pages come back from IndexedDB as new Blobs without one.
 */
export interface Origin {
  file: Blob;
  name: string;
  uncropped: Prepared;
  corners?: Quad;
}
const origins = new WeakMap<Blob, Origin>();

export function originOf(blob: Blob): Origin | undefined {
  return origins.get(blob);
}

/** Compress a photo (or pass a PDF through) into the bytes that will be stored and sent. */
export async function prepareScan(file: File): Promise<Prepared> {
  const prepared = await post(file, file.name);
  origins.set(prepared.blob, { file, name: file.name, uncropped: prepared });
  return prepared;
}

/**
 * The page cut to the paper at `corners` (0–1 of the uncropped scan, which has the photo's
 * proportions) and straightened, from the photo as taken when the form still has it, else
 * from the stored scan itself. Refused('crop') when the corners are crossed or degenerate.
 */
export async function cropScan(blob: Blob, name: string, corners: Quad): Promise<Prepared> {
  const origin = origins.get(blob) ?? {
    file: blob,
    name,
    uncropped: { blob, contentType: blob.type, size: blob.size, sha256: await sha256(blob) },
  };
  const cropped = await post(origin.file, origin.name, corners);
  origins.set(cropped.blob, { ...origin, corners });
  return cropped;
}

/** The scan as it was before its crop ("Batalkan potong"), while the form still has it. */
export function uncropped(blob: Blob): Prepared | null {
  const origin = origins.get(blob);
  return origin?.corners ? origin.uncropped : null;
}
