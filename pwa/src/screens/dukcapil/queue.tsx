// Dukcapil's desk: how many requests wait in each status and for how long, search by code, NIK
// or name, filters, a dense table (a phone gets one card per row), bulk moves of a selection;
// a row opens the request with its moves (#/dukcapil/p/<id>).
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { api } from '../../lib/api';
import { ageDays, countText, filtersFromHash, listParams, searchKind, type DeskFilters, type StatusCount } from '../../lib/desk';
import { query, type OfficerRequest } from '../../lib/officer';
import { regionName } from '../../lib/regions';
import { useStore } from '../../lib/store';
import { Badge, serviceLabel } from '../common';
import { BulkBar } from './bulk';
import { PlaceFilters, Problem, useLoad, usePages } from './common';

const STATUSES = ['DIAJUKAN', 'DITERIMA', 'DIPROSES', 'PERLU_PERBAIKAN', 'SELESAI', 'DISERAHKAN', 'DITOLAK', 'DIBATALKAN'];

function Counts(props: { filters: DeskFilters; tick: number; onPick: (status: string, age: string) => void }) {
  const { filters, onPick } = props;
  const counts = useLoad(
    () =>
      api<{ items: StatusCount[]; cap: number }>(
        'GET',
        `/api/v1/requests/counts${query({ desa: filters.desa, kecamatan: filters.kecamatan, service: filters.service })}`,
      ),
    [filters.desa, filters.kecamatan, filters.service, props.tick],
  );
  if (counts.error) return <Problem text={counts.error} />;
  if (!counts.value) return null;
  const cap = counts.value.cap;
  return (
    <section aria-labelledby="dk-counts-h">
      <h2 id="dk-counts-h" class="sr-only">
        {t('dk.desk.counts')}
      </h2>
      <ul class="dk-counts">
        {counts.value.items.map((c) => (
          <li class="dk-count" data-status={c.status}>
            <button
              type="button"
              class="dk-count-main"
              aria-pressed={filters.status === c.status && !filters.age && !filters.q}
              onClick={() => onPick(c.status, '')}
            >
              <strong>{countText(c.count, c.capped)}</strong> <span>{t(`status.${c.status}`)}</span>
            </button>
            <span class="dk-count-ages">
              {[7, 14].map((days) => {
                const n = days === 7 ? c.older_than_7 : c.older_than_14;
                return (
                  <button
                    type="button"
                    class={n > 0 ? 'dk-age dk-age-late' : 'dk-age'}
                    data-age={days}
                    aria-pressed={filters.status === c.status && filters.age === String(days) && !filters.q}
                    onClick={() => onPick(c.status, String(days))}
                  >
                    {t('dk.desk.older', { n: countText(n, c.capped), days })}
                  </button>
                );
              })}
            </span>
          </li>
        ))}
      </ul>
      {counts.value.items.some((c) => c.capped) && <p class="muted">{t('dk.desk.capped', { n: countText(cap, false) })}</p>}
    </section>
  );
}

function Search(props: { value: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(props.value);
  const kind = searchKind(text);
  return (
    <form
      class="dk-search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (kind || !text.trim()) props.onSearch(text.trim());
      }}
    >
      <label for="q-search">{t('dk.desk.search')}</label>
      <div class="dk-search-row">
        <input id="q-search" type="search" autoComplete="off" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" class="btn btn-primary" disabled={!kind && text.trim() !== ''}>
          {t('dk.desk.find')}
        </button>
        {props.value && (
          <button
            type="button"
            class="btn"
            onClick={() => {
              setText('');
              props.onSearch('');
            }}
          >
            {t('dk.desk.clear')}
          </button>
        )}
      </div>
      <p class="muted dk-search-hint">{t(kind ? `dk.desk.kind.${kind}` : 'dk.desk.hint')}</p>
    </form>
  );
}

function applicantName(item: OfficerRequest): string {
  return (item.applicant as { name?: string | null }).name || '—';
}

