// Dukcapil and admin screens (a lazily loaded chunk): batches, the requests to process, a
// request with its scans and transitions, bulk return, the audit log, officer accounts.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, ApiError, NetworkError } from '../lib/api';
import {
  commonMoves,
  movesFrom,
  moveMany,
  NEEDS_REASON,
  poll,
  query,
  transition,
  uploadIssued,
  type Account,
  type Batch,
  type BulkResult,
  type OfficerRequest,
} from '../lib/officer';
import { kecamatanOf, regionName, regions } from '../lib/regions';
import { toast, useStore } from '../lib/store';
import { Badge, formatBytes, formatDate, personName, serviceLabel } from './common';
import { Returns } from './returns';
import './dukcapil.css';

const STATUSES = ['DIAJUKAN', 'DITERIMA', 'DIPROSES', 'PERLU_PERBAIKAN', 'SELESAI', 'DISERAHKAN', 'DITOLAK', 'DIBATALKAN'];

function message(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof NetworkError) return t('dk.offline');
  return String(error);
}

function Problem(props: { text: string | null }) {
  return props.text ? (
    <p class="note note-warn" role="alert">
      {props.text}
    </p>
  ) : null;
}

const kecamatanList = () => Object.entries(regions.kecamatan).sort((a, b) => a[1].localeCompare(b[1]));
const desaList = (kecamatan: string) =>
  Object.entries(regions.desa)
    .filter(([code]) => !kecamatan || kecamatanOf(code) === kecamatan)
    .sort((a, b) => a[1].localeCompare(b[1]));

