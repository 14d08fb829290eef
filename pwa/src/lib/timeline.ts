// A request's timeline as the API serves it (api/serializers.py): most entries are moves
// between statuses ("request.transition", or no action from a server before #18); some
// only note something on the current status, e.g. the resident's download at SELESAI
// ("issued.download.resident", from SELESAI to SELESAI). Readers that want a status's date
// or Dukcapil's note read the moves only: a download after issuing is neither.
import { CATALOGS, getLang, t } from '../i18n';

export const TRANSITION = 'request.transition';

export interface TimelineEntry {
  status: string;
  label?: string;
  action?: string;
  at: string;
  by?: string;
  note?: string;
}

export function isMove(entry: { action?: string | null }): boolean {
  return !entry.action || entry.action === TRANSITION;
}

/** The last move into one of `statuses` (the newest round), or undefined. */
export function lastMove<E extends { status: string; action?: string | null }>(timeline: readonly E[] | undefined, ...statuses: string[]): E | undefined {
  return [...(timeline ?? [])].reverse().find((e) => isMove(e) && statuses.includes(e.status));
}

/** What the timeline calls an entry: its status for a move; for another action, this
 * catalog's words for it (`timeline.<action>`), else the server's label. */
export function entryTitle(entry: TimelineEntry): string {
  if (isMove(entry)) return t(`status.${entry.status}`);
  const key = `timeline.${entry.action}`;
  if (key in CATALOGS[getLang()] || key in CATALOGS.id) return t(key);
  return entry.label || t(`status.${entry.status}`);
}
