// The page's side of the compression worker: one worker, requests matched by id.
import { Refused, type Prepared } from './images';

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

/** Compress a photo (or pass a PDF through) into the bytes that will be stored and sent. */
export function prepareScan(file: File): Promise<Prepared> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    getWorker().postMessage({ id, file, name: file.name });
  });
}
