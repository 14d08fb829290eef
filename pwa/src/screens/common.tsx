import { useEffect, useState } from 'preact/hooks';
import { getLang, t } from '../i18n';
import { formatBytes as bytesText, formatDateTime } from '../lib/locale';
import type { Service } from '../lib/catalog';
import type { LocalRequest, ServerRequest } from '../lib/storage';

export const LOCAL_STATUS: Record<LocalRequest['state'], string> = {
  draft: 'status.local.draft',
  queued: 'status.local.queued',
  attention: 'status.local.attention',
};

export function serviceLabel(catalog: Service[], code: string): string {
  const service = catalog.find((s) => s.code === code);
  if (!service) return code;
  return getLang() === 'en' ? service.label_en : service.label;
}

export function statusLabel(status: string): string {
  return t(`status.${status}`);
}

export function Badge(props: { status: string; local?: boolean }) {
  const key = props.local ? LOCAL_STATUS[props.status as LocalRequest['state']] : `status.${props.status}`;
  return <span class={`badge badge-${props.status.toLowerCase()}`}>{t(key)}</span>;
}

export function formatBytes(bytes: number): string {
  return bytesText(bytes, getLang());
}

/** A time for people: Indonesian style, on the kabupaten's clock (lib/locale). */
export function formatDate(iso: string): string {
  return formatDateTime(iso, getLang());
}

export function useStorage(): { usage: number; quota: number; persisted: boolean | null; refresh: () => void } {
  const [value, setValue] = useState({ usage: 0, quota: 0, persisted: null as boolean | null });
  const refresh = () => {
    void (async () => {
      const estimate = (await navigator.storage?.estimate?.()) ?? {};
      const persisted = (await navigator.storage?.persisted?.()) ?? null;
      setValue({ usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, persisted });
    })();
  };
  useEffect(refresh, []);
  return { ...value, refresh };
}

export function personName(item: LocalRequest | ServerRequest): string {
  if ((item as { purged_at?: string | null }).purged_at) return t('purged.name');
  const subject = item.subject as { name?: string } | null;
  const applicant = item.applicant as { name?: string };
  return subject?.name || applicant.name || '—';
}

/** A thumbnail of a stored page; the object URL lives as long as the component. */
export function Thumb(props: { blob: Blob; label: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (props.blob.type === 'application/pdf') return undefined;
    const made = URL.createObjectURL(props.blob);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [props.blob]);
  if (props.blob.type === 'application/pdf') {
    return (
      <span class="thumb thumb-pdf" role="img" aria-label={props.label}>
        PDF
      </span>
    );
  }
  return url ? <img class="thumb" src={url} alt={props.label} /> : <span class="thumb" />;
}
