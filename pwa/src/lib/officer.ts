// Dukcapil and admin: the calls behind their screens (DESIGN §4), kept out of the operator's
// first load (imported only by the lazily loaded screens, and by the operator's handover form).
import { api, ApiError, putBytes, type Upload } from './api';
import { sha256 } from './images';
import { movesOf, NEEDS_REASON, STATUSES } from './lifecycle';
import type { Role } from './roles';
import type { RequestFields } from './wire';

/** Accepting (DIAJUKAN → DITERIMA) is the batch download's; no button offers it. */
const BY_BATCH = new Set(['DIAJUKAN>DITERIMA']);

/** Statuses a Dukcapil officer may move a request to, by its current status (lifecycle.json). */
export const DUKCAPIL_MOVES: Record<string, string[]> = Object.fromEntries(
  STATUSES.map((from) => [from, movesOf('dukcapil', from).filter((to) => !BY_BATCH.has(`${from}>${to}`))] as const).filter(
    ([, moves]) => moves.length > 0,
  ),
);

export { NEEDS_REASON };

export function movesFrom(status: string): string[] {
  return DUKCAPIL_MOVES[status] ?? [];
}

/** The moves every one of the selected requests allows (for a bulk action). */
export function commonMoves(statuses: string[]): string[] {
  if (statuses.length === 0) return [];
  return statuses.map(movesFrom).reduce((a, b) => a.filter((m) => b.includes(m)));
}

export interface RequestFilters {
  status?: string;
  kecamatan?: string;
  desa?: string;
  service?: string;
  older_than_days?: string | number;
  cursor?: string | null;
  limit?: number;
}

/** A query string of the filters that are set; empty values are left out. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && String(v).trim() !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v).trim())}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export interface OfficerRequest extends RequestFields {
  ready: boolean;
  verify_problem: string | null;
  batch_id?: string | null;
  issued?: { sha256?: string; size?: number; state?: string } | null;
  handover?: Record<string, unknown> | null;
  purged_at?: string | null;
  requirements?: { code: string; label: string; required: boolean; satisfied: boolean }[];
}

export interface BatchVolume {
  n: number;
  count: number;
  size: number;
  sha256: string | null;
  status: 'PENDING' | 'READY';
  downloaded_at: string | null;
  downloads: number;
}

export interface BatchExcluded {
  id: string;
  code: string;
  reason: string;
  volume: number | null;
}

export interface Batch {
  id: string;
  status: 'BUILDING' | 'READY' | 'FAILED';
  phase: string;
  count: number;
  claimed: number;
  volumes: BatchVolume[];
  excluded: BatchExcluded[];
  rebuild_of: string | null;
  progress_at: string | null;
  created_at: string;
  created_by: string;
  filters: Record<string, string | null>;
  size: number | null;
  sha256: string | null;
  error: string | null;
  downloaded_at: string | null;
  downloads: number;
}

export interface Handover {
  received_by: string;
  relation: 'PEMOHON' | 'KELUARGA';
  /** UPT: a card (KTP-el, KIA) collected at Dukcapil/UPT kecamatan; cards only. */
  via: 'LOKET' | 'KAWIL' | 'RT' | 'UPT';
  via_name?: string | null;
  /** The desa printed the issued PDF on A4 (a printable document with its PDF only). */
  printed?: boolean;
  /** YYYY-MM-DD, when handed over earlier than now (not before SELESAI). */
  date?: string;
  /** The photo of the signed receipt, uploaded first (lib/handover.ts). */
  photo_sha256?: string;
}

export function transition(
  request: { id: string; version: number },
  to: string,
  note = '',
  handover?: Handover,
): Promise<OfficerRequest> {
  return api<OfficerRequest>('POST', `/api/v1/requests/${request.id}/transition`, {
    to,
    note,
    version: request.version,
    ...(handover ? { handover } : {}),
  });
}

export interface BulkResult {
  id: string;
  code: string;
  ok: boolean;
  detail: string;
}

/** Move several requests one by one; each keeps its own outcome (a 409 on one stops nothing). */
export async function moveMany(
  items: { id: string; code: string; version: number }[],
  to: string,
  note: string,
): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (const item of items) {
    try {
      const moved = await transition(item, to, note);
      results.push({ id: item.id, code: item.code, ok: true, detail: moved.status });
    } catch (error) {
      results.push({ id: item.id, code: item.code, ok: false, detail: error instanceof ApiError ? error.detail : String(error) });
    }
  }
  return results;
}

/** Attach the issued PDF: register (sha256, size) → PUT the bytes → complete. */
export async function uploadIssued(requestId: string, file: Blob): Promise<OfficerRequest> {
  if (file.type && file.type !== 'application/pdf') throw new ApiError(400, 'PDF');
  const base = `/api/v1/requests/${requestId}/issued`;
  const registered = await api<{ upload: Upload | null }>('POST', base, {
    sha256: await sha256(file),
    size: file.size,
    content_type: 'application/pdf',
  });
  if (registered.upload) await putBytes(registered.upload, file);
  return api<OfficerRequest>('POST', `${base}/complete`);
}

/** Poll `load` every `everyMs` until `done` says so; returns a stop function. */
export function poll<T>(load: () => Promise<T>, done: (value: T) => boolean, onValue: (value: T) => void, everyMs = 1500): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      const value = await load();
      if (stopped) return;
      onValue(value);
      if (done(value)) return;
    } catch {
      // offline for a moment: try again at the next tick
    }
    if (!stopped) timer = setTimeout(() => void tick(), everyMs);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

export interface Account {
  username: string;
  role: Role;
  desa: string | null;
  /** Its kabupaten's code (an operator: its desa's); null for the province role (#16). */
  kabupaten: string | null;
  provinsi: string | null;
  active: boolean;
  created_at: string;
}
