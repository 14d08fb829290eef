// An audit entry in words: what happened and its details, never a raw code or JSON.
// Statuses become their labels, known data keys their Indonesian names; an action or key
// this catalog does not know yet is shown as it is rather than hidden.
import '../i18n/dukcapil';
import { t } from '../i18n';

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  data: Record<string, unknown>;
}

const STATUS = /^[A-Z][A-Z_]+$/;
const known = (key: string) => t(key) !== key;

export function actionText(action: string): string {
  const key = `audit.action.${action}`;
  return known(key) ? t(key) : action;
}

function keyText(key: string): string {
  return known(`audit.key.${key}`) ? t(`audit.key.${key}`) : key;
}

function valueText(value: unknown): string {
  if (typeof value === 'boolean') return t(value ? 'audit.yes' : 'audit.no');
  if (typeof value === 'string' && STATUS.test(value) && known(`status.${value}`)) return t(`status.${value}`);
  if (typeof value === 'string' && STATUS.test(value) && known(`sasaran.outcome.${value}`)) return t(`sasaran.outcome.${value}`);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    // A file the entry names ({sha256, size, ...}): its parts in words, not JSON.
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => `${keyText(k)} ${valueText(v)}`)
      .join(', ');
  }
  if (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) return `${value.slice(0, 12)}…`;
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** "Diajukan → Diterima Dukcapil · catatan: …" for a transition; "jilid: 2 · jumlah: 250" else. */
export function detailsText(entry: AuditEntry): string {
  const data = { ...(entry.data ?? {}) };
  const parts: string[] = [];
  if ('from' in data || 'to' in data) {
    parts.push(`${valueText(data.from)} → ${valueText(data.to)}`);
    delete data.from;
    delete data.to;
  }
  for (const [key, value] of Object.entries(data)) {
    if (value === '' || value === null || value === undefined) continue;
    parts.push(`${keyText(key)}: ${valueText(value)}`);
  }
  return parts.join(' · ');
}

/** "sistem" for the system's own steps, whatever the store calls it. */
export function actorText(actor: string): string {
  return actor === 'system' || actor === 'sistem' ? 'sistem' : actor;
}
