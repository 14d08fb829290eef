// The resident's download PIN (issue #18): made on this device at "Kirim", sent once with the
// submit (`{"pin"}`; the server keeps only its hash), then held here only until the receipt
// that prints it has been opened once. Never from Math.random: a guessable PIN opens the
// resident's document.
import type { Service } from './catalog';

const SPAN = 1_000_000;
// The largest multiple of a million below 2^32: values at or above it are drawn again, so
// every PIN is exactly as likely (a plain `% SPAN` favours the low ones slightly).
const LIMIT = Math.floor(0x1_0000_0000 / SPAN) * SPAN;

export type RandomFill = (array: Uint32Array<ArrayBuffer>) => Uint32Array<ArrayBuffer>;

const fill: RandomFill = (array) => crypto.getRandomValues(array);

/** Six digits, uniform over 000000–999999, by rejection sampling on crypto.getRandomValues. */
export function newPin(random: RandomFill = fill): string {
  const word = new Uint32Array(1);
  for (;;) {
    const value = random(word)[0];
    if (value < LIMIT) return String(value % SPAN).padStart(6, '0');
  }
}

/** A card (KTP-el, KIA) is collected from Dukcapil/UPT, not downloaded: it gets no PIN. */
export function takesPin(catalog: Service[], code: string): boolean {
  return catalog.find((s) => s.code === code)?.document !== 'card';
}

/** The receipt page; with `#pin=` its script prints the PIN (the fragment never reaches a server). */
export function receiptUrl(id: string, layout: 'a4' | 'thermal', pin?: string | null): string {
  return `/api/v1/requests/${id}/receipt?layout=${layout}${pin ? `#pin=${pin}` : ''}`;
}