/** Kecamatan, desa (narrowed by the kecamatan) and service selects, shared by the screens. */
function PlaceFilters(props: {
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
          {desaList(value.kecamatan).map(([code, name]) => (
            <option value={code}>{name}</option>
          ))}
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

// ---------------------------------------------------------------- batches

function Batches() {
  const [filters, setFilters] = useState({ kecamatan: '', desa: '', service: '' });
  const [items, setItems] = useState<Batch[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const building = items.some((b) => b.status === 'BUILDING');
  useEffect(
    () =>
      poll(
        () => api<{ items: Batch[] }>('GET', '/api/v1/batches'),
        (page) => !page.items.some((b) => b.status === 'BUILDING'),
        (page) => setItems(page.items),
      ),
    [tick],
  );
  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api<Batch>('POST', '/api/v1/batches', {
        kecamatan: filters.kecamatan || null,
        desa: filters.desa || null,
        service: filters.service || null,
      });
      toast(t('dk.batch.created'));
      setTick((n) => n + 1);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  const rebuild = async (b: Batch) => {
    setBusy(true);
    setError(null);
    try {
      await api<Batch>('POST', `/api/v1/batches/${b.id}/rebuild`);
      toast(t('dk.batch.created'));
      setTick((n) => n + 1);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };
  const describe = (b: Batch) =>
    [b.filters.kecamatan && regionName(b.filters.kecamatan), b.filters.desa && regionName(b.filters.desa), b.filters.service]
      .filter(Boolean)
      .join(' · ') || t('dk.all');
  return (
    <>
      <h1>{t('dk.batch.title')}</h1>
      <form class="card" onSubmit={(e) => void create(e)} aria-labelledby="batch-new-h">
        <h2 id="batch-new-h">{t('dk.batch.new')}</h2>
        <p class="muted">{t('dk.batch.hint')}</p>
        <div class="filters dk-filters">
          <PlaceFilters prefix="batch" value={filters} onChange={setFilters} />
        </div>
        <Problem text={error} />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {t('dk.batch.create')}
        </button>
      </form>
      <p class="muted" role="status">
        {building ? t('dk.batch.building') : ''}
      </p>
      {items.length === 0 && <p class="muted">{t('dk.batch.empty')}</p>}
      <ul class="items">
        {items.map((b) => (
          <li class="item dk-batch" data-batch={b.id}>
            <span class="item-name">
              {formatDate(b.created_at)} — {describe(b)}
            </span>
            <span class="item-meta">
              {t('dk.batch.count', { n: b.count })}
              {b.size !== null && ` · ${formatBytes(b.size)}`}
              {b.volumes.length > 1 && ` · ${t('dk.batch.volumes', { n: b.volumes.length })}`}
            </span>
            <span class={`badge badge-batch-${b.status.toLowerCase()}`}>{t(`dk.batch.status.${b.status}`)}</span>
            {b.status === 'BUILDING' && <BuildProgress batch={b} />}
            {b.status === 'FAILED' && (
              <>
                <span class="item-meta">{t('dk.batch.failed')}</span>
                <button type="button" class="btn btn-small" disabled={busy} onClick={() => void rebuild(b)}>
                  {t('dk.batch.rebuild')}
                </button>
              </>
            )}
            {b.status === 'READY' && b.volumes.length > 0 && (
              <ul class="dk-volumes">
                {b.volumes.map((v) => (
                  <li class="dk-volume" data-volume={v.n}>
                    <span>
                      {t('dk.batch.volume', { n: v.n, of: b.volumes.length })} · {t('dk.batch.count', { n: v.count })} ·{' '}
                      {formatBytes(v.size)}
                      {v.downloads > 0 && ` · ${t('dk.batch.downloads', { n: v.downloads })}`}
                    </span>
                    <a
                      class="btn btn-small"
                      href={`/api/v1/batches/${b.id}/download?volume=${v.n}`}
                      download
                      onClick={() => setTimeout(() => setTick((n) => n + 1), 1500)}
                    >
                      {t('dk.batch.download')} {b.volumes.length > 1 ? t('dk.batch.volume.short', { n: v.n }) : ''}
                    </a>
                  </li>
                ))}
              </ul>
            )}
            {b.excluded.length > 0 && (
              <details class="dk-excluded">
                <summary>{t('dk.batch.excluded', { n: b.excluded.length })}</summary>
                <ul>
                  {b.excluded.map((e) => (
                    <li>
                      <strong>{e.code}</strong>: {e.reason}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

function BuildProgress(props: { batch: Batch }) {
  const b = props.batch;
  const packed = b.volumes.filter((v) => v.status === 'READY').length;
  const text =
    b.phase === 'pack'
      ? t('dk.batch.progress.pack', { done: packed, of: b.volumes.length })
      : b.phase === 'plan'
        ? t('dk.batch.progress.plan', { n: b.claimed })
        : t('dk.batch.progress.gather', { n: b.claimed });
  return (
    <span class="item-meta dk-progress">
      {b.phase === 'pack' && <progress max={b.volumes.length} value={packed} aria-label={text} />} {text}
    </span>
  );
}

// ---------------------------------------------------------------- requests to process

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

function Queue() {
  const state = useStore();
  const [filters, setFilters] = useState(initialQueueFilters);
  const [items, setItems] = useState<OfficerRequest[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const load = async (more: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api<{ items: OfficerRequest[]; cursor: string | null }>(
        'GET',
        `/api/v1/requests${query({
          status: filters.status,
          kecamatan: filters.kecamatan,
          desa: filters.desa,
          service: filters.service,
          older_than_days: filters.age,
          cursor: more,
          limit: 50,
        })}`,
      );
      setItems((old) => (more ? [...old, ...page.items] : page.items));
      setCursor(page.cursor);
      if (!more) setSelected(new Set());
    } catch (e) {
      setError(message(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(null);
  }, [filters, tick]);
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
      <BulkBar selected={items.filter((i) => selected.has(i.id))} onDone={() => setTick((n) => n + 1)} />
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
        <button type="button" class="btn" disabled={loading} onClick={() => void load(cursor)}>
          {t('dk.more')}
        </button>
      )}
    </>
  );
}

// ---------------------------------------------------------------- one request

function Scans(props: { item: OfficerRequest }) {
  const { item } = props;
  const scans = item.scans ?? [];
  if (item.purged_at) return <p class="muted">{t('dk.detail.purged')}</p>;
  if (scans.length === 0) return null;
  const label = (code: string) => item.requirements?.find((r) => r.code === code)?.label ?? code;
  return (
    <section class="card" aria-labelledby="scans-h">
      <h2 id="scans-h">{t('dk.detail.scans')}</h2>
      <ul class="dk-scans">
        {scans.map((s, i) => {
          const url = `/api/v1/requests/${item.id}/scans/${s.id}`;
          const name = `${label(s.requirement)} (${i + 1})`;
          return (
            <li>
              {s.content_type.startsWith('image/') ? (
                <a href={url} target="_blank" rel="noopener">
                  <img src={url} alt={name} loading="lazy" />
                </a>
              ) : (
                <a class="btn btn-small" href={url} target="_blank" rel="noopener">
                  {name} (PDF)
                </a>
              )}
              <span class="item-meta">
                {name} · {formatBytes(s.size)}
                {s.state !== 'ok' && ` · ${s.state}`}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Transitions(props: { item: OfficerRequest; onChange: (item: OfficerRequest) => void }) {
  const { item } = props;
  const moves = movesFrom(item.status);
  const [to, setTo] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (moves.length === 0) return null;
  const needsNote = to !== null && NEEDS_REASON.has(to);
  const apply = async (event: Event) => {
    event.preventDefault();
    if (!to) return;
    setBusy(true);
    setError(null);
    try {
      let current: { id: string; version: number } = item;
      if (to === 'SELESAI' && file) current = await uploadIssued(item.id, file);
      const moved = await transition(current, to, note.trim());
      toast(t('dk.move.done', { status: t(`status.${moved.status}`) }));
      setTo(null);
      setNote('');
      setFile(null);
      props.onChange(moved);
    } catch (e) {
      setError(message(e));
      if (e instanceof ApiError && e.status === 409) props.onChange(item); // reload: someone else moved it
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="move-h">
      <h2 id="move-h">{t('dk.move.title')}</h2>
      <div class="row">
        {moves.map((m) => (
          <button type="button" class={to === m ? 'btn btn-primary' : 'btn'} aria-pressed={to === m} onClick={() => setTo(m)}>
            {t(`dk.move.${m}`)}
          </button>
        ))}
      </div>
      {to && (
        <form onSubmit={(e) => void apply(e)}>
          <div class="field">
            <label for="move-note">{needsNote ? t('dk.move.reason') : t('dk.move.note')}</label>
            <textarea id="move-note" rows={3} required={needsNote} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
          {to === 'SELESAI' && (
            <div class="field">
              <label for="move-pdf">{t('dk.move.issued')}</label>
              <input id="move-pdf" type="file" accept="application/pdf" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
            </div>
          )}
          <Problem text={error} />
          <button type="submit" class="btn btn-primary" disabled={busy || (needsNote && !note.trim())}>
            {t('dk.move.confirm', { status: t(`status.${to}`) })}
          </button>
        </form>
      )}
    </section>
  );
}

function RequestDetail(props: { id: string }) {
  const state = useStore();
  const [item, setItem] = useState<OfficerRequest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api<OfficerRequest>('GET', `/api/v1/requests/${props.id}`)
      .then(setItem)
      .catch((e: unknown) => setError(message(e)));
  }, [props.id, tick]);
  if (error) return <Problem text={error} />;
  if (!item) return <p class="loading">{t('app.loading')}</p>;
  const applicant = item.applicant as Record<string, string | null>;
  const subject = item.subject as Record<string, string | null> | null;
  return (
    <>
      <p>
        <a href="#/dukcapil/permohonan">← {t('dk.queue.title')}</a>
      </p>
      <h1>
        {item.code} — {personName(item as never)}
      </h1>
      <p>
        <Badge status={item.status} /> {serviceLabel(state.catalog, item.service)}
      </p>
      {item.verify_problem && <p class="note note-warn">{item.verify_problem}</p>}
      {item.warnings.map((w) => (
        <p class="note note-warn">{w.message}</p>
      ))}
      <dl class="summary">
        <dt>{t('dk.desa')}</dt>
        <dd>{regionName(item.desa)}</dd>
        <dt>{t('field.nik')}</dt>
        <dd>{applicant.nik}</dd>
        <dt>{t('field.name')}</dt>
        <dd>{applicant.name}</dd>
        {applicant.kk && (
          <>
            <dt>{t('dk.detail.kk')}</dt>
            <dd>{applicant.kk}</dd>
          </>
        )}
        {subject?.name && (
          <>
            <dt>{t('dk.detail.subject')}</dt>
            <dd>
              {subject.name}
              {subject.birth_date && ` · ${subject.birth_date}`}
              {subject.birth_place && ` · ${subject.birth_place}`}
            </dd>
          </>
        )}
        {item.notes && (
          <>
            <dt>{t('dk.detail.notes')}</dt>
            <dd>{item.notes}</dd>
          </>
        )}
        <dt>{t('dk.detail.created')}</dt>
        <dd>{formatDate(item.created_at)}</dd>
      </dl>
      <div class="row">
        {item.ready && !item.purged_at && (
          <a class="btn" href={`/api/v1/requests/${item.id}/berkas`} target="_blank" rel="noopener">
            {t('dk.detail.berkas')}
          </a>
        )}
        {item.issued?.state === 'ok' && (
          <a class="btn" href={`/api/v1/requests/${item.id}/issued`} target="_blank" rel="noopener">
            {t('dk.detail.issued')}
          </a>
        )}
        <a class="btn" href={`#/dukcapil/audit?request=${item.id}`}>
          {t('dk.audit.title')}
        </a>
      </div>
      <Transitions item={item} onChange={() => setTick((n) => n + 1)} />
      <Scans item={item} />
      {item.timeline && (
        <section class="card" aria-labelledby="dk-tl-h">
          <h2 id="dk-tl-h">{t('detail.timeline')}</h2>
          <ol class="timeline">
            {item.timeline.map((e) => (
              <li>
                <strong>{t(`status.${e.status}`)}</strong> — {formatDate(e.at)} · {e.by}
                {e.note && <div>{e.note}</div>}
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}

// ---------------------------------------------------------------- audit

interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  data: Record<string, unknown>;
}

function Audit() {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [filters, setFilters] = useState({ request: params.get('request') ?? '', user: '', from: '', to: '' });
  const [draft, setDraft] = useState(filters);
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [before, setBefore] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async (more: number | null) => {
    setError(null);
    try {
      const page = await api<{ items: AuditEntry[]; before: number | null }>(
        'GET',
        `/api/v1/audit${query({
          request: filters.request,
          user: filters.user,
          from: filters.from,
          // the whole last day: "to" is compared with ISO timestamps
          to: filters.to ? `${filters.to}T23:59:59` : '',
          before: more,
          limit: 100,
        })}`,
      );
      setItems((old) => (more ? [...old, ...page.items] : page.items));
      setBefore(page.before);
    } catch (e) {
      setError(message(e));
    }
  };
  useEffect(() => {
    void load(null);
  }, [filters]);
  const field = (key: keyof typeof draft, type: 'text' | 'date' = 'text') => (
    <div class="field">
      <label for={`audit-${key}`}>{t(`dk.audit.${key}`)}</label>
      {type === 'date' ? (
        <input id={`audit-${key}`} type="date" value={draft[key]} onInput={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })} />
      ) : (
        <input id={`audit-${key}`} type="text" value={draft[key]} onInput={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })} />
      )}
    </div>
  );
  return (
    <>
      <h1>{t('dk.audit.title')}</h1>
      <form
        class="filters dk-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...draft });
        }}
      >
        {field('request')}
        {field('user')}
        {field('from', 'date')}
        {field('to', 'date')}
        <button type="submit" class="btn">
          {t('dk.audit.search')}
        </button>
      </form>
      <Problem text={error} />
      {items.length === 0 && !error && <p class="muted">{t('dk.audit.empty')}</p>}
      {items.length > 0 && (
        <div class="dk-table-wrap">
          <table class="dk-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('dk.audit.at')}</th>
                <th scope="col">{t('dk.audit.user')}</th>
                <th scope="col">{t('dk.audit.action')}</th>
                <th scope="col">{t('dk.audit.target')}</th>
                <th scope="col">{t('dk.audit.data')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr>
                  <td>{e.seq}</td>
                  <td>{formatDate(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>{e.action}</td>
                  <td class="dk-mono">{e.target}</td>
                  <td class="dk-mono">{Object.keys(e.data ?? {}).length ? JSON.stringify(e.data) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {before !== null && (
        <button type="button" class="btn" onClick={() => void load(before)}>
          {t('dk.more')}
        </button>
      )}
    </>
  );
}

// ---------------------------------------------------------------- accounts (admin)

function DesaSelect(props: { id: string; value: string; onChange: (v: string) => void; required?: boolean }) {
  return (
    <select id={props.id} value={props.value} required={props.required} onChange={(e) => props.onChange(e.currentTarget.value)}>
      <option value="">—</option>
      {kecamatanList().map(([kec, kecName]) => (
        <optgroup label={kecName}>
          {desaList(kec).map(([code, name]) => (
            <option value={code}>{name}</option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

function AccountRow(props: { account: Account; onChange: () => void }) {
  const { account } = props;
  const [mode, setMode] = useState<'' | 'password' | 'desa'>('');
  const [password, setPassword] = useState('');
  const [desa, setDesa] = useState(account.desa ?? '');
  const [error, setError] = useState<string | null>(null);
  const base = `/api/v1/users/${encodeURIComponent(account.username)}`;
  const act = async (path: string, body?: unknown, done?: string) => {
    setError(null);
    try {
      await api('POST', base + path, body);
      setMode('');
      setPassword('');
      if (done) toast(done);
      props.onChange();
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <li class="item dk-account" data-user={account.username}>
      <span class="item-name">
        {account.username} {!account.active && <span class="badge badge-ditolak">{t('dk.users.disabled')}</span>}
      </span>
      <span class="item-meta">
        {t(`role.${account.role}`)}
        {account.desa && ` · ${regionName(account.desa)}`}
      </span>
      <div class="row">
        {account.active ? (
          <button
            type="button"
            class="btn btn-small btn-danger"
            onClick={() => window.confirm(t('dk.users.confirmDisable', { name: account.username })) && void act('/disable', undefined, t('dk.users.disabledDone'))}
          >
            {t('dk.users.disable')}
          </button>
        ) : (
          <button type="button" class="btn btn-small" onClick={() => void act('/enable')}>
            {t('dk.users.enable')}
          </button>
        )}
        <button type="button" class="btn btn-small" aria-expanded={mode === 'password'} onClick={() => setMode(mode === 'password' ? '' : 'password')}>
          {t('dk.users.reset')}
        </button>
        {account.role === 'operator' && (
          <button type="button" class="btn btn-small" aria-expanded={mode === 'desa'} onClick={() => setMode(mode === 'desa' ? '' : 'desa')}>
            {t('dk.users.assign')}
          </button>
        )}
      </div>
      {mode === 'password' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act('/reset-password', { password }, t('dk.users.resetDone'));
          }}
        >
          <div class="field">
            <label for={`pw-${account.username}`}>{t('dk.users.newPassword')}</label>
            <input id={`pw-${account.username}`} type="password" autoComplete="new-password" minLength={10} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </div>
          <button type="submit" class="btn btn-small btn-primary">
            {t('dk.users.save')}
          </button>
        </form>
      )}
      {mode === 'desa' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act('/desa', { desa }, t('dk.users.assignDone'));
          }}
        >
          <div class="field">
            <label for={`desa-${account.username}`}>{t('dk.desa')}</label>
            <DesaSelect id={`desa-${account.username}`} value={desa} onChange={setDesa} required />
          </div>
          <button type="submit" class="btn btn-small btn-primary">
            {t('dk.users.save')}
          </button>
        </form>
      )}
      <Problem text={error} />
    </li>
  );
}

function Accounts() {
  const [items, setItems] = useState<Account[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ username: '', role: 'operator', desa: '', password: '' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api<{ items: Account[] }>('GET', '/api/v1/users')
      .then((page) => setItems(page.items))
      .catch((e: unknown) => setError(message(e)));
  }, [tick]);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      await api('POST', '/api/v1/users', { ...form, desa: form.role === 'operator' ? form.desa : null });
      toast(t('dk.users.created', { name: form.username }));
      setForm({ username: '', role: 'operator', desa: '', password: '' });
      setTick((n) => n + 1);
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <>
      <h1>{t('dk.users.title')}</h1>
      <form class="card" onSubmit={(e) => void create(e)} aria-labelledby="user-new-h">
        <h2 id="user-new-h">{t('dk.users.new')}</h2>
        <div class="field">
          <label for="u-name">{t('dk.users.username')}</label>
          <input id="u-name" autoComplete="off" required value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="u-role">{t('dk.users.role')}</label>
          <select id="u-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })}>
            {['operator', 'dukcapil', 'admin'].map((r) => (
              <option value={r}>{t(`role.${r}`)}</option>
            ))}
          </select>
        </div>
        {form.role === 'operator' && (
          <div class="field">
            <label for="u-desa">{t('dk.desa')}</label>
            <DesaSelect id="u-desa" value={form.desa} onChange={(desa) => setForm({ ...form, desa })} required />
          </div>
        )}
        <div class="field">
          <label for="u-pw">{t('dk.users.password')}</label>
          <input id="u-pw" type="password" autoComplete="new-password" minLength={10} required value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
        </div>
        <Problem text={error} />
        <button type="submit" class="btn btn-primary">
          {t('dk.users.create')}
        </button>
      </form>
      <ul class="items">
        {items.map((a) => (
          <AccountRow account={a} key={`${a.username}-${a.active}-${a.desa}`} onChange={() => setTick((n) => n + 1)} />
        ))}
      </ul>
    </>
  );
}

// ---------------------------------------------------------------- the section

const TABS = [
  { path: 'batch', key: 'dk.tab.batches' },
  { path: 'permohonan', key: 'dk.tab.requests' },
  { path: 'kembali', key: 'dk.tab.returns' },
  { path: 'audit', key: 'dk.tab.audit' },
  { path: 'akun', key: 'dk.tab.users', admin: true },
];

export function Dukcapil(props: { route: string[] }) {
  const state = useStore();
  const admin = state.session?.user.role === 'admin';
  const section = props.route[0] ?? 'batch';
  let screen;
  switch (section) {
    case 'p':
      screen = <RequestDetail id={props.route[1]} key={props.route[1]} />;
      break;
    case 'permohonan':
      screen = <Queue />;
      break;
    case 'kembali':
      screen = <Returns />;
      break;
    case 'audit':
      screen = <Audit key={location.hash} />;
      break;
    case 'akun':
      screen = admin ? <Accounts /> : <p class="note">{t('dk.users.adminOnly')}</p>;
      break;
    default:
      screen = <Batches />;
  }
  const current = section === 'p' ? 'permohonan' : section;
  return (
    <>
      <nav class="dk-tabs" aria-label={t('dk.tabs')}>
        {TABS.filter((tab) => !tab.admin || admin).map((tab) => (
          <a href={`#/dukcapil/${tab.path}`} class={current === tab.path ? 'dk-tab dk-tab-current' : 'dk-tab'} aria-current={current === tab.path ? 'page' : undefined}>
            {t(tab.key)}
          </a>
        ))}
      </nav>
      {screen}
    </>
  );
}
