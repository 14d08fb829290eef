// The request lifecycle, from the server's own table: backend/bakso/data/lifecycle.json is
// read by backend/bakso/domain/lifecycle.py (TRANSITIONS) and bundled here at build time, so
// the two cannot drift (tests/unit/test_lifecycle_data.py, pwa/test/lifecycle.test.ts).
import data from '../../../backend/bakso/data/lifecycle.json';

export type Role = 'operator' | 'dukcapil' | 'admin' | 'system';

export interface Move {
  from: string;
  to: string;
  by: string[];
}

/** Every status, in the server's order (Status in lifecycle.py). */
export const STATUSES: readonly string[] = data.statuses;
/** The desa may still change data and scans. */
export const EDITABLE: ReadonlySet<string> = new Set(data.editable);
/** These moves need a reason the desa can act on. */
export const NEEDS_REASON: ReadonlySet<string> = new Set(data.needs_reason);
export const FINAL: ReadonlySet<string> = new Set(data.final);
export const TRANSITIONS: readonly Move[] = data.transitions;

/** May `role` move a request from `from` to `to`? */
export function allowed(from: string, to: string, role: Role): boolean {
  return TRANSITIONS.some((m) => m.from === from && m.to === to && m.by.includes(role));
}

/**
 * The moves `role` may make from `from`, in the order buttons show them: forward moves first,
 * then those that need a reason, cancelling last (each group in the order of STATUSES).
 */
export function movesOf(role: Role, from: string): string[] {
  const rank = (to: string) =>
    (to === 'DIBATALKAN' ? 2 : NEEDS_REASON.has(to) ? 1 : 0) * STATUSES.length + STATUSES.indexOf(to);
  return TRANSITIONS.filter((m) => m.from === from && m.by.includes(role))
    .map((m) => m.to)
    .sort((a, b) => rank(a) - rank(b));
}