export function Queue() {
  const state = useStore();
  const [filters, setFiltersState] = useState<DeskFilters>(() => filtersFromHash(location.hash));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [tick, setTick] = useState(0);
  const setFilters = (next: DeskFilters) => {
    setFiltersState(next);
    // The link keeps the desk as it was (the way back from a request), without a route change.
    const params = listParams(next, null);
    history.replaceState(history.state, '', `#/dukcapil/permohonan${query({ ...params, status: next.status, limit: null, cursor: null })}`);
  };
  const { items, next: cursor, error, loading, more, reload } = usePages<OfficerRequest, string>(
    async (cursor) => {
      const page = await api<{ items: OfficerRequest[]; cursor: string | null }>('GET', `/api/v1/requests${query(listParams(filters, cursor))}`);
      return { items: page.items, next: page.cursor };
    },
    [filters],
    () => setSelected(new Set()),
  );
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const all = items.length > 0 && items.every((i) => selected.has(i.id));
  const now = new Date();
  return (
    <>
      <h1>{t('dk.queue.title')}</h1>
      <Counts filters={filters} tick={tick} onPick={(status, age) => setFilters({ ...filters, status, age, q: '' })} />
      <Search value={filters.q} key={filters.q} onSearch={(q) => setFilters(q ? { ...filters, q, status: '', age: '' } : { ...filters, q })} />
      <div class="filters dk-filters">
        <div class="field">
          <label for="q-status">{t('dk.status')}</label>
          <select id="q-status" value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value })}>
            <option value="">{t('dk.all')}</option>
            {STATUSES.map((s) => (
              <option value={s}>{t(`status.${s}`)}</option>
            ))}
          </select>
        </div>
        <PlaceFilters prefix="q" value={filters} onChange={(v) => setFilters({ ...filters, ...v })} />
        <div class="field">
          <label for="q-age">{t('dk.age')}</label>
          <input id="q-age" type="number" min="0" inputMode="numeric" value={filters.age} onChange={(e) => setFilters({ ...filters, age: e.currentTarget.value })} />
        </div>
      </div>
      <Problem text={error} />
      <BulkBar
        selected={items.filter((i) => selected.has(i.id))}
        onDone={() => {
          reload();
          setTick((n) => n + 1);
        }}
      />
      {!loading && items.length === 0 && !error && filters.status === 'DITERIMA' && !filters.q && (
        // The desk opens on DITERIMA: say where the waiting ones are instead of a blank table.
        <p class="note">
          {t('dk.queue.noneReceived')}{' '}
          <button type="button" class="btn btn-small" onClick={() => setFilters({ ...filters, status: 'DIAJUKAN', age: '' })}>
            {t('dk.queue.showSubmitted')}
          </button>
        </p>
      )}
      {!loading && items.length === 0 && !error && !(filters.status === 'DITERIMA' && !filters.q) && <p class="muted">{t(filters.q ? 'dk.desk.notFound' : 'dk.queue.empty')}</p>}
      {items.length > 0 && (
        <div class="dk-table-wrap">
          <table class="dk-table dk-desk">
            <thead>
              <tr>
                <th scope="col">
                  <label class="dk-pick">
                    <input type="checkbox" checked={all} onChange={() => setSelected(all ? new Set() : new Set(items.map((i) => i.id)))} />
                    <span class="sr-only">{t('dk.queue.selectAll')}</span>
                  </label>
                </th>
                <th scope="col">{t('dk.desk.code')}</th>
                <th scope="col">{t('dk.service')}</th>
                <th scope="col">{t('dk.desa')}</th>
                <th scope="col">{t('dk.desk.applicant')}</th>
                <th scope="col">{t('dk.status')}</th>
                <th scope="col">{t('dk.desk.age')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const open = `#/dukcapil/p/${item.id}`;
                const days = ageDays(item.status_since ?? item.created_at, now);
                return (
                  <tr
                    class="dk-row"
                    data-code={item.code}
                    onClick={(e) => {
                      if (!(e.target as Element).closest('a, label, input, button')) location.hash = open;
                    }}
                  >
                    <td class="dk-cell-pick">
                      <label class="dk-pick">
                        <input type="checkbox" checked={selected.has(item.id)} onChange={() => toggle(item.id)} />
                        <span class="sr-only">{t('dk.queue.select', { code: item.code })}</span>
                      </label>
                    </td>
                    <td data-label={t('dk.desk.code')}>
                      <a class="dk-code" href={open}>
                        {item.code}
                      </a>
                    </td>
                    <td data-label={t('dk.service')}>{serviceLabel(state.catalog, item.service)}</td>
                    <td data-label={t('dk.desa')}>{regionName(item.desa)}</td>
                    <td data-label={t('dk.desk.applicant')}>{applicantName(item)}</td>
                    <td data-label={t('dk.status')}>
                      <Badge status={item.status} />
                    </td>
                    <td data-label={t('dk.desk.age')} class={days > 14 ? 'dk-late' : undefined}>
                      {t('dk.desk.days', { n: days })}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" class="btn" disabled={loading} onClick={more}>
          {t('dk.more')}
        </button>
      )}
    </>
  );
}
