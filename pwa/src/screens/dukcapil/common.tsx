// What the Dukcapil/admin screens share: error words, the place filters, the desa select and
// the data hooks (one load, or pages with a cursor) behind every list and detail.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { ApiError, NetworkError } from '../../lib/api';
import { desaGroups, regions } from '../../lib/regions';
import { useStore } from '../../lib/store';
import { serviceLabel } from '../common';

export function message(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof NetworkError) return t('dk.offline');
  return String(error);
}

export function Problem(props: { text: string | null }) {
  return props.text ? (
    <p class="note note-warn" role="alert">
      {props.text}
    </p>
  ) : null;
}

export const kecamatanList = () => Object.entries(regions.kecamatan).sort((a, b) => a[1].localeCompare(b[1]));

/** Kecamatan, desa (narrowed by the kecamatan) and service selects, shared by the screens. */
export function PlaceFilters(props: {
  prefix: string;
  value: { kecamatan: string; desa: string; service: string };
  onChange: (value: { kecamatan: string; desa: string; service: string }) => void;
}) {
  const state = useStore();
  const { value, onChange, prefix } = props;
  return (
    <>
      <div class="field">
        <label for={`${prefix}-kec`}>{t('dk.kecamatan')}</label>
        <select id={`${prefix}-kec`} value={value.kecamatan} onChange={(e) => onChange({ ...value, kecamatan: e.currentTarget.value, desa: '' })}>
          <option value="">{t('dk.all')}</option>
          {kecamatanList().map(([code, name]) => (
            <option value={code}>{name}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={`${prefix}-desa`}>{t('dk.desa')}</label>
        <select id={`${prefix}-desa`} value={value.desa} onChange={(e) => onChange({ ...value, desa: e.currentTarget.value })}>
          <option value="">{t('dk.all')}</option>
          <DesaOptions kecamatan={value.kecamatan} />
        </select>
      </div>
      <div class="field">
        <label for={`${prefix}-svc`}>{t('dk.service')}</label>
        <select id={`${prefix}-svc`} value={value.service} onChange={(e) => onChange({ ...value, service: e.currentTarget.value })}>
          <option value="">{t('dk.all')}</option>
          {state.catalog.map((s) => (
            <option value={s.code}>{serviceLabel(state.catalog, s.code)}</option>
          ))}
        </select>
      </div>
    </>
  );
}

/** A desa select's options: a chosen kecamatan's desa, or with none chosen every desa under
 * its kecamatan's group, as same-named desa of two kecamatan are otherwise one name twice. */
export function DesaOptions(props: { kecamatan: string }) {
  const groups = desaGroups(props.kecamatan);
  if (props.kecamatan) {
    return (
      <>
        {groups.flatMap((group) => group.desa).map(([code, name]) => (
          <option value={code}>{name}</option>
        ))}
      </>
    );
  }
  return (
    <>
      {groups.map((group) => (
        <optgroup label={t('dk.kecGroup', { name: group.name })}>
          {group.desa.map(([code, name]) => (
            <option value={code}>{name}</option>
          ))}
        </optgroup>
      ))}
    </>
  );
}

export function DesaSelect(props: { id: string; value: string; onChange: (v: string) => void; required?: boolean }) {
  return (
    <select id={props.id} value={props.value} required={props.required} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">—</option>
      <DesaOptions kecamatan="" />
    </select>
  );
}

/** Load one thing when `deps` change; `reload` loads it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    load()
      .then(setValue)
      .catch((e: unknown) => setError(message(e)));
  }, [...deps, tick]);
  return { value, error, setError, reload: () => setTick((n) => n + 1) };
}

/**
 * A list read page by page: the first page when `deps` change (or on `reload`), then `more()`
 * appends the next one. `onFirst` runs after a first page arrived.
 */
export function usePages<T, C extends string | number>(
  fetchPage: (cursor: C | null) => Promise<{ items: T[]; next: C | null }>,
  deps: unknown[],
  onFirst?: () => void,
) {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<C | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const load = async (more: C | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await fetchPage(more);
      setItems((old) => (more ? [...old, ...page.items] : page.items));
      setNext(page.next);
      if (!more) onFirst?.();
    } catch (e) {
      setError(message(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(null);
  }, [...deps, tick]);
  return { items, next, error, loading, more: () => void load(next), reload: () => setTick((n) => n + 1) };
}
