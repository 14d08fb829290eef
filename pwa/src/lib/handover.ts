// The handover's date and receipt photo (DESIGN §2 "Handover"), apart from the screen
// (screens/handover.tsx) so the rules can be tested: pwa/test/handover.test.ts.
import { api, putBytes, type Upload } from './api';
import type { Prepared } from './images';
import { currentClock } from './locale';

/** The calendar day of a moment in the kabupaten's zone, as YYYY-MM-DD. */
export function localDay(at: Date | string, timeZone = currentClock().timeZone): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(at));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The days a handover may carry: from the day the document was issued (SELESAI) to today. */
export function handoverDays(
  item: { timeline?: { status: string; at: string }[] },
  now: Date = new Date(),
): { min: string | null; max: string } {
  const issued = [...(item.timeline ?? [])].reverse().find((e) => e.status === 'SELESAI');
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
