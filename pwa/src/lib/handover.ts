// The handover's date and receipt photo (DESIGN §2 "Handover"), apart from the screen
// (screens/handover.tsx) so the rules can be tested: pwa/test/handover.test.ts.
import { api, putBytes, type Upload } from './api';
import type { Prepared } from './images';
import { currentClock } from './locale';
import { lastMove } from './timeline';

/** The calendar day of a moment in the kabupaten's zone, as YYYY-MM-DD. */
export function localDay(at: Date | string, timeZone = currentClock().timeZone): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(at));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The days a handover may carry: from the day the document was issued (SELESAI) to today. */
export function handoverDays(
  item: { timeline?: { status: string; action?: string; at: string }[] },
  now: Date = new Date(),
): { min: string | null; max: string } {
  // The last move into SELESAI: a resident's download after it is no new issue date.
  const issued = lastMove(item.timeline, 'SELESAI');
  return { min: issued ? localDay(issued.at) : null, max: localDay(now) };
}

/** Why a chosen day cannot be the handover's, as an i18n key; null when it can. */
export function dayProblem(day: string, range: { min: string | null; max: string }): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return 'ho.dateInvalid';
  if (day > range.max) return 'ho.dateFuture';
  if (range.min && day < range.min) return 'ho.dateBeforeIssued';
  return null;
}

/** Upload the receipt's photo through the scans' protocol; resolves to its SHA-256. */
export async function sendReceiptPhoto(requestId: string, photo: Prepared): Promise<string> {
  const registered = await api<{ upload: Upload | null }>('POST', `/api/v1/requests/${requestId}/handover-photo`, {
    sha256: photo.sha256,
    size: photo.size,
    content_type: photo.contentType,
  });
  if (registered.upload) await putBytes(registered.upload, photo.blob);
  return photo.sha256;
}

/** The handover as the request carries it (only the fields the PWA reads). */
export interface HandoverRecord {
  received_by?: string;
  via?: string;
  printed?: boolean;
  photo?: unknown;
}

export type Via = 'LOKET' | 'KAWIL' | 'RT' | 'UPT';

/** What Dukcapil issues for a service: a card (KTP-el, KIA) or a PDF printed on A4. A service
 * missing from the cached catalog, or one cached before the kind was served, is printable. */
export function isCard(service: string, catalog: { code: string; document?: string }[]): boolean {
  return catalog.find((s) => s.code === service)?.document === 'card';
}

/** Whether the desa can print the document: printable, with its issued PDF attached (the
 * server refuses `printed` otherwise, services/request_handover.py). */
export function canPrint(item: { issued?: { state?: string } | null }, card: boolean): boolean {
  return !card && item.issued?.state === 'ok';
}

/** The routes a handover may take: a card may be collected at Dukcapil/UPT (first, the usual
 * way); a printed document cannot. */
export function viaChoices(card: boolean): Via[] {
  return card ? ['UPT', 'LOKET', 'KAWIL', 'RT'] : ['LOKET', 'KAWIL', 'RT'];
}

/** Whether the route names an intermediary (Kawil/Kadus, RT); the loket and the UPT do not. */
export function namesIntermediary(via: Via): boolean {
  return via === 'KAWIL' || via === 'RT';
}

/** The done state's line as i18n parts, e.g. "Dicetak di desa · diterima oleh Siti": the
 * screen translates and joins them. Empty when nothing is left to say (an erased handover). */
export function handoverSummary(handover: HandoverRecord | null | undefined): { key: string; vars?: Record<string, string> }[] {
  if (!handover) return [];
  const parts: { key: string; vars?: Record<string, string> }[] = [];
  if (handover.printed) parts.push({ key: 'ho.sum.printed' });
  else if (handover.via === 'UPT') parts.push({ key: 'ho.sum.upt' });
  if (handover.received_by) parts.push({ key: 'ho.sum.by', vars: { name: handover.received_by } });
  return parts;
}
