// The requests to process: filters, a page at a time, and moves of a selection.
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { api } from '../../lib/api';
import { commonMoves, moveMany, NEEDS_REASON, query, type BulkResult, type OfficerRequest } from '../../lib/officer';
import { regionName } from '../../lib/regions';
import { toast, useStore } from '../../lib/store';
import { Badge, formatDate, personName, serviceLabel } from '../common';
import { PlaceFilters, Problem, usePages } from './common';

const STATUSES = ['DIAJUKAN', 'DITERIMA', 'DIPROSES', 'PERLU_PERBAIKAN', 'SELESAI', 'DISERAHKAN', 'DITOLAK', 'DIBATALKAN'];

function BulkBar(props: { selected: OfficerRequest[]; onDone: () => void }) {
  const moves = commonMoves(props.selected.map((r) => r.status));
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [results, setResults] = useState<BulkResult[] | null>(null);
  const [busy, setBusy] = useState(false);
  const target = moves.includes(to) ? to : (moves[0] ?? '');
  const needsNote = NEEDS_REASON.has(target);
  const run = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const done = await moveMany(props.selected, target, note.trim());
    setBusy(false);
    setResults(done);
    setNote('');
    toast(t('dk.bulk.done', { ok: done.filter((r) => r.ok).length, n: done.length }));
    props.onDone();
  };
  return (
    <>
      {props.selected.length > 0 && (
        <form class="card dk-bulk" onSubmit={(e) => void run(e)} aria-labelledby="bulk-h">
          <h2 id="bulk-h">{t('dk.bulk.title', { n: props.selected.length })}</h2>
          {moves.length === 0 ? (
            <p class="muted">{t('dk.bulk.none')}</p>
          ) : (
            <>
              <div class="field">
                <label for="bulk-to">{t('dk.move.to')}</label>
                <select id="bulk-to" value={target} onChange={(e) => setTo(e.currentTarget.value)}>
                  {moves.map((m) => (
                    <option value={m}>{t(`status.${m}`)}</option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for="bulk-note">{needsNote ? t('dk.move.reason') : t('dk.move.note')}</label>
                <textarea id="bulk-note" rows={2} required={needsNote} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
              </div>
              <button type="submit" class="btn btn-primary" disabled={busy || (needsNote && !note.trim())}>
                {t('dk.bulk.apply', { n: props.selected.length })}
              </button>
            </>
          )}
        </form>
      )}
      {results && (
        <section class="card" aria-labelledby="bulk-r-h">
          <h2 id="bulk-r-h">{t('dk.bulk.report')}</h2>
          <ul>
            {results.map((r) => (
              <li class={r.ok ? '' : 'warn'}>
                {r.code}: {r.ok ? t(`status.${r.detail}`) : r.detail}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function initialQueueFilters() {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  return {
    status: params.get('status') ?? 'DITERIMA',
    kecamatan: params.get('kecamatan') ?? '',
    desa: params.get('desa') ?? '',
    service: params.get('service') ?? '',
    age: params.get('older_than_days') ?? '',
  };
}

export function Queue() {
  const state = useStore();
  const [filters, setFilters] = useState(initialQueueFilters);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const { items, next: cursor, error, loading, more, reload } = usePages<OfficerRequest, string>(
    async (cursor) => {
      const page = await api<{ items: OfficerRequest[]; cursor: string | null }>(
        'GET',
        `/api/v1/requests${query({
          status: filters.status,
          kecamatan: filters.kecamatan,
          desa: filters.desa,
          service: filters.service,
          older_than_days: filters.age,
          cursor,
          limit: 50,
        })}`,
      );
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
  return (
    <>
      <h1>{t('dk.queue.title')}</h1>
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
          <input
            id="q-age"
            type="number"
            min="0"
            inputMode="numeric"
            value={filters.age}
            onChange={(e) => setFilters({ ...filters, age: e.currentTarget.value })}
          />
        </div>
      </div>
      <Problem text={error} />
      <BulkBar selected={items.filter((i) => selected.has(i.id))} onDone={reload} />
      {items.length > 0 && (
        <label class="check dk-all">
          <input type="checkbox" checked={all} onChange={() => setSelected(all ? new Set() : new Set(items.map((i) => i.id)))} /> {t('dk.queue.selectAll')}
        </label>
      )}
      {!loading && items.length === 0 && <p class="muted">{t('dk.queue.empty')}</p>}
      <ul class="items">
        {items.map((item) => (
          <li class="dk-row" data-code={item.code}>
            <input
              type="checkbox"
              class="dk-check"
              id={`sel-${item.id}`}
              checked={selected.has(item.id)}
              onChange={() => toggle(item.id)}
              aria-label={t('dk.queue.select', { code: item.code })}
            />
            <a class="item" href={`#/dukcapil/p/${item.id}`}>
              <span class="item-name">
                {item.code} — {personName(item as never)}
              </span>
              <span class="item-meta">
                {regionName(item.desa)} · {serviceLabel(state.catalog, item.service)} · {formatDate(item.created_at)}
              </span>
              <Badge status={item.status} />
            </a>
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" class="btn" disabled={loading} onClick={more}>
          {t('dk.more')}
        </button>
      )}
    </>
  );
}
